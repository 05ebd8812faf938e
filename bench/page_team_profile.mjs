// Where the page's time goes when the Team numbers are recomputed after an
// import (not a test): V8's sampling profiler on the page's main thread
// (DevTools protocol, through Playwright), from another annotator's import
// until the numbers include it; self and inclusive milliseconds per
// function. Needs a build whose wasm keeps its name section: trunk build
// --release --dist DIST (without scripts/setup.sh's wasm-opt step).
// usage: node bench/page_team_profile.mjs DIST TEAM.json EXTRA.json ANNOTATORS
//        (the files bench/page_team.mjs writes to bench/out/; ANNOTATORS:
//        how many TEAM.json holds)
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { imported, lsstPage, recomputeMs, teamShown, watchRecompute } from "./team_page.mjs";

const [dist, teamPath, extraPath, n] = process.argv.slice(2);
const annotators = Number(n);
const server = await startServer(dist);
const browser = await launchChromium();
const context = await browser.newContext();
const page = await lsstPage(context, server.url);
await teamShown(page, teamPath, annotators);
await page.waitForTimeout(1000);
await watchRecompute(page, annotators + 1);
const cdp = await context.newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
await cdp.send("Profiler.start");
await imported(page, extraPath);
const recomputed = await recomputeMs(page);
await page.waitForTimeout(1500);
const { profile } = await cdp.send("Profiler.stop");
console.log("recompute ms", recomputed);
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  const node = byId.get(profile.samples[i]);
  const name = node.callFrame.functionName || "(anon " + node.callFrame.url.split("/").pop() + ")";
  self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
}
// inclusive time too
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const incl = new Map();
for (let i = 0; i < profile.samples.length; i += 1) {
  const seen = new Set();
  let id = profile.samples[i];
  while (id !== undefined) {
    const name = byId.get(id).callFrame.functionName;
    if (!seen.has(name)) { seen.add(name); incl.set(name, (incl.get(name) ?? 0) + (dt[i] ?? 0) / 1000); }
    id = parent.get(id);
  }
}
console.log("SELF");
for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 35)) console.log(ms.toFixed(1).padStart(8), name.slice(0, 150));
console.log("INCLUSIVE");
for (const [name, ms] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(ms.toFixed(1).padStart(8), name.slice(0, 150));
await browser.close();
await server.close?.();
process.exit(0);

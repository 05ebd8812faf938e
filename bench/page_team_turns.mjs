// The Team recompute after an import, timed in the page for one build
// (not a test): REPEATS imports of EXTRA.json's 100 votes, each under a new
// annotator's name, each timed from the file input's change to the new
// annotator's row drawn; prints the times, their median and the least.
// Run it on two builds in turns (this machine's speed drifts) to compare.
// usage: node bench/page_team_turns.mjs DIST TEAM.json EXTRA.json ANNOTATORS [REPEATS]
import { readFile, writeFile } from "node:fs/promises";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { imported, lsstPage, recomputeMs, teamShown, watchRecompute } from "./team_page.mjs";

const [dist, teamPath, extraPath, n, reps = "7"] = process.argv.slice(2);
let annotators = Number(n);
const extra = JSON.parse(await readFile(extraPath, "utf8"));
const server = await startServer(dist);
const browser = await launchChromium();
const page = await lsstPage(await browser.newContext(), server.url);
await teamShown(page, teamPath, annotators);
const times = [];
for (let r = 0; r < Number(reps); r += 1) {
  await page.waitForTimeout(1500);
  const path = `bench/out/turns-extra-${r}.json`;
  for (const label of extra.labels) label.annotator = `extra ${r}`;
  await writeFile(path, JSON.stringify(extra));
  await watchRecompute(page, annotators + 1);
  await imported(page, path);
  times.push(await recomputeMs(page));
  annotators += 1;
}
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({ dist, times, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0] }));
await browser.close();
process.exit(0);

// Where a page round's time goes (not a test): the same round as
// bench/page_round.mjs, with V8's sampling profiler on in every Web Worker of
// the page (Chrome DevTools Protocol), and each worker's self time printed per
// function. Needs a build whose wasm keeps its name section (trunk build
// --release without the wasm-opt step), served from DIST (default dist/).
// usage: node --experimental-websocket bench/page_profile.mjs POOL_DIR LABELS.json [WORKERS [card|record]]
//        (profiles from the click until the next card, or until the complete record)
//        TIMELINE=1 also prints each thread's busy time per 200 ms and its main function
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { pageWithLabelsAndPool, watchRoundMoments } from "./page_session.mjs";

const LONG = { timeout: 1_800_000 };
const PORT = 9333;
const [poolDir, labelsPath, workers = "1", until = "card"] = process.argv.slice(2);
const pool = (await readdir(poolDir)).filter((n) => n.endsWith(".parquet")).sort().map((n) => join(poolDir, n));
const labelCount = JSON.parse(await readFile(labelsPath, "utf8")).labels.length;

/** A raw CDP connection to the browser, flattened sessions. */
async function connect() {
  const version = await (await fetch(`http://127.0.0.1:${PORT}/json/version`)).json();
  const socket = new WebSocket(version.webSocketDebuggerUrl);
  await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
  let next = 1;
  const waiting = new Map();
  const listeners = [];
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.id && waiting.has(message.id)) {
      waiting.get(message.id)(message);
      waiting.delete(message.id);
    } else for (const listener of listeners) listener(message);
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return { send, on: (listener) => listeners.push(listener), close: () => socket.close() };
}

const server = await startServer(process.env.DIST ?? "dist");
const browser = await launchChromium([`--remote-debugging-port=${PORT}`]);
const cdp = await connect();
const workerSessions = new Map(); // every page and worker: its URL
let profiling = false;
cdp.on(async (message) => {
  if (message.method !== "Target.attachedToTarget") return;
  const { sessionId, targetInfo } = message.params;
  if (targetInfo.type === "worker" || targetInfo.type === "page") {
    workerSessions.set(sessionId, targetInfo.url);
    await cdp.send("Profiler.enable", {}, sessionId);
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 }, sessionId);
    // A worker started during the round (the pool's) is profiled from its start.
    if (profiling) await cdp.send("Profiler.start", {}, sessionId);
  }
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
  await cdp.send("Runtime.runIfWaitingForDebugger", {}, sessionId);
});
await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
try {
  const context = await browser.newContext();
  const { page } = await pageWithLabelsAndPool(context, `${server.url}?workers=${workers}`, labelsPath, labelCount, pool);
  await page.waitForTimeout(1000);
  await watchRoundMoments(page);
  profiling = true;
  for (const sessionId of workerSessions.keys()) await cdp.send("Profiler.start", {}, sessionId);
  await page.evaluate(() => (window.marks.clicked = performance.now()));
  await page.getByTestId("train").click();
  await page.waitForFunction((mark) => window.marks[mark] !== undefined, until === "record" ? "record" : "nextCard", { ...LONG, polling: 50 });
  const profiles = [];
  for (const [sessionId, url] of workerSessions) {
    const answer = await cdp.send("Profiler.stop", {}, sessionId);
    if (answer.result) profiles.push({ url, profile: answer.result.profile });
  }
  const marks = await page.evaluate(() => window.marks);
  console.log(`Train → next card: ${((marks.nextCard - marks.clicked) / 1000).toFixed(2)} s`);
  if (marks.record) console.log(`Train → complete record: ${((marks.record - marks.clicked) / 1000).toFixed(2)} s`);
  const earliestStart = Math.min(...profiles.map(({ profile }) => profile.startTime));
  for (const { url, profile } of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map();
    let total = 0;
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      const name = byId.get(id).callFrame.functionName || "(anonymous)";
      self.set(name, (self.get(name) ?? 0) + delta);
      total += delta;
    });
    const busy = [...self].filter(([name]) => name !== "(idle)" && name !== "(program)").reduce((s, [, t]) => s + t, 0);
    console.log(`\n${url}: ${(total / 1e6).toFixed(2)} s profiled, ${(busy / 1e6).toFixed(2)} s busy`);
    for (const [name, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`${(time / 1e3).toFixed(0).padStart(7)} ms  ${name.slice(0, 150)}`);
    }
    if (process.env.TIMELINE) printTimeline(profile, byId, earliestStart);
  }
  await context.close();
} finally {
  cdp.close();
  await browser.close();
  await server.close();
}

/** With TIMELINE set: the thread's busy time per 200 ms from the earliest
 * profile's start, and the function that took most of it. */
function printTimeline(profile, byId, earliestStart) {
  const buckets = new Map();
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index] ?? 0;
    const name = byId.get(id).callFrame.functionName || "(anonymous)";
    if (name === "(idle)" || name === "(program)") return;
    const bucket = Math.floor((time - earliestStart) / 200_000);
    const names = buckets.get(bucket) ?? new Map();
    names.set(name, (names.get(name) ?? 0) + (profile.timeDeltas[index + 1] ?? 0));
    buckets.set(bucket, names);
  });
  for (const [bucket, names] of [...buckets].sort((a, b) => a[0] - b[0])) {
    const busy = [...names.values()].reduce((s, t) => s + t, 0);
    const [top] = [...names].sort((a, b) => b[1] - a[1]);
    console.log(`  ${(bucket * 0.2).toFixed(1).padStart(5)} s  ${(busy / 1e3).toFixed(0).padStart(4)} ms  ${top[0].slice(0, 100)}`);
  }
}

// The page at scale in headless Chromium (not a test; bench/BROWSER.md has the
// figures). For each data folder: load every file through the file picker and
// time it until the last file's summary row and the first card; then label
// 40 cards (keypress → next card, p50/p95/max); then train a round and wait
// until the queue is re-ranked. Meanwhile: long tasks on the page's thread
// (PerformanceObserver "longtask"), the page's wasm memory
// (WebAssembly.Memory buffer), its JS heap (performance.memory) and the
// resident memory of Chromium's renderer process, which also holds the
// workers. A native baseline of the same files is timed in the same run:
// `fink-vra features` (release CLI) over the same folder.
// A folder whose name starts with "lsst" is loaded into an LSST session (the
// page is switched to LSST first); any other into a ZTF session.
// usage: node bench/browser.mjs DATA_DIR [DATA_DIR...]   (needs dist/ and target/cli/fink-vra)
import { execFileSync, spawnSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";

const LABELS = 40;

/** Resident memory (MB) of Chromium's renderer processes: the page and its workers. */
function rendererRssMb() {
  const ps = spawnSync("ps", ["-eo", "rss,args"], { encoding: "utf8" }).stdout;
  return ps
    .split("\n")
    .filter((line) => line.includes("chromium") && line.includes("--type=renderer"))
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]) / 1024, 0);
}

function nativeFeaturesSeconds(files) {
  const start = process.hrtime.bigint();
  execFileSync("target/cli/fink-vra", ["features", ...files], { stdio: ["ignore", "ignore", "ignore"], maxBuffer: 1 << 30 });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function measure(browser, server, dataDir) {
  const files = (await readdir(dataDir)).filter((name) => name.endsWith(".parquet")).sort().map((name) => join(dataDir, name));
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((entry) => entry.duration))).observe({ type: "longtask", buffered: true });
    addEventListener("TrunkApplicationStarted", (event) => (window.__wasmMemory = event.detail.wasm.memory));
  });
  await page.goto(server.url);
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  await page.waitForFunction(() => window.__wasmMemory);
  const survey = basename(dataDir).startsWith("lsst") ? "Rubin/LSST" : "ZTF";
  if ((await page.getByTestId("survey-name").textContent()) !== survey) {
    await page.getByTestId("survey-toggle").click();
    await page.waitForFunction((name) => document.querySelector('[data-testid="survey-name"]')?.textContent === name, survey);
  }
  const memory = () =>
    page.evaluate(() => ({
      wasmMb: window.__wasmMemory.buffer.byteLength / 2 ** 20,
      jsHeapMb: performance.memory.usedJSHeapSize / 2 ** 20,
    }));
  const longestTask = () => page.evaluate(() => Math.max(0, ...window.__longTasks));
  const resetTasks = () => page.evaluate(() => (window.__longTasks = []));

  let start = performance.now();
  await page.getByTestId("file-input").setInputFiles(files);
  await page.getByTestId("file-summary-row").nth(files.length - 1).waitFor({ timeout: 600_000 });
  await page.getByTestId("progress").waitFor({ state: "detached", timeout: 600_000 });
  await page.getByTestId("label-card").waitFor({ timeout: 600_000 });
  const loadSeconds = (performance.now() - start) / 1000;
  const alerts = (await page.getByTestId("page-label").textContent()).match(/of ([\d,]+)/)?.[1];
  const afterLoad = { ...(await memory()), rendererRssMb: rendererRssMb(), longestTaskMs: await longestTask() };

  await page.getByTestId("first-batch").fill(String(LABELS));
  await page.getByTestId("first-batch").press("Enter");
  await page.getByTestId("first-batch").blur();
  await page.getByTestId("label-card").waitFor();
  await resetTasks();
  const latencies = [];
  const keys = ["g", "x", "v", "a"];
  for (let i = 0; i < LABELS; i += 1) {
    const before = await page.getByTestId("label-card").getAttribute("data-candid");
    latencies.push(
      await page.evaluate(async ([key, previous]) => {
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
        while (document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") === previous) {
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
        return performance.now() - t0;
      }, [keys[i % keys.length], before]),
    );
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const labellingLongestTaskMs = await longestTask();

  await resetTasks();
  start = performance.now();
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").first().waitFor({ timeout: 600_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="card-reason"]')?.textContent.includes("|p − 0.5|"), null, { timeout: 600_000 });
  const trainSeconds = (performance.now() - start) / 1000;
  const result = {
    data: dataDir,
    files: files.length,
    megabytes: Math.round(bytes / 1e6),
    alerts,
    loadAndFeaturesSeconds: +loadSeconds.toFixed(2),
    nativeCliFeaturesSeconds: +nativeFeaturesSeconds(files).toFixed(2),
    keypressMs: { p50: +quantile(0.5).toFixed(1), p95: +quantile(0.95).toFixed(1), max: +latencies.at(-1).toFixed(1) },
    trainAndRankSeconds: +trainSeconds.toFixed(2),
    longestTaskMs: { load: +afterLoad.longestTaskMs.toFixed(0), labelling: +labellingLongestTaskMs.toFixed(0), training: +(await longestTask()).toFixed(0) },
    memoryAfterLoad: { wasmMb: afterLoad.wasmMb, jsHeapMb: +afterLoad.jsHeapMb.toFixed(0), rendererRssMb: +afterLoad.rendererRssMb.toFixed(0) },
    memoryAfterRound: { ...(await memory()), rendererRssMb: +rendererRssMb().toFixed(0) },
  };
  result.memoryAfterRound.jsHeapMb = +result.memoryAfterRound.jsHeapMb.toFixed(0);
  await context.close();
  return result;
}

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error("usage: node bench/browser.mjs DATA_DIR [DATA_DIR...]");
  process.exit(2);
}
const server = await startServer("dist");
const browser = await launchChromium();
try {
  for (const folder of folders) console.log(JSON.stringify(await measure(browser, server, folder), null, 1));
} finally {
  await browser.close();
  await server.close();
}

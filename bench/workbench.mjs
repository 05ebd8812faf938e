// Workbench figures in headless Chromium (not a test): with a 10k-alert pool
// loaded, the keypress-to-next-card latency (p50, p95) over 60 labels, the time
// to train and rank a round in the worker, and the longest main-thread task
// meanwhile. Needs a built dist/ (scripts/test or trunk build --public-url
// /fink-vra/) and generated data (bench/generate.py --layout clean --alerts 10000
// --out bench/data/clean-10000).
// usage: node bench/workbench.mjs [DATA_DIR]
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";

const dataDir = process.argv[2] ?? "bench/data/clean-10000";
const files = (await readdir(dataDir)).filter((name) => name.endsWith(".parquet")).map((name) => join(dataDir, name));
const server = await startServer("dist");
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(server.url);
await page.evaluate(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask", buffered: true });
});
let start = Date.now();
await page.getByTestId("file-input").setInputFiles(files);
await page.getByTestId("file-summary-row").nth(files.length - 1).waitFor({ timeout: 120_000 });
await page.getByTestId("label-card").waitFor({ timeout: 120_000 });
const loadSeconds = (Date.now() - start) / 1000;
const alerts = await page.getByTestId("page-label").textContent();
await page.getByTestId("first-batch").fill("60");
await page.getByTestId("first-batch").press("Enter");
await page.getByTestId("first-batch").blur();
await page.getByTestId("label-card").waitFor();
const latencies = [];
const keys = ["g", "x", "v", "a"];
for (let i = 0; i < 60; i += 1) {
  const before = await page.getByTestId("label-card").getAttribute("data-candid");
  const elapsed = await page.evaluate(async ([key, previous]) => {
    const t0 = performance.now();
    window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    while (document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") === previous) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return performance.now() - t0;
  }, [keys[i % keys.length], before]);
  latencies.push(elapsed);
}
latencies.sort((a, b) => a - b);
const quantile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
await page.evaluate(() => (window.longTasks = []));
start = Date.now();
await page.getByTestId("train").click();
await page.getByTestId("round-row").first().waitFor({ timeout: 120_000 });
await page.waitForFunction(() => document.querySelector('[data-testid="card-reason"]')?.textContent.includes("|p − 0.5|"), null, { timeout: 120_000 });
const trainSeconds = (Date.now() - start) / 1000;
const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
console.log(JSON.stringify({ files: files.length, alerts, loadSeconds, keypressMs: { p50: quantile(0.5), p95: quantile(0.95), max: latencies.at(-1) }, trainAndRankSeconds: trainSeconds, longestMainThreadTaskDuringTrainingMs: longest }, null, 1));
await browser.close();
await server.close();

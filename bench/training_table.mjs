// The training table at scale in headless Chromium (not a test; the figures
// are in bench/TRAINING_TABLE.md): 20,000 labelled LSST alerts whose rows are
// stored, and 100k loaded alerts. In one run:
//   - import of a 20,000-label version 3 file (until the report, and until the
//     browser's database holds the 20,000 rows), and the rows' size there;
//   - export of the same 20,000 labels as a version 3 file;
//   - page start with the table (a reload → "20000 labels … stored feature
//     rows") against a reload of the page without one, until it is ready
//     (the baseline);
//   - a round on 100k loaded alerts whose 20,000 labels' rows are stored
//     against the same round with those 20,000 alerts loaded (120k loaded):
//     the same job size, rows from the table or from the alerts.
// The v3 label file is made from `fink-vra features` of the labelled folder.
// usage: node bench/training_table.mjs POOL_DIR LABELLED_DIR
//        (needs dist/ and the CLI, target/cli or target/debug; folders from bench/generate.py)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium, storedRowCount } from "../tests/e2e/browser.mjs";
import { labelFileFromFeatures } from "../tests/e2e/cli.mjs";
import { startServer } from "../tests/e2e/server.mjs";

const LONG = { timeout: 900_000 };
/** The CLI that writes the label file's rows: the release one if built, else the debug one. */
const CLI = existsSync("target/cli/fink-vra") ? "target/cli/fink-vra" : "target/debug/fink-vra";
const [poolDir, labelledDir] = process.argv.slice(2);
if (!poolDir || !labelledDir) {
  console.error("usage: node bench/training_table.mjs POOL_DIR LABELLED_DIR");
  process.exit(2);
}
const parquetFiles = async (dir) =>
  (await readdir(dir)).filter((name) => name.endsWith(".parquet")).sort().map((name) => join(dir, name));

/** A version 3 label file of every alert of `files`, labelled gal and extragal in turn. */
const labelFile = (files) =>
  labelFileFromFeatures(execFileSync(CLI, ["features", ...files], { encoding: "utf8", maxBuffer: 1 << 30 }), "lsst");

const seconds = (start) => +((performance.now() - start) / 1000).toFixed(2);

async function openLsst(context, server) {
  const page = await context.newPage();
  const start = performance.now();
  await page.goto(server.url);
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  if ((await page.getByTestId("survey-name").textContent()) !== "Rubin/LSST") {
    await page.getByTestId("survey-toggle").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  }
  return { page, startSeconds: seconds(start) };
}

async function loadFiles(page, files) {
  const start = performance.now();
  await page.getByTestId("file-input").setInputFiles(files);
  await page.getByTestId("file-summary-row").nth(files.length - 1).waitFor(LONG);
  await page.getByTestId("progress").waitFor({ state: "detached", ...LONG });
  await page.getByTestId("label-card").waitFor(LONG);
  return seconds(start);
}

/** Trains a round; seconds until its row is shown and the queue is ranked by the model. */
async function trainRound(page, rounds) {
  const start = performance.now();
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").nth(rounds - 1).waitFor(LONG);
  await page.waitForFunction(() => document.querySelector('[data-testid="card-reason"]')?.textContent.includes("|p − 0.5|"), null, LONG);
  return seconds(start);
}

/** Records in the page's IndexedDB store, and their bytes. */
const storedRows = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("fink-vra");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction("training-rows").objectStore("training-rows").getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve({ rows: request.result.length, bytes: request.result.reduce((sum, value) => sum + value.byteLength, 0) });
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );

const usage = (page) => page.evaluate(async () => (await navigator.storage.estimate()).usage);

const pool = await parquetFiles(poolDir);
const labelled = await parquetFiles(labelledDir);
await mkdir("bench/out", { recursive: true });
const labelsPath = join("bench", "out", "labels-v3.json");
const text = labelFile(labelled);
await writeFile(labelsPath, text);
const labelCount = JSON.parse(text).labels.length;

const server = await startServer("dist");
const browser = await launchChromium();
const result = { labels: labelCount, poolAlerts: pool.length * 1000, labelFileMb: +(text.length / 1e6).toFixed(1) };
try {
  // Stored rows: import the v3 file, reload, load the pool only, train.
  const context = await browser.newContext({ acceptDownloads: true });
  let { page } = await openLsst(context, server);
  // The baseline: a reload (warm cache) of the page without a table, until ready.
  let start = performance.now();
  await page.reload();
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  result.reloadWithoutTableSeconds = seconds(start);
  const usageBefore = await usage(page);
  start = performance.now();
  await page.getByTestId("import-file").setInputFiles(labelsPath);
  await page.getByTestId("import-report").waitFor(LONG);
  result.importSeconds = seconds(start);
  while ((await storedRowCount(page)) < labelCount) await page.waitForTimeout(250);
  result.importUntilStoredSeconds = seconds(start);
  const stored = await storedRows(page);
  result.storedRows = stored.rows;
  result.storedRowBytesMb = +(stored.bytes / 1e6).toFixed(1);
  result.storageUsageGrowthMb = +(((await usage(page)) - usageBefore) / 1e6).toFixed(1);

  start = performance.now();
  const [download] = await Promise.all([page.waitForEvent("download", LONG), page.getByTestId("export-json").click()]);
  await download.path();
  result.exportSeconds = seconds(start);

  start = performance.now();
  await page.reload();
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  result.reloadWithTableUntilReadySeconds = seconds(start);
  await page.waitForFunction(
    (count) => new RegExp(`${count} labels train from their stored`).test(document.querySelector('[data-testid="label-rows"]')?.textContent ?? ""),
    labelCount,
    LONG,
  );
  result.reloadWithTableUntilTableSeconds = seconds(start);
  result.loadPoolSeconds = await loadFiles(page, pool);
  result.roundOnStoredRowsSeconds = await trainRound(page, 1);
  await context.close();

  // Loaded rows: the labelled alerts loaded with the pool, then the same labels.
  const loadedContext = await browser.newContext();
  ({ page } = await openLsst(loadedContext, server));
  result.loadPoolAndLabelledSeconds = await loadFiles(page, [...pool, ...labelled]);
  await page.getByTestId("import-file").setInputFiles(labelsPath);
  await page.getByTestId("import-report").waitFor(LONG);
  result.roundOnLoadedRowsSeconds = await trainRound(page, 1);
  await loadedContext.close();
  result.storedOverLoadedRound = +(result.roundOnStoredRowsSeconds / result.roundOnLoadedRowsSeconds).toFixed(2);
  result.startWithTableOverWithout = +(result.reloadWithTableUntilTableSeconds / result.reloadWithoutTableSeconds).toFixed(2);
  console.log(JSON.stringify(result, null, 1));
} finally {
  await browser.close();
  await server.close();
}

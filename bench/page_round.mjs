// A round at team scale in the page (not a test; the figures are in
// bench/TRAIN_SCALE.md): the labels' feature rows stored (a version 3 file
// imported), a pool of alerts loaded, then "Train round 0", timed until
//   - the next card is ranked by the new model (the card's reason turns to
//     "|p − 0.5|"), and
//   - the round's record is complete (its cross-validation and importance,
//     computed by the worker pool),
// once per pool size asked for (`?workers=N`), each in a fresh browser
// context. The same round by the native CLI (`fink-vra train`, all its
// threads) is timed in the same run as the baseline.
// usage: node bench/page_round.mjs POOL_DIR LABELS [WORKERS ...]
//        LABELS: a version 3 label file (bench/train_scale.py --write-labels),
//        or a folder of alert files, labelled gal and extragal in turn.
//        WORKERS defaults to 1 and the page's own pool size. Needs dist/ and
//        the CLI, target/cli or target/debug; folders from bench/generate.py.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { labelFileFromFeatures } from "../tests/e2e/cli.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { pageWithLabelsAndPool, watchRoundMoments } from "./page_session.mjs";

const LONG = { timeout: 1_800_000 };
const CLI = existsSync("target/cli/fink-vra") ? "target/cli/fink-vra" : "target/debug/fink-vra";
const [poolDir, labelsSource, ...workerCounts] = process.argv.slice(2);
if (!poolDir || !labelsSource) {
  console.error("usage: node bench/page_round.mjs POOL_DIR LABELS [WORKERS ...]");
  process.exit(2);
}
const parquetFiles = async (dir) =>
  (await readdir(dir)).filter((name) => name.endsWith(".parquet")).sort().map((name) => join(dir, name));
const seconds = (start) => +((performance.now() - start) / 1000).toFixed(2);

const pool = await parquetFiles(poolDir);
await mkdir("bench/out", { recursive: true });
let labelsPath = labelsSource;
if (!labelsSource.endsWith(".json")) {
  const labelled = await parquetFiles(labelsSource);
  labelsPath = join("bench", "out", "page-round-labels-v3.json");
  await writeFile(labelsPath, labelFileFromFeatures(execFileSync(CLI, ["features", ...labelled], { encoding: "utf8", maxBuffer: 1 << 30 }), "lsst"));
}
const labelCount = JSON.parse(await readFile(labelsPath, "utf8")).labels.length;

// The baseline, in the same run: the CLI trains the same round on the same rows.
const start = performance.now();
execFileSync(CLI, ["train", "--labels", labelsPath, "--out", join("bench", "out", "page-round.model.json")], { stdio: "ignore" });
const result = { labels: labelCount, poolFiles: pool.length, cli: CLI, cliTrainSeconds: seconds(start), rounds: [] };

async function round(browser, server, workers) {
  const context = await browser.newContext();
  const url = workers ? `${server.url}?workers=${workers}` : server.url;
  const { page, loadSeconds } = await pageWithLabelsAndPool(context, url, labelsPath, labelCount, pool);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  // Both moments, measured in the page from the click.
  await watchRoundMoments(page);
  await page.evaluate(() =>
    document.querySelector('[data-testid="train"]').addEventListener("click", () => (window.marks.clicked = performance.now()), { capture: true }),
  );
  await page.getByTestId("train").click();
  await page.waitForFunction(() => window.marks.nextCard !== undefined && window.marks.record !== undefined, null, { ...LONG, polling: 100 });
  const marks = await page.evaluate(() => window.marks);
  const progress = await page.evaluate(() => document.body.textContent.match(/\d+ workers?\)/)?.[0] ?? "");
  await context.close();
  return {
    workers: workers ?? `the page's own (${progress || "?"}, ${cores} cores)`,
    loadPoolSeconds: loadSeconds,
    trainToNextCardSeconds: +((marks.nextCard - marks.clicked) / 1000).toFixed(2),
    trainToCompleteRecordSeconds: +((marks.record - marks.clicked) / 1000).toFixed(2),
  };
}

const server = await startServer("dist");
const browser = await launchChromium();
try {
  const counts = workerCounts.length > 0 ? workerCounts.map(Number) : [1, undefined];
  for (const workers of counts) {
    const measured = await round(browser, server, workers);
    measured.nextCardOverCli = +(measured.trainToNextCardSeconds / result.cliTrainSeconds).toFixed(2);
    measured.recordOverCli = +(measured.trainToCompleteRecordSeconds / result.cliTrainSeconds).toFixed(2);
    result.rounds.push(measured);
    console.error(JSON.stringify(measured));
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(result, null, 2));

// Team labelling at scale in the page (not a test; the figures are in
// bench/TEAM.md):
//   1. a version 4 label file of ANNOTATORS × ALERTS votes (80 % of each
//      annotator's labels agree with the alert's own label) is imported;
//      timed until the import report shows, then until the Team section's
//      numbers show, then, with them shown, until they include a further
//      annotator's file of 100 votes (five times, five new annotators: the
//      median, as this machine is noisy); the same numbers by the native CLI
//      (`fink-vra agreement --json`) are the baseline, in the same run;
//   2. one file of 10,000 LSST alerts is loaded with five annotators' votes
//      on half of them, and 60 cards are labelled by key: the time from the
//      key press to the next card, against the same 60 key presses with one
//      annotator's votes on that half, and with none, in the same run.
// usage: node bench/page_team.mjs LSST_FILE [ANNOTATORS ALERTS]
//        (defaults 10 20000; LSST_FILE: one file of
//        bench/data/lsst-pool-100000-compact, from bench/generate.py). Needs
//        dist/ and the CLI, target/cli or target/debug.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";
import { LONG, imported, lsstPage, recomputeMs, watchRecompute } from "./team_page.mjs";

const CLI = existsSync("target/cli/fink-vra") ? "target/cli/fink-vra" : "target/debug/fink-vra";
const [lsstFile, annotatorArg = "10", alertArg = "20000"] = process.argv.slice(2);
if (!lsstFile) {
  console.error("usage: node bench/page_team.mjs LSST_FILE [ANNOTATORS ALERTS]");
  process.exit(2);
}
const LABELS = ["gal", "extragal", "agn", "varstar"];
const seconds = (start) => +((performance.now() - start) / 1000).toFixed(3);
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
};

/** A version 4 LSST label file: each annotator's vote on each alert (ids,
 * object ids), agreeing with the alert's own label 4 times in 5. */
function teamFile(alerts, annotators, firstAnnotator = 0) {
  const labels = [];
  for (let a = firstAnnotator; a < firstAnnotator + annotators; a += 1) {
    alerts.forEach(([alertId, objectId], index) => {
      const own = index % LABELS.length;
      const agrees = (index * 7 + a * 13) % 5 !== 0;
      labels.push({
        alert_id: alertId, object_id: objectId, label: LABELS[agrees ? own : (own + 1 + a) % LABELS.length],
        timestamp: `2026-12-07T10:00:${String(a % 60).padStart(2, "0")}.000Z`, annotator: `annotator ${a}`, round: null,
      });
    });
  }
  return JSON.stringify({ format: "fink-vra-labels", version: 4, survey: "lsst", exported_at: "2026-12-07T12:00:00Z", annotator: "bench", labels, adjudications: [], gold: [], rounds: [] });
}

/** Presses `g` on `count` cards; the milliseconds from each key press to the next card. */
async function keyPresses(page, count) {
  await page.evaluate(() => {
    window.keyTimes = [];
    window.addEventListener("keydown", () => (window.pressed = performance.now()), { capture: true });
    new MutationObserver(() => {
      const card = document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid");
      if (window.pressed !== undefined && card !== window.shownCard) {
        window.keyTimes.push(performance.now() - window.pressed);
        window.pressed = undefined;
      }
      window.shownCard = card;
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
    window.shownCard = document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid");
  });
  for (let i = 0; i < count; i += 1) {
    const before = await page.evaluate(() => window.keyTimes.length);
    await page.keyboard.press("g");
    await page.waitForFunction((n) => window.keyTimes.length > n, before, LONG);
  }
  return page.evaluate(() => window.keyTimes);
}

const annotators = Number(annotatorArg);
const alertCount = Number(alertArg);
await mkdir("bench/out", { recursive: true });
const features = execFileSync(CLI, ["features", lsstFile], { encoding: "utf8", maxBuffer: 1 << 30 });
const ids = features.trim().split("\n").slice(1).map((line) => line.split(",").slice(0, 2));
const synthetic = Array.from({ length: alertCount }, (_, i) => [String(9_000_000_000_000 + i), String(8_000_000_000_000 + Math.floor(i / 3))]);
const teamPath = join("bench", "out", `team-${annotators}x${alertCount}-v4.json`);
await writeFile(teamPath, teamFile(synthetic, annotators));
const EXTRA_IMPORTS = 5;
const extraPaths = [];
for (let extra = 0; extra < EXTRA_IMPORTS; extra += 1) {
  extraPaths.push(join("bench", "out", `team-one-more-${extra}-v4.json`));
  await writeFile(extraPaths[extra], teamFile(synthetic.slice(0, 100), 1, annotators + extra));
}
const half = ids.slice(0, Math.floor(ids.length / 2));
const votesPath = join("bench", "out", "team-5x-half-pool-v4.json");
await writeFile(votesPath, teamFile(half, 5));
const onePath = join("bench", "out", "team-1x-half-pool-v4.json");
await writeFile(onePath, teamFile(half, 1));

let start = performance.now();
execFileSync(CLI, ["agreement", "--json", teamPath], { stdio: "ignore" });
const result = { votes: annotators * alertCount, cli: CLI, cliAgreementSeconds: seconds(start) };

const server = await startServer("dist");
const browser = await launchChromium();
try {
  const page = await lsstPage(await browser.newContext(), server.url);
  start = performance.now();
  await imported(page, teamPath, `team-${annotators}x${alertCount}-v4.json`);
  result.pageImportSeconds = seconds(start);
  // The others' votes go to the browser's database, one record per
  // annotator; once committed, the saved session (localStorage) keeps mine.
  start = performance.now();
    await page.waitForFunction(
    (n) => JSON.parse(localStorage.getItem("fink-vra/session/lsst/v1") ?? "{}").votes_stored_apart?.length === n,
    annotators,
    LONG,
  );
  result.votesStoredApartSeconds = seconds(start);
  result.savedSessionChars = await page.evaluate(() => (localStorage.getItem("fink-vra/session/lsst/v1") ?? "").length);
  result.storageWarnings = await page.getByTestId("storage-warning").count() + await page.getByTestId("votes-storage-warning").count();
  start = performance.now();
  await page.getByTestId("team-show").click();
  await page.getByTestId("team-alpha").waitFor(LONG);
  result.pageTeamNumbersSeconds = seconds(start);
  // Five imports of another annotator's 100 votes, each timed in the page
  // from the file input's change to the numbers with the new annotator
  // drawn (Playwright's polling would add its own delay), and the first
  // by Playwright too. This machine is noisy: the median and the least.
  const recomputeTimes = [];
  for (let extra = 0; extra < EXTRA_IMPORTS; extra += 1) {
    await page.waitForTimeout(1000); // the previous import's records written
    const rows = annotators + 1 + extra;
    await watchRecompute(page, rows);
    start = performance.now();
    await imported(page, extraPaths[extra]);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="team-annotator"]').length === n, rows, LONG);
    if (extra === 0) result.pageImportAndRecomputeSeconds = seconds(start);
    recomputeTimes.push(await recomputeMs(page));
  }
  result.pageImportAndRecomputeInPageMs = recomputeTimes;
  result.pageImportAndRecomputeInPageMedianMs = quantile(recomputeTimes, 0.5);
  result.pageTeamNumbersOverCli = +(result.pageTeamNumbersSeconds / result.cliAgreementSeconds).toFixed(2);
  // A reload reads the votes back from the database.
  start = performance.now();
  await page.reload();
  await page.getByTestId("team-show").click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="team-annotator"]').length === n, annotators + EXTRA_IMPORTS, LONG);
  result.pageReloadTeamNumbersSeconds = seconds(start);

  const conditions = [
    ["without votes", null],
    ["with 1 annotator's votes on half the pool", onePath],
    ["with 5 annotators' votes on half the pool", votesPath],
  ];
  for (const [name, path] of conditions) {
    const labelling = await lsstPage(await browser.newContext(), server.url);
    if (path) await imported(labelling, path);
    await labelling.getByTestId("file-input").setInputFiles(lsstFile);
    await labelling.getByTestId("progress").waitFor({ state: "detached", ...LONG });
    await labelling.getByTestId("label-card").waitFor(LONG);
    const times = await keyPresses(labelling, 60);
    result[name] = { keyPresses: times.length, p50Ms: quantile(times, 0.5), p95Ms: quantile(times, 0.95) };
  }
  const [one, five] = conditions.slice(1).map(([name]) => result[name]);
  result.keyPressP95FiveOverOne = +(five.p95Ms / one.p95Ms).toFixed(2);
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(result, null, 2));

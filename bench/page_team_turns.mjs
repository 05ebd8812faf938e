// The Team recompute after an import, timed in the page for one build
// (not a test): REPEATS imports of EXTRA.json's 100 votes, each under a new
// annotator's name, each timed from the file input's change to the new
// annotator's row drawn; prints the times, their median and the least.
// Run it on two builds in turns (this machine's speed drifts) to compare.
// usage: node bench/page_team_turns.mjs DIST TEAM.json EXTRA.json ANNOTATORS [REPEATS]
import { readFile, writeFile } from "node:fs/promises";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "../tests/e2e/server.mjs";
const LONG = { timeout: 1_800_000 };
const [dist, teamPath, extraPath, n, reps = "7"] = process.argv.slice(2);
let annotators = Number(n);
const extra = JSON.parse(await readFile(extraPath, "utf8"));
const server = await startServer(dist);
const browser = await launchChromium();
const page = await (await browser.newContext()).newPage();
await page.goto(server.url);
await page.getByTestId("file-input").waitFor({ state: "attached" });
await page.getByTestId("survey-toggle").click();
await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
await page.getByTestId("annotator").fill("bench");
await page.getByTestId("annotator").blur();
async function imported(path) {
  await page.getByTestId("import-file").setInputFiles(path);
  await page.waitForFunction((file) => (document.querySelector('[data-testid="import-report"]')?.textContent ?? "").startsWith(file), path.split("/").pop(), LONG);
}
await imported(teamPath);
await page.waitForFunction((n) => JSON.parse(localStorage.getItem("fink-vra/session/lsst/v1") ?? "{}").votes_stored_apart?.length === n, annotators, LONG);
await page.getByTestId("team-show").click();
await page.getByTestId("team-alpha").waitFor(LONG);
const times = [];
for (let r = 0; r < Number(reps); r += 1) {
  await page.waitForTimeout(1500);
  const path = `bench/out/turns-extra-${r}.json`;
  for (const label of extra.labels) label.annotator = `extra ${r}`;
  await writeFile(path, JSON.stringify(extra));
  await page.evaluate((n) => {
    window.recomputeMs = null;
    window.importStarted = undefined;
    document.querySelector('[data-testid="import-file"]').addEventListener("change", () => (window.importStarted = performance.now()), { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (window.importStarted !== undefined && document.querySelectorAll('[data-testid="team-annotator"]').length === n) {
        window.recomputeMs = performance.now() - window.importStarted;
        observer.disconnect();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, annotators + 1);
  await imported(path);
  await page.waitForFunction(() => window.recomputeMs !== null, null, LONG);
  times.push(+(await page.evaluate(() => window.recomputeMs)).toFixed(1));
  annotators += 1;
}
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({ dist, times, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0] }));
await browser.close();
process.exit(0);

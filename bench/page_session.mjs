// What the page benchmarks share: the page at `url` with a version 3 label
// file's labels stored and a pool of alert files loaded, and the two moments
// of a round measured in the page. Not a test.
import { storedRowCount } from "../tests/e2e/browser.mjs";

const LONG = { timeout: 1_800_000 };

/** Opens `url` in `context`, switches to LSST, imports `labelsPath` (its
 * `labelCount` rows stored), then loads the `pool` files. Returns the page
 * and the seconds the pool took to load. */
export async function pageWithLabelsAndPool(context, url, labelsPath, labelCount, pool) {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  if ((await page.getByTestId("survey-name").textContent()) !== "Rubin/LSST") {
    await page.getByTestId("survey-toggle").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  }
  await page.getByTestId("import-file").setInputFiles(labelsPath);
  await page.getByTestId("import-report").waitFor(LONG);
  while ((await storedRowCount(page)) < labelCount) await page.waitForTimeout(250);
  const start = performance.now();
  await page.getByTestId("file-input").setInputFiles(pool);
  await page.getByTestId("file-summary-row").nth(pool.length - 1).waitFor(LONG);
  await page.getByTestId("progress").waitFor({ state: "detached", ...LONG });
  await page.getByTestId("label-card").waitFor(LONG);
  return { page, loadSeconds: +((performance.now() - start) / 1000).toFixed(2) };
}

/** Watches, in the page, for the moments after a click on "Train": the
 * card ranked by the new model (`marks.nextCard`) and the round's record
 * complete (`marks.record`); `marks.clicked` is set by the caller. */
export async function watchRoundMoments(page) {
  await page.evaluate(() => {
    window.marks = {};
    new MutationObserver(() => {
      const marks = window.marks;
      if (marks.clicked === undefined) return;
      const reason = document.querySelector('[data-testid="card-reason"]')?.textContent ?? "";
      if (marks.nextCard === undefined && reason.includes("|p − 0.5|")) marks.nextCard = performance.now();
      const state = document.querySelector('[data-testid="round-record"]')?.dataset.state;
      if (marks.record === undefined && state === "complete") marks.record = performance.now();
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

// What the Team benches (page_team, page_team_turns, page_team_profile)
// do to the page alike: open it on the LSST survey under a name, import a
// label file, show the Team numbers of a team's file, and time the
// recompute after an import in the page itself.

export const LONG = { timeout: 1_800_000 };

/** A new page of `context` at `url`, switched to Rubin/LSST, named "bench". */
export async function lsstPage(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  await page.getByTestId("survey-toggle").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  await page.getByTestId("annotator").fill("bench");
  await page.getByTestId("annotator").blur();
  return page;
}

/** Imports `path` and waits for the report naming it (`name`: its file name). */
export async function imported(page, path, name = path.split("/").pop()) {
  await page.getByTestId("import-file").setInputFiles(path);
  await page.waitForFunction((file) => (document.querySelector('[data-testid="import-report"]')?.textContent ?? "").startsWith(file), name, LONG);
}

/** Imports a team's file of `annotators` annotators, waits until the saved
 * session leaves their votes to the database, and shows the Team numbers. */
export async function teamShown(page, teamPath, annotators) {
  await imported(page, teamPath);
  await page.waitForFunction((n) => JSON.parse(localStorage.getItem("fink-vra/session/lsst/v1") ?? "{}").votes_stored_apart?.length === n, annotators, LONG);
  await page.getByTestId("team-show").click();
  await page.getByTestId("team-alpha").waitFor(LONG);
}

/** Starts timing, in the page, from the next import's file input change to
 * the Team section drawing `rows` annotator rows (Playwright's polling
 * would add its own delay); `recomputeMs` reads the time. */
export function watchRecompute(page, rows) {
  return page.evaluate((n) => {
    window.recomputeMs = null;
    window.importStarted = undefined;
    document.querySelector('[data-testid="import-file"]').addEventListener("change", () => (window.importStarted = performance.now()), { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (window.importStarted !== undefined && document.querySelectorAll('[data-testid="team-annotator"]').length === n) {
        window.recomputeMs = performance.now() - window.importStarted;
        observer.disconnect();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, rows);
}

/** The milliseconds `watchRecompute` timed, once the rows are drawn. */
export async function recomputeMs(page) {
  await page.waitForFunction(() => window.recomputeMs !== null, null, LONG);
  return +(await page.evaluate(() => window.recomputeMs)).toFixed(1);
}

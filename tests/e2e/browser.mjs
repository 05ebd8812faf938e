// Debian's Chromium for the end-to-end tests and benchmarks, started the way
// this machine needs it (no sandbox as root, no background network calls).
import { after, before } from "node:test";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
/** The built page, the test fixtures and the screenshot folder. */
export const DIST = join(here, "..", "..", "dist");
export const FIXTURES = join(here, "..", "fixtures");
export const ARTIFACTS = join(here, "artifacts");

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches headless /usr/bin/chromium through playwright-core (nothing is
 * downloaded), with `extraFlags` after the usual ones. */
export function launchChromium(extraFlags = []) {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: [...CHROMIUM_FLAGS, ...extraFlags] });
}

/**
 * Serves dist/ under /fink-vra/ and starts Chromium around a test file's
 * tests (node:test before/after hooks); both are stopped at the end.
 * Returns an object whose `server` and `browser` are set once started.
 */
export function useBuiltPage() {
  const built = { server: null, browser: null };
  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    built.server = await startServer(DIST);
    built.browser = await launchChromium();
  });
  after(async () => {
    await built.browser?.close();
    await built.server?.close();
  });
  return built;
}

// Helpers shared by the end-to-end files that drive the workbench.

/** Opens the built page in `context` (its address followed by `query`,
 * e.g. `?workers=2`); collects the page's uncaught errors. */
export async function openPage(context, built, query = "") {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(built.server.url + query);
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  return { page, errors };
}

/** Loads the ZTF sample files and waits for the first card. */
export async function loadSamples(page) {
  await page.getByTestId("sample-data").click();
  await page.getByTestId("file-summary-row").nth(3).waitFor();
  await page.getByTestId("progress").waitFor({ state: "detached" });
  await page.getByTestId("label-card").waitFor();
}

/** Labels `count` cards with the keys given in turn; returns the candids labelled. */
export async function labelByKeyboard(page, keys, count) {
  const candids = [];
  for (let i = 0; i < count; i += 1) {
    const card = page.getByTestId("label-card");
    const candid = await card.getAttribute("data-candid");
    candids.push(candid);
    await page.keyboard.press(keys[i % keys.length]);
    await page.waitForFunction(
      (previous) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== previous,
      candid,
    );
  }
  return candids;
}

/** Picks a file in the load section; waits for its summary row (the `files`th) and a card. */
export async function loadFile(page, path, files) {
  await page.getByTestId("file-input").setInputFiles(path);
  await page.getByTestId("file-summary-row").nth(files - 1).waitFor();
  await page.getByTestId("progress").waitFor({ state: "detached" });
  await page.getByTestId("label-card").waitFor();
}

/**
 * Trains the next round and waits for its row (the `rounds`th) and for its
 * record: the cross-validation follows the ranking, in the worker pool.
 */
export async function train(page, rounds) {
  await page.getByTestId("train").click();
  const row = page.getByTestId("round-row").nth(rounds - 1);
  await row.waitFor();
  await row.locator('[data-testid="round-record"][data-state="complete"]').waitFor();
}

/** Clicks `locator` and saves the download it starts as ARTIFACTS/`saveAs`; returns the path. */
export async function download(page, locator, saveAs) {
  const [file] = await Promise.all([page.waitForEvent("download"), locator.click()]);
  const path = join(ARTIFACTS, saveAs);
  await file.saveAs(path);
  return path;
}

/** Types the annotator's name in Export / import (asked for before any export or import). */
export async function setAnnotator(page, name) {
  await page.getByTestId("annotator").fill(name);
  await page.getByTestId("annotator").blur();
  await page.getByTestId("annotator-needed").waitFor({ state: "detached" });
}

/** Sets the size of the first batch in Model & strategy. */
export async function setFirstBatch(page, size) {
  await page.getByTestId("first-batch").fill(String(size));
  await page.getByTestId("first-batch").press("Enter");
  await page.getByTestId("first-batch").blur();
}

/** For each stamp canvas of the card: its title, size and number of distinct grey levels. */
export function stampStatistics(page) {
  return page.getByTestId("cutouts").locator("canvas").evaluateAll((canvases) =>
    canvases.map((canvas) => {
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      const greys = new Set();
      for (let i = 0; i < data.length; i += 4) greys.add(data[i]);
      return { title: canvas.dataset.stamp, width: canvas.width, height: canvas.height, greys: greys.size };
    }),
  );
}

/** How many feature rows the page's database (IndexedDB `fink-vra`) holds. */
export function storedRowCount(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("fink-vra");
        open.onsuccess = () => {
          const request = open.result.transaction("training-rows").objectStore("training-rows").count();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
          request.onerror = () => resolve(0);
        };
        open.onerror = () => resolve(0);
      }),
  );
}

/** Every vote the page keeps for `survey` ("ztf" or "lsst"): the saved
 * session's in localStorage (mine, and the others' whose record has not
 * committed yet) and the others' records in the database (`team-votes`),
 * one per annotator and alert. */
export function storedVotes(page, survey = "ztf") {
  return page.evaluate(
    (survey) =>
      new Promise((resolve) => {
        const key = survey === "ztf" ? "fink-vra/session/v1" : "fink-vra/session/lsst/v1";
        const session = JSON.parse(localStorage.getItem(key) ?? "null");
        const votes = new Map();
        for (const vote of session?.labels?.votes ?? []) votes.set(`${vote.candid}/${vote.annotator}`, vote);
        const open = indexedDB.open("fink-vra");
        const done = () => resolve([...votes.values()]);
        open.onsuccess = () => {
          const database = open.result;
          if (!database.objectStoreNames.contains("team-votes")) {
            database.close();
            return done();
          }
          const range = IDBKeyRange.bound(`${survey}:`, `${survey};`);
          const request = database.transaction("team-votes").objectStore("team-votes").getAll(range);
          request.onsuccess = () => {
            for (const bytes of request.result) {
              const record = JSON.parse(new TextDecoder().decode(bytes));
              for (const vote of record.votes) {
                const id = `${vote.candid}/${vote.annotator}`;
                if (!votes.has(id)) votes.set(id, vote);
              }
            }
            database.close();
            done();
          };
          request.onerror = () => done();
        };
        open.onerror = () => done();
      }),
    survey,
  );
}

// End-to-end tests of the built page (dist/, built with --public-url /fink-vra/)
// in Debian's Chromium, driven by playwright-core. Screenshots go to
// tests/e2e/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { open as openFile, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, DIST, FIXTURES, useBuiltPage } from "./browser.mjs";
import { startServer } from "./server.mjs";

const built = useBuiltPage();

/** Opens the app in a fresh context; fails the test on any page error. */
async function openApp(url = built.server.url) {
  const context = await built.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(url);
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  return { context, page, errors };
}

/** The per-file summary rows as objects of their test-id'd cells. */
async function fileSummaries(page) {
  return page.getByTestId("file-summary-row").evaluateAll((rows) =>
    rows.map((row) => {
      const cell = (id) => row.querySelector(`[data-testid="${id}"]`)?.textContent.trim();
      return {
        name: row.querySelector(".file-name").textContent.trim(),
        layout: cell("layout"),
        rows: cell("rows"),
        added: cell("alerts-added"),
        skipped: cell("skipped")?.split(/\s/)[0],
        duplicates: cell("duplicates"),
        error: cell("error"),
      };
    }),
  );
}

async function waitForFiles(page, count) {
  await page.getByTestId("file-summary-row").nth(count - 1).waitFor();
  await page.getByTestId("progress").waitFor({ state: "detached" });
}

test("two fixture files load with their summaries and feature values", async () => {
  const { context, page, errors } = await openApp();
  await page
    .getByTestId("file-input")
    .setInputFiles([
      join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet"),
      join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet"),
    ]);
  await waitForFiles(page, 2);
  assert.deepEqual(await fileSummaries(page), [
    { name: "ztf_schema402_10alerts.parquet", layout: "ZTF, full Fink schema", rows: "10", added: "10", skipped: "0", duplicates: "0", error: undefined },
    { name: "20250602_100102_alerts_ztf_hostless_72alerts.parquet", layout: "ZTF, finkvra clean layout", rows: "24", added: "24", skipped: "0", duplicates: "0", error: undefined },
  ]);
  const table = page.getByTestId("feature-table");
  const firstRow = table.locator("tbody tr").first();
  const cells = await firstRow.locator("td").allTextContents();
  // candid keeps every digit; dets_median (col 7) and ebv (last) as in the reference table.
  assert.equal(cells[0], "3063176310015015002");
  assert.equal(cells[1], "ZTF25aapafwq");
  assert.equal(cells[2 + 3], "10"); // ndets
  assert.equal(cells[2 + 5], "18.3021"); // dets_median 18.30205059
  assert.equal(cells.at(-1), "0.0454548"); // ebv 0.04545479268
  const link = firstRow.locator("a");
  assert.equal(await link.getAttribute("href"), "https://lasair-ztf.lsst.ac.uk/objects/ZTF25aapafwq");
  assert.equal(await link.getAttribute("target"), "_blank");
  assert.match(await page.getByTestId("page-label").textContent(), /rows 1–25 of 34/);
  await page.getByTestId("page-next").click();
  assert.match(await page.getByTestId("page-label").textContent(), /rows 26–34 of 34 · page 2 of 2/);
  assert.equal(await page.getByTestId("feature-summary").locator("tbody tr").count(), 21);
  await page.screenshot({ path: join(ARTIFACTS, "two-files-loaded.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a corrupt file shows its error in its row and the page keeps working", async () => {
  const { context, page, errors } = await openApp();
  const corrupt = join(tmpdir(), `fink-vra-corrupt-${process.pid}.parquet`);
  await writeFile(corrupt, "PAR1 definitely not a parquet file PAR1");
  await page.getByTestId("file-input").setInputFiles([corrupt]);
  await waitForFiles(page, 1);
  const error = page.getByTestId("error");
  assert.match(await error.textContent(), /corrupt or truncated/);
  await page
    .getByTestId("file-input")
    .setInputFiles([join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet")]);
  await waitForFiles(page, 2);
  const [bad, good] = await fileSummaries(page);
  assert.ok(bad.error);
  assert.equal(good.added, "10");
  assert.equal(await page.getByTestId("feature-table").locator("tbody tr").count(), 10);
  await page.screenshot({ path: join(ARTIFACTS, "corrupt-file.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("hostile files: a reader crash, a truncated file and a 2 GB file are each reported, and the rest loads", async () => {
  const { context, page, errors } = await openApp();
  // A file that makes the parquet crate panic (found by cargo fuzz): in wasm a
  // panic aborts, so it must cost only the reader worker, not the page.
  const crash = join(FIXTURES, "fuzz-crashes", "parquet_dictionary_page_missing.parquet");
  // Cut in the middle of the row group.
  const whole = await readFile(join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet"));
  const truncated = join(tmpdir(), `fink-vra-truncated-${process.pid}.parquet`);
  await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  // 2 GiB, sparse on disk: refused by its size before a byte is read.
  const huge = join(tmpdir(), `fink-vra-huge-${process.pid}.parquet`);
  const handle = await openFile(huge, "w");
  await handle.truncate(2 * 1024 ** 3);
  await handle.close();
  try {
    await page
      .getByTestId("file-input")
      .setInputFiles([crash, truncated, huge, join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet")]);
    await waitForFiles(page, 4);
    const [crashed, cut, tooLarge, good] = await fileSummaries(page);
    assert.match(crashed.error, /corrupt|malformed|reader failed/);
    assert.match(cut.error, /cut short|truncated/);
    assert.match(tooLarge.error, /2147\.5 MB, more than this page reads/);
    assert.equal(good.added, "10");
    await page.getByTestId("label-card").waitFor();
    await page.keyboard.press("r");
    await page.waitForFunction(() => JSON.parse(localStorage.getItem("fink-vra/session/v1") ?? "{}").labels);
    // The page still works: the reader worker was replaced for the next file.
    await page.getByTestId("file-input").setInputFiles([join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet")]);
    await waitForFiles(page, 5);
    assert.equal((await fileSummaries(page))[4].added, "24");
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("fink-vra/session/v1")));
    assert.equal(Object.keys(Object.fromEntries(stored.labels.votes.map((vote) => [vote.candid, vote]))).length, 1, "the label given is stored");
    await page.screenshot({ path: join(ARTIFACTS, "hostile-files.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await rm(truncated, { force: true });
    await rm(huge, { force: true });
    await context.close();
  }
});

test("the Content-Security-Policy allows only the app's own scripts and wasm, and the page runs under it", async () => {
  const { context, page, errors } = await openApp();
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.equal(
    policy,
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self' http: https:; " +
      "img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'",
  );
  assert.equal(await page.locator("script:not([src])").count(), 0, "no inline script in the page");
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  // The whole loop runs under the policy: files read in the worker, cutouts, a round.
  await page.getByTestId("file-input").setInputFiles([join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet")]);
  await waitForFiles(page, 1);
  await page.getByTestId("cutouts").locator("canvas").nth(2).waitFor();
  for (const key of ["g", "x", "g", "x"]) await page.keyboard.press(key);
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").first().waitFor();
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  // No 'unsafe-eval' and no 'unsafe-inline' for scripts: the loop above ran
  // without either (wasm needs only 'wasm-unsafe-eval'). An injected inline
  // script is refused and reported.
  const inline = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__inline = 1";
    document.body.append(script);
    return window.__inline;
  });
  assert.equal(inline, undefined);
  await page.waitForFunction(() => window.__violations.some((violation) => violation.startsWith("script-src")));
  assert.deepEqual(errors, []);
  await context.close();
});

test("hostile objectIds render as text, never as links or HTML", async () => {
  const { context, page, errors } = await openApp();
  await page.getByTestId("file-input").setInputFiles([join(FIXTURES, "hostile", "hostile_object_ids.parquet")]);
  await waitForFiles(page, 1);
  const rows = page.getByTestId("feature-table").locator("tbody tr");
  assert.equal(await rows.count(), 3);
  const objectCells = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({ text: tr.cells[1].textContent, links: tr.cells[1].querySelectorAll("a").length })),
  );
  assert.deepEqual(objectCells, [
    { text: '<img src=x onerror="window.__pwned=1">', links: 0 },
    { text: "javascript:alert(1)", links: 0 },
    { text: "ZTF25aapafwq", links: 1 },
  ]);
  // The only images are the page's own charts (data: URLs of generated SVG).
  assert.equal(await page.locator("img:not(.chart)").count(), 0, "no element was injected");
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test("sample data fills the feature table", async () => {
  const { context, page, errors } = await openApp();
  await page.getByTestId("sample-data").click();
  await waitForFiles(page, 4);
  const summaries = await fileSummaries(page);
  assert.deepEqual(summaries.map((file) => file.added), ["10", "24", "19", "24"]);
  assert.match(await page.getByTestId("page-label").textContent(), /of 77 /);
  await page.screenshot({ path: join(ARTIFACTS, "sample-data.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("under a sub-path, a page loaded once reloads and loads samples with the server gone", async () => {
  const ownServer = await startServer(DIST, "/fink-vra/");
  const { context, page, errors } = await openApp(ownServer.url);
  // Wait until the service worker controls the page and has cached the shell.
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await ownServer.close();
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  await page.getByTestId("sample-data").click();
  await waitForFiles(page, 4);
  assert.equal((await fileSummaries(page)).filter((file) => file.error).length, 0);
  await page.screenshot({ path: join(ARTIFACTS, "offline-reload.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

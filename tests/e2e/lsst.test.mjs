// End-to-end tests of the loop on Rubin/LSST alerts: the LSST sample data,
// the card (ids, links, the six-band flux curve, raw-FITS stamps), labelling
// a batch with the keys, a round, a reload, the version 4 export and its
// import, and switching survey when a file of the other survey is given.
// Screenshots go to tests/e2e/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, FIXTURES, labelByKeyboard, openPage, setAnnotator, setFirstBatch, stampStatistics, storedVotes, useBuiltPage } from "./browser.mjs";

const built = useBuiltPage();
const ZTF_KEY = "fink-vra/session/v1";

/** Loads the LSST sample files (two) and waits for the first card. */
async function loadLsstSamples(page) {
  await page.getByTestId("sample-data-lsst").click();
  await page.getByTestId("file-summary-row").nth(1).waitFor();
  await page.getByTestId("progress").waitFor({ state: "detached" });
  await page.getByTestId("label-card").waitFor();
}

/** The alert ids of every vote the page keeps for `survey`: in localStorage,
 * and in the database once another annotator's record has committed (an
 * imported file's votes are another annotator's when the name is empty). */
const storedLabels = async (page, survey) => (await storedVotes(page, survey)).map((vote) => vote.candid);

/** The band names in the legend of the card's light curve. */
const legendBands = (page) =>
  page.getByTestId("lightcurve").evaluate((image) => {
    const svg = decodeURIComponent(image.src.slice(image.src.indexOf(",") + 1));
    const texts = [...svg.matchAll(/<text[^>]*text-anchor="start"[^>]*>\s*([^<]*?)\s*<\/text>/g)].map((m) => m[1]);
    return { bands: texts.filter((text) => /^[ugrizy]$/.test(text)), flux: svg.includes("flux (nJy)") };
  });

test("the LSST card: diaSourceId, broker links, a multi-band flux curve and three raw-FITS stamps", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await loadLsstSamples(page);
  assert.equal(await page.getByTestId("survey-name").textContent(), "Rubin/LSST");
  const header = await page.getByTestId("feature-table").locator("thead th").allTextContents();
  assert.deepEqual(header.slice(0, 6), ["diaSourceId", "diaObjectId", "ra", "dec", "reliability", "snr"]);
  assert.equal(header.length, 48);
  // Skip to a rehearsal alert with a long g/r/i history.
  for (let skips = 0; skips < 80; skips += 1) {
    if ((await legendBands(page)).bands.length >= 3) break;
    const id = await page.getByTestId("label-card").getAttribute("data-candid");
    await page.keyboard.press("s");
    await page.waitForFunction((c) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== c, id);
  }
  const legend = await legendBands(page);
  assert.ok(legend.flux, "the curve is in flux");
  assert.deepEqual(legend.bands, ["g", "r", "i"], "one legend entry per band present, blue to red");
  const id = await page.getByTestId("label-card").getAttribute("data-candid");
  assert.match(id, /^\d{19}$/, "a diaSourceId beyond 2^53, every digit kept");
  assert.equal(await page.getByTestId("card-alert-id").textContent(), `diaSourceId ${id}`);
  assert.match(await page.getByTestId("card-date").textContent(), /MJD \d+\.\d{5} TAI/);
  const object = await page.getByTestId("card-object").textContent();
  const links = await page.getByTestId("card-links").locator("a").evaluateAll((anchors) => anchors.map((a) => a.href));
  assert.deepEqual(links, [`https://lasair.lsst.ac.uk/objects/${object}/`, `https://lsst.fink-portal.org/${object}`]);
  await page.getByTestId("cutouts").locator("canvas").nth(2).waitFor();
  const stamps = await stampStatistics(page);
  assert.deepEqual(stamps.map(({ title }) => title), ["Science", "Template", "Difference"]);
  assert.ok(stamps.every(({ width, height, greys }) => width >= 30 && height >= 30 && greys > 50), JSON.stringify(stamps));
  await page.getByTestId("label-card").screenshot({ path: join(ARTIFACTS, "lsst-card.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("LSST: label a batch with the keys, train, reload, export JSON v4 and import it back", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await loadLsstSamples(page);
  await setFirstBatch(page, 8);
  const labelled = await labelByKeyboard(page, ["x", "g"], 8);
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").first().waitFor();
  assert.deepEqual((await page.getByTestId("round-row").first().locator("td").allTextContents()).slice(0, 2), ["0", "8"]);
  assert.deepEqual((await storedLabels(page, "lsst")).sort(), [...labelled].sort());
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), ZTF_KEY), null, "the ZTF session is untouched");

  await page.reload();
  await page.getByTestId("survey-name").waitFor();
  assert.equal(await page.getByTestId("survey-name").textContent(), "Rubin/LSST", "the survey is remembered");
  await page.getByTestId("round-row").first().waitFor();

  await setAnnotator(page, "ana");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const exported = join(tmpdir(), `fink-vra-lsst-export-${process.pid}.json`);
  await download.saveAs(exported);
  const json = JSON.parse(await readFile(exported, "utf8"));
  assert.equal(json.version, 4);
  assert.equal(json.survey, "lsst");
  assert.equal(json.feature_names.length, 46);
  assert.ok(json.labels.every((label) => label.features.length === 46), "each label carries its row");
  assert.deepEqual(json.labels.map((label) => label.alert_id).sort(), [...labelled].sort());
  assert.ok(json.labels.every((label) => /^\d+$/.test(label.object_id)));
  assert.ok(json.labels.every((label) => label.round === 0));

  // A fresh browser: the file imports into an LSST session, and a ZTF session refuses it.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByTestId("survey-name").waitFor();
  assert.equal(await page.getByTestId("survey-name").textContent(), "ZTF");
  await page.getByTestId("import-file").setInputFiles(exported);
  await page.getByTestId("error").waitFor();
  assert.match(await page.getByTestId("error").textContent(), /these are Rubin\/LSST labels, and this session labels ZTF alerts/);
  await page.getByTestId("survey-toggle").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  await page.getByTestId("import-file").setInputFiles(exported);
  await page.getByTestId("import-report").waitFor();
  assert.match(await page.getByTestId("import-report").textContent(), /8 vote\(s\) added, 0 already there/);
  assert.deepEqual((await storedLabels(page, "lsst")).sort(), [...labelled].sort());
  assert.deepEqual(errors, []);
  await context.close();
});

test("a file of the other survey is refused with an offer to switch; switching loses nothing", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await page.getByTestId("file-input").setInputFiles(join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet"));
  await page.getByTestId("label-card").waitFor();
  const [ztfLabel] = await labelByKeyboard(page, ["g"], 1);

  await page.getByTestId("file-input").setInputFiles(join(FIXTURES, "lsst", "lsst_v10_pandas_25alerts.parquet"));
  await page.getByTestId("survey-switch").waitFor();
  assert.match(await page.getByTestId("survey-switch").textContent(), /Rubin\/LSST alerts, and this session labels ZTF alerts/);
  await page.screenshot({ path: join(ARTIFACTS, "survey-switch.png"), fullPage: true });
  await page.getByTestId("switch-survey").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  await page.getByTestId("label-card").waitFor();
  assert.equal(await page.getByTestId("file-summary-row").count(), 1, "the refused file, loaded again");
  // Solar-system alerts are read but left out of the queue, until asked for.
  await page.waitForFunction(() => /· 22 alerts in the queue/.test(document.querySelector('[data-testid="queue"]')?.textContent));
  assert.match(await page.getByTestId("solar-system-left-out").textContent(), /3 solar-system alerts left out/);
  await page.getByTestId("include-solar-system").check();
  await page.waitForFunction(() => /· 25 alerts in the queue/.test(document.querySelector('[data-testid="queue"]')?.textContent));
  assert.equal(await page.getByTestId("solar-system-left-out").count(), 0);

  await page.getByTestId("survey-toggle").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "ZTF");
  assert.deepEqual(await storedLabels(page, "ztf"), [ztfLabel], "the ZTF label is still there");
  assert.equal(await page.getByTestId("file-summary-row").count(), 0, "an empty ZTF workspace");
  assert.deepEqual(errors, []);
  await context.close();
});

// Regression: a real Fink file whose alerts all carry an `ssSource` struct
// (children null when there is no solar-system object) read as 27
// solar-system alerts and left nothing to label.
test("a Fink file with ssSource on every row keeps its alerts in the queue and shows a card", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await page.getByTestId("survey-toggle").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="survey-name"]')?.textContent === "Rubin/LSST");
  await page.getByTestId("file-input").setInputFiles(join(FIXTURES, "lsst", "lsst_v10_fink_27alerts_ssSource_every_row.parquet"));
  await page.getByTestId("label-card").waitFor();
  await page.waitForFunction(() => /· 24 alerts in the queue/.test(document.querySelector('[data-testid="queue"]')?.textContent));
  assert.match(await page.getByTestId("solar-system-left-out").textContent(), /3 solar-system alerts left out/);
  assert.notEqual(await page.getByTestId("card-object").textContent(), "0", "a diaObject's alert, not a solar-system one");
  assert.equal(await page.getByTestId("card-solar-system").count(), 0, "no solar-system mark");
  await page.keyboard.press("g");
  await page.waitForFunction(() => /^1 of/.test(document.querySelector('[data-testid="batch-progress"]')?.textContent));
  await page.screenshot({ path: join(ARTIFACTS, "lsst-ssSource-every-row.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

// End-to-end: a round's model leaves the page. The rounds table exports the
// model file and the ONNX graph (downloads checked outside the browser: the
// CLI scores with the model file, onnxruntime with the graph); the feature
// checkboxes change the next round's features; the importance chart renders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACTS, FIXTURES, labelByKeyboard, openPage, setAnnotator, setFirstBatch, useBuiltPage } from "./browser.mjs";
import { cli, python } from "./cli.mjs";

const built = useBuiltPage();
const FIXTURE = join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet");

async function loadFixture(page) {
  await page.getByTestId("file-input").setInputFiles(FIXTURE);
  await page.getByTestId("file-summary-row").first().waitFor();
  await page.getByTestId("progress").waitFor({ state: "detached" });
  await page.getByTestId("label-card").waitFor();
}

/** Clicks `testId` in round row `index`; the downloaded file's path and name. */
async function download(page, testId, index, saveAs) {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("round-row").nth(index).getByTestId(testId).click(),
  ]);
  const path = join(ARTIFACTS, saveAs);
  await file.saveAs(path);
  return { path, name: file.suggestedFilename() };
}

test("the rounds table exports the model file and ONNX; the CLI and onnxruntime score them as the page; unticked features leave the next round", async () => {
  const context = await built.browser.newContext({ acceptDownloads: true });
  const { page, errors } = await openPage(context, built);
  await loadFixture(page);
  await setFirstBatch(page, 8);
  await labelByKeyboard(page, ["g", "x"], 8);
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").first().waitFor();
  assert.equal(await page.getByTestId("round-row").first().getByTestId("round-features").textContent(), "21");

  // The importance chart: one bar per feature, named.
  const chart = page.getByTestId("feature-importance");
  await chart.waitFor();
  const source = decodeURIComponent(await chart.getAttribute("src"));
  for (const feature of ["ndets", "dets_median", "amplitude_r"]) assert.ok(source.includes(feature), feature);

  const model = await download(page, "export-model", 0, "round0.model.json");
  assert.equal(model.name, "fink-vra-ztf-gal-round-0.model.json");
  const file = JSON.parse(await readFile(model.path, "utf8"));
  assert.equal(file.format, "fink-vra-model");
  assert.equal(file.version, 1);
  assert.equal(file.survey, "ztf");
  assert.equal(file.feature_names.length, 21);
  assert.equal(file.training.length, 8);
  assert.equal(file.feature_importance.length, 21);
  assert.equal(file.fitted.kind, "extra_trees");

  // The CLI fits round 0 again from the page's label export and the same
  // file: natively, the very model file the page (wasm) exported.
  await setAnnotator(page, "ana");
  const [labels] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const labelsPath = join(ARTIFACTS, "round0.labels.json");
  await labels.saveAs(labelsPath);
  const refitted = join(ARTIFACTS, "round0.cli.model.json");
  await cli("train", "--labels", labelsPath, "--round", "0", "--out", refitted, FIXTURE);
  assert.equal(await readFile(refitted, "utf8"), await readFile(model.path, "utf8"), "CLI and page fit the same model");

  const onnx = await download(page, "export-onnx", 0, "round0.onnx");
  assert.equal(onnx.name, "fink-vra-ztf-gal-round-0.onnx");
  // The page's graph is the CLI's graph of the page's model file, byte for byte.
  await cli("export-onnx", model.path, join(ARTIFACTS, "round0.cli.onnx"));
  assert.deepEqual(await readFile(onnx.path), await readFile(join(ARTIFACTS, "round0.cli.onnx")));
  // onnxruntime scores the page's graph as the CLI scores the page's model file.
  const features = join(ARTIFACTS, "round0.features.csv");
  await writeFile(features, await cli("features", FIXTURE));
  const scores = join(ARTIFACTS, "round0.scores.csv");
  await writeFile(scores, await cli("score", "--model", model.path, FIXTURE));
  const featureLines = (await readFile(features, "utf8")).trim().split("\n").length;
  assert.equal((await readFile(scores, "utf8")).trim().split("\n").length, featureLines, "one score per alert");
  const checked = await python("onnx_check.py", model.path, onnx.path, features, scores);
  assert.match(checked, new RegExp(`${featureLines - 1} rows, largest difference`));

  // Leave three features out: the next round trains on 18.
  await page.getByTestId("feature-choice").locator("summary").click();
  for (const feature of ["ra", "dec", "drb"]) {
    await page.getByTestId("feature-choice").locator(`input[data-feature="${feature}"]`).uncheck();
  }
  assert.match(await page.getByTestId("feature-choice").locator("summary").textContent(), /18 of 21/);
  await setFirstBatch(page, 8);
  await labelByKeyboard(page, ["x", "g"], 10);
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").nth(1).waitFor();
  assert.equal(await page.getByTestId("round-row").nth(1).getByTestId("round-features").textContent(), "18");
  const second = JSON.parse(await readFile((await download(page, "export-model", 1, "round1.model.json")).path, "utf8"));
  assert.equal(second.feature_names.length, 18);
  assert.ok(!second.feature_names.includes("drb"));
  // The choice is saved with the session.
  await page.reload();
  await page.getByTestId("feature-choice").locator("summary").click();
  assert.equal(await page.getByTestId("feature-choice").locator('input[data-feature="drb"]').isChecked(), false);
  assert.equal(await page.getByTestId("feature-choice").locator('input[data-feature="ndets"]').isChecked(), true);
  // After the reload no file is loaded: round 0's model comes from the stored rows.
  const again = JSON.parse(await readFile((await download(page, "export-model", 0, "round0-stored.model.json")).path, "utf8"));
  assert.deepEqual(again, JSON.parse(await readFile(join(ARTIFACTS, "round0.model.json"), "utf8")), "the same model file");
  // With the browser's database emptied too, the page says so instead of downloading.
  await page.evaluate(() => new Promise((resolve) => { indexedDB.deleteDatabase("fink-vra").onsuccess = resolve; }));
  await page.reload();
  await page.getByTestId("round-row").first().getByTestId("export-model").click();
  assert.match(await page.getByTestId("model-export-status").textContent(), /neither loaded nor stored: load their files once/);
  await page.screenshot({ path: join(ARTIFACTS, "rounds-exports.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

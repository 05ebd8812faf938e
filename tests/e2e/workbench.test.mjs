// End-to-end tests of the labelling workbench on the built page: keyboard
// labelling, training a round, persistence across reloads, export/import,
// conflicts, and a full storage quota. Screenshots go to tests/e2e/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, FIXTURES, labelByKeyboard, loadSamples, openPage, setAnnotator, setFirstBatch, stampStatistics, storedVotes, useBuiltPage } from "./browser.mjs";

const built = useBuiltPage();
const open = (context) => openPage(context, built);

test("label a batch by keyboard, train a round, and get it all back after a reload", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await open(context);
  await loadSamples(page);
  await setFirstBatch(page, 8);
  const labelled = await labelByKeyboard(page, ["g", "x", "v", "a"], 8);
  assert.equal(new Set(labelled).size, 8);
  await page.getByTestId("batch-complete").waitFor();
  const lightCurve = page.getByTestId("label-card").getByTestId("lightcurve");
  assert.match(await lightCurve.getAttribute("src"), /^data:image\/svg\+xml/);
  assert.ok(await lightCurve.evaluate((img) => img.complete && img.naturalWidth > 0), "the light curve renders");
  await page.getByTestId("label-card").screenshot({ path: join(ARTIFACTS, "label-card.png") });
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").first().waitFor();
  // The round's record follows its ranking, computed by the pool's workers.
  await page.waitForFunction(() => document.querySelector('[data-testid="round-record"]')?.dataset.state === "complete");
  // The reader (files, cutouts), the trainer (rounds, ranking), and the pool
  // (a round's cross-validation): one worker fewer than the cores, 1 to 4.
  const poolSize = await page.evaluate(() => Math.min(4, Math.max(1, navigator.hardwareConcurrency - 1)));
  const workers = page.workers().map((worker) => worker.url());
  assert.equal(workers.filter((url) => url.endsWith("/fink-vra/fink-vra-worker_loader.js")).length, 2 + poolSize, `workers: ${workers}`);
  const row = await page.getByTestId("round-row").first().locator("td").allTextContents();
  assert.equal(row[0], "0");
  assert.equal(row[1], "8");
  assert.equal(row[2], "gal 4 / not gal 4");
  await page.getByTestId("learning-curve").waitFor();
  assert.match(await page.getByTestId("card-reason").textContent(), /P\(class 1\) 0\.\d\d/);
  // Undo goes back to the last labelled alert.
  const before = await page.getByTestId("label-card").getAttribute("data-candid");
  await page.keyboard.press("z");
  await page.waitForFunction((b) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== b, before);
  assert.equal(await page.getByTestId("label-card").getAttribute("data-candid"), labelled.at(-1));
  await page.keyboard.press("a");
  await page.screenshot({ path: join(ARTIFACTS, "workbench.png"), fullPage: true });

  await page.reload();
  await page.getByTestId("round-row").first().waitFor();
  assert.equal(await page.getByTestId("round-row").count(), 1);
  assert.match(await page.getByTestId("unexported").textContent(), /\d+ label change\(s\) not exported yet/);
  await loadSamples(page);
  // The labelled alerts are not queued again, and the model is back: the session continues.
  await page.waitForFunction(() => document.querySelector('[data-testid="card-reason"]')?.textContent.includes("|p − 0.5|"));
  const next = await page.getByTestId("label-card").getAttribute("data-candid");
  assert.ok(!labelled.includes(next));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a full-schema card shows its three cutouts, read again from the file; a clean-layout card says it has none", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await open(context);
  await page.getByTestId("file-input").setInputFiles(join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet"));
  await page.getByTestId("label-card").waitFor();
  await page.getByTestId("cutouts").locator("canvas").nth(2).waitFor();
  const first = await stampStatistics(page);
  assert.deepEqual(first.map(({ title, width, height }) => [title, width, height]), [
    ["Science", 63, 63],
    ["Template", 63, 63],
    ["Difference", 63, 63],
  ]);
  assert.ok(first.every(({ greys }) => greys > 50), `stretched images, not flat ones: ${JSON.stringify(first)}`);
  await page.getByTestId("label-card").screenshot({ path: join(ARTIFACTS, "label-card-cutouts.png") });
  // The next card's stamps are its own, read when it is shown.
  const firstCandid = await page.getByTestId("label-card").getAttribute("data-candid");
  const firstPixels = await page.getByTestId("cutouts").locator("canvas").first().evaluate((canvas) => canvas.toDataURL());
  await page.keyboard.press("s");
  await page.waitForFunction((c) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== c, firstCandid);
  await page.getByTestId("cutouts").locator("canvas").nth(2).waitFor();
  const nextPixels = await page.getByTestId("cutouts").locator("canvas").first().evaluate((canvas) => canvas.toDataURL());
  assert.notEqual(nextPixels, firstPixels);

  const clean = await built.browser.newContext();
  const other = await open(clean);
  await other.page.getByTestId("file-input").setInputFiles(join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet"));
  await other.page.getByTestId("cutouts-missing").waitFor();
  assert.match(await other.page.getByTestId("cutouts-missing").textContent(), /clean layout, which has no stamps/);
  assert.deepEqual([...errors, ...other.errors], []);
  await clean.close();
  await context.close();
});

test("closing the tab in the middle of labelling loses no label", async () => {
  const context = await built.browser.newContext();
  const first = await open(context);
  await loadSamples(first.page);
  const labelled = [];
  for (const key of ["g", "x", "v", "a", "g"]) {
    labelled.push(await first.page.getByTestId("label-card").getAttribute("data-candid"));
    await first.page.keyboard.press(key);
    await first.page.waitForFunction((previous) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== previous, labelled.at(-1));
  }
  // The last key, then the tab is closed at once: no unload handler, no waiting.
  labelled.push(await first.page.getByTestId("label-card").getAttribute("data-candid"));
  await first.page.keyboard.press("b");
  await first.page.close({ runBeforeUnload: false });

  const second = await open(context);
  await second.page.getByTestId("unexported").waitFor();
  const stored = await second.page.evaluate(() => JSON.parse(localStorage.getItem("fink-vra/session/v1")));
  assert.deepEqual(Object.keys(Object.fromEntries(stored.labels.votes.map((vote) => [vote.candid, vote]))).sort(), [...labelled].sort());
  await loadSamples(second.page);
  assert.ok(!labelled.includes(await second.page.getByTestId("label-card").getAttribute("data-candid")), "labelled alerts are not queued again");
  await setAnnotator(second.page, "ana");
  const [download] = await Promise.all([second.page.waitForEvent("download"), second.page.getByTestId("export-json").click()]);
  const exported = join(tmpdir(), `fink-vra-closed-tab-${process.pid}.json`);
  await download.saveAs(exported);
  assert.deepEqual(JSON.parse(await readFile(exported, "utf8")).labels.map((label) => label.alert_id).sort(), [...labelled].sort());
  assert.deepEqual([...first.errors, ...second.errors], []);
  await context.close();
});

test("a training worker that crashes is reported, labels stay, and the next round trains", async () => {
  // Service workers are blocked so that the route below sees the worker's script.
  const context = await built.browser.newContext({ serviceWorkers: "block" });
  // The real worker, except that a training request (a whole round, or a
  // share of its forest's trees) makes it crash.
  const crashing = `
    self.addEventListener("message", (event) => {
      if (Array.isArray(event.data) && ["train", "score-tree-blocks"].includes(event.data[1])) throw new Error("simulated worker crash");
    });
    importScripts("./fink-vra-worker.js");
    wasm_bindgen("./fink-vra-worker_bg.wasm");`;
  await context.route("**/fink-vra-worker_loader.js", (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: crashing }),
  );
  const { page, errors } = await open(context);
  await loadSamples(page);
  await setFirstBatch(page, 6);
  const labelled = await labelByKeyboard(page, ["g", "x"], 6);
  await page.getByTestId("train").click();
  await page.getByTestId("training-error").waitFor();
  assert.match(await page.getByTestId("training-error").textContent(), /Training failed: .*simulated worker crash.*Your labels are safe/);
  assert.equal(await page.getByTestId("round-row").count(), 0);
  assert.match(await page.getByTestId("batch-progress").textContent(), /^6 of 6/);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("fink-vra/session/v1")));
  assert.deepEqual(Object.keys(Object.fromEntries(stored.labels.votes.map((vote) => [vote.candid, vote]))).sort(), [...labelled].sort());
  await page.screenshot({ path: join(ARTIFACTS, "worker-crash.png"), fullPage: true });

  // The real worker is back: the same labels train the round.
  await context.unroute("**/fink-vra-worker_loader.js");
  await page.getByTestId("train").click();
  await page.getByTestId("round-row").first().waitFor();
  assert.equal(await page.getByTestId("training-error").count(), 0);
  assert.deepEqual((await page.getByTestId("round-row").first().locator("td").allTextContents()).slice(0, 3), ["0", "6", "gal 3 / not gal 3"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("export, clear, import gives back the same votes; a colleague's differing vote is reviewed and adjudicated", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await open(context);
  await loadSamples(page);
  await page.getByTestId("annotator").fill("ana");
  await page.getByTestId("annotator").press("Enter");
  await page.getByTestId("annotator").blur();
  await labelByKeyboard(page, ["g", "b", "x"], 6);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const exported = join(tmpdir(), `fink-vra-export-${process.pid}.json`);
  await download.saveAs(exported);
  const json = JSON.parse(await readFile(exported, "utf8"));
  assert.equal(json.format, "fink-vra-labels");
  assert.equal(json.version, 4);
  assert.deepEqual(json.adjudications, []);
  assert.equal(json.survey, "ztf");
  assert.equal(json.labels.length, 6);
  assert.ok(json.labels.every((label) => label.features.length === json.feature_names.length));
  assert.ok(json.labels.every((label) => typeof label.alert_id === "string" && /^\d+$/.test(label.alert_id)));
  assert.ok(json.labels.every((label) => /^ZTF\d\d[a-z]{7}$/.test(label.object_id)));
  assert.match(await page.getByTestId("unexported").textContent(), /All labels exported/);

  await page.evaluate(() => localStorage.clear());
  await page.reload();
  // A page without a name asks for one before it imports (or exports).
  await page.getByTestId("annotator-needed").waitFor();
  assert.ok(await page.getByTestId("import-file").isDisabled());
  assert.ok(await page.getByTestId("export-json").isDisabled());
  // Typed key by key, the name keeps its space.
  await page.getByTestId("annotator").pressSequentially("Ana Lopez");
  assert.equal(await page.getByTestId("annotator").inputValue(), "Ana Lopez");
  await page.getByTestId("annotator").blur();
  await page.getByTestId("annotator-needed").waitFor({ state: "detached" });
  await page.getByTestId("import-file").setInputFiles(exported);
  await page.getByTestId("import-report").waitFor();
  assert.match(await page.getByTestId("import-report").textContent(), /6 vote\(s\) added, 0 already there/);
  const [again] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const reexported = join(tmpdir(), `fink-vra-reexport-${process.pid}.json`);
  await again.saveAs(reexported);
  assert.deepEqual(JSON.parse(await readFile(reexported, "utf8")).labels, json.labels);

  // A colleague labelled the first alert differently: their vote is added,
  // ana's kept, and the alert (neither vote mine) waits for review.
  const colleague = structuredClone(json);
  colleague.annotator = "bob";
  const bobs = json.labels[0].label === "agn" ? "gal" : "agn";
  colleague.labels = [{ ...json.labels[0], label: bobs, annotator: "bob" }];
  const differing = join(tmpdir(), `fink-vra-colleague-${process.pid}.json`);
  await writeFile(differing, JSON.stringify(colleague));
  await page.getByTestId("import-file").setInputFiles(differing);
  await page.getByTestId("review-item").first().waitFor();
  assert.match(await page.getByTestId("import-report").textContent(), /1 vote\(s\) added, 0 already there/);
  const item = page.getByTestId("review-item").first();
  assert.equal(await item.getAttribute("data-alert"), json.labels[0].alert_id);
  const votes = await item.getByTestId("review-vote").allTextContents();
  assert.deepEqual(votes.map((vote) => vote.split(" (")[0]), [`ana: ${json.labels[0].label}`, `bob: ${bobs}`]);
  assert.match(await item.getByTestId("review-agreement").textContent(), /50 % agree/);
  // Importing the same file again changes nothing.
  await page.getByTestId("import-file").setInputFiles(differing);
  await page.waitForFunction(() => /0 vote\(s\) added, 1 already there/.test(document.querySelector('[data-testid="import-report"]')?.textContent ?? ""));
  assert.equal(await page.getByTestId("review-item").count(), 1);
  await page.screenshot({ path: join(ARTIFACTS, "review.png"), fullPage: true });
  // Adjudicated, it stays decided: through the next save and a reload.
  await item.getByTestId("review-reason").selectOption("mistake");
  await item.locator(`[data-testid="review-choose"][data-label="${bobs}"]`).click();
  await page.getByTestId("review-item").first().waitFor({ state: "detached" });
  await page.reload();
  await page.getByTestId("unexported").waitFor();
  assert.equal(await page.getByTestId("review-item").count(), 0);
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("fink-vra/session/v1")).labels);
  assert.equal((await storedVotes(page)).length, 7, "every vote kept (the others' in the database)");
  assert.deepEqual(
    saved.adjudications.map(({ candid, label, reason, reviewer }) => ({ candid, label, reason, reviewer })),
    [{ candid: json.labels[0].alert_id, label: bobs, reason: "mistake", reviewer: "Ana Lopez" }],
  );
  const [decided] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const decidedPath = join(tmpdir(), `fink-vra-decided-${process.pid}.json`);
  await decided.saveAs(decidedPath);
  const decidedJson = JSON.parse(await readFile(decidedPath, "utf8"));
  assert.equal(decidedJson.labels.length, 7);
  assert.equal(decidedJson.adjudications[0].label, bobs);

  // A bad file changes nothing and says which entry is wrong.
  const bad = join(tmpdir(), `fink-vra-bad-${process.pid}.json`);
  await writeFile(bad, JSON.stringify({ ...json, labels: [{ ...json.labels[0], alert_id: 12 }] }));
  await page.getByTestId("import-file").setInputFiles(bad);
  await page.getByTestId("error").waitFor();
  assert.match(await page.getByTestId("error").textContent(), /label 1: the alert id must be a decimal string/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a full storage quota is reported and labels stay in memory, exportable", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await open(context);
  await loadSamples(page);
  // Fill localStorage to the quota with one large dummy key.
  await page.evaluate(() => {
    let chunk = "x".repeat(1 << 20);
    for (let i = 0; ; i += 1) {
      try {
        localStorage.setItem(`filler-${i}`, chunk);
      } catch {
        if (chunk.length <= 1) break;
        chunk = chunk.slice(chunk.length / 2);
      }
    }
  });
  await labelByKeyboard(page, ["r", "b"], 2);
  await page.getByTestId("storage-warning").waitFor();
  assert.match(await page.getByTestId("storage-warning").textContent(), /storage is full/);
  await setAnnotator(page, "ana");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const exported = join(tmpdir(), `fink-vra-quota-${process.pid}.json`);
  await download.saveAs(exported);
  assert.equal(JSON.parse(await readFile(exported, "utf8")).labels.length, 2);
  await page.screenshot({ path: join(ARTIFACTS, "storage-warning.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a saved session this page cannot read is kept aside, never overwritten", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await open(context);
  const newer = JSON.stringify({ format: "fink-vra-session", version: 9, labels: "from the future" });
  await page.evaluate((text) => localStorage.setItem("fink-vra/session/v1", text), newer);
  await page.reload();
  await page.getByTestId("storage-warning").waitFor();
  assert.match(await page.getByTestId("storage-warning").textContent(), /kept under the key fink-vra\/session\/unreadable/);
  await loadSamples(page);
  await labelByKeyboard(page, ["g"], 1);
  assert.equal(await page.evaluate(() => localStorage.getItem("fink-vra/session/unreadable")), newer);
  assert.deepEqual(errors, []);
  await context.close();
});

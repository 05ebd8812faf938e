// End-to-end tests of a VRA that grows across days and collaborators: every
// label keeps its alert's feature row (IndexedDB, label file version 3), so a
// round trains on every label, loaded or not; the browser's database made
// unavailable; an object's earlier labels on the card and the repeat key.
// Screenshots go to tests/e2e/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACTS, FIXTURES, download, labelByKeyboard, loadFile, openPage, setAnnotator, setFirstBatch, train, useBuiltPage } from "./browser.mjs";

const built = useBuiltPage();
const DAY_ONE = join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet");
const DAY_TWO = join(FIXTURES, "clean", "20250604_120102_alerts_ztf_hostless_72alerts.parquet");
const SESSION_KEY = "fink-vra/session/v1";

/** The "labels" cell of round row `index`. */
const roundLabels = async (page, index) =>
  (await page.getByTestId("round-row").nth(index).locator("td").allTextContents())[1];

const storedLabels = (page) =>
  page.evaluate((key) => (JSON.parse(localStorage.getItem(key))?.labels?.votes ?? []).map((vote) => vote.candid), SESSION_KEY);

test("day 1, a reload, day 2 with only day 2's file: rounds train on all labels, every model file downloads, a collaborator trains on all", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  // Day 1: file A, 8 labels, round 0.
  await loadFile(page, DAY_ONE, 1);
  await setFirstBatch(page, 8);
  const dayOne = await labelByKeyboard(page, ["g", "x"], 8);
  await train(page, 1);
  assert.equal(await roundLabels(page, 0), "8");
  // Day 2: a reload, file B only.
  await page.reload();
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  await loadFile(page, DAY_TWO, 1);
  await page.waitForFunction(() => /8 labels train from their stored feature rows/.test(document.querySelector('[data-testid="label-rows"]')?.textContent));
  const dayTwo = await labelByKeyboard(page, ["x", "g"], 8);
  assert.equal(new Set([...dayOne, ...dayTwo]).size, 16);
  await train(page, 2);
  assert.equal(await roundLabels(page, 1), "16", "round 1 trains on the 16 labels of both days");
  // Every round's model file downloads, round 0's too, without day 1's file.
  for (const round of [0, 1]) {
    const path = await download(page, page.getByTestId("round-row").nth(round).getByTestId("export-model"), `training-table-round${round}.model.json`);
    const model = JSON.parse(await readFile(path, "utf8"));
    assert.equal(model.training.length, round === 0 ? 8 : 16, `round ${round}'s model file`);
  }
  // The label file carries the rows: version 3.
  await setAnnotator(page, "ana");
  const exported = await download(page, page.getByTestId("export-json"), "training-table-labels-v3.json");
  const file = JSON.parse(await readFile(exported, "utf8"));
  assert.equal(file.version, 4);
  assert.equal(file.labels.length, 16);
  assert.ok(file.labels.every((label) => label.features?.length === file.feature_names.length), "every label carries its row");
  await page.screenshot({ path: join(ARTIFACTS, "training-table-day-two.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();

  // A collaborator with file B only, in a fresh browser, imports and trains on all 16.
  const theirs = await built.browser.newContext();
  const other = await openPage(theirs, built);
  await loadFile(other.page, DAY_TWO, 1);
  await setAnnotator(other.page, "bo");
  await other.page.getByTestId("import-file").setInputFiles(exported);
  await other.page.getByTestId("import-report").waitFor();
  assert.match(await other.page.getByTestId("import-report").textContent(), /16 vote\(s\) added.*Feature rows kept for 16 labels/);
  await train(other.page, 3);
  assert.equal(await roundLabels(other.page, 2), "16", "the collaborator's round trains on every label");
  assert.deepEqual(other.errors, []);
  await theirs.close();
});

test("two tabs share the database: labels given in one tab train in the other, which holds another file", async () => {
  const context = await built.browser.newContext();
  const first = await openPage(context, built);
  const second = await openPage(context, built);
  await loadFile(second.page, DAY_TWO, 1);
  await loadFile(first.page, DAY_ONE, 1);
  await setFirstBatch(first.page, 6);
  await labelByKeyboard(first.page, ["g", "x"], 6);
  // The second tab hears of the labels (storage) and of their rows (broadcast).
  await second.page.waitForFunction(() => /6 labels train from their stored feature rows/.test(document.querySelector('[data-testid="label-rows"]')?.textContent));
  await train(second.page, 1);
  assert.equal(await roundLabels(second.page, 0), "6");
  assert.deepEqual([...first.errors, ...second.errors], []);
  await context.close();
});

test("with the browser's database unavailable the page says so, trains on what it has, and loses no label", async () => {
  const context = await built.browser.newContext();
  await context.addInitScript(() => {
    IDBFactory.prototype.open = function () {
      throw new DOMException("blocked by the test", "SecurityError");
    };
  });
  const { page, errors } = await openPage(context, built);
  await page.getByTestId("database-problem").waitFor();
  assert.match(await page.getByTestId("database-problem").textContent(), /blocked by the test.*Your labels are safe/);
  await loadFile(page, DAY_ONE, 1);
  await setFirstBatch(page, 4);
  const labelled = await labelByKeyboard(page, ["g", "x"], 4);
  await train(page, 1);
  assert.equal(await roundLabels(page, 0), "4");
  await page.reload();
  await page.getByTestId("database-problem").waitFor();
  assert.deepEqual((await storedLabels(page)).sort(), [...labelled].sort(), "every label is intact");
  await page.waitForFunction(() => /4 labels wait for their alert files to train/.test(document.querySelector('[data-testid="label-rows"]')?.textContent));
  assert.deepEqual(errors, []);
  await context.close();
});

test("the card lists its object's earlier labels, and the repeat key gives that label again", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await loadFile(page, join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet"), 1);
  // Label extragal until a card's object already has a label (the file has
  // two objects with two alerts each).
  for (let labelled = 0; labelled < 72; labelled += 1) {
    if ((await page.getByTestId("card-earlier-labels").count()) > 0) break;
    await labelByKeyboard(page, ["x"], 1);
  }
  await page.getByTestId("card-earlier-labels").waitFor();
  const earlier = await page.getByTestId("earlier-label").allTextContents();
  assert.equal(earlier.length, 1);
  assert.match(earlier[0], /^extragal · \d{4}-\d\d-\d\d.* · alert \d+$/);
  const candid = await page.getByTestId("label-card").getAttribute("data-candid");
  await page.screenshot({ path: join(ARTIFACTS, "card-earlier-labels.png"), fullPage: true });
  await page.keyboard.press("o");
  await page.waitForFunction((c) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== c, candid);
  const stored = await page.evaluate((key) => Object.fromEntries(JSON.parse(localStorage.getItem(key)).labels.votes.map((vote) => [vote.candid, vote])), SESSION_KEY);
  assert.equal(stored[candid].label, "extragal", "the object's latest label, again");
  // The setting leaves alerts of labelled objects out of the queue.
  // The checkbox keeps the focus: the keys still label (regression: a
  // focused checkbox took them).
  await page.getByTestId("skip-labelled-objects").check();
  for (let shown = 0; shown < 80; shown += 1) {
    if ((await page.getByTestId("label-card").count()) === 0) break;
    assert.equal(await page.getByTestId("card-earlier-labels").count(), 0, "no card of a labelled object");
    await labelByKeyboard(page, ["s"], 1);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

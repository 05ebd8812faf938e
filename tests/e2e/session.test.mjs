// End-to-end tests of a labelling session as a person uses it for longer than
// one batch: more files after a round, the real model before any bogus label,
// two tabs on one store, labelling by buttons, a failed download, and the
// custom model type. Screenshots go to tests/e2e/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, FIXTURES, labelByKeyboard, loadFile, openPage, setAnnotator, setFirstBatch, train, useBuiltPage } from "./browser.mjs";

const built = useBuiltPage();
const open = (context) => openPage(context, built);
const CLEAN = (day) => join(FIXTURES, "clean", `2025060${day}_1${day - 2}0102_alerts_ztf_hostless_72alerts.parquet`);
const SESSION_KEY = "fink-vra/session/v1";

/** A new context and page with the first clean fixture loaded. */
async function openWithFirstFile(contextOptions = {}) {
  const context = await built.browser.newContext(contextOptions);
  const { page, errors } = await open(context);
  await loadFile(page, CLEAN(2), 1);
  return { context, page, errors };
}

const storedLabels = (page) =>
  page.evaluate((key) => (JSON.parse(localStorage.getItem(key))?.labels?.votes ?? []).map((vote) => vote.candid), SESSION_KEY);

test("load a file, label, train, load a second file, keep labelling and train again", async () => {
  const { context, page, errors } = await openWithFirstFile();
  await setFirstBatch(page, 6);
  const first = await labelByKeyboard(page, ["g", "x", "a", "v"], 6);
  await train(page, 1);
  await page.waitForFunction(() => /P\(class 1\) 0\.\d\d/.test(document.querySelector('[data-testid="card-reason"]')?.textContent));
  // More alerts after the round: the page stays alive, the model scores them.
  await loadFile(page, CLEAN(4), 2);
  await page.waitForFunction(() => /P\(class 1\) 0\.\d\d/.test(document.querySelector('[data-testid="card-reason"]')?.textContent));
  const second = await labelByKeyboard(page, ["x", "g", "v", "a"], 10);
  assert.equal(new Set([...first, ...second]).size, 16, "no alert is shown twice");
  await train(page, 2);
  const row = await page.getByTestId("round-row").nth(1).locator("td").allTextContents();
  assert.deepEqual(row.slice(0, 2), ["1", "16"]);
  // Each label keeps the first round that trained it.
  const stored = await page.evaluate((key) => Object.fromEntries(JSON.parse(localStorage.getItem(key)).labels.votes.map((vote) => [vote.candid, vote])), SESSION_KEY);
  assert.ok(first.every((candid) => stored[candid].round === 0), "round 0 labels stay round 0");
  assert.ok(second.every((candid) => stored[candid].round === 1));
  await page.screenshot({ path: join(ARTIFACTS, "two-files-two-rounds.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the real model trains with only real labels: its round is recorded, AUC n/a", async () => {
  const { context, page, errors } = await openWithFirstFile();
  await page.getByTestId("model-type").selectOption("real");
  await setFirstBatch(page, 5);
  await labelByKeyboard(page, ["r"], 5);
  await train(page, 1);
  assert.equal(await page.getByTestId("training-error").count(), 0);
  const row = await page.getByTestId("round-row").first().locator("td").allTextContents();
  assert.deepEqual(row.slice(0, 3), ["0", "5", "real 5 / not real 0"]);
  assert.ok(!row.join(" ").includes("NaN"), row.join(" | "));
  await page.reload();
  await page.getByTestId("round-row").first().waitFor();
  assert.deepEqual((await page.getByTestId("round-row").first().locator("td").allTextContents()).slice(0, 3), ["0", "5", "real 5 / not real 0"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("two tabs label different alerts; each keeps the other's labels, and a reload shows both sets", async () => {
  const context = await built.browser.newContext();
  const one = await open(context);
  const two = await open(context);
  await loadFile(one.page, CLEAN(2), 1);
  await loadFile(two.page, CLEAN(2), 1);
  const byOne = await labelByKeyboard(one.page, ["g", "x"], 3);
  // The second tab heard of them: it shows another alert, and labels others.
  await two.page.waitForFunction(
    (taken) => !taken.includes(document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid")),
    byOne,
  );
  const byTwo = await labelByKeyboard(two.page, ["a", "v"], 3);
  assert.equal(new Set([...byOne, ...byTwo]).size, 6);
  // The first tab labels again: its save must not drop the second tab's labels.
  byOne.push(...(await labelByKeyboard(one.page, ["g"], 1)));
  const everything = [...byOne, ...byTwo].sort();
  await one.page.waitForFunction(
    ([key, count]) => Object.keys(Object.fromEntries(JSON.parse(localStorage.getItem(key)).labels.votes.map((vote) => [vote.candid, vote]))).length === count,
    [SESSION_KEY, everything.length],
  );
  assert.deepEqual((await storedLabels(one.page)).sort(), everything);
  await two.page.reload();
  await two.page.getByTestId("unexported").waitFor();
  assert.deepEqual((await storedLabels(two.page)).sort(), everything);
  await loadFile(two.page, CLEAN(2), 1);
  assert.ok(!everything.includes(await two.page.getByTestId("label-card").getAttribute("data-candid")));
  assert.deepEqual([...one.errors, ...two.errors], []);
  await context.close();
});

test("a batch labelled with the card's buttons only, skip and undo included", async () => {
  const { context, page, errors } = await openWithFirstFile({ hasTouch: true });
  await setFirstBatch(page, 4);
  const buttons = page.getByTestId("card-buttons");
  assert.match(await buttons.textContent(), /real r.*extragal x.*gal g.*agn a.*bogus b.*varstar v.*unsure u.*skip s.*undo z/s);
  const cardCandid = () => page.getByTestId("label-card").getAttribute("data-candid");
  const next = (previous) =>
    page.waitForFunction((p) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== p, previous);
  const labelled = [];
  for (const label of ["gal", "extragal", "agn"]) {
    const candid = await cardCandid();
    await page.getByTestId(`label-${label}`).tap();
    await next(candid);
    labelled.push(candid);
  }
  // Skip, then undo the last label: its card comes back.
  const skipped = await cardCandid();
  await page.getByTestId("skip-button").click();
  await next(skipped);
  await page.getByTestId("undo-button").click();
  await page.waitForFunction((c) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") === c, labelled.at(-1));
  // By keyboard focus: Tab to a button and press Enter.
  await page.getByTestId("label-varstar").focus();
  await page.keyboard.press("Enter");
  await next(labelled.at(-1));
  const candid = await cardCandid();
  await page.getByTestId("label-agn").click();
  await next(candid);
  await page.getByTestId("batch-complete").waitFor();
  assert.match(await page.getByTestId("batch-progress").textContent(), /^4 of 4/);
  await page.getByTestId("label-card").screenshot({ path: join(ARTIFACTS, "card-buttons.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a download that fails leaves the unexported indicator on", async () => {
  const { context, page, errors } = await openWithFirstFile();
  await labelByKeyboard(page, ["g", "x"], 2);
  assert.match(await page.getByTestId("unexported").textContent(), /2 label change\(s\) not exported yet/);
  // The browser refuses to make the file (as a blocked download or full disk would).
  await page.evaluate(() => {
    URL.createObjectURL = () => {
      throw new Error("downloads are blocked");
    };
  });
  await setAnnotator(page, "ana");
  await page.getByTestId("export-json").click();
  await page.getByTestId("download-error").waitFor();
  assert.match(await page.getByTestId("download-error").textContent(), /fink-vra-labels\.json could not be saved/);
  assert.match(await page.getByTestId("unexported").textContent(), /2 label change\(s\) not exported yet/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the custom model type: chosen, validated, used, and back after a reload", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await open(context);
  await page.getByTestId("model-type").selectOption("custom");
  await page.getByTestId("custom-mapping-error").waitFor();
  assert.match(await page.getByTestId("custom-mapping-error").textContent(), /Type a custom mapping/);
  await page.getByTestId("custom-mapping").fill("extragal=1,galactic=0");
  await page.getByTestId("custom-mapping").press("Enter");
  await page.waitForFunction(() => /`galactic` is not a label/.test(document.querySelector('[data-testid="custom-mapping-error"]')?.textContent));
  await page.getByTestId("custom-mapping").fill("extragal=1,agn=1");
  await page.getByTestId("custom-mapping").press("Enter");
  await page.waitForFunction(() => /class 0/.test(document.querySelector('[data-testid="custom-mapping-error"]')?.textContent));
  await page.getByTestId("custom-mapping").fill("extragal=1,agn=1,gal=0,varstar=0");
  await page.getByTestId("custom-mapping").press("Enter");
  await page.waitForFunction(() => !document.querySelector('[data-testid="custom-mapping-error"]'));
  assert.equal(await page.getByTestId("model-type").inputValue(), "custom");
  await page.reload();
  await page.getByTestId("custom-mapping").waitFor();
  assert.equal(await page.getByTestId("model-type").inputValue(), "custom");
  assert.equal(await page.getByTestId("custom-mapping").inputValue(), "agn=1,extragal=1,gal=0,varstar=0");
  // It trains: 2 + 2 labels in its classes.
  await loadFile(page, CLEAN(2), 1);
  await setFirstBatch(page, 4);
  await labelByKeyboard(page, ["x", "g", "a", "v"], 4);
  await train(page, 1);
  const row = await page.getByTestId("round-row").first().locator("td").allTextContents();
  assert.deepEqual(row.slice(1, 3), ["4", "agn+extragal 2 / gal+varstar 2"]);
  assert.match(row[3], /\(custom\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

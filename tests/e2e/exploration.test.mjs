// End-to-end test of the exploration share on the built page: random picks
// are marked on their cards, their labels are stored as random picks, and
// the round reports its estimate on them beside the cross-validated figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, loadSamples, openPage, setFirstBatch, train, useBuiltPage } from "./browser.mjs";

const built = useBuiltPage();

/** Labels `count` cards with `keys` in turn; returns [candid, was a random pick] of each. */
async function labelNoting(page, keys, count) {
  const seen = [];
  for (let i = 0; i < count; i += 1) {
    const card = page.getByTestId("label-card");
    const candid = await card.getAttribute("data-candid");
    const randomPick = (await card.getByTestId("card-random-pick").count()) === 1;
    if (randomPick) {
      assert.match(await card.getByTestId("card-reason").textContent(), /random pick, for an honest estimate/);
    }
    seen.push([candid, randomPick]);
    await page.keyboard.press(keys[i % keys.length]);
    await page.waitForFunction(
      (previous) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== previous,
      candid,
    );
  }
  return seen;
}

async function setExplorationShare(page, share) {
  const input = page.getByTestId("exploration-share");
  await input.fill(String(share));
  await input.press("Enter");
  await input.blur();
}

test("random picks are marked on the card, stored as such, and give the round its estimate on tonight's alerts", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await loadSamples(page);
  // The default cold start takes the most typical alert of each large group.
  assert.equal(await page.getByTestId("cold-start").inputValue(), "representative");
  await page.waitForFunction(() => /no model yet: pick 1, the most typical of a group of \d+ similar alerts/.test(document.querySelector('[data-testid="card-reason"]')?.textContent));
  await page.getByTestId("cold-start").selectOption("diverse");
  await page.waitForFunction(() => document.querySelector('[data-testid="card-reason"]')?.textContent.includes("spreading the batch over feature space"));
  await page.getByTestId("cold-start").selectOption("representative");
  await setFirstBatch(page, 10);
  await setExplorationShare(page, 0.4);
  // Four of the ten are random picks, spread through the batch (slots 1, 3, 6 and 8).
  const first = await labelNoting(page, ["g", "x"], 10);
  assert.deepEqual(
    first.map(([, randomPick]) => randomPick),
    [false, true, false, true, false, false, true, false, true, false],
  );
  const stored = await page.evaluate(() => Object.fromEntries(JSON.parse(localStorage.getItem("fink-vra/session/v1")).labels.votes.map((vote) => [vote.candid, vote])));
  const storedPicks = Object.values(stored).filter((entry) => entry.random_pick).map((entry) => String(entry.candid));
  assert.deepEqual(storedPicks.sort(), first.filter(([, randomPick]) => randomPick).map(([candid]) => candid).sort());

  await train(page, 1);
  const honest = await page.getByTestId("round-honest").first().textContent();
  assert.match(honest, /^ROC AUC (\d\.\d\d \[\d\.\d\d, \d\.\d\d\]|n\/a) · AuRaK .* · accuracy \d\.\d\d \[\d\.\d\d, \d\.\d\d\] \(4 random picks\)$/);
  assert.match(await page.getByTestId("cv-note").textContent(), /measured on the labels you gave, which the strategy chose/);
  assert.match(await page.getByTestId("learning-curve").getAttribute("alt"), /ROC AUC on random picks/);

  await page.getByTestId("rounds-table").screenshot({ path: join(ARTIFACTS, "exploration-rounds.png") });
  // After the round the random picks carry the model's probability too.
  const next = await labelNoting(page, ["g", "x"], 1);
  await page.getByTestId("card-random-pick").waitFor();
  assert.match(await page.getByTestId("card-reason").textContent(), /p = 0\.\d\d: random pick, for an honest estimate/);
  await page.getByTestId("label-card").screenshot({ path: join(ARTIFACTS, "exploration-card.png") });
  next.push(...(await labelNoting(page, ["g", "x"], 9)));
  assert.equal(next.filter(([, randomPick]) => randomPick).length, 4);

  // With no share, the next batch holds none, and a round says so.
  await setExplorationShare(page, 0);
  await train(page, 2);
  const plain = await labelNoting(page, ["g", "x"], 10);
  assert.ok(plain.every(([, randomPick]) => !randomPick));
  assert.deepEqual(errors, []);
  await context.close();
});

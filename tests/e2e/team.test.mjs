// End-to-end test of team labelling on the built page: three annotators in
// three browser contexts label the same alerts of the sample data (blind:
// no other vote is visible before one's own), exchange their version 4
// label files, and every context then shows the same Team numbers; the
// review queue lists exactly the contested alerts; double labelling serves
// an alert another annotator labelled, hides their vote until one's own and
// then reveals it; a gold mark measures the others' accuracy; an
// adjudication changes what the next round trains on; a fresh context
// importing one export shows that context's numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACTS, download, loadSamples, openPage, setAnnotator, storedVotes, train, useBuiltPage } from "./browser.mjs";

const built = useBuiltPage();

/** Each annotator's keys for the first cards (the same alerts in every
 * context: the same samples, seed and ranking). Alerts 4 and 11 split three
 * ways: contested under the majority rule. Cy labels two cards more. */
const KEYS = {
  ana: ["g", "g", "x", "x", "g", "b", "g", "x", "g", "x", "a", "g"],
  bo: ["g", "x", "x", "x", "x", "b", "g", "g", "x", "x", "a", "b"],
  cy: ["g", "g", "x", "g", "b", "x", "g", "x", "x", "x", "g", "v", "g", "x"],
};
const LABEL_OF_KEY = { g: "gal", x: "extragal", a: "agn", b: "bogus", v: "varstar" };

/** Labels one card per key; checks that no other vote shows before one's
 * own; returns the candids labelled. */
async function labelCards(page, keys) {
  const candids = [];
  for (const key of keys) {
    const card = page.getByTestId("label-card");
    const candid = await card.getAttribute("data-candid");
    assert.equal(await card.getByTestId("card-vote").count(), 0, "no other vote visible before one's own");
    candids.push(candid);
    await page.keyboard.press(key);
    await page.waitForFunction(
      (previous) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== previous,
      candid,
    );
  }
  return candids;
}

/** Opens the Team section's numbers (computed only while shown). */
async function showTeam(page) {
  if ((await page.getByTestId("team-details").getAttribute("open")) === null) {
    await page.getByTestId("team-show").click();
  }
}

/** The Team section's numbers, as text. */
async function teamNumbers(page) {
  await showTeam(page);
  await page.getByTestId("team-alpha").waitFor();
  return {
    alerts: await page.getByTestId("team-alerts").textContent(),
    alpha: await page.getByTestId("team-alpha").textContent(),
    annotators: await page.getByTestId("team-annotator").allTextContents(),
    pairs: await page.getByTestId("team-pair").allTextContents(),
  };
}

/** The alerts the review queue lists, sorted. */
async function reviewed(page) {
  const items = await page.getByTestId("review-item").evaluateAll((nodes) => nodes.map((node) => node.dataset.alert));
  return items.sort();
}

/** The saved session of the ZTF survey. */
const saved = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("fink-vra/session/v1")));

async function annotatorPage(name) {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await loadSamples(page);
  await setAnnotator(page, name);
  await page.getByTestId("consensus-rule").selectOption("majority");
  return { name, context, page, errors };
}

test("three annotators label, exchange files, agree on the Team numbers, review and adjudicate", async () => {
  const team = [];
  for (const name of ["ana", "bo", "cy"]) team.push(await annotatorPage(name));
  const labelled = {};
  for (const { name, page } of team) {
    await showTeam(page);
    await page.getByTestId("team-nothing").waitFor();
    assert.match(await page.getByTestId("team-nothing").textContent(), /agreement needs votes of 2 annotators or more/);
    labelled[name] = await labelCards(page, KEYS[name]);
  }
  assert.deepEqual(labelled.bo, labelled.ana, "the same alerts in every context");
  assert.deepEqual(labelled.cy.slice(0, 12), labelled.ana);
  const files = {};
  for (const { name, page } of team) {
    files[name] = await download(page, page.getByTestId("export-json"), `team-${name}.json`);
  }
  for (const { name, page } of team) {
    const others = Object.keys(files).filter((other) => other !== name);
    await page.getByTestId("import-file").setInputFiles(others.map((other) => files[other]));
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="team-annotator"]').length === count,
      3,
    );
  }
  // Every context shows the same numbers.
  const numbers = [];
  for (const { page } of team) numbers.push(await teamNumbers(page));
  assert.deepEqual(numbers[1], numbers[0]);
  assert.deepEqual(numbers[2], numbers[0]);
  assert.match(numbers[0].alerts, /14 alerts with votes: 2 single, 4 unanimous, 6 majority, 2 contested, 0 adjudicated/);
  assert.equal(numbers[0].pairs.length, 3);
  // The review queue lists exactly the contested alerts: those whose votes tie.
  const votesOf = (index) => ["ana", "bo", "cy"].map((name) => KEYS[name][index]);
  const contested = labelled.ana
    .filter((_, index) => {
      const counts = Object.values(votesOf(index).reduce((tally, key) => ({ ...tally, [key]: (tally[key] ?? 0) + 1 }), {}));
      const most = Math.max(...counts);
      return counts.filter((count) => count === most).length > 1;
    })
    .sort();
  assert.equal(contested.length, 2);
  for (const { page } of team) assert.deepEqual(await reviewed(page), contested);
  const [ana] = team;

  // The labels table gives every alert its provenance; the contested ones do not train.
  await ana.page.getByTestId("labels-details").locator("summary").click();
  await ana.page.getByTestId("labels-filter").selectOption("contested");
  await ana.page.waitForFunction(
    (count) => document.querySelectorAll('[data-testid="labels-row"]').length === count,
    contested.length,
  );
  const contestedRows = await ana.page.getByTestId("labels-row").evaluateAll((rows) => rows.map((row) => row.dataset.alert));
  assert.deepEqual(contestedRows.sort(), contested);
  assert.deepEqual(
    await ana.page.getByTestId("labels-training-label").allTextContents(),
    contested.map(() => "(does not train)"),
  );
  await ana.page.getByTestId("labels-filter").selectOption("");
  await ana.page.waitForFunction(() => document.querySelectorAll('[data-testid="labels-row"]').length === 14);
  const provenances = await ana.page.getByTestId("labels-provenance").allTextContents();
  const tally = provenances.reduce((counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }), {});
  assert.deepEqual(tally, { single: 2, unanimous: 4, majority: 6, contested: 2 });
  await ana.page.getByTestId("labels-details").locator("summary").click();

  // Anonymous review: the others' names give way to letters on the review cards.
  const named = await ana.page.getByTestId("review-vote").allTextContents();
  assert.ok(named.some((line) => line.startsWith("bo: ")), named.join("; "));
  await ana.page.getByTestId("anonymous-review").check();
  await ana.page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="review-vote"]')].every((node) => !/^(bo|cy):/.test(node.textContent)),
  );
  const anonymous = await ana.page.getByTestId("review-vote").allTextContents();
  assert.ok(anonymous.some((line) => line.startsWith("annotator A: ")), anonymous.join("; "));
  assert.ok(anonymous.some((line) => line.startsWith("you: ")), anonymous.join("; "));
  await ana.page.getByTestId("anonymous-review").uncheck();
  await ana.page.screenshot({ path: join(ARTIFACTS, "team.png"), fullPage: true });

  // Double labelling serves cy's alerts to ana, hiding cy's vote until hers.
  await ana.page.getByTestId("double-labelling").check();
  let served = null;
  for (let skips = 0; skips < 400 && served === null; skips += 1) {
    const card = ana.page.getByTestId("label-card");
    if ((await card.count()) === 0) break;
    const candid = await card.getAttribute("data-candid");
    if ((await card.getByTestId("card-votes-hidden").count()) === 1) {
      served = candid;
      break;
    }
    await ana.page.keyboard.press("s");
    await ana.page.waitForFunction(
      (previous) => document.querySelector('[data-testid="label-card"]')?.getAttribute("data-candid") !== previous,
      candid,
    );
  }
  assert.ok(labelled.cy.slice(12).includes(served), "an alert only cy labelled");
  assert.equal(await ana.page.getByTestId("card-vote").count(), 0, "cy's vote hidden");
  // Ana agrees with cy (so that no alert is newly contested).
  const cysKey = KEYS.cy[labelled.cy.indexOf(served)];
  await ana.page.keyboard.press(cysKey);
  const revealed = ana.page.getByTestId("revealed-votes");
  await revealed.waitFor();
  assert.equal(await revealed.getAttribute("data-alert"), served);
  assert.equal(await revealed.getByTestId("revealed-vote").textContent(), `cy: ${LABEL_OF_KEY[cysKey]} (agrees)`);
  // Ana marks her label of it gold: cy's vote on it then measures cy.
  await ana.page.getByTestId("mark-gold").click();
  await ana.page.locator('[data-testid="mark-gold"][data-gold="true"]').waitFor();
  await ana.page.getByTestId("double-labelling").uncheck();

  // An adjudication changes what the next round trains on.
  await train(ana.page, 1);
  let rounds = (await saved(ana.page)).rounds;
  assert.equal(rounds[0].consensus.rule, "majority");
  assert.equal(rounds[0].consensus.counts.left_out, 2);
  const settled = contested[0];
  assert.ok(!rounds[0].training.some((example) => example.id === settled));
  const item = ana.page.locator(`[data-testid="review-item"][data-alert="${settled}"]`);
  await item.getByTestId("review-reason").selectOption("ambiguous");
  await item.locator('[data-testid="review-choose"]').first().click();
  await item.waitFor({ state: "detached" });
  assert.deepEqual(await reviewed(ana.page), contested.slice(1));
  await train(ana.page, 2);
  rounds = (await saved(ana.page)).rounds;
  assert.equal(rounds[1].consensus.counts.adjudicated, 1);
  assert.equal(rounds[1].consensus.counts.left_out, 1);
  assert.ok(rounds[1].training.some((example) => example.id === settled), "the adjudicated alert trains");

  // A version 4 export imported into a fresh context gives the same Team numbers.
  const anaNumbers = await teamNumbers(ana.page);
  assert.match(anaNumbers.alerts, /1 adjudicated/);
  const exported = await download(ana.page, ana.page.getByTestId("export-json"), "team-ana-after.json");
  const fresh = await annotatorPage("dee");
  await fresh.page.getByTestId("import-file").setInputFiles(exported);
  await showTeam(fresh.page);
  await fresh.page.waitForFunction(() => document.querySelectorAll('[data-testid="team-annotator"]').length === 3);
  assert.deepEqual(await teamNumbers(fresh.page), anaNumbers);
  assert.deepEqual(await fresh.page.getByTestId("team-gold").allTextContents(), ["–", "–", "1 of 1 (100 %)"]);
  assert.deepEqual(await reviewed(fresh.page), contested.slice(1));

  for (const { context, errors } of [...team, fresh]) {
    assert.deepEqual(errors, []);
    await context.close();
  }
});

/** A ZTF objectId for index `n` (ZTF, a year, seven letters). */
function objectIdOf(n) {
  let letters = "";
  for (let i = 0; i < 7; i += 1) {
    letters = String.fromCharCode(97 + (n % 26)) + letters;
    n = Math.floor(n / 26);
  }
  return `ZTF25${letters}`;
}

/** A version 4 ZTF label file: `annotators` colleagues' votes on `alerts`
 * alerts (none of them loaded), agreeing with the alert's own label 4
 * times in 5. */
function teamFile(alerts, annotators, firstAnnotator = 0) {
  const labels = [];
  const names = ["gal", "extragal", "agn", "varstar"];
  for (let a = firstAnnotator; a < firstAnnotator + annotators; a += 1) {
    for (let index = 0; index < alerts; index += 1) {
      const own = index % names.length;
      const agrees = (index * 7 + a * 13) % 5 !== 0;
      labels.push({
        alert_id: String(4_000_000_000_000_000 + index),
        object_id: objectIdOf(index),
        label: names[agrees ? own : (own + 1 + a) % names.length],
        timestamp: `2026-12-07T10:00:${String(a % 60).padStart(2, "0")}.000Z`,
        annotator: `colleague ${a}`,
        round: null,
      });
    }
  }
  return JSON.stringify({ format: "fink-vra-labels", version: 4, survey: "ztf", exported_at: "2026-12-07T12:00:00Z", annotator: "team", labels, adjudications: [], gold: [], rounds: [] });
}

test("a team's 100,000 votes are kept beyond localStorage, through a reload, and reach another tab", async () => {
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await setAnnotator(page, "ana");
  const teamPath = join(ARTIFACTS, "team-10x10000.json");
  await writeFile(teamPath, teamFile(10_000, 10));
  await page.getByTestId("import-file").setInputFiles(teamPath);
  await page.waitForFunction(() => /100000 vote\(s\) added/.test(document.querySelector('[data-testid="import-report"]')?.textContent ?? ""), null, { timeout: 60_000 });
    const before = await teamNumbers(page);
  assert.equal(before.annotators.length, 10);
  assert.equal(await page.getByTestId("storage-warning").count(), 0, "storage is not full: the votes go to the database");
    // Once the records commit, the saved session keeps none of their votes,
  // and names the ten whose votes it left out.
  await page.waitForFunction(
    () => JSON.parse(localStorage.getItem("fink-vra/session/v1") ?? "{}").votes_stored_apart?.length === 10,
    null,
    { timeout: 60_000 },
  );
  assert.ok((await page.evaluate(() => localStorage.getItem("fink-vra/session/v1").length)) < 100_000);
  assert.equal((await storedVotes(page)).length, 100_000);
  assert.equal(await page.getByTestId("storage-warning").count(), 0, "nothing about a full storage");

  // A second tab reads them, and hears of the next import in the first.
  const { page: second, errors: secondErrors } = await openPage(context, built);
  assert.deepEqual(await teamNumbers(second), before);
  const morePath = join(ARTIFACTS, "team-one-more.json");
  await writeFile(morePath, teamFile(100, 1, 10));
  await page.getByTestId("import-file").setInputFiles(morePath);
  await second.waitForFunction(() => document.querySelectorAll('[data-testid="team-annotator"]').length === 11, null, { timeout: 60_000 });
  const after = await teamNumbers(page);
  assert.deepEqual(await teamNumbers(second), after);

  // A reload reads them back: the same numbers, the same export.
  await page.reload();
  await page.getByTestId("unexported").waitFor();
  assert.deepEqual(await teamNumbers(page), after);
  await page.locator('[data-testid="export-json"]:not([disabled])').waitFor();
  const exported = JSON.parse(await readFile(await download(page, page.getByTestId("export-json"), "team-100k-after-reload.json"), "utf8"));
  assert.equal(exported.labels.length, 100_100);
  assert.deepEqual(errors, []);
  assert.deepEqual(secondErrors, []);
  await context.close();
});

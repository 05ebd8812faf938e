// End-to-end: "Log to MLflow" against a real tracking server (mlflow from
// PyPI, started and stopped here). Two rounds are logged from the page, then
// read back with MLflow's own Python client: parameters, metrics by step,
// artifacts byte for byte equal to the page's exports, and the logged model
// loaded with mlflow.pyfunc.load_model scoring as the CLI does. A server that
// is down, or refuses the page's origin, leaves the session as it was.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACTS, DIST, FIXTURES, download, labelByKeyboard, loadFile, openPage, setFirstBatch, train, useBuiltPage } from "./browser.mjs";
import { cli, python } from "./cli.mjs";
import { startMlflow } from "./mlflow_server.mjs";
import { startServer } from "./server.mjs";
import { createServer } from "node:net";

const built = useBuiltPage();
const FIXTURE = join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet");
let mlflow = null;

/** The tracking server, started on first use (once the page is served: it
 * needs the page's origin), stopped after the file's tests. */
async function trackingServer() {
  mlflow ??= await startMlflow(new URL(built.server.url).origin);
  return mlflow;
}
after(async () => {
  await mlflow?.stop();
});

const loadFixture = (page) => loadFile(page, FIXTURE, 1);

async function setServer(page, url) {
  await page.getByTestId("mlflow-url").fill(url);
  await page.getByTestId("mlflow-url").press("Enter");
  await page.getByTestId("mlflow-url").blur();
}

async function logRound(page, round) {
  await page.getByTestId("round-row").nth(round).getByTestId("log-mlflow").click();
  await page.waitForFunction(
    () => /logged to MLflow|not logged/.test(document.querySelector('[data-testid="mlflow-status"]')?.textContent ?? ""),
    null,
    { timeout: 60_000 },
  );
  return page.getByTestId("mlflow-status").textContent();
}

const savedSession = (page) => page.evaluate(() => localStorage.getItem("fink-vra/session/v1"));

test("two rounds logged from the page read back with MLflow's client, and the logged model scores as the CLI", async () => {
  const mlflow = await trackingServer();
  const context = await built.browser.newContext({ acceptDownloads: true });
  const { page, errors } = await openPage(context, built);
  await page.getByTestId("annotator").fill("e2e");
  await page.getByTestId("annotator").blur();
  await loadFixture(page);
  await setFirstBatch(page, 8);
  await labelByKeyboard(page, ["g", "x"], 8);
  await train(page, 1);
  // No server typed: nothing is called, the page says what to do.
  assert.equal(await page.getByTestId("mlflow-url").inputValue(), "");
  await page.getByTestId("round-row").first().getByTestId("log-mlflow").click();
  assert.match(await page.getByTestId("mlflow-status").textContent(), /type the tracking server's URL first/);

  await setServer(page, mlflow.url);
  assert.match(await logRound(page, 0), /round 0 logged to MLflow: run [0-9a-f]{32} in experiment “fink-vra gal”/);
  // The page's policy now lets it reach that server and itself only.
  assert.equal(
    await page.getByTestId("csp-connect").getAttribute("content"),
    `connect-src 'self' ${mlflow.url}`,
  );
  await labelByKeyboard(page, ["x", "g"], 10);
  await train(page, 2);
  assert.match(await logRound(page, 1), /round 1 logged to MLflow/);

  const features = join(ARTIFACTS, "mlflow.features.csv");
  await writeFile(features, await cli("features", FIXTURE));
  const rounds = [];
  for (const round of [0, 1]) {
    const row = page.getByTestId("round-row").nth(round);
    const modelJson = await download(page, row.getByTestId("export-model"), `mlflow-round${round}.model.json`);
    const onnx = await download(page, row.getByTestId("export-onnx"), `mlflow-round${round}.onnx`);
    const model = JSON.parse(await readFile(modelJson, "utf8"));
    const ids = join(ARTIFACTS, `mlflow-round${round}.training_ids.csv`);
    await writeFile(ids, `candid,round\n${model.training.map((example) => `${example.id},${round}\n`).join("")}`);
    const scores = join(ARTIFACTS, `mlflow-round${round}.scores.csv`);
    await writeFile(scores, await cli("score", "--model", modelJson, FIXTURE));
    const files = {
      [`fink-vra-ztf-gal-round-${round}.model.json`]: modelJson,
      "model/model.onnx": onnx,
      "training_ids.csv": ids,
    };
    if (round === 1) {
      // The export section's training table is the latest round's.
      files["training_features.csv"] = await download(page, page.getByTestId("export-features"), "mlflow-training_features.csv");
    }
    rounds.push({ round, n_labels: model.training.length, model_json: modelJson, scores, files });
  }
  const expected = join(ARTIFACTS, "mlflow-expected.json");
  await writeFile(expected, JSON.stringify({ experiment: "fink-vra gal", features_csv: features, rounds }));
  const summary = JSON.parse(await python("mlflow_check.py", mlflow.url, expected));
  assert.deepEqual(summary.runs.map((run) => run.name), ["round 0", "round 1"]);
  assert.ok(summary.served_largest_difference <= 1e-6, "mlflow models serve answered as the CLI scores");
  console.log(`MLflow read back: ${JSON.stringify(summary)}`);
  await page.screenshot({ path: join(ARTIFACTS, "mlflow-logged.png"), fullPage: true });
  // The server is remembered, and the page narrows its connections to it as it starts.
  await page.reload();
  await page.getByTestId("round-row").nth(1).waitFor();
  assert.equal(await page.getByTestId("mlflow-url").inputValue(), mlflow.url);
  assert.equal(await page.getByTestId("csp-connect").getAttribute("content"), `connect-src 'self' ${mlflow.url}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a server that is down or refuses the page's origin gives a plain message and changes nothing", async () => {
  const mlflow = await trackingServer();
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  await loadFixture(page);
  await setFirstBatch(page, 4);
  await labelByKeyboard(page, ["g", "x"], 4);
  await train(page, 1);
  const before = await savedSession(page);
  await setServer(page, "http://127.0.0.1:9");
  const down = await logRound(page, 0);
  assert.match(down, /round 0 was not logged: the MLflow server at http:\/\/127\.0\.0\.1:9 could not be reached/);
  assert.match(down, /--cors-allowed-origins http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(await savedSession(page), before, "the session is untouched");
  await context.close();

  // The same server, from an origin it was not told to accept (MLflow
  // accepts localhost origins by default; 127.0.0.2 is another address).
  const elsewhere = await startServer(DIST, "/fink-vra/", "127.0.0.2");
  const other = await built.browser.newContext();
  const stranger = await other.newPage();
  const strangerUrl = elsewhere.url;
  await stranger.goto(strangerUrl);
  await stranger.getByTestId("file-input").setInputFiles(FIXTURE);
  await stranger.getByTestId("label-card").waitFor();
  await setFirstBatch(stranger, 4);
  await labelByKeyboard(stranger, ["g", "x"], 4);
  await train(stranger, 1);
  await setServer(stranger, mlflow.url);
  const refused = await logRound(stranger, 0);
  assert.match(refused, /not logged/);
  assert.match(refused, new RegExp(`--cors-allowed-origins ${new URL(strangerUrl).origin.replace(/[.]/g, "\\.")}`));
  assert.deepEqual(errors, []);
  await other.close();
  await elsewhere.close();
});

test("a server that accepts and never answers times out with a message, and the button works again", async () => {
  // A socket that is accepted and then left alone: the fetch can only time out.
  const held = [];
  const silent = createServer((socket) => held.push(socket));
  await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${silent.address().port}`;
  const context = await built.browser.newContext();
  const { page, errors } = await openPage(context, built);
  try {
    await loadFixture(page);
    await setFirstBatch(page, 4);
    await labelByKeyboard(page, ["g", "x"], 4);
    await train(page, 1);
    await setServer(page, url);
    await page.getByTestId("round-row").first().getByTestId("log-mlflow").click();
    assert.equal(await page.getByTestId("round-row").first().getByTestId("log-mlflow").isDisabled(), true);
    await page.waitForFunction(
      () => /not logged/.test(document.querySelector('[data-testid="mlflow-status"]')?.textContent ?? ""),
      null,
      { timeout: 90_000 },
    );
    assert.match(await page.getByTestId("mlflow-status").textContent(), /did not answer within 60 s/);
    assert.equal(await page.getByTestId("round-row").first().getByTestId("log-mlflow").isDisabled(), false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

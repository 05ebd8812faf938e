// A real MLflow tracking server for the end-to-end tests, from the test
// virtualenv (scripts/test installs mlflow from PyPI): on 127.0.0.1 with a
// free port, a SQLite store and an artifact folder in a temporary
// directory, accepting CORS requests from the given page origin. stop()
// ends it (and its workers) and removes the directory.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PYTHON } from "./cli.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startMlflow(pageOrigin) {
  const folder = await mkdtemp(join(tmpdir(), "fink-vra-mlflow-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    join(dirname(PYTHON), "mlflow"),
    [
      "server",
      "--host", "127.0.0.1",
      "--port", String(port),
      "--workers", "1",
      "--backend-store-uri", `sqlite:///${join(folder, "mlflow.db")}`,
      "--artifacts-destination", join(folder, "artifacts"),
      "--cors-allowed-origins", pageOrigin,
    ],
    { cwd: folder, detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (chunk) => {
    log = (log + chunk).slice(-4000);
  });
  const stop = async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
    await rm(folder, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`mlflow server did not start:\n${log}`);
}

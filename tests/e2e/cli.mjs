// The native CLI and the test virtualenv's Python, for end-to-end tests
// that check the page's exports outside the browser. scripts/test builds the
// CLI (cargo test) and creates the virtualenv before these run.
import { execFile } from "node:child_process";
import { access, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "target", "debug", "fink-vra");
export const PYTHON = process.env.FINK_VRA_PYTHON ?? join(ROOT, "target", "pyenv", "latest", "bin", "python");
export const PYTHON_SCRIPTS = join(ROOT, "tests", "python");

/** Runs the CLI; its stdout. */
export async function cli(...args) {
  await access(CLI).catch(() => {
    throw new Error(`${CLI} is missing: build it with cargo build (scripts/test does)`);
  });
  const { stdout } = await run(CLI, args, { maxBuffer: 64 << 20 });
  return stdout;
}

/**
 * Writes `alerts` generated LSST alerts (bench/generate.py, compact files of
 * `perFile` alerts, ids from `firstAlert`) into `out`, with the test
 * virtualenv's numpy and pyarrow; the paths of the files written.
 */
export async function generateLsstAlerts(out, alerts, perFile, firstAlert) {
  const script = join(ROOT, "bench", "generate.py");
  const args = ["--layout", "lsst", "--alerts", String(alerts), "--per-file", String(perFile), "--first-alert", String(firstAlert), "--out", out, "--compact"];
  await run(PYTHON, [script, ...args], { maxBuffer: 64 << 20 });
  return (await readdir(out)).filter((name) => name.endsWith(".parquet")).sort().map((name) => join(out, name));
}

/** Runs a script of tests/python with the test virtualenv; its stdout. */
export async function python(script, ...args) {
  const { stdout } = await run(PYTHON, [join(PYTHON_SCRIPTS, script), ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

/**
 * A version 3 label file (JSON text) of every alert of `featuresCsv`, the
 * output of `fink-vra features` on one survey's files: each alert labelled
 * gal and extragal in turn, with its feature row.
 */
export function labelFileFromFeatures(featuresCsv, survey) {
  const [header, ...rows] = featuresCsv.trim().split("\n");
  const names = header.split(",");
  const labels = rows.map((line, index) => {
    const cells = line.split(",");
    return {
      alert_id: cells[0],
      object_id: cells[1],
      label: index % 2 === 0 ? "gal" : "extragal",
      timestamp: `2026-12-04T10:${String(Math.floor(index / 1000) % 60).padStart(2, "0")}:${String(index % 60).padStart(2, "0")}.${String(index % 1000).padStart(3, "0")}Z`,
      annotator: "generated",
      round: null,
      features: cells.slice(2).map((cell) => (cell === "" ? null : Number(cell))),
    };
  });
  return JSON.stringify({
    format: "fink-vra-labels", version: 3, survey, exported_at: "2026-12-04T12:00:00Z",
    annotator: "generated", feature_names: names.slice(2), labels, conflicts: [], rounds: [],
  });
}

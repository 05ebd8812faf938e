// The native CLI and the test virtualenv's Python, for end-to-end tests
// that check the page's exports outside the browser. scripts/test builds the
// CLI (cargo test) and creates the virtualenv before these run.
import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
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

/** Runs a script of tests/python with the test virtualenv; its stdout. */
export async function python(script, ...args) {
  const { stdout } = await run(PYTHON, [join(PYTHON_SCRIPTS, script), ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

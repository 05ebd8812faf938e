// Debian's Chromium for the end-to-end tests and benchmarks, started the way
// this machine needs it (no sandbox as root, no background network calls).
import { after, before } from "node:test";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
/** The built page, the test fixtures and the screenshot folder. */
export const DIST = join(here, "..", "..", "dist");
export const FIXTURES = join(here, "..", "fixtures");
export const ARTIFACTS = join(here, "artifacts");

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches headless /usr/bin/chromium through playwright-core (nothing is downloaded). */
export function launchChromium() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS });
}

/**
 * Serves dist/ under /fink-vra/ and starts Chromium around a test file's
 * tests (node:test before/after hooks); both are stopped at the end.
 * Returns an object whose `server` and `browser` are set once started.
 */
export function useBuiltPage() {
  const built = { server: null, browser: null };
  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    built.server = await startServer(DIST);
    built.browser = await launchChromium();
  });
  after(async () => {
    await built.browser?.close();
    await built.server?.close();
  });
  return built;
}

// Debian's Chromium for the end-to-end tests and benchmarks, started the way
// this machine needs it (no sandbox as root, no background network calls).
import { chromium } from "playwright-core";

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

// Starts the page: loads the app's wasm. Trunk would otherwise inline this in
// index.html; as a file of the app's own origin it lets the page's
// Content-Security-Policy forbid every inline script (see Trunk.toml).
import init from "./fink-vra-app.js";

const wasm = await init({ module_or_path: new URL("./fink-vra-app_bg.wasm", import.meta.url) });
// The same event Trunk's own start-up script sends (benchmarks read the
// page's wasm memory from it).
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));

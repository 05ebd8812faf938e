// Runs the fink-vra CLI compiled to wasm32-wasip1 under Node's WASI, with the
// repository mounted at /repo, so that the same benchmark can be timed as
// native code and as wasm in V8 (the engine of Chromium).
// usage: node bench/run-wasi.mjs target/wasm32-wasip1/cli/fink-vra.wasm ARGS...
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repository = join(dirname(fileURLToPath(import.meta.url)), "..");
const [wasmPath, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["fink-vra", ...args], preopens: { "/repo": repository } });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);

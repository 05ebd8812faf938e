# Shared set-up for scripts/test and scripts/serve: installs what is missing,
# skips what is present. Sourced, not run. Nothing here downloads a prebuilt
# binary or a toolchain: rustup components, crates built from crates.io,
# Debian packages and npm packages only.

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen pinned (=0.2.X) in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_rust_tools() {
    local component
    for component in rustfmt clippy; do
        if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
            echo "setup: adding rustup component ${component}"
            rustup component add "${component}"
        fi
    done
}

ensure_wasm_target() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        echo "setup: adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
}

ensure_trunk() {
    if [ "$(trunk --version 2>/dev/null)" != "trunk ${TRUNK_VERSION}" ]; then
        echo "setup: building trunk ${TRUNK_VERSION} from crates.io (a few minutes, once)"
        cargo install trunk --version "${TRUNK_VERSION}" --locked
    fi
}

ensure_wasm_bindgen_cli() {
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen ${WASM_BINDGEN_VERSION}" ]; then
        echo "setup: building wasm-bindgen-cli ${WASM_BINDGEN_VERSION} from crates.io (a few minutes, once)"
        # Not --locked: its lock file pins a yanked dependency.
        cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
    fi
}

ensure_chromium() {
    if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
        echo "setup: installing Debian's chromium and chromium-driver"
        as_root apt-get update
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y chromium chromium-driver
    fi
}

ensure_node() {
    if ! command -v npm >/dev/null; then
        echo "setup: installing Debian's nodejs and npm"
        as_root apt-get update
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y nodejs npm
    fi
}

ensure_e2e_packages() {
    ensure_node
    if [ ! -d tests/e2e/node_modules/playwright-core ] \
        || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
        echo "setup: installing the end-to-end test packages (playwright-core, no browser download; binaryen's wasm-opt)"
        npm ci --prefix tests/e2e --no-audit --no-fund
    fi
}

# Builds the page into dist/ (release profile; nothing fetched by trunk).
# $1: the public URL the page is served under, e.g. / or /fink-vra/.
build_page() {
    cargo fetch --locked
    trunk build --release --offline --locked --public-url "$1"
    optimize_wasm dist
}

# Shrinks the page's two wasm files in place with wasm-opt -Oz, from npm's
# binaryen (a JS/wasm build: nothing native is downloaded). Trunk's own
# wasm-opt step is off because it would download a binary.
optimize_wasm() {
    local wasm_opt=tests/e2e/node_modules/binaryen/bin/wasm-opt
    if [ ! -f "$wasm_opt" ]; then
        echo "setup: binaryen is not installed (ensure_e2e_packages); the wasm stays unoptimised"
        return
    fi
    local file
    for file in "$1"/*_bg.wasm; do
        node "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
            --enable-sign-ext --enable-mutable-globals --enable-reference-types \
            --enable-multivalue "$file" -o "$file.opt"
        mv "$file.opt" "$file"
    done
}

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

# $1: a rustup target, added if missing.
ensure_rust_target() {
    if ! rustup target list --installed | grep -qx "$1"; then
        echo "setup: adding the $1 target"
        rustup target add "$1"
    fi
}

ensure_wasm_target() {
    ensure_rust_target wasm32-unknown-unknown
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

# The Python test tools, each in a virtualenv under target/pyenv/ made from
# PyPI packages pinned in tests/python/: onnxruntime and mlflow (latest), and
# onnxruntime 1.16.3 (Fink's broker). Skipped when the pins are installed.
PYENV_LATEST=target/pyenv/latest
PYENV_ORT_116=target/pyenv/ort-1.16.3

ensure_python_venv() {
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        echo "setup: installing Debian's python3-venv"
        as_root apt-get update
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y python3-venv
    fi
}

# $1: the virtualenv, $2: its requirements file, $3 (optional): the Python
# that makes it (default python3).
ensure_python_packages() {
    local stamp="$1/installed-requirements.txt"
    if [ -x "$1/bin/python" ] && cmp -s "$2" "$stamp"; then
        return
    fi
    echo "setup: installing $2 into $1 (PyPI; a few minutes, once)"
    rm -rf "$1"
    "${3:-python3}" -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
    cp "$2" "$stamp"
}

ensure_python_test_tools() {
    ensure_python_venv
    ensure_python_packages "$PYENV_LATEST" tests/python/requirements.txt
    ensure_python_packages "$PYENV_ORT_116" tests/python/requirements-ort-1.16.txt
}

# The Python package (python/, scripts/wheel): maturin in its own virtualenv;
# the wheel's tests with pyspark 3.5 (Python 3.11), and Fink's pins: Rubin's
# (pyarrow 16.1.0, pandas 1.5.3, numpy 1.26.4; Python 3.11) and ZTF's pyarrow
# 9.0.0 (Python 3.10, the newest it has wheels for). Pythons from pyenv.
PYENV_MATURIN=target/pyenv/maturin
PYENV_SPARK=target/pyenv/spark
PYENV_FINK_RUBIN=target/pyenv/fink-rubin
PYENV_FINK_ZTF=target/pyenv/fink-ztf
# Team agreement's oracles: scikit-learn, krippendorff, crowd-kit (Python 3.11).
PYENV_TEAM=target/pyenv/team

# The interpreter of Python $1 (e.g. 3.10): pythonX.Y on the PATH if it
# runs (a pyenv shim may not), else pyenv's own build.
python_of_version() {
    local found
    if found=$(command -v "python$1") && "$found" -c '' 2>/dev/null; then
        echo "$found"
        return
    fi
    for found in "$HOME"/.pyenv/versions/"$1".*/bin/"python$1"; do
        if [ -x "$found" ]; then
            echo "$found"
            return
        fi
    done
    echo "setup: Python $1 is not installed (pyenv install $1)" >&2
    return 1
}

ensure_wheel_tools() {
    ensure_python_venv
    ensure_python_packages "$PYENV_MATURIN" tests/python/requirements-maturin.txt
}

# Spark runs on Java: Debian's headless JRE 17 (Spark 3.5 supports 8, 11, 17).
ensure_java() {
    if ! command -v java >/dev/null; then
        echo "setup: installing Debian's openjdk-17-jre-headless (for Spark)"
        as_root apt-get update
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y openjdk-17-jre-headless
    fi
}

ensure_python_package_tests() {
    ensure_java
    ensure_python_venv
    ensure_python_packages "$PYENV_SPARK" tests/python/requirements-spark.txt "$(python_of_version 3.11)"
    ensure_python_packages "$PYENV_FINK_RUBIN" tests/python/requirements-fink-rubin.txt "$(python_of_version 3.11)"
    ensure_python_packages "$PYENV_FINK_ZTF" tests/python/requirements-fink-ztf.txt "$(python_of_version 3.10)"
    ensure_python_packages "$PYENV_TEAM" tests/python/requirements-team.txt "$(python_of_version 3.11)"
}

# Builds the page into dist/ (release profile, the worker with its own
# [profile.worker], see index.html; nothing fetched by trunk).
# $1: the public URL the page is served under, e.g. / or /fink-vra/.
build_page() {
    cargo fetch --locked
    trunk build --release --offline --locked --public-url "$1"
    optimize_wasm dist
}

# Shrinks the page's two wasm files in place with wasm-opt -Oz, from npm's
# binaryen (a JS/wasm build: nothing native is downloaded). Trunk's own
# wasm-opt step is off because it would download a binary. --converge runs
# the passes again until the file stops shrinking (2 KB gzipped, ~1 min).
# -ocimfs=1000: a function of over 1,000 expressions stays a function even
# when it has one caller. V8 optimises a wasm function only for its later
# calls, so the forest's per-tree function (extra_trees::grow) inlined into
# the one call of a fit ran at baseline speed: a fit on 20,000 labels took
# 3.3 s in the page instead of 2.0 s (bench/TRAIN_SCALE.md). It costs no
# size: the files came out 3 KB smaller gzipped.
optimize_wasm() {
    local wasm_opt=tests/e2e/node_modules/binaryen/bin/wasm-opt
    if [ ! -f "$wasm_opt" ]; then
        echo "setup: binaryen is not installed (ensure_e2e_packages); the wasm stays unoptimised"
        return
    fi
    local file
    for file in "$1"/*_bg.wasm; do
        node "$wasm_opt" -Oz --converge -ocimfs=1000 --enable-bulk-memory --enable-nontrapping-float-to-int \
            --enable-sign-ext --enable-mutable-globals --enable-reference-types \
            --enable-multivalue "$file" -o "$file.opt"
        mv "$file.opt" "$file"
    done
}

# Shared set-up for scripts/test and scripts/serve: installs what is missing,
# skips what is present. Sourced, not run. Nothing here downloads a binary or
# a toolchain: only rustup components and package-registry installs.

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

#!/usr/bin/env bash
# One active-learning round at scale (fit on 200 labels, predict and rank a
# 100k-alert pool of 21 features), timed natively and as wasm in V8 (Node's
# WASI, the same engine as Chromium), in the same run. Not part of CI.
#
# usage: bench/round.sh [POOL] [LABELS]     (default 100000 200)
set -euo pipefail
cd "$(dirname "$0")/.."
pool="${1:-100000}"
labels="${2:-200}"
rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
cargo build --profile cli --locked --quiet --bin fink-vra
cargo build --profile cli --locked --quiet --bin fink-vra --target wasm32-wasip1
arguments=(bench-round --train tests/fixtures/labelled/atlas_vra_dayN_X_train.csv
    --train-labels tests/fixtures/labelled/atlas_vra_dayN_y_train.csv
    --map good=0,galactic=1,pm=1 --pool "$pool" --labels "$labels")
echo "runtime,$(target/cli/fink-vra "${arguments[@]}" | head -1)"
for model in extra-trees gradient-boosting logistic-regression; do
    echo "native,$(target/cli/fink-vra "${arguments[@]}" --model "$model" | tail -1)"
    # Inside WASI the repository is mounted at /repo.
    wasi_arguments=("${arguments[@]/#tests\//\/repo\/tests\/}")
    echo "wasm,$(node --no-warnings bench/run-wasi.mjs target/wasm32-wasip1/cli/fink-vra.wasm \
        "${wasi_arguments[@]}" --model "$model" | tail -1)"
done

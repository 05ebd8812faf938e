#!/usr/bin/env bash
# Runs each cargo-fuzz target for a while, seeded with fuzz/seeds/<target>/,
# and prints libFuzzer's final line (executions, corpus size) per target.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Crashes land in fuzz/artifacts/<target>/; see bench/FUZZ.md.
#   bench/fuzz.sh [SECONDS_PER_TARGET=600] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parquet_reader label_import fits_stamp)
cd fuzz
failed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    cp -n "seeds/$target/"* "corpus/$target/"
    echo "== $target for ${seconds}s"
    # -max_len fits the largest seed; -rss_limit_mb catches runaway allocation.
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -print_final_stats=1 \
        2> "corpus/$target.log" || {
        failed=1
        echo "!! $target crashed: see fuzz/corpus/$target.log and fuzz/artifacts/$target/"
        grep -a -m1 -A1 "panicked at" "corpus/$target.log" | cut -c1-300 || true
    }
    grep -a -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|contained parquet panic)" "corpus/$target.log" | cut -c1-300 || true
done
exit "$failed"

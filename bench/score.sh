#!/usr/bin/env bash
# Scoring with a model file against reading the same alerts: `fink-vra score`
# (read, features, model) and `fink-vra features` (read, features) on 10k and
# 100k generated alerts, ZTF clean layout and LSST, median of three runs each,
# in one run. The model (extra-trees, 50 trees, every feature) is trained by
# `fink-vra train` on 24 labelled alerts of a test fixture. Not part of CI.
#
# usage: bench/score.sh [SIZES...]      (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000}")
read -r -a sizes <<< "${sizes[*]}"

python3 -c "import pyarrow, numpy" 2>/dev/null || python3 -m pip install --quiet pyarrow numpy
cargo build --profile cli --locked --quiet
cli=target/cli/fink-vra
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generated() { # layout, size: the folder, generated once
    local dir="bench/data/$1-$2"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        python3 bench/generate.py --layout "$1" --alerts "$2" --out "$dir" >&2
        touch "$dir/.complete"
    fi
    echo "$dir"
}

# A model of each survey: the first 24 alerts of a fixture, labelled gal and
# extragal in turn.
"$cli" features tests/fixtures/clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet \
    | awk -F, 'NR == 1 { print "candid,objectId,label,timestamp" } NR > 1 && NR <= 25 { print $1 "," $2 "," (NR % 2 ? "gal" : "extragal") ",2026-11-29T00:00:00Z" }' \
    > "$work/ztf.csv"
"$cli" train --labels "$work/ztf.csv" --out "$work/ztf.model.json" \
    tests/fixtures/clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet 2>/dev/null
"$cli" features assets/sample/lsst_v7_1_simulated_50alerts.parquet \
    | awk -F, 'NR == 1 { print "diaSourceId,diaObjectId,label,timestamp,session_id,url" } NR > 1 && NR <= 25 { print $1 "," $2 "," (NR % 2 ? "gal" : "extragal") ",2026-11-29T00:00:00Z,," }' \
    > "$work/lsst.csv"
"$cli" train --labels "$work/lsst.csv" --out "$work/lsst.model.json" \
    assets/sample/lsst_v7_1_simulated_50alerts.parquet 2>/dev/null

median_seconds() { # command...: the median wall time of three runs
    local runs=()
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        end=$(date +%s.%N)
        runs+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}

echo "| layout | alerts | features (s) | score (s) | score / features | the model inside score (s) | model / features |"
echo "|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do
    for layout in clean lsst; do
        dir=$(generated "$layout" "$size")
        model="$work/ztf.model.json"
        [ "$layout" = lsst ] && model="$work/lsst.model.json"
        features=$(median_seconds "$cli" features "$dir"/*.parquet)
        score=$(median_seconds "$cli" score --model "$model" "$dir"/*.parquet)
        # The model's own time, measured inside one more run.
        model_s=$("$cli" score --timings --model "$model" "$dir"/*.parquet 2>&1 >/dev/null \
            | sed -n 's/.*of which the model \([0-9.]*\) s/\1/p')
        awk -v l="$layout" -v n="$size" -v f="$features" -v s="$score" -v m="$model_s" \
            'BEGIN { printf "| %s | %d | %.2f | %.2f | %.2f× | %.3f | %.3f× |\n", l, n, f, s, s / f, m, m / f }'
    done
done

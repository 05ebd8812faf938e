#!/usr/bin/env bash
# LSST feature extraction with the CLI: wall time and peak memory for 10k and
# 100k jittered copies of the LSST samples (cutouts kept, about 56 KB per
# alert), against ZTF clean-layout files of as many alerts in the same run
# (the baseline of bench/BROWSER.md). Median of three runs each. Not part of
# CI: the 100k LSST folder is 5.6 GB.
#
# usage: bench/lsst.sh [SIZES...]      (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000}")
read -r -a sizes <<< "${sizes[*]}"

python3 -c "import pyarrow, numpy" 2>/dev/null || python3 -m pip install --quiet pyarrow numpy
command -v /usr/bin/time >/dev/null || apt-get install -y time
cargo build --profile cli --locked --quiet

generated() { # layout, size: the folder, generated once
    local dir="bench/data/$1-$2"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        python3 bench/generate.py --layout "$1" --alerts "$2" --out "$dir" >&2
        touch "$dir/.complete"
    fi
    echo "$dir"
}

median_run() { # folder: "seconds peak_mib" of the median of three runs
    local runs=()
    for _ in 1 2 3; do
        runs+=("$(/usr/bin/time -f "%e %M" target/cli/fink-vra features "$1"/*.parquet 2>&1 >/dev/null | tail -1)")
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk '{ printf "%.2f %.0f\n", $1, $2 / 1024 }'
}

echo "| alerts | LSST input | LSST time (s) | LSST peak RSS (MiB) | ZTF clean time (s) | ZTF peak RSS (MiB) | LSST / ZTF time |"
echo "|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do
    lsst=$(generated lsst "$size")
    ztf=$(generated clean "$size")
    read -r lsst_s lsst_mib < <(median_run "$lsst")
    read -r ztf_s ztf_mib < <(median_run "$ztf")
    ratio=$(awk -v a="$lsst_s" -v b="$ztf_s" 'BEGIN { printf "%.1f×", a / (b > 0 ? b : 0.01) }')
    echo "| $size | $(du -sh "$lsst" | cut -f1) | $lsst_s | $lsst_mib | $ztf_s | $ztf_mib | $ratio |"
done

#!/usr/bin/env bash
# Feature-pipeline benchmark: the Rust CLI against the pandas pipeline, on the
# same generated files, for 10k and 100k alerts in both layouts. Prints a
# markdown table of wall time and peak memory (RSS), with the speed-up as a
# ratio measured in the same run. Not part of CI: it writes ~4.5 GB of data.
#
# usage: bench/features.sh [SIZES...]      (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000}")
read -r -a sizes <<< "${sizes[*]}"

python3 -c "import pandas, pyarrow, astropy, astropy_healpix" 2>/dev/null \
    || python3 -m pip install --quiet pandas pyarrow astropy astropy-healpix
command -v /usr/bin/time >/dev/null || apt-get install -y time
cargo build --profile cli --locked --quiet

data=bench/data
out=bench/out
mkdir -p "$data" "$out"

measure() { # label, output csv, command...: prints "seconds peak_kib"
    local label=$1 csv=$2; shift 2
    /usr/bin/time -f "%e %M" -o "$out/$label.time" "$@" > "$csv" 2> "$out/$label.stderr"
    cat "$out/$label.time"
}

echo "| layout | alerts | files | input size | Rust time (s) | Rust peak RSS (MiB) | Python time (s) | Python peak RSS (MiB) | speed-up |"
echo "|---|---|---|---|---|---|---|---|---|"
for layout in clean full; do
    for size in "${sizes[@]}"; do
        dir="$data/$layout-$size"
        if [ ! -f "$dir/.complete" ]; then
            rm -rf "$dir"
            python3 bench/generate.py --layout "$layout" --alerts "$size" --out "$dir" >&2
            touch "$dir/.complete"
        fi
        files=("$dir"/*.parquet)
        read -r rust_s rust_kib < <(measure "rust-$layout-$size" "$out/rust-$layout-$size.csv" \
            target/cli/fink-vra features "${files[@]}")
        read -r py_s py_kib < <(measure "python-$layout-$size" "$out/python-$layout-$size.csv" \
            python3 bench/python_pipeline.py "${files[@]}")
        python3 bench/compare.py "$out/rust-$layout-$size.csv" "$out/python-$layout-$size.csv" >&2
        bytes=$(du -sb "$dir" | cut -f1)
        awk -v l="$layout" -v n="$size" -v f="${#files[@]}" -v b="$bytes" -v rs="$rust_s" -v rk="$rust_kib" \
            -v ps="$py_s" -v pk="$py_kib" 'BEGIN {
                printf "| %s | %d | %d | %.0f MiB | %.2f | %.0f | %.1f | %.0f | %.0fx |\n",
                    l, n, f, b / 1048576, rs, rk / 1024, ps, pk / 1024, ps / (rs > 0.005 ? rs : 0.005) }'
    done
done

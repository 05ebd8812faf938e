#!/usr/bin/env bash
# Replay benchmark: every model x strategy (and both cold starts for the
# default model) on the real labelled ATLAS table, galactic task. Prints a
# markdown table of mean validation ROC AUC at 10/20/30/50/100/200 labels.
# Not part of CI (about two minutes).
#
# usage: bench/replay.sh [REPEATS]     (default 5, seed 7)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-5}"
cargo build --profile cli --locked --quiet
L=tests/fixtures/labelled
run() { # model strategy cold-start
    target/cli/fink-vra replay --train "$L/atlas_vra_dayN_X_train.csv" --train-labels "$L/atlas_vra_dayN_y_train.csv" \
        --val "$L/atlas_vra_dayN_X_val.csv" --val-labels "$L/atlas_vra_dayN_y_val.csv" \
        --map good=0,galactic=1,pm=1 --model "$1" --strategy "$2" --cold-start "$3" \
        --initial 10 --batch 10 --rounds 20 --repeats "$repeats" --seed 7
}
auc_at() { # csv n_labels
    awk -F, -v n="$2" 'NR > 1 && $2 == n { printf "%.3f", $3 }' <<< "$1"
}
echo "| model | strategy | cold start | 10 | 20 | 30 | 50 | 100 | 200 | seconds |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for model in extra-trees gradient-boosting logistic-regression; do
    for strategy in uncertainty margin entropy random diverse-uncertainty; do
        for cold in random diverse; do
            if [ "$cold" = diverse ] && [ "$model" != extra-trees ]; then continue; fi
            start=$(date +%s.%N)
            csv=$(run "$model" "$strategy" "$cold")
            seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$model" "$strategy" "$cold" \
                "$(auc_at "$csv" 10)" "$(auc_at "$csv" 20)" "$(auc_at "$csv" 30)" "$(auc_at "$csv" 50)" \
                "$(auc_at "$csv" 100)" "$(auc_at "$csv" 200)" "$seconds"
        done
    done
done

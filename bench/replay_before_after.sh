#!/usr/bin/env bash
# Quality before and after a change to the models: the default configuration
# (and random picks) replayed by two fink-vra builds on the same tables, same
# seeds, in one run. Validation ROC AUC at 30, 100 and 300 labels (10 to
# start, 10 a round, 30 rounds), mean of REPEATS repeats from seed 7.
#   - the developers' labelled table (tests/fixtures/labelled, galactic task);
#   - a generated table: 20,000 LSST alerts of bench/generate.py with the
#     noisy labels of bench/train_scale.py (16,000 pool, 4,000 validation).
# Not part of CI.
#
# usage: bench/replay_before_after.sh EARLIER_CLI [REPEATS]   (default 10)
#        (needs bench/data/lsst-labelled-20000 and bench/data/table-20000, see bench/TRAIN_SCALE.md)
set -euo pipefail
cd "$(dirname "$0")/.."
before="$1"
repeats="${2:-10}"
after=target/cli/fink-vra
L=tests/fixtures/labelled
G=bench/data/table-20000
auc_at() { # csv n_labels
    awk -F, -v n="$2" 'NR > 1 && $2 == n { printf "%.3f", $3 }' <<< "$1"
}
echo "| table | strategy | cold start | build | 30 | 100 | 300 |"
echo "|---|---|---|---|---|---|---|"
for table in developers generated; do
    if [ "$table" = developers ]; then
        files=(--train "$L/atlas_vra_dayN_X_train.csv" --train-labels "$L/atlas_vra_dayN_y_train.csv"
            --val "$L/atlas_vra_dayN_X_val.csv" --val-labels "$L/atlas_vra_dayN_y_val.csv"
            --map good=0,galactic=1,pm=1)
    else
        files=(--train "$G/X_train.csv" --train-labels "$G/y_train.csv"
            --val "$G/X_val.csv" --val-labels "$G/y_val.csv" --map gal=0,extragal=1)
    fi
    for config in "uncertainty diverse" "uncertainty random" "random random"; do
        read -r strategy cold <<< "$config"
        for build in before after; do
            cli="$before"; [ "$build" = after ] && cli="$after"
            csv=$("$cli" replay "${files[@]}" --model extra-trees --strategy "$strategy" \
                --cold-start "$cold" --initial 10 --batch 10 --rounds 30 --repeats "$repeats" --seed 7)
            printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$table" "$strategy" "$cold" "$build" \
                "$(auc_at "$csv" 30)" "$(auc_at "$csv" 100)" "$(auc_at "$csv" 300)"
        done
    done
done

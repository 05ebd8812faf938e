#!/usr/bin/env python3
"""A round at team scale: native `fink-vra train` against scikit-learn's
equivalent pipeline, on the same rows, in one run (figures as ratios).

The rows are LSST alerts written by bench/generate.py, their features computed
by `fink-vra features`. Their labels follow a noisy rule on three features
(gal or extragal), so that the models have something to learn and the
cross-validated ROC AUC of the two pipelines can be compared.

For each label count N (a seeded sample of the rows):
- fink-vra: a version 3 label file of the N rows, then
  `fink-vra train --labels FILE --out MODEL` (fit, 5-fold CV with permutation
  importance, the model file fitted again), at --threads 1 and at the
  machine's thread count; the CV ROC AUC is read from the model file;
- scikit-learn: ExtraTreesClassifier(50 trees), 5-fold StratifiedKFold (each
  fold: fit, ROC AUC, permutation_importance with 3 repeats on the held-out
  rows, scoring roc_auc), then the final fit; median imputation with missing
  indicators first, as fink-vra does. n_jobs=1, its default.

The training rows are the same: the labels fink-vra holds out for validation
(a hash of the alert id, 20 %) are held out of the scikit-learn rows too.

With --repeats N every timing is the median of N runs, the tools taking
turns (this machine is noisy: one run of the same build varies by 10 %).

usage: bench/train_scale.py --cli target/cli/fink-vra --alerts DIR [--labels 1000,5000,20000]
       [--repeats N]
       (run it with a Python that has numpy, pandas and scikit-learn)
"""
import argparse
import glob
import io
import json
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline


def features_table(cli, folder):
    files = sorted(glob.glob(os.path.join(folder, "*.parquet")))
    text = subprocess.run([cli, "features", *files], check=True, capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(text), dtype={"diaSourceId": str, "diaObjectId": str})


def noisy_labels(table, seed):
    """extragal (1) when a noisy mix of three standardised features is above its median."""
    random = np.random.default_rng(seed)
    mix = np.zeros(len(table))
    for name, weight in [("snr", 1.0), ("dets_median", -1.0), ("ebv", 0.7)]:
        column = table[name].to_numpy(dtype=float)
        column = np.where(np.isnan(column), np.nanmedian(column), column)
        mix += weight * (column - column.mean()) / (column.std() or 1.0)
    mix += random.normal(0.0, 0.8, len(table))
    return np.where(mix > np.median(mix), "extragal", "gal")


def label_file(table, labels, names):
    entries = []
    for index, (row, label) in enumerate(zip(table.itertuples(index=False), labels)):
        values = [None if pd.isna(v) else float(v) for v in row[2:]]
        entries.append({
            "alert_id": row[0], "object_id": row[1], "label": label,
            "timestamp": f"2026-12-06T10:{index // 1000 % 60:02d}:{index % 60:02d}.{index % 1000:03d}Z",
            "annotator": "bench", "round": None, "features": values,
        })
    return json.dumps({
        "format": "fink-vra-labels", "version": 3, "survey": "lsst",
        "exported_at": "2026-12-06T12:00:00Z", "annotator": "bench",
        "feature_names": names, "labels": entries, "conflicts": [], "rounds": [],
    })


def run_fink_vra(cli, labels_path, threads, out):
    """Seconds, CV ROC AUC and training ids of one `train` (threads None: a build without --threads)."""
    thread_arguments = [] if threads is None else ["--threads", str(threads)]
    start = time.perf_counter()
    subprocess.run([cli, "train", "--labels", labels_path, "--out", out, *thread_arguments],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - start
    with open(out) as model_file:
        model = json.load(model_file)
    cv = model["metrics"]["cross_validated"]["mean"]["roc_auc"]
    training_ids = [example["id"] for example in model["training"]]
    return seconds, cv, training_ids


def run_sklearn(X, y, seed):
    start = time.perf_counter()
    aucs = []
    for train, held_out in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        model = make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                              ExtraTreesClassifier(n_estimators=50, random_state=seed))
        model.fit(X[train], y[train])
        aucs.append(roc_auc_score(y[held_out], model.predict_proba(X[held_out])[:, 1]))
        permutation_importance(model, X[held_out], y[held_out], scoring="roc_auc",
                               n_repeats=3, random_state=seed)
    make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                  ExtraTreesClassifier(n_estimators=50, random_state=seed)).fit(X, y)
    return time.perf_counter() - start, float(np.mean(aucs))


def main():
    # scikit-learn's imputer drops all-missing columns (LSST bands without
    # data) with a warning per fit; fink-vra keeps them as constants.
    warnings.filterwarnings("ignore", category=UserWarning)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--alerts", required=True)
    parser.add_argument("--labels", default="1000,5000,20000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=1,
                        help="time each tool N times, taking turns, and report the medians")
    parser.add_argument("--before", help="an earlier fink-vra build, timed on the same rows")
    parser.add_argument("--write-labels", metavar="FILE",
                        help="only write every row with its label as a version 3 label file "
                             "(for bench/page_round.mjs) and stop")
    parser.add_argument("--write-table", metavar="DIR",
                        help="only write the rows and labels as a replay table (X/y CSVs, "
                             "the last fifth for validation) and stop")
    arguments = parser.parse_args()
    table = features_table(arguments.cli, arguments.alerts)
    names = list(table.columns[2:])
    labels = noisy_labels(table, arguments.seed)
    if arguments.write_labels:
        with open(arguments.write_labels, "w") as out:
            out.write(label_file(table, labels, names))
        return
    if arguments.write_table:
        os.makedirs(arguments.write_table, exist_ok=True)
        cut = len(table) * 4 // 5
        for split, rows in [("train", slice(0, cut)), ("val", slice(cut, len(table)))]:
            table.iloc[rows][names].to_csv(os.path.join(arguments.write_table, f"X_{split}.csv"),
                                           index=False)
            pd.DataFrame({"type": labels[rows]}).to_csv(
                os.path.join(arguments.write_table, f"y_{split}.csv"), index=False)
        return
    threads = os.cpu_count() or 1
    print(f"| labels | fink-vra 1 thread (s) | fink-vra {threads} threads (s) | scikit-learn (s) "
          f"| ratio sklearn / fink-vra {threads} | CV ROC AUC fink-vra | CV ROC AUC sklearn "
          f"| earlier build (s) | CV ROC AUC earlier |")
    print("|---|---|---|---|---|---|---|---|---|")
    random = np.random.default_rng(arguments.seed)
    with tempfile.TemporaryDirectory() as work:
        for count in [int(n) for n in arguments.labels.split(",")]:
            chosen = np.sort(random.choice(len(table), size=min(count, len(table)), replace=False))
            subset = table.iloc[chosen]
            path = os.path.join(work, f"labels-{count}.json")
            with open(path, "w") as out:
                out.write(label_file(subset, labels[chosen], names))
            model_path = os.path.join(work, "model.json")
            times = {"one": [], "many": [], "sklearn": [], "before": []}
            for _ in range(max(1, arguments.repeats)):
                one, cv, training_ids = run_fink_vra(arguments.cli, path, 1, model_path)
                many, cv_many, _ = run_fink_vra(arguments.cli, path, threads, model_path)
                assert cv == cv_many, "the thread count changed the record"
                X = subset.set_index("diaSourceId").loc[training_ids][names].to_numpy(
                    dtype=np.float32)
                label_of = pd.Series(labels[chosen], index=subset["diaSourceId"].to_numpy())
                y = (label_of.loc[training_ids].to_numpy() == "extragal").astype(int)
                sk_seconds, sk_cv = run_sklearn(X, y, arguments.seed)
                times["one"].append(one)
                times["many"].append(many)
                times["sklearn"].append(sk_seconds)
                if arguments.before:
                    seconds, auc_before, _ = run_fink_vra(arguments.before, path, None, model_path)
                    times["before"].append(seconds)
            one, many, sk_seconds = (float(np.median(times[key]))
                                     for key in ("one", "many", "sklearn"))
            before, cv_before = "–", "–"
            if arguments.before:
                before, cv_before = f"{np.median(times['before']):.2f}", f"{auc_before:.4f}"
            print(f"| {len(training_ids):,} | {one:.2f} | {many:.2f} | {sk_seconds:.2f} "
                  f"| {sk_seconds / many:.1f}× | {cv:.4f} | {sk_cv:.4f} | {before} | {cv_before} |",
                  flush=True)


if __name__ == "__main__":
    main()

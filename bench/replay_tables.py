"""Does active learning beat random picks here? `fink-vra replay`, paired
with random picks after the same cold start and seeds, on several tables
built from the developers' labelled ATLAS table (not a test; standard
library only):

- `dayN`: the table as it is (23 features);
- `day1`: the same without the 7 features that need several nights
  (dayN, DET_mag_median, DET_N_total, NON_mag_median, NON_N_total, max_mag,
  max_mag_day), a proxy for the alerts at their first detection;
- each of them with the minority class (under the galactic mapping) cut to
  10 % and to 30 % of the pool, as nights differ (seeded; the validation
  table is left whole).

A configuration is `STRATEGY COLD_START INITIAL BATCH [EXPLORATION [MODEL]]`
(the exploration share, 0 when left out; the model, extra-trees).

For each table and configuration it prints a Markdown row per label count:
the configuration's validation ROC AUC (mean and 95 % interval over the
repeats), random picks' after the same cold start, and the paired gain,
marked + where its interval lies above zero, − below, and = where it
holds zero; then the gain over random picks throughout (a random cold
start too, `random random INITIAL BATCH 0 MODEL` on the same repeat seeds),
unpaired, its interval from the two intervals (Welch), which is what
tells a cold start from random. A last table sums each configuration up:
its marks against random throughout at 30, 50, 100 and 300 labels, on
every table.

With `--estimates CONFIG` it runs that configuration alone, with the
page's cross-validation and honest estimate each round, and prints how far
each is from the validation table's ROC AUC (the truth the page never has).

usage: python3 bench/replay_tables.py --cli target/release/fink-vra
           [--repeats 20] [--seed 7] [--config "uncertainty diverse 30 10 0.2" ...]
           [--estimates "uncertainty representative 10 10 0.2"]
"""

import argparse
import csv
import math
import io
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELLED = HERE.parent / "tests" / "fixtures" / "labelled"
MAPPING = "good=0,galactic=1,pm=1"
MULTI_NIGHT = [
    "dayN",
    "DET_mag_median",
    "DET_N_total",
    "NON_mag_median",
    "NON_N_total",
    "max_mag",
    "max_mag_day",
]
LABEL_COUNTS = [30, 50, 100, 300]
DEFAULT_CONFIGS = [
    "uncertainty diverse 30 10 0",
    "uncertainty diverse 10 10 0",
    "uncertainty representative 10 10 0",
    "uncertainty random 10 10 0",
    "uncertainty diverse 10 10 0.2",
    "uncertainty representative 10 10 0.2",
    "uncertainty random 10 10 0.2",
    "diverse-uncertainty representative 10 10 0.2",
]
# t(0.975) for 19 degrees of freedom: the intervals of 20 repeats.
T_975 = {20: 2.093, 40: 2.023}


def read_csv(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def class_of(label):
    """The galactic mapping's class of a label, or None (left out)."""
    return {"good": 0, "galactic": 1, "pm": 1}.get(label)


def label_column(header):
    for name in ("type", "label"):
        if name in header:
            return header.index(name)
    raise SystemExit(f"no type or label column in {header}")


def build_tables(folder, seed):
    """Writes every table's four CSV files under `folder`; returns
    {name: (X_train, y_train, X_val, y_val)}."""
    x_header, x_train = read_csv(LABELLED / "atlas_vra_dayN_X_train.csv")
    y_header, y_train = read_csv(LABELLED / "atlas_vra_dayN_y_train.csv")
    _, x_val = read_csv(LABELLED / "atlas_vra_dayN_X_val.csv")
    _, y_val = read_csv(LABELLED / "atlas_vra_dayN_y_val.csv")
    label_at = label_column(y_header)
    tables = {}
    for features in ("dayN", "day1"):
        kept = [i for i, name in enumerate(x_header) if features == "dayN" or name not in MULTI_NIGHT]
        cut = lambda rows: [[row[i] for i in kept] for row in rows]
        header = [x_header[i] for i in kept]
        classes = [class_of(row[label_at]) for row in y_train]
        ones = [i for i, c in enumerate(classes) if c == 1]
        zeros = [i for i, c in enumerate(classes) if c == 0]
        minority, majority = (ones, zeros) if len(ones) <= len(zeros) else (zeros, ones)
        for share in (None, 0.10, 0.30):
            rows = list(range(len(y_train)))
            name = features
            if share is not None:
                # Keep every majority row and enough minority rows to make `share` of the pool.
                wanted = round(share * len(majority) / (1 - share))
                if wanted > len(minority):
                    continue
                kept_minority = set(random.Random(seed).sample(minority, wanted))
                rows = [i for i in rows if classes[i] is None or i not in minority or i in kept_minority]
                name = f"{features}, minority {round(share * 100)} %"
            stem = folder / name.replace(" ", "_").replace(",", "").replace("%", "pc")
            paths = tuple(Path(f"{stem}_{part}.csv") for part in ("X_train", "y_train", "X_val", "y_val"))
            write_csv(paths[0], header, cut([x_train[i] for i in rows]))
            write_csv(paths[1], y_header, [y_train[i] for i in rows])
            write_csv(paths[2], header, cut(x_val))
            write_csv(paths[3], y_header, y_val)
            tables[name] = paths
    return tables


def replay(cli, paths, config, repeats, seed, estimates=False):
    strategy, cold_start, initial, batch, *rest = config.split()
    exploration = rest[0] if rest else "0"
    model = rest[1] if len(rest) > 1 else "extra-trees"
    rounds = (max(LABEL_COUNTS) - int(initial)) // int(batch) + 1
    x_train, y_train, x_val, y_val = paths
    output = subprocess.run(
        [cli, "replay", "--train", str(x_train), "--train-labels", str(y_train),
         "--val", str(x_val), "--val-labels", str(y_val), "--map", MAPPING,
         "--model", model, "--strategy", strategy, "--cold-start", cold_start,
         "--initial", initial, "--batch", batch, "--rounds", str(rounds),
         "--repeats", str(repeats), "--seed", str(seed), "--exploration", exploration]
        + (["--estimates"] if estimates else []),
        capture_output=True, text=True, check=True,
    )
    return {int(row["n_labels"]): row for row in csv.DictReader(io.StringIO(output.stdout))}


def interval(row, name):
    return f"{float(row[name]):.3f} [{float(row[name + '_low']):.3f}, {float(row[name + '_high']):.3f}]"


def mark(low, high):
    return "+" if low > 0 else "−" if high < 0 else "="


def verdict(row):
    return mark(float(row["gain_auc_low"]), float(row["gain_auc_high"]))


def against(row, baseline, repeats):
    """The gain of `row`'s ROC AUC over `baseline`'s (other runs, the same
    repeat seeds), unpaired: the difference of the means, and a Welch
    interval from the two intervals' standard errors."""
    t = T_975.get(repeats, 1.96)
    se = lambda r: (float(r["auc_high"]) - float(r["auc_low"])) / (2 * t)
    gain = float(row["auc"]) - float(baseline["auc"])
    half = 1.96 * math.sqrt(se(row) ** 2 + se(baseline) ** 2)
    return gain, gain - half, gain + half


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--config", action="append", help="STRATEGY COLD_START INITIAL BATCH [EXPLORATION [MODEL]]")
    parser.add_argument("--estimates", help="one configuration: its CV and honest estimates against the truth")
    arguments = parser.parse_args()
    configs = arguments.config or DEFAULT_CONFIGS
    if arguments.estimates:
        print_estimates(arguments)
        return
    summary = {}
    with tempfile.TemporaryDirectory() as folder:
        tables = build_tables(Path(folder), arguments.seed)
        print("| table | configuration | labels | ROC AUC | random picks (same cold start) | gain | | "
              "random throughout | gain over random throughout | |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, paths in tables.items():
            baselines = {}
            for config in configs:
                initial, batch, *rest = config.split()[2:]
                model = rest[1] if len(rest) > 1 else "extra-trees"
                key = (initial, batch, model)
                if key not in baselines:
                    baselines[key] = replay(arguments.cli, paths, f"random random {initial} {batch} 0 {model}",
                                            arguments.repeats, arguments.seed)
                rows = replay(arguments.cli, paths, config, arguments.repeats, arguments.seed)
                for count in LABEL_COUNTS:
                    row, baseline = rows.get(count), baselines[key].get(count)
                    if row is None or baseline is None:
                        continue
                    gain, low, high = against(row, baseline, arguments.repeats)
                    summary.setdefault(config, {}).setdefault(name, []).append(mark(low, high))
                    print(f"| {name} | {config} | {count} | {interval(row, 'auc')} | "
                          f"{interval(row, 'random_auc')} | {interval(row, 'gain_auc')} | {verdict(row)} | "
                          f"{interval(baseline, 'auc')} | {gain:.3f} [{low:.3f}, {high:.3f}] | {mark(low, high)} |")
                sys.stdout.flush()
    names = list(tables)
    print()
    print("| configuration | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for config, by_table in summary.items():
        print(f"| {config} | " + " | ".join(" ".join(by_table.get(name, [])) for name in names) + " |")


def print_estimates(arguments):
    config = arguments.estimates
    with tempfile.TemporaryDirectory() as folder:
        tables = build_tables(Path(folder), arguments.seed)
        print("| table | labels | validation ROC AUC (truth) | CV − truth | honest − truth | repeats with an honest estimate |")
        print("|---|---|---|---|---|---|")
        for name, paths in tables.items():
            rows = replay(arguments.cli, paths, config, arguments.repeats, arguments.seed, estimates=True)
            for count in LABEL_COUNTS:
                row = rows.get(count)
                if row is None:
                    continue
                cells = [interval(row, name) if row[name] else "–" for name in ("cv_error", "honest_error")]
                print(f"| {name} | {count} | {interval(row, 'auc')} | {cells[0]} | {cells[1]} | "
                      f"{row['honest_repeats']} of {arguments.repeats} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()

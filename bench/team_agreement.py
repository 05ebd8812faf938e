"""How long the team's numbers take at team scale (not a test; standard
library only): ANNOTATORS label files (JSON exports, version 2) over ALERTS
alerts, each annotator labelling a share of them with a seeded accuracy;
then `fink-vra agreement FILE... --target gal --json` (read, validate, vote
table, κ per pair, α twice, one-coin Dawid–Skene, consensus per alert) is
timed against Python's own `json.load` of the same files, in the same run,
as a ratio, because this machine is noisy.

usage: python3 bench/team_agreement.py --cli target/cli/fink-vra
           [--annotators 10] [--alerts 20000] [--share 0.5] [--repeats 5]
"""

import argparse
import json
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

LABELS = ["gal", "extragal", "agn", "varstar", "bogus", "real"]


def object_id(index):
    letters = ""
    for _ in range(7):
        letters += chr(ord("a") + index % 26)
        index //= 26
    return "ZTF19" + letters


def write_files(folder, annotators, alerts, share, seed):
    rng = random.Random(seed)
    truth = [rng.choice(LABELS) for _ in range(alerts)]
    paths, votes = [], 0
    for annotator in range(annotators):
        name = f"annotator{annotator}"
        accuracy = 0.7 + 0.25 * annotator / max(1, annotators - 1)
        labels = []
        for alert in range(alerts):
            if rng.random() >= share:
                continue
            label = truth[alert] if rng.random() < accuracy else rng.choice(LABELS)
            labels.append({"alert_id": str(1_000_000 + alert), "object_id": object_id(alert),
                           "label": label, "timestamp": "2026-12-01T00:00:00Z",
                           "annotator": name, "round": None})
        votes += len(labels)
        path = folder / f"{name}.json"
        path.write_text(json.dumps({"format": "fink-vra-labels", "version": 2, "survey": "ztf",
                                    "exported_at": "2026-12-01T00:00:00Z", "annotator": name,
                                    "labels": labels, "rounds": []}))
        paths.append(path)
    return paths, votes


def timed(action, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths, votes = write_files(Path(folder), arguments.annotators, arguments.alerts,
                                   arguments.share, arguments.seed)
        command = [arguments.cli, "agreement", *map(str, paths), "--target", "gal", "--json"]
        report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        agreement = timed(lambda: subprocess.run(command, capture_output=True, check=True),
                          arguments.repeats)
        parse = timed(lambda: [json.loads(path.read_text()) for path in paths], arguments.repeats)
        size = sum(path.stat().st_size for path in paths)
    print(f"{arguments.annotators} annotators, {arguments.alerts} alerts, {votes} votes "
          f"({size / 1e6:.1f} MB of JSON)")
    print(f"fink-vra agreement --json: {agreement:.3f} s (median of {arguments.repeats}), "
          f"{len(report['pairs'])} pairs, alpha {report['alpha']:.3f}, "
          f"{report['alerts']['contested']} contested alerts")
    print(f"Python json.load of the same files: {parse:.3f} s")
    print(f"ratio: {agreement / parse:.2f}x the time Python takes only to parse the files")


if __name__ == "__main__":
    main()

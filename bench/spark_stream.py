#!/usr/bin/env python3
"""The live stream (`python -m fink_vra.spark stream`) against the batch
command (`python -m fink_vra.spark score`) on the same N generated ZTF
alerts, in one run, both in `local[2]` (`bench/spark.sh --stream` runs it with
the optimised wheel):

1. throughput: the batch command on the folder; the stream with
   `--available-now` on the same folder, in one micro-batch, then in one
   micro-batch per 10 files; an empty Spark job (the fixed cost: JVM,
   session, Python workers). Whole commands, start to exit; every alert
   counted in each output.
2. latency at a 1 s trigger: files delivered one by one (`mv`) into a
   watched folder, one every few seconds; for each, the time from its
   landing to the first moment its scores are in a published micro-batch
   (the output folder polled every 20 ms): median and p95.

The generated files repeat the fixtures' alert times (18 days, in any order),
so the stream runs with a 30-day window: with the default 7 days, Spark would
drop as late the alerts more than 7 days behind the newest (a real stream's
files come night after night).

usage: bench/spark_stream.py --cli target/cli/fink-vra [--alerts 100000] [--per-file 1000]
                             [--landings 30] [--every 3] [--latency-only]
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from spark import empty_spark_job, generated, spark_env, timed, trained_model  # noqa: E402

WINDOW = "30 days"
WARM_UP = 3  # landings while Spark's Python workers start and the JVM warms up


def command(*arguments, **options):
    return subprocess.run([sys.executable, "-m", "fink_vra.spark", *map(str, arguments)], capture_output=True,
                          text=True, env=spark_env(), **options)


def rows_in(out):
    return sum(pq.read_metadata(path).num_rows for path in glob.glob(os.path.join(out, "**", "*.parquet"),
                                                                      recursive=True)
               if "/_staging/" not in path)


def throughput(model, folder, work, alerts):
    fixed, _ = timed(empty_spark_job)
    rows = [("empty Spark job", fixed, None)]
    out = os.path.join(work, "batch")
    elapsed, done = timed(lambda: command("score", "--master", "local[2]", "--model", model, "--out", out, folder))
    assert done.returncode == 0, done.stderr
    rows.append(("batch command `score`", elapsed, rows_in(out)))
    for label, extra in (("stream `--available-now`, one micro-batch", []),
                         ("stream `--available-now`, 10 files a micro-batch", ["--max-files-per-batch", "10"])):
        name = f"stream-{len(rows)}"
        out, checkpoint = os.path.join(work, name), os.path.join(work, f"{name}-checkpoint")
        elapsed, done = timed(lambda: command(
            "stream", "--master", "local[2]", "--model", model, "--checkpoint", checkpoint, "--out", out,
            "--available-now", "--window", WINDOW, *extra, folder))
        assert done.returncode == 0, done.stderr
        rows.append((label, elapsed, rows_in(out)))
    batch_time = rows[1][1]
    print(f"| run ({alerts:,} alerts) | time (s) | alerts/s | time / batch command's | alerts written |")
    print("|---|---|---|---|---|")
    for label, elapsed, written in rows:
        speed = f"{written / elapsed:,.0f}" if written else ""
        print(f"| {label} | {elapsed:.1f} | {speed} | {elapsed / batch_time:.2f} | {written or ''} |", flush=True)
        assert written in (None, alerts), (label, written)


def latency(model, files, work, landings, every):
    """Seconds from each file's landing to its scores published, at a 1 s trigger."""
    landing, out, outbox = (os.path.join(work, name) for name in ("landing", "latency-out", "outbox"))
    os.makedirs(landing)
    os.makedirs(outbox)
    chosen = [shutil.copy(path, outbox) for path in files[:landings]]
    ids = {path: set(pq.read_table(path, columns=["candid"]).column("candid").to_pylist()) for path in chosen}
    seen = {}  # alert id -> first time seen published
    stop = threading.Event()

    def watch():
        published = set()
        while not stop.is_set():
            for folder in sorted(glob.glob(os.path.join(out, "batch=*"))):
                if folder not in published:
                    published.add(folder)
                    now = time.monotonic()
                    for path in glob.glob(os.path.join(folder, "*.parquet")):
                        for alert in pq.read_table(path, columns=["alert_id"]).column("alert_id").to_pylist():
                            seen.setdefault(alert, now)
            time.sleep(0.02)

    stream = subprocess.Popen([sys.executable, "-m", "fink_vra.spark", "stream", "--master", "local[2]", "--model",
                               model, "--checkpoint", os.path.join(work, "latency-checkpoint"), "--out", out,
                               "--trigger", "1", "--window", WINDOW, "--schema-from", files[0], landing],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=spark_env())
    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(15)  # the JVM, the session and the first (empty) micro-batches
    landed = {}
    for path in chosen:
        target = os.path.join(landing, os.path.basename(path))
        os.replace(path, target)
        landed[path] = time.monotonic()
        time.sleep(every)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all(ids[path] <= seen.keys() for path in chosen):
        time.sleep(0.1)
    stop.set()
    watcher.join()
    stream.terminate()
    _, stderr = stream.communicate(timeout=120)
    assert stream.returncode == 0, stderr
    in_order = [max(seen[alert] for alert in ids[path]) - landed[path] for path in chosen]
    print("landing → published, file by file (s):", " ".join(f"{delay:.2f}" for delay in in_order))
    print()
    print("| trigger | files landed | alerts a file | one every (s) | which landings | landing → scores published, "
          "median (s) | p95 (s) | least (s) | most (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, delays in (("all", in_order), (f"after the first {WARM_UP} (warm-up)", in_order[WARM_UP:])):
        delays = sorted(delays)
        p95 = delays[min(len(delays) - 1, round(0.95 * (len(delays) - 1)))]
        print(f"| 1 s | {len(chosen)} | {len(ids[chosen[0]])} | {every:g} | {label} | {statistics.median(delays):.2f} "
              f"| {p95:.2f} | {delays[0]:.2f} | {delays[-1]:.2f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--landings", type=int, default=30)
    parser.add_argument("--every", type=float, default=3.0)
    parser.add_argument("--latency-only", action="store_true")
    arguments = parser.parse_args()
    work = tempfile.mkdtemp(prefix="fink-vra-stream-bench-")
    try:
        folder, files = generated("full", arguments.alerts, arguments.per_file, compact=True)
        model = trained_model(arguments.cli, "ztf", files, work)
        if not arguments.latency_only:
            throughput(model, folder, work, arguments.alerts)
        latency(model, files, work, arguments.landings, arguments.every)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""fink-vra over Apache Spark against the CLI, one run (bench/spark.sh runs it
with the optimised CLI and wheel): for each survey, N generated alerts
(bench/generate.py: ZTF full Fink schema with cutouts, LSST with cutouts),
scored by

- `fink-vra score` (the CLI, one thread),
- the Python API, `fink_vra.Model.score(files)` (same work, the result
  crossing into Python as Arrow), and `Model.score(table)` on pyarrow tables
  already in memory (read with pyarrow, the columns the core uses; no parquet
  decoding in the core),
- `python -m fink_vra.spark score --master local[2]` (Spark reads, the core
  scores in two Python workers, parquet written), and an empty Spark job in
  the same mode (the fixed cost: JVM, session, workers).

Alerts per second and the ratios to the CLI, as a markdown table on stdout.

usage: bench/spark.py --cli target/cli/fink-vra [--alerts 100000] [--per-file 1000]
"""
import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq

import fink_vra

HERE = os.path.dirname(os.path.abspath(__file__))
LAYOUTS = {"ztf": "full", "lsst": "lsst"}


def generated(layout, alerts, per_file, compact=False):
    """The folder of `alerts` generated alerts (bench/data/, made once) and
    its files; `compact`: cutouts stored once per file (generate.py)."""
    folder = os.path.join(HERE, "data", f"{layout}-{alerts}" + ("-compact" if compact else ""))
    if not os.path.exists(os.path.join(folder, ".complete")):
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--layout", layout, "--alerts",
                        str(alerts), "--per-file", str(per_file), "--out", folder]
                       + (["--compact"] if compact else []), check=True, stdout=subprocess.DEVNULL)
        open(os.path.join(folder, ".complete"), "w").close()
    return folder, sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".parquet"))


def trained_model(cli, survey, files, work):
    """extra-trees (50 trees, every feature) on 24 alerts of the first file, gal and extragal in turn."""
    features = subprocess.run([cli, "features", files[0]], check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(features)))[1:25]
    labels = os.path.join(work, f"labels-{survey}.csv")
    with open(labels, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["candid", "objectId", "label", "timestamp"] if survey == "ztf"
                        else ["diaSourceId", "diaObjectId", "label", "timestamp", "session_id", "url"])
        for index, row in enumerate(rows):
            writer.writerow(row[:2] + ["gal" if index % 2 else "extragal", "2026-12-04T00:00:00Z"]
                            + ([] if survey == "ztf" else ["bench", ""]))
    model = os.path.join(work, f"model-{survey}.json")
    subprocess.run([cli, "train", "--labels", labels, "--out", model, files[0]], check=True, capture_output=True)
    return model


def timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def spark_env():
    return dict(os.environ, PYSPARK_PYTHON=sys.executable)


def empty_spark_job():
    code = ("from pyspark.sql import SparkSession\n"
            "s = SparkSession.builder.master('local[2]').config('spark.ui.showConsoleProgress','false').getOrCreate()\n"
            "s.range(2).count(); s.stop()\n")
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=spark_env())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=1000)
    arguments = parser.parse_args()
    work = tempfile.mkdtemp(prefix="fink-vra-spark-bench-")
    print("| survey | alerts | files | GB | CLI score (s) | Python score(files) (s) | Python score(table) (s) "
          "| Spark local[2] (s) | empty Spark job (s) | CLI alerts/s | Spark alerts/s | Spark / CLI speed "
          "| Python(files) / CLI time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        fixed, _ = timed(empty_spark_job)
        for survey, layout in LAYOUTS.items():
            folder, files = generated(layout, arguments.alerts, arguments.per_file)
            size = sum(os.path.getsize(path) for path in files) / 1e9
            model_path = trained_model(arguments.cli, survey, files, work)
            with open(os.devnull, "w") as sink:
                cli_time, done = timed(lambda: subprocess.run([arguments.cli, "score", "--model", model_path, *files],
                                                              stdout=sink, stderr=subprocess.PIPE))
            assert done.returncode == 0, done.stderr
            model = fink_vra.Model.load(model_path)
            python_time, scored = timed(lambda: model.score(files))
            # Only the columns the core reads (not the cutouts), as a user would.
            tables = [pq.read_table(path, columns=fink_vra._core.schema_read(pq.read_schema(path)).names)
                      for path in files]
            table_time, _ = timed(lambda: [model.score(table) for table in tables])
            del tables
            out = os.path.join(work, f"spark-{survey}")
            spark_time, done = timed(lambda: subprocess.run(
                [sys.executable, "-m", "fink_vra.spark", "score", "--master", "local[2]", "--model", model_path,
                 "--out", out, folder], capture_output=True, text=True, env=spark_env()))
            assert done.returncode == 0, done.stderr
            count = pq.read_table(out).num_rows
            assert count == scored.num_rows, (count, scored.num_rows)
            print(f"| {survey} | {count} | {len(files)} | {size:.1f} | {cli_time:.1f} | {python_time:.1f} "
                  f"| {table_time:.1f} | {spark_time:.1f} | {fixed:.1f} | {count / cli_time:,.0f} "
                  f"| {count / spark_time:,.0f} | {cli_time / spark_time:.2f}× | {python_time / cli_time:.2f}× |",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

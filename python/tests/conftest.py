"""Shared test set-up: the repository's fixtures, the `fink-vra` CLI whose
output every result is compared with (bit for bit), and model files trained
by that CLI.

The CLI is `$FINK_VRA_CLI`, or `target/debug/fink-vra` (what `cargo test`
builds): scripts/test builds it in the same run as the wheel, from the same
tree.
"""

import csv
import glob
import io
import os
import struct
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SAMPLES = os.path.join(ROOT, "assets", "sample")


def cli_path():
    path = os.environ.get("FINK_VRA_CLI") or os.path.join(ROOT, "target", "debug", "fink-vra")
    if not os.access(path, os.X_OK):
        pytest.fail(f"the fink-vra CLI is not built at {path} (cargo build --bin fink-vra, or set FINK_VRA_CLI)")
    return path


def run_cli(*arguments, check=True):
    """Runs the CLI; returns (stdout, stderr, exit code)."""
    done = subprocess.run([cli_path(), *map(str, arguments)], capture_output=True, text=True)
    if check and done.returncode != 0:
        pytest.fail(f"fink-vra {' '.join(map(str, arguments))} failed ({done.returncode}): {done.stderr}")
    return done.stdout, done.stderr, done.returncode


def cli_table(*arguments):
    """The CLI's CSV output as (header, rows of cells)."""
    stdout, _, _ = run_cli(*arguments)
    rows = list(csv.reader(io.StringIO(stdout)))
    return rows[0], rows[1:]


def cli_error(*arguments):
    """The message of the CLI's first `error: ` line on stderr."""
    _, stderr, code = run_cli(*arguments, check=False)
    assert code != 0, stderr
    for line in stderr.splitlines():
        if line.startswith("error: "):
            return line[len("error: "):]
    pytest.fail(f"no error line in {stderr!r}")


def bits(value):
    return struct.pack("<d", value)


def assert_matches_cli(table, header, rows):
    """`table` (pyarrow) holds exactly the CLI's CSV: same columns, ids as
    the CLI writes them, each number with the same bits, nulls where the CLI
    leaves a cell empty."""
    assert table.column_names == header
    assert table.num_rows == len(rows)
    columns = table.to_pydict()
    for index, name in enumerate(header):
        values = columns[name]
        for row, value in zip(rows, values):
            cell = row[index]
            if index < 2 or name in ("alert_id", "object_id"):
                assert str(value) == cell, (name, value, cell)
            elif cell == "":
                assert value is None, (name, row[0], value)
            else:
                assert value is not None and bits(value) == bits(float(cell)), (name, row[0], value, cell)


def parquet_files(*patterns):
    found = []
    for pattern in patterns:
        found += sorted(glob.glob(pattern))
    return found


ZTF_FILES = parquet_files(
    os.path.join(FIXTURES, "raw", "*.parquet"),
    os.path.join(FIXTURES, "clean", "*.parquet"),
    os.path.join(FIXTURES, "hostile", "*.parquet"),
    os.path.join(SAMPLES, "*ztf*.parquet"),
)
LSST_FILES = parquet_files(
    os.path.join(FIXTURES, "lsst", "*.parquet"),
    os.path.join(SAMPLES, "lsst_*.parquet"),
)
ALERT_FILES = ZTF_FILES + LSST_FILES
# Files with alerts, to train on: ZTF's full schema and both LSST samples.
TRAINING_FILES = {
    "ztf": [os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet")],
    "lsst": [os.path.join(SAMPLES, "lsst_v10_fink_27alerts.parquet"),
             os.path.join(SAMPLES, "lsst_v7_1_simulated_50alerts.parquet")],
}
CLASSIFIERS = ["extra-trees", "gradient-boosting", "logistic-regression"]


def write_labels(survey, files, path, count=30):
    """A label file of `count` alerts of `files` (the CLI's features), gal
    and extragal in turn, in the survey's CSV (labeled.csv, or the LSST
    label CSV)."""
    header, rows = cli_table("features", *files)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        if survey == "ztf":
            writer.writerow(["candid", "objectId", "label", "timestamp"])
        else:
            writer.writerow(["diaSourceId", "diaObjectId", "label", "timestamp", "session_id", "url"])
        for index, row in enumerate(rows[:count]):
            label = "gal" if index % 2 else "extragal"
            extra = [] if survey == "ztf" else ["tests", ""]
            writer.writerow([row[0], row[1], label, "2026-11-29T00:00:00Z", *extra])
    return path


def train_model(survey, files, classifier, folder):
    labels = write_labels(survey, files, os.path.join(folder, f"labels-{survey}.csv"))
    out = os.path.join(folder, f"{survey}-{classifier}.json")
    run_cli("train", "--labels", labels, "--model", classifier, "--out", out, *files)
    return out


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    """Model files trained by the CLI: {(survey, classifier): path}."""
    folder = str(tmp_path_factory.mktemp("models"))
    return {
        (survey, classifier): train_model(survey, files, classifier, folder)
        for survey, files in TRAINING_FILES.items()
        for classifier in CLASSIFIERS
    }


@pytest.fixture(scope="module")
def spark():
    """A Spark session in `local[2]` (pyspark from the virtualenv; a module
    may define its own), stopped after the module."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("fink-vra stream tests")
               .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def night_files(tmp_path_factory):
    """For the stream's tests: 60 files of 20 ZTF alerts, observed night
    after night (file k on night k/4), kept aside to be delivered; and two
    models trained on them by the CLI: {"files": [...], "model": path,
    "other model": path}."""
    from stream_helpers import ALERTS_PER_FILE, generate, observe_on

    folder = tmp_path_factory.mktemp("nights")
    files = generate(folder, 60 * ALERTS_PER_FILE, ALERTS_PER_FILE)
    for night, path in enumerate(files):
        observe_on(path, night / 4)
    models = tmp_path_factory.mktemp("models")
    return {"files": files, "model": train_model("ztf", files, "extra-trees", str(models)),
            "other model": train_model("ztf", files, "logistic-regression", str(models))}

"""`fink_vra.spark` with a real Spark (pyspark 3.5 from PyPI, `local[2]`),
against `fink-vra` on the same files: generated folders of 50 files of each
survey (bench/generate.py), every alert scored exactly once with the CLI's
p_class1; folders mixing every writer and schema version of the fixtures, an
alert kept from the file the CLI keeps it from; a bad file in the folder; a
job the core fails; Fink's pandas UDF."""

import csv
import glob
import os
import shutil
import subprocess
import sys

import pytest

pyspark = pytest.importorskip("pyspark")

import fink_vra  # noqa: E402
import fink_vra.spark as fink_spark  # noqa: E402
from conftest import FIXTURES, ROOT, SAMPLES, bits, cli_error, cli_table, train_model  # noqa: E402

FILES_PER_FOLDER = 50
ALERTS_PER_FILE = 20
CLASSIFIER = {"ztf": "extra-trees", "lsst": "gradient-boosting"}
LAYOUT = {"ztf": "full", "lsst": "lsst"}


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("fink-vra tests")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """{survey: (folder of generated files, model file trained on them)}."""
    made = {}
    for survey, layout in LAYOUT.items():
        folder = str(tmp_path_factory.mktemp(f"alerts-{survey}"))
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), "--layout", layout,
                        "--alerts", str(FILES_PER_FOLDER * ALERTS_PER_FILE), "--per-file", str(ALERTS_PER_FILE),
                        "--out", folder], check=True, capture_output=True)
        files = sorted(os.path.join(folder, name) for name in os.listdir(folder))
        assert len(files) == FILES_PER_FOLDER
        model = train_model(survey, files, CLASSIFIER[survey], str(tmp_path_factory.mktemp(f"model-{survey}")))
        made[survey] = (folder, model)
    return made


def files_of(folder):
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".parquet"))


def cli_scores(model, files):
    header, rows = cli_table("score", "--model", model, *files)
    assert header == ["alert_id", "object_id", "p_class1"]
    return {row[0]: (row[1], bits(float(row[2]))) for row in rows}, len(rows)


def assert_scored_exactly_once(rows, expected, count):
    """Spark's rows are the CLI's: every alert once, none lost, same bits."""
    got = {}
    for row in rows:
        key = str(row["alert_id"])
        assert key not in got, f"alert {key} scored twice"
        got[key] = (str(row["object_id"]), bits(row["p_class1"]))
    assert len(got) == count
    assert got == expected


def run_command(*arguments):
    """`python -m fink_vra.spark` as a user runs it from the virtualenv:
    without PYSPARK_PYTHON (the command sets it to its own interpreter)."""
    env = {name: value for name, value in os.environ.items() if name != "PYSPARK_PYTHON"}
    return subprocess.run([sys.executable, "-m", "fink_vra.spark", *map(str, arguments)],
                          capture_output=True, text=True, env=env)


@pytest.mark.parametrize("survey", ["ztf", "lsst"])
def test_the_command_scores_every_alert_once_as_the_cli(folders, survey, tmp_path, spark):
    generated, model = folders[survey]
    # A poll saved twice under another name: its alerts are still scored once.
    folder = tmp_path / "alerts"
    shutil.copytree(generated, folder)
    first = files_of(str(folder))[0]
    shutil.copy(first, first.replace(".parquet", "_again.parquet"))
    out = tmp_path / "scores"
    done = run_command("score", "--master", "local[2]", "--model", model, "--out", out, folder)
    assert done.returncode == 0, done.stderr
    expected, count = cli_scores(model, files_of(str(folder)))
    assert count == FILES_PER_FOLDER * ALERTS_PER_FILE
    assert_scored_exactly_once(spark.read.parquet(str(out)).collect(), expected, count)
    assert f"score: {count} alerts from {FILES_PER_FOLDER + 1} file(s)" in done.stderr


@pytest.mark.parametrize("read", ["read_alerts", "spark.read.parquet"])
@pytest.mark.parametrize("survey", ["ztf", "lsst"])
def test_features_of_a_dataframe_are_the_clis(folders, survey, read, spark):
    folder, _ = folders[survey]
    files = files_of(folder)
    header, rows = cli_table("features", *files)
    by_id = {row[0]: row for row in rows}
    got = 0
    # One schema per read: the LSST folder mixes Rubin schemas 10 and 7.1.
    groups = {}
    for path in files:
        groups.setdefault(fink_vra.layout_of(path)["layout"], []).append(path)
    for paths in groups.values():
        if read == "read_alerts":  # only the fields the core reads, nested ones too
            alerts = fink_spark.read_alerts(spark, *paths)
        else:  # every field; features() selects the top-level columns it needs
            alerts = fink_spark.with_file_names(spark.read.parquet(*paths))
        table = fink_spark.features(alerts).toPandas()
        assert list(table.columns) == header
        for record in table.itertuples(index=False):
            expected = by_id.pop(str(record[0]))
            assert str(record[1]) == expected[1]
            for value, cell in zip(record[2:], expected[2:]):
                if cell == "":
                    assert value != value  # NaN: Spark's null in pandas
                else:
                    assert bits(value) == bits(float(cell))
            got += 1
    assert got == len(rows) and not by_id


def test_the_pandas_udf_on_features_is_the_clis(folders, spark):
    from pyspark.sql import functions as F

    folder, model = folders["ztf"]
    expected, count = cli_scores(model, files_of(folder))
    features = fink_vra.features(files_of(folder))
    names = fink_vra.Model.load(model).feature_names
    frame = spark.createDataFrame(features.to_pandas())
    udf = fink_spark.p_class1_udf(model)
    rows = (frame.withColumn("p_class1", udf(F.struct(*names)))
            .select(F.col("candid").alias("alert_id"), F.col("objectId").alias("object_id"), "p_class1")
            .collect())
    assert_scored_exactly_once(rows, expected, count)


def test_a_bad_file_stops_the_command_with_the_cores_message(folders, tmp_path):
    folder, model = folders["ztf"]
    mixed = tmp_path / "with-a-bad-file"
    shutil.copytree(folder, mixed)
    bad = mixed / "20250601_000000_truncated.parquet"
    with open(files_of(folder)[0], "rb") as source:
        bad.write_bytes(source.read()[:5000])
    message = cli_error("features", bad)
    assert str(bad) in message

    done = run_command("score", "--master", "local[2]", "--model", model, "--out", tmp_path / "never", mixed)
    assert done.returncode == 2
    assert f"error: {message}" in done.stderr.splitlines()
    assert "Exception" not in done.stderr and not (tmp_path / "never").exists()

    out = tmp_path / "skipping"
    done = run_command("score", "--master", "local[2]", "--skip-bad-files", "--model", model, "--out", out, mixed)
    assert done.returncode == 0, done.stderr
    assert f"skipped: {message}" in done.stderr.splitlines()
    assert "1 unreadable file(s) skipped" in done.stderr
    assert f"{FILES_PER_FOLDER * ALERTS_PER_FILE} alerts from {FILES_PER_FOLDER} file(s)" in done.stderr


def test_a_batch_the_core_refuses_fails_the_job_naming_the_file(folders, spark):
    from pyspark.sql import functions as F

    folder, model = folders["ztf"]
    alerts = fink_spark.with_file_names(spark.read.parquet(files_of(folder)[0]))
    broken = alerts.withColumn("candid", F.col("candid").cast("string"))
    with pytest.raises(Exception) as raised:
        fink_spark.score(broken, model).collect()
    text = str(raised.value)
    assert "AlertFileError" in text and "column `candid` has type Utf8, expected an integer id" in text
    assert os.path.basename(files_of(folder)[0]) in text
    assert spark.range(3).count() == 3  # the session (and its JVM) lives on


def test_a_model_of_the_other_survey_fails_the_job(folders, spark):
    folder, _ = folders["lsst"]
    _, ztf_model = folders["ztf"]
    alerts = spark.read.parquet(files_of(folder)[0])
    with pytest.raises(Exception, match="the model is for ZTF alerts"):
        fink_spark.score(alerts, ztf_model).collect()


# Every writer and schema version of each survey in the fixtures, one
# subfolder each: ZTF's full schema (parquet-mr, pyarrow 15 and 26: `fid`
# int32 in one, int64 in the others) and clean layout; Rubin schemas 7.x,
# 9.x and 10.x written by Spark, pyarrow and pandas (an empty list column as
# list<null>). No single Spark read takes any of these folders. The samples'
# folder has a name Spark's file names spell percent-encoded.
MIXED_FOLDERS = {
    "ztf": {
        "raw": os.path.join(FIXTURES, "raw", "*.parquet"),
        "clean": os.path.join(FIXTURES, "clean", "*.parquet"),
        "hostile": os.path.join(FIXTURES, "hostile", "*.parquet"),
        "samples 100%20 #1": os.path.join(SAMPLES, "*ztf*.parquet"),
    },
    "lsst": {
        "lsst": os.path.join(FIXTURES, "lsst", "*.parquet"),
        "samples 100%20 #1": os.path.join(SAMPLES, "lsst_*.parquet"),
    },
}


def mixed_folder(survey, root):
    """A folder of the survey's fixtures, one subfolder per source; its files
    in the order the CLI is given them (subfolders, then names, sorted)."""
    for name, pattern in MIXED_FOLDERS[survey].items():
        os.makedirs(root / name)
        for path in glob.glob(pattern):
            shutil.copy(path, root / name)
    return root, sorted(glob.glob(str(root / "*" / "*.parquet")))


def features_by_id(table):
    """Spark's feature rows (pandas) by alert id, each id once."""
    rows = {}
    for record in table.itertuples(index=False):
        assert str(record[0]) not in rows, f"alert {record[0]} twice"
        rows[str(record[0])] = record
    return rows


def assert_features_are_the_clis(table, header, rows):
    """Spark's feature table holds the CLI's rows: same columns, ids, and
    bits (a NaN where the CLI leaves a cell empty)."""
    assert list(table.columns) == header
    got = features_by_id(table)
    assert sorted(got) == sorted(row[0] for row in rows)
    for row in rows:
        record = got[row[0]]
        assert str(record[1]) == row[1]
        for name, value, cell in zip(header[2:], record[2:], row[2:]):
            if cell == "":
                assert value != value, (row[0], name, value)
            else:
                assert bits(value) == bits(float(cell)), (row[0], name, value, cell)


@pytest.mark.parametrize("survey", ["ztf", "lsst"])
def test_spark_reads_a_folder_mixing_spark_and_pyarrow_writers_like_the_cli(folders, survey, tmp_path, spark):
    folder, files = mixed_folder(survey, tmp_path / "polls")
    assert len(fink_spark.read_alert_groups(spark, str(folder))) > 1  # the trap: no one read takes them all
    _, model = folders[survey]
    out = tmp_path / "scores"
    done = run_command("score", "--master", "local[2]", "--model", model, "--out", out, folder)
    assert done.returncode == 0, done.stderr
    expected, count = cli_scores(model, files)
    assert_scored_exactly_once(spark.read.parquet(str(out)).collect(), expected, count)
    assert f"score: {count} alerts from {len(files)} file(s)" in done.stderr


@pytest.mark.parametrize("survey", ["ztf", "lsst"])
def test_the_features_of_a_folder_mixing_schema_versions_are_the_clis(survey, tmp_path, spark):
    folder, files = mixed_folder(survey, tmp_path / "polls")
    header, rows = cli_table("features", *files)
    assert_features_are_the_clis(fink_spark.features_of_files(spark, str(folder)).toPandas(), header, rows)


# Two copies of 24 alerts: the clean layout has no distnr, so its copies have
# no sep_arcsec. The full-schema file of 10 other alerts is read by Spark in
# one read with the full-schema copies, whichever file comes first.
RAW_COPIES = os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet")
CLEAN_COPIES = os.path.join(FIXTURES, "clean", "20250602_100102_alerts_ztf_hostless_72alerts.parquet")
RAW_OTHERS = os.path.join(FIXTURES, "raw", "ztf_schema402_10alerts.parquet")


@pytest.mark.parametrize("files", [[RAW_OTHERS, CLEAN_COPIES, RAW_COPIES], [RAW_OTHERS, RAW_COPIES, CLEAN_COPIES]],
                         ids=["clean-copy-first", "raw-copy-first"])
def test_an_alert_in_two_layouts_is_kept_from_the_first_file_like_the_cli(files, spark):
    header, rows = cli_table("features", *files)
    _, other_rows = cli_table("features", files[0], files[2], files[1])
    assert sorted(rows) != sorted(other_rows)  # which copy is kept shows
    assert len(fink_spark.read_alert_groups(spark, *files)) == 2
    assert_features_are_the_clis(fink_spark.features_of_files(spark, *files).toPandas(), header, rows)


def test_files_of_two_surveys_are_refused_before_any_alert_is_read(tmp_path, spark):
    folder, _ = mixed_folder("ztf", tmp_path / "ztf")
    lsst, _ = mixed_folder("lsst", tmp_path / "lsst")
    with pytest.raises(ValueError, match=r"the files mix two surveys \(lsst, ztf\)"):
        fink_spark.features_of_files(spark, str(folder), str(lsst))


def test_spark_names_a_feature_missing_from_every_alert_and_strict_fails_the_job(tmp_path):
    """A model trained on clean-layout files (with ``sep_arcsec``) scoring
    raw files, where it is missing: a warning in the log naming the file
    and the feature, or with --strict the core's error, as ``fink-vra score``."""
    clean = sorted(glob.glob(os.path.join(FIXTURES, "clean", "*hostless*.parquet")))
    raw = os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet")
    model = train_model("ztf", clean, "extra-trees", str(tmp_path))
    done = run_command("score", "--master", "local[2]", "--model", model, "--out", tmp_path / "warned", raw)
    assert done.returncode == 0, done.stderr
    assert f"{raw}: `sep_arcsec` missing for all 72 alerts, 0 % in training" in done.stderr
    done = run_command("score", "--master", "local[2]", "--strict", "--model", model, "--out", tmp_path / "strict", raw)
    assert done.returncode == 1, done.stderr
    assert "FeatureTableError" in done.stderr and "strict mode refuses alerts that lack features" in done.stderr
    assert not (tmp_path / "strict").exists()

"""How `python -m fink_vra.spark stream` and `read_alerts_stream` start,
with a real Spark (pyspark 3.5, `local[2]`): `--available-now` equal to the
batch command; checkpoints and output folders that are not the stream's
refused; the library's stream scored as the CLI scores its files."""

import json
import os

import pytest

pyspark = pytest.importorskip("pyspark")

import fink_vra.spark as fink_spark  # noqa: E402
from conftest import SAMPLES, train_model  # noqa: E402
from stream_helpers import (  # noqa: E402
    ALERTS_PER_FILE, cli_scores, finish, fresh_copies, scored_once, stream_command)
from test_spark import run_command  # noqa: E402

def test_available_now_equals_the_batch_command(night_files, tmp_path, spark):
    folder = tmp_path / "landing"
    fresh_copies(night_files["files"][:10], folder)
    model = night_files["model"]
    code, stderr = finish(stream_command("--model", model, "--checkpoint", tmp_path / "checkpoint",
                                         "--out", tmp_path / "stream", "--available-now", folder))
    assert code == 0, stderr
    done = run_command("score", "--master", "local[2]", "--model", model, "--out", tmp_path / "batch", folder)
    assert done.returncode == 0, done.stderr
    streamed = [row.asDict() for row in spark.read.parquet(str(tmp_path / "stream")).collect()]
    batch = [row.asDict() for row in spark.read.parquet(str(tmp_path / "batch")).collect()]
    assert len(batch) == 10 * ALERTS_PER_FILE
    assert scored_once(streamed) == scored_once(batch)


def test_a_checkpoint_or_output_that_is_not_the_streams_is_refused(night_files, tmp_path):
    folder = tmp_path / "landing"
    fresh_copies(night_files["files"][:1], folder)
    model = night_files["model"]

    def refused(checkpoint, out, chosen_model=model, input_folder=folder):
        code, stderr = finish(stream_command("--model", chosen_model, "--checkpoint", checkpoint, "--out", out,
                                             "--available-now", input_folder))
        assert code == 2, stderr
        return stderr

    foreign = tmp_path / "foreign"
    (foreign / "offsets").mkdir(parents=True)
    (foreign / "metadata").write_text('{"id": "another query"}')
    assert "is not the checkpoint of a fink-vra stream" in refused(foreign, tmp_path / "out1")

    used = tmp_path / "used-out"
    used.mkdir()
    (used / "part-0.parquet").write_bytes(b"scores of another run")
    assert f"{used} is not empty, and" in refused(tmp_path / "new-checkpoint", used)

    ztf_checkpoint = tmp_path / "ztf-checkpoint"
    code, stderr = finish(stream_command("--model", model, "--checkpoint", ztf_checkpoint, "--out",
                                         tmp_path / "ztf-out", "--available-now", folder))
    assert code == 0, stderr
    assert json.loads((ztf_checkpoint / "fink-vra-stream.json").read_text())["survey"] == "ztf"
    lsst_folder = tmp_path / "lsst"
    fresh_copies([os.path.join(SAMPLES, "lsst_v10_fink_27alerts.parquet")], lsst_folder)
    lsst_model = train_model("lsst", [os.path.join(SAMPLES, "lsst_v10_fink_27alerts.parquet")], "extra-trees",
                             str(tmp_path))
    stderr = refused(ztf_checkpoint, tmp_path / "ztf-out", lsst_model, lsst_folder)
    assert "is the checkpoint of a stream of ztf alerts, and the model is for lsst alerts" in stderr


def test_the_library_scores_a_stream_as_the_cli(night_files, tmp_path, spark):
    """`read_alerts_stream` then `score`, unchanged, into Spark's own file sink."""
    folder = tmp_path / "landing"
    files = fresh_copies(night_files["files"][:4], folder)
    model = night_files["model"]
    alerts = fink_spark.read_alerts_stream(spark, str(folder))
    assert alerts.isStreaming
    query = (fink_spark.score(alerts, model).writeStream.format("parquet")
             .option("checkpointLocation", str(tmp_path / "checkpoint")).trigger(availableNow=True)
             .start(str(tmp_path / "scores")))
    query.awaitTermination()
    rows = [row.asDict() for row in spark.read.parquet(str(tmp_path / "scores")).collect()]
    assert scored_once(rows) == cli_scores(model, files)
    assert int(spark.conf.get("spark.sql.shuffle.partitions")) == spark.sparkContext.defaultParallelism

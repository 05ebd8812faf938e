"""`python -m fink_vra.spark stream` through a stream's life, with a real
Spark (pyspark 3.5, `local[2]`), against `fink-vra score` on the same files:
each alert scored once through `kill -9` of the driver and restarts; a new
model picked up mid-stream and a broken one refused; bad files stopping the
stream or skipped; duplicates within the window of alert time dropped with
the window's state bounded. (How a stream starts: test_spark_stream_start.py.)"""

import glob
import os
import random
import re
import shutil
import signal
import threading
import time

import pytest

pyspark = pytest.importorskip("pyspark")

from conftest import FIXTURES, SAMPLES, bits, train_model  # noqa: E402
from stream_helpers import (  # noqa: E402
    ALERTS_PER_FILE, cli_scores, deliver, finish, fresh_copies, generate, kill_hard, observe_on,
    scored_once, sha256_of, stream_command, wait_for, written_rows)

def test_each_alert_is_scored_once_through_three_kill_9_and_restarts(night_files, tmp_path, spark):
    """50 files land one by one; the driver (and its JVM) is killed with
    SIGKILL at three random moments and restarted on the same checkpoint;
    SIGTERM stops the last run and --available-now scores what is left."""
    files = fresh_copies(night_files["files"][:50], tmp_path / "outbox")
    folder, checkpoint, out = tmp_path / "landing", tmp_path / "checkpoint", tmp_path / "scores"
    folder.mkdir()
    model = night_files["model"]
    # The folder is empty at first: the stream takes its layout from an
    # example, and, resumed, from its checkpoint.
    arguments = ["--model", model, "--checkpoint", checkpoint, "--out", out, "--trigger", "0.5", folder]
    first_start = ["--schema-from", night_files["files"][0]]
    moments = random.Random(2026).sample(range(50, 150), 3)  # tenths of a second after each start (JVM: ~5 s)
    print("SIGKILL after", [moment / 10 for moment in moments], "s")

    delivered = threading.Event()

    def feed():
        for path in files:
            deliver(path, folder)
            time.sleep(0.4)
        delivered.set()

    feeder = threading.Thread(target=feed)
    process = stream_command(*first_start, *arguments)
    feeder.start()
    for moment in moments:
        time.sleep(moment / 10)
        kill_hard(process)
        process = stream_command(*arguments)
    feeder.join()
    wait_for(lambda: len(written_rows(out)) >= 30 * ALERTS_PER_FILE, "the restarted stream's batches")
    process.send_signal(signal.SIGTERM)
    code, stderr = finish(process)
    assert code == 0, stderr
    assert "SIGTERM: stopping after the micro-batch under way" in stderr
    code, stderr = finish(stream_command("--available-now", *arguments))
    assert code == 0, stderr

    landed = sorted(glob.glob(os.path.join(str(folder), "*.parquet")))
    expected = cli_scores(model, landed)
    assert len(expected) == 50 * ALERTS_PER_FILE
    read_back = spark.read.parquet(str(out))
    assert read_back.columns == ["alert_id", "object_id", "p_class1", "model_sha256", "batch"]
    rows = [row.asDict() for row in read_back.collect()]
    assert scored_once(rows) == expected
    assert {row["model_sha256"] for row in rows} == {sha256_of(model)}


def rows_of(out, alert_ids):
    rows = [row for row in written_rows(out) if row["alert_id"] in alert_ids]
    return rows if len(rows) == len(alert_ids) else None


def test_a_new_model_is_picked_up_without_a_restart_and_a_broken_one_refused(night_files, tmp_path):
    folder, out = tmp_path / "landing", tmp_path / "scores"
    outbox = fresh_copies(night_files["files"][:6], tmp_path / "outbox")
    model = str(tmp_path / "model.json")
    shutil.copy(night_files["model"], model)
    first, second = night_files["model"], night_files["other model"]
    folder.mkdir()
    landed = [deliver(outbox[0], folder)]
    process = stream_command("--model", model, "--checkpoint", tmp_path / "checkpoint", "--out", out,
                             "--trigger", "0.5", "--skip-bad-files", folder)

    def scores_of(path):
        ids = set(cli_scores(first, [path]))
        wait_for(lambda: rows_of(out, ids), f"the scores of {path}")
        return rows_of(out, ids)

    before = scores_of(landed[0])
    shutil.copy(second, str(tmp_path / "next.json"))
    os.replace(str(tmp_path / "next.json"), model)  # a new round's export, moved in
    landed.append(deliver(outbox[1], folder))
    after = scores_of(landed[1])
    (tmp_path / "broken.json").write_text('{"format": "fink-vra-model", "version": 1, "tre')
    os.replace(str(tmp_path / "broken.json"), model)
    landed.append(deliver(outbox[2], folder))
    while_broken = scores_of(landed[2])
    shutil.copy(train_model("lsst", [os.path.join(SAMPLES, "lsst_v10_fink_27alerts.parquet")], "extra-trees",
                            str(tmp_path)), str(tmp_path / "lsst.json"))
    os.replace(str(tmp_path / "lsst.json"), model)
    landed.append(deliver(outbox[3], folder))
    while_lsst = scores_of(landed[3])
    # Regression (the file source's log read by the micro-batch's number,
    # which runs ahead of it after a micro-batch that only moved the
    # watermark): a file that lands now still reaches the core's check.
    (tmp_path / "half.parquet").write_bytes(b"PAR1 and the rest is still on its way")
    deliver(str(tmp_path / "half.parquet"), folder)
    landed.append(deliver(outbox[4], folder))
    scores_of(landed[4])
    process.send_signal(signal.SIGINT)
    code, stderr = finish(process)
    assert code == 0, stderr

    def as_scored(rows):
        return {row["alert_id"]: (row["object_id"], bits(row["p_class1"])) for row in rows}

    assert {row["model_sha256"] for row in before} == {sha256_of(first)}
    assert as_scored(before) == cli_scores(first, [landed[0]])
    for rows, path in zip((after, while_broken, while_lsst), landed[1:]):
        assert {row["model_sha256"] for row in rows} == {sha256_of(second)}
        assert as_scored(rows) == cli_scores(second, [path])
    assert "model: now scoring with " + sha256_of(second)[:12] in stderr
    assert stderr.count("model: refused the new") == 2, stderr
    assert "is a model for lsst alerts, and this stream's alerts are ztf" in stderr
    assert re.search(r"skipped: .*half\.parquet: the parquet file is corrupt or truncated", stderr), stderr
    assert "the core did not check them first" not in stderr
    assert "SIGINT: stopping after the micro-batch under way" in stderr


def test_a_bad_file_stops_the_stream_with_the_cores_message_or_is_skipped(night_files, tmp_path, spark):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "landing"
    good = fresh_copies(night_files["files"][:3], folder)
    table = pq.read_table(good[2])  # an alert without an id, which the core skips
    candids = table.column("candid").to_pylist()
    pq.write_table(table.set_column(table.schema.get_field_index("candid"), "candid",
                                    pa.array([None] + candids[1:], table.schema.field("candid").type)), good[2])
    bad = folder / "20250601_005959_alerts.parquet"
    bad.write_bytes(b"PAR1 written half-way")
    other_layout = os.path.join(FIXTURES, "clean", "20250602_100102_alerts_ztf_schema402_10alerts.parquet")
    shutil.copy(other_layout, str(folder / "20250601_015959_alerts.parquet"))
    model = night_files["model"]

    def run(name, *extra):
        return finish(stream_command("--model", model, "--checkpoint", tmp_path / name / "checkpoint",
                                     "--out", tmp_path / name / "out", "--available-now",
                                     "--schema-from", good[0], *extra, folder))

    code, stderr = run("strict")
    assert code == 2, stderr
    assert re.search(r"error: AlertFileError: .*20250601_0[01]5959_alerts\.parquet", stderr), stderr
    assert not written_rows(tmp_path / "strict" / "out")

    code, stderr = run("skipping", "--skip-bad-files")
    assert code == 0, stderr
    assert re.search(r"skipped: .*20250601_005959_alerts\.parquet", stderr), stderr
    assert re.search(r"skipped: .*20250601_015959_alerts\.parquet: its alert columns have other types", stderr)
    assert "2 bad file(s) skipped" in stderr
    assert re.search(r"skipped: .*no alert id", stderr), stderr
    assert "1 alert(s) skipped" in stderr
    rows = [row.asDict() for row in spark.read.parquet(str(tmp_path / "skipping" / "out")).collect()]
    assert scored_once(rows) == cli_scores(model, good)


def test_duplicates_within_the_window_give_one_row_and_the_state_stops_growing(night_files, tmp_path):
    """100 micro-batches of one file each, over 10 nights (a 2-night window
    here, so that it passes mid-way): each file repeats two alerts of the
    one before; then a file of alerts 4 nights old arrives, too late."""
    folder = tmp_path / "landing"
    files = generate(folder, 100 * 10, 10, first_alert=10_000)
    for index, path in enumerate(files):
        observe_on(path, index / 10)
    import pyarrow as pa
    import pyarrow.parquet as pq

    for previous, path in zip(files, files[1:]):  # the same alert in two polls
        table = pq.read_table(path)
        pq.write_table(pa.concat_tables([table, pq.read_table(previous).slice(0, 2)]), path)
    late = shutil.copy(files[0], str(folder / "20251231_000000_late.parquet"))
    observe_on(late, 5.0)
    table = pq.read_table(late)
    pq.write_table(table.set_column(0, "candid", pa.array([9_000 + row for row in range(table.num_rows)],
                                                          table.schema.field("candid").type)), late)
    out = tmp_path / "scores"
    code, stderr = finish(stream_command(
        "--model", night_files["model"], "--checkpoint", tmp_path / "checkpoint", "--out", out,
        "--available-now", "--max-files-per-batch", "1", "--window", "2 days", folder), timeout=900)
    assert code == 0, stderr

    rows = written_rows(out)
    assert len(scored_once(rows)) == 1000
    held = [int(count) for count in re.findall(r"batch \d+: the window holds (\d+) alert id", stderr)]
    print("alert ids in the window's state, batch by batch:", held)
    assert len(held) >= 100
    assert max(held) < 1000
    # An id is kept until the watermark (the newest time less the window)
    # passes its time plus the window: two windows, 4 nights = 40 files = 400
    # alerts. Once they have passed, the state stays flat instead of growing.
    assert max(held[45:]) <= 440
    assert min(held[45:100]) >= 370
    assert re.search(r": 10 alert\(s\) dropped as late, not scored", stderr), stderr

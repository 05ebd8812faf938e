"""What the stream tests share (their fixtures, `spark` and `night_files`,
are in conftest.py): alert files whose alerts arrive night after night as a
live stream's do (bench/generate.py's copies keep the fixture's times,
spread over 18 days in any order), the stream command run as a process that
can be killed, and its output read back and compared with the CLI's."""

import glob
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from conftest import ROOT, bits, cli_table

ALERTS_PER_FILE = 20

#: The Julian Date of the first generated night (2025-06-01).
FIRST_NIGHT_JD = 2460827.5
_TIME_FIELDS = ("jd", "jdstarthist", "jdendhist")


def generate(folder, alerts, per_file, first_alert=0, seed=7):
    """ZTF alerts in the full Fink schema (bench/generate.py, compact
    cutouts), `per_file` to a file; the file paths in name order."""
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), "--layout", "full", "--compact",
                    "--alerts", str(alerts), "--per-file", str(per_file), "--first-alert", str(first_alert),
                    "--seed", str(seed), "--out", str(folder)], check=True, capture_output=True)
    return sorted(glob.glob(os.path.join(str(folder), "*.parquet")))


def _shifted(values, delta):
    """`values` (a float64 array) plus `delta` per element, nulls kept."""
    nulls = values.is_null().to_numpy(zero_copy_only=False)
    return pa.array(values.to_numpy(zero_copy_only=False) + delta, values.type, mask=nulls)


def _with_fields(struct, changed):
    names = [struct.type.field(index).name for index in range(struct.type.num_fields)]
    children = [changed.get(name, struct.field(name)) for name in names]
    return pa.StructArray.from_arrays(children, names=names, mask=struct.is_null())


def observe_on(path, day):
    """Rewrites a generated ZTF file so that its alerts were observed on
    night `day` after :data:`FIRST_NIGHT_JD` (a minute apart): each alert's
    whole light curve moves by one shift, so the gaps the features see stay."""
    table = pq.read_table(path)
    candidate = table.column("candidate").combine_chunks()
    jd = candidate.field("jd").to_numpy(zero_copy_only=False)
    delta = FIRST_NIGHT_JD + day + np.arange(len(jd)) / 1440.0 - jd
    candidate = _with_fields(candidate, {name: _shifted(candidate.field(name), delta)
                                         for name in _TIME_FIELDS if candidate.type.get_field_index(name) >= 0})
    history = table.column("prv_candidates").combine_chunks()
    offsets = history.offsets.to_numpy()
    points = history.values.slice(offsets[0], offsets[-1] - offsets[0])
    points = _with_fields(points, {"jd": _shifted(points.field("jd"), np.repeat(delta, np.diff(offsets)))})
    history = pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), points, mask=history.is_null())
    table = table.set_column(table.schema.get_field_index("candidate"), "candidate", candidate)
    table = table.set_column(table.schema.get_field_index("prv_candidates"), "prv_candidates", history)
    pq.write_table(table, path, use_dictionary=True)


def deliver(source, folder):
    """Moves `source` into `folder` in one step, as a file should land in a
    watched folder (written elsewhere, then renamed)."""
    target = os.path.join(str(folder), os.path.basename(source))
    os.replace(source, target)
    return target


def sha256_of(path):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def stream_command(*arguments):
    """The stream command as a user starts it from the virtualenv (its own
    process group, so that a test can kill the driver and its JVM at once)."""
    env = {name: value for name, value in os.environ.items() if name != "PYSPARK_PYTHON"}
    return subprocess.Popen([sys.executable, "-m", "fink_vra.spark", "stream", "--master", "local[2]",
                             *map(str, arguments)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def kill_hard(process):
    """SIGKILL to the driver and everything it started (its JVM, Spark's
    Python workers), then waits until none is left."""
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("the killed stream's processes are still running")


def written_rows(out):
    """The rows a reader sees in the output folder now (pyarrow, published
    batches only: names that start with `_` or `.` are skipped, as Spark does)."""
    tables = [pq.read_table(path) for path in sorted(glob.glob(os.path.join(str(out), "batch=*", "*.parquet")))]
    return pa.concat_tables(tables).to_pylist() if tables else []


def wait_for(condition, what, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def fresh_copies(paths, folder):
    os.makedirs(folder, exist_ok=True)
    return [shutil.copy(path, os.path.join(str(folder), os.path.basename(path))) for path in paths]


def cli_scores(model, files):
    header, rows = cli_table("score", "--model", model, *files)
    assert header == ["alert_id", "object_id", "p_class1"]
    return {int(row[0]): (row[1], bits(float(row[2]))) for row in rows}


def scored_once(rows):
    """{alert_id: (object_id, p_class1 bits)} of the output, each alert once."""
    got = {}
    for row in rows:
        assert row["alert_id"] not in got, f"alert {row['alert_id']} scored twice"
        got[row["alert_id"]] = (row["object_id"], bits(row["p_class1"]))
    return got


def finish(process, timeout=240):
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr

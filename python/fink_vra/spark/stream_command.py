"""``python -m fink_vra.spark stream``: scores the alert files that land in a
folder, as they land, with Spark Structured Streaming; each alert once
through crashes and restarts, the model file read again at each
micro-batch.

    python -m fink_vra.spark stream --model M.json --checkpoint CK --out OUT INPUT_DIR
        [--trigger SECONDS] [--available-now] [--skip-bad-files] [--master M]
        [--schema-from FILE] [--window "7 days"] [--max-files-per-batch N]

What each part guarantees: :mod:`fink_vra.spark.stream` (the window of
alert time), :mod:`fink_vra.spark.stream_sink` (exactly once, bad files),
:mod:`fink_vra.spark.model_watch` (a new model without a restart). Here:
the checks made before Spark starts reading (a checkpoint is of this
stream; an output folder is not someone else's), the query's start and its
clean stop on SIGINT or SIGTERM (after the micro-batch under way, exit 0),
and the log of each micro-batch's progress (the window's state, late alerts).

Exit codes: 0 done or stopped; 2 a refusal (arguments, model, checkpoint,
output folder, a bad file without ``--skip-bad-files``); 1 any other failure.
"""

import argparse
import json
import logging
import os
import signal
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from .. import Model, ModelFileError, layout_of
from .files import _read_layout
from .hadoop_files import HadoopFolder
from .model_watch import ModelWatch
from .stream import DEFAULT_WINDOW, LOG, example_file, read_alerts_stream, stream_read_schema
from .stream_sink import BatchWriter, FileCheck, StopRequested


#: The file that makes a checkpoint folder this command's, and says of what.
MARKER = "fink-vra-stream.json"
DEFAULT_TRIGGER_SECONDS = 10.0


class Refusal(Exception):
    """A reason not to start, said to the user as is (exit 2)."""


def _resumed(checkpoint: HadoopFolder, wanted: Dict[str, Any], schema_from: Optional[str]) -> Dict[str, Any]:
    """The marker of the stream whose checkpoint this is, if it is the one
    ``wanted``; a :class:`Refusal` otherwise."""
    try:
        found = json.loads(checkpoint.read_text(MARKER))
    except ValueError as error:
        raise Refusal(f"{checkpoint.uri}/{MARKER} is not readable ({error}): give a new --checkpoint") from None
    if found.get("survey") != wanted["survey"]:
        raise Refusal(f"{checkpoint.uri} is the checkpoint of a stream of {found.get('survey')} alerts, and the "
                      f"model is for {wanted['survey']} alerts: a stream keeps one survey; start another "
                      "with a new --checkpoint and --out")
    for key, what in (("out", "output folder"), ("input", "input folder")):
        if found.get(key) != wanted[key]:
            raise Refusal(f"{checkpoint.uri} is the checkpoint of the stream with the {what} "
                          f"{found.get(key)}, not {wanted[key]}: give that one, or a new --checkpoint")
    if schema_from and _read_layout(schema_from) != found.get("layout"):
        raise Refusal(f"{schema_from} has another alert layout than the stream of {checkpoint.uri} (another writer "
                      "or schema version): start another stream for such files")
    return found


def open_stream(spark: Any, arguments: argparse.Namespace, checkpoint: HadoopFolder, out: HadoopFolder,
                survey: str) -> Tuple[Any, str, bool]:
    """The stream's read schema and layout, and whether it resumes: a
    stream resumed takes them from its checkpoint's marker (whatever the
    folder holds now); a new one from its first file, or ``--schema-from``,
    and writes the marker. Refuses a checkpoint that is another stream's or
    no fink-vra stream's, and an output folder that is not empty while the
    checkpoint is new."""
    from pyspark.sql.types import StructType

    wanted = {"command": "python -m fink_vra.spark stream", "survey": survey,
              "input": os.path.abspath(arguments.input), "out": out.qualified()}
    if checkpoint.exists(MARKER):
        found = _resumed(checkpoint, wanted, arguments.schema_from)
        return StructType.fromJson(found["schema"]), found["layout"], True
    if checkpoint.names():
        raise Refusal(f"{checkpoint.uri} is not empty and is not the checkpoint of a fink-vra stream (no {MARKER}; "
                      "another command's, or another query's?): give a new or empty --checkpoint")
    if out.names():
        raise Refusal(f"{out.uri} is not empty, and {checkpoint.uri} holds no checkpoint that wrote it: give an "
                      "empty --out, or the --checkpoint of the stream that wrote it")
    example = example_file(arguments.input, arguments.schema_from, skip_bad=arguments.skip_bad_files)
    found_survey = layout_of(example)["survey"]
    if found_survey != survey:
        raise Refusal(f"the model is for {survey} alerts, but {example} holds {found_survey} alerts")
    schema, layout = stream_read_schema(spark, example), _read_layout(example)
    checkpoint.write_text(MARKER, json.dumps(dict(wanted, layout=layout, example=example,
                                                  schema=schema.jsonValue()), indent=1))
    return schema, layout, False


class Progress:
    """Logs each finished micro-batch's progress once: the window's state
    and the alerts Spark dropped as late."""

    def __init__(self, window: str) -> None:
        self.window = window
        self.logged = -1
        self.late = 0

    def log_new(self, query: Any) -> None:
        for progress in query.recentProgress:
            if progress["batchId"] <= self.logged:
                continue
            self.logged = progress["batchId"]
            state = (progress.get("stateOperators") or [{}])[0]
            late = int(state.get("numRowsDroppedByWatermark", 0))
            self.late += late
            watermark = progress.get("eventTime", {}).get("watermark", "")
            LOG.info("batch %d: the window holds %s alert id(s); watermark %s", progress["batchId"],
                     state.get("numRowsTotal", 0), watermark)
            if late:
                LOG.warning("batch %d: %d alert(s) dropped as late, not scored: their time is more than %s "
                            "before the newest alert seen (watermark %s); score their files with "
                            "`python -m fink_vra.spark score`", progress["batchId"], late, self.window, watermark)


def _stop_on_signals(stop: threading.Event) -> None:
    def ask_to_stop(number: int, _frame: Any) -> None:
        if not stop.is_set():
            LOG.warning("%s: stopping after the micro-batch under way", signal.Signals(number).name)
        stop.set()

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)


def _wait(query: Any, stop: threading.Event, progress: Progress) -> None:
    """Until the query ends, or a stop was asked and no micro-batch is under way."""
    while not query.awaitTermination(0.5):
        progress.log_new(query)
        if stop.is_set() and not query.status["isTriggerActive"]:
            query.stop()
            break
    progress.log_new(query)


def _log_to_stderr() -> None:
    """This command's log lines on stderr, with their time (not Spark's: its
    errors reach the user once, as the command's own ``error:`` line)."""
    if not LOG.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
        LOG.propagate = False


def run(arguments: argparse.Namespace, spark_session: Any, core_message: Any) -> int:
    _log_to_stderr()
    started = time.monotonic()
    try:
        if not os.path.isdir(arguments.input):
            raise Refusal(f"{arguments.input} is not a folder (the stream watches a local folder)")
        survey = Model.load(arguments.model).survey
    except (Refusal, ModelFileError) as error:
        LOG.error("error: %s", error)
        return 2

    spark = spark_session(arguments.master)
    spark.sparkContext.setLogLevel("FATAL")
    stop = threading.Event()
    progress, writer = Progress(arguments.window), None
    try:
        if arguments.skip_bad_files:  # the files the core refused are not read (stream_sink)
            spark.conf.set("spark.sql.files.ignoreCorruptFiles", "true")
            spark.conf.set("spark.sql.files.ignoreMissingFiles", "true")
        checkpoint, out = HadoopFolder(spark, arguments.checkpoint), HadoopFolder(spark, arguments.out)
        read_schema, layout, resuming = open_stream(spark, arguments, checkpoint, out, survey)
        writer = BatchWriter(out, checkpoint, ModelWatch(spark, arguments.model, survey),
                             FileCheck(layout, arguments.skip_bad_files), stop)
        alerts = read_alerts_stream(spark, arguments.input, read_schema=read_schema, window=arguments.window,
                                    max_files_per_trigger=arguments.max_files_per_batch)
        trigger = ({"availableNow": True} if arguments.available_now
                   else {"processingTime": f"{arguments.trigger} seconds"})
        _stop_on_signals(stop)
        query = (alerts.writeStream.foreachBatch(writer).option("checkpointLocation", checkpoint.qualified())
                 .trigger(**trigger).start())
        LOG.info("stream: %s %s -> %s (checkpoint %s), model %s", "resumed" if resuming else "started",
                 arguments.input, out.uri, checkpoint.uri, writer.models.short())
        _wait(query, stop, progress)
    except (Refusal, ValueError) as error:  # fink-vra's errors (AlertFileError, ModelFileError) among them
        LOG.error("error: %s", error)
        return 2
    except Exception as error:  # Spark's errors carry the worker's traceback: keep the core's message
        if stop.is_set() and (isinstance(error, StopRequested) or "StopRequested" in str(error)):
            return _stopped(started, "stopped", progress, writer)
        message = _short(core_message(error))
        LOG.error("error: %s", message)
        if message.startswith("AlertFileError"):
            LOG.error("the micro-batch with this file was not written: replace the file with a good one under the "
                      "same name, or restart with --skip-bad-files, with the same --checkpoint")
            return 2
        return 2 if message.startswith("ModelFileError") else 1
    finally:
        spark.stop()
    return _stopped(started, "stopped" if stop.is_set() else "done", progress, writer)


def _short(message: str) -> str:
    """A Spark error's first line and its last Python or Java exception
    line, not the whole trace (a core error is one line already)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) <= 1:
        return message
    causes = [line for line in lines if "Error:" in line or "Exception:" in line]
    return lines[0] + (f" ({causes[-1]})" if causes and causes[-1] != lines[0] else "")


def _stopped(started: float, how: str, progress: Progress, writer: Optional[BatchWriter]) -> int:
    details: List[str] = []
    if progress.late:
        details.append(f"{progress.late} late alert(s) dropped")
    if writer is not None and writer.files.skipped:
        details.append(f"{writer.files.skipped} bad file(s) skipped")
    LOG.info("stream: %s after %.1f s%s", how, time.monotonic() - started, "; " + ", ".join(details) if details else "")
    return 0


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--model", required=True, help="the model file (JSON), read again at each micro-batch")
    command.add_argument("--checkpoint", required=True, help="the stream's checkpoint folder (Spark's)")
    command.add_argument("--out", required=True, help="the output folder (parquet, one folder per micro-batch)")
    command.add_argument("--trigger", type=float, default=DEFAULT_TRIGGER_SECONDS,
                         help=f"seconds between micro-batches (default {DEFAULT_TRIGGER_SECONDS:g})")
    command.add_argument("--available-now", action="store_true", help="score what is in the folder, then exit")
    command.add_argument("--skip-bad-files", action="store_true",
                         help="leave out files the core cannot read (logged, counted) instead of stopping")
    command.add_argument("--master", help="Spark master URL (default: spark-submit's, or local[*])")
    command.add_argument("--schema-from", help="an alert file of the stream's layout (default: the folder's first)")
    command.add_argument("--window", default=DEFAULT_WINDOW,
                         help=f"an alert id is scored once within this much alert time (default {DEFAULT_WINDOW!r})")
    command.add_argument("--max-files-per-batch", type=int, help="at most this many new files per micro-batch")
    command.add_argument("input", metavar="INPUT_DIR", help="the folder where alert files land")

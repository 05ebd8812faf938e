"""One micro-batch of ``python -m fink_vra.spark stream``: its files checked
by the core, its alerts scored with the model of the moment, its rows
written exactly once.

Exactly once. Spark's checkpoint records which files make micro-batch N
before N runs (the offset log and the file source's log) and that N is done
after it (the commit log), with the state of the window of alert time as of
N. A driver killed between the two runs N again on restart, with the same
files and the same state before it. :class:`BatchWriter` keys its output
by N (Spark's idempotent ``foreachBatch``): the rows go to
``OUT/_staging/batch=N`` and one rename publishes them as ``OUT/batch=N``,
so a reader (``spark.read.parquet(OUT)``, which skips names starting with
``_`` and reads ``batch`` as a partition column) sees a batch whole or not
at all, and a batch run again after a crash finds its folder there and
keeps it.

The files of a batch are read from the file source's log in the checkpoint
(``sources/0/K``, for the source's batches K between the previous
micro-batch's offset and this one's, ``offsets/N``) before any of their rows: each is checked by the core
(its footer) and must have the stream's layout. A bad file stops the stream
with the core's message, or, when skipping, is left out and counted: Spark
is told to pass over files it cannot read (``ignoreCorruptFiles``) and the
rows of the others are filtered out by file name.
"""

import json
import threading
import time
from urllib.parse import quote
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional

import pyarrow as pa

from .. import AlertFileError, _core, layout_of
from . import FILE_COLUMN, _one_batch, _selected, score_schema
from .files import _read_layout, local_path
from .hadoop_files import HadoopFolder
from .model_watch import ModelWatch
from .stream import LOG

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import Broadcast
    from pyspark.sql import DataFrame


#: The columns the stream writes, in order.
OUTPUT_COLUMNS = ["alert_id", "object_id", "p_class1", "model_sha256"]
_NOTE = "_fink_vra_note"
_SKIPPED, _MISSING = "s", "m"  # the first letter of a note: a skipped alert, or missing features
_SOURCE_LOG = "sources/0"


class StopRequested(RuntimeError):
    """Raised at the start of a micro-batch once a stop was asked for, so
    that no new batch is written (it runs again on restart)."""


def batch_name(batch_id: int) -> str:
    """The folder of micro-batch ``batch_id`` in the output: a partition
    (``batch=N``) to Spark, pandas and pyarrow, so that reading the output
    folder gives the micro-batch of each row as a ``batch`` column."""
    return f"batch={batch_id:09d}"


def _source_offset(checkpoint: HadoopFolder, batch_id: int) -> int:
    """The file source's log offset that micro-batch ``batch_id`` reads up
    to (its line in ``offsets/N``); -1 before the first micro-batch."""
    if batch_id < 0 or not checkpoint.exists(f"offsets/{batch_id}"):
        return -1
    lines = checkpoint.read_text(f"offsets/{batch_id}").splitlines()
    offset = lines[2].strip() if len(lines) > 2 else "-"  # "v1", the batch's metadata, then the one source
    return -1 if offset == "-" else int(json.loads(offset)["logOffset"])


def _source_entries(checkpoint: HadoopFolder, source_batch: int) -> List[Dict[str, Any]]:
    """The file source's log entries of its batch ``source_batch`` (the file
    ``K``, or ``K.compact``, which every tenth holds with all before it)."""
    for name in (str(source_batch), f"{source_batch}.compact"):
        if checkpoint.exists(f"{_SOURCE_LOG}/{name}"):
            lines = checkpoint.read_text(f"{_SOURCE_LOG}/{name}").splitlines()[1:]
            return [json.loads(line) for line in lines if line.strip()]
    return []


def files_of_batch(checkpoint: HadoopFolder, batch_id: int) -> List[str]:
    """The files Spark's file source put into micro-batch ``batch_id``: the
    entries of its log after the previous micro-batch's offset, up to this
    one's (the source numbers its log by the batches that found files; a
    micro-batch that only moves the watermark finds none)."""
    first, last = _source_offset(checkpoint, batch_id - 1) + 1, _source_offset(checkpoint, batch_id)
    return [entry["path"] for source_batch in range(first, last + 1)
            for entry in _source_entries(checkpoint, source_batch) if entry.get("batchId") == source_batch]


class FileCheck:
    """The core's verdict on the files of each micro-batch: readable, with
    the stream's layout, or left out (counted) when skipping bad files."""

    def __init__(self, stream_layout: str, skip_bad: bool) -> None:
        self.stream_layout = stream_layout
        self.skip_bad = skip_bad
        self.skipped = 0

    def refusal(self, path: str) -> Optional[str]:
        """Why the stream cannot read ``path``, or None."""
        try:
            layout_of(path)
            if _read_layout(path) != self.stream_layout:
                return (f"{path}: its alert columns have other types than the stream's first file "
                        f"(another writer or schema version): score it with `python -m fink_vra.spark score`")
        except AlertFileError as error:
            return str(error)
        except OSError as error:
            return f"{path}: {error}"
        return None

    def bad_files(self, uris: List[str]) -> List[str]:
        """The files of ``uris`` (a micro-batch's) to leave out; an
        :class:`AlertFileError` with the core's message for the first bad
        one unless skipping."""
        bad: List[str] = []
        for uri in uris:
            verdict = self.refusal(local_path(uri))
            if verdict and not self.skip_bad:
                raise AlertFileError(verdict)
            if verdict:
                self.skipped += 1
                LOG.warning("skipped: %s", verdict)
                bad.append(uri)
        return bad


def spellings(uris: List[str]) -> List[str]:
    """Each of ``uris`` as Spark may spell it in :data:`FILE_COLUMN`."""
    found = []
    for uri in uris:
        path = quote(local_path(uri))
        found += [uri, f"file:{path}", f"file://{path}"]
    return found


def scored_with_notes(df: "DataFrame", model_path: str, text: "Broadcast[str]", survey: str) -> "DataFrame":
    """The core's scores of ``df`` and, as extra rows with only
    :data:`_NOTE`, what it says about them: skipped alerts, missing features."""
    file_column = FILE_COLUMN if FILE_COLUMN in df.columns else None

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = _core.Model.from_json(text.value, model_path)
        for batch in batches:
            table, notes, missing = model.score_table(_one_batch(batch), "<spark batch>", file_column, False, False)
            lines = [_SKIPPED + note for note in notes] + ([_MISSING + missing] if missing else [])
            no_notes = pa.nulls(table.num_rows, pa.string())
            yield pa.RecordBatch.from_arrays(table.columns + [no_notes], names=table.schema.names + [_NOTE])
            if lines:
                empty = [pa.nulls(len(lines), field.type) for field in table.schema]
                yield pa.RecordBatch.from_arrays(empty + [pa.array(lines, pa.string())],
                                                 names=table.schema.names + [_NOTE])

    return _selected(df).mapInArrow(compute, f"{score_schema(survey)}, {_NOTE} string")


class BatchWriter:
    """The ``foreachBatch`` function of the stream command."""

    def __init__(self, out: HadoopFolder, checkpoint: HadoopFolder, models: ModelWatch, files: FileCheck,
                 stop: threading.Event) -> None:
        self.out = out
        self.checkpoint = checkpoint
        self.models = models
        self.files = files
        self.stop = stop

    def __call__(self, batch: "DataFrame", batch_id: int) -> None:
        from pyspark.sql import functions as F

        if self.stop.is_set():
            raise StopRequested("stopping: this micro-batch runs again on restart")
        started = time.monotonic()
        name = batch_name(batch_id)
        if self.out.exists(name):
            LOG.info("batch %d: written before a restart, kept (%s)", batch_id, self.out.qualified(name))
            return
        text = self.models.for_batch()
        uris = files_of_batch(self.checkpoint, batch_id)
        bad = self.files.bad_files(uris)
        rows = batch.where(~F.col(FILE_COLUMN).isin(spellings(bad))) if bad else batch
        scored = (scored_with_notes(rows, self.models.path, text, self.models.survey)
                  .withColumn("model_sha256", F.lit(self.models.sha256))
                  .persist())
        try:
            staging = f"_staging/{name}"
            scores = scored.where(F.col(_NOTE).isNull()).select(*OUTPUT_COLUMNS)
            scores.write.mode("overwrite").parquet(self.out.qualified(staging))
            written = scores.count()
            notes = [row[0] for row in scored.where(F.col(_NOTE).isNotNull()).select(_NOTE).collect()]
        finally:
            scored.unpersist()
        if written:
            self.out.rename(staging, name)
        else:  # nothing to publish (a batch of bad files, or one Spark runs to move its watermark)
            self.out.delete(staging)
        if written and not uris:
            LOG.warning("batch %d: its files are not in the checkpoint's log (%s): the core did not check them first",
                        batch_id, _SOURCE_LOG)
        skipped = [note[1:] for note in notes if note.startswith(_SKIPPED)]
        for note in skipped + list(dict.fromkeys(note[1:] for note in notes if note.startswith(_MISSING))):
            LOG.warning("%s", note)  # as the CLI writes it: "skipped: FILE: row N ...", missing features once
        if not uris and not written:
            return
        LOG.info("batch %d: %d alert(s) from %d file(s) scored by model %s in %.1f s%s%s", batch_id, written,
                 len(uris) - len(bad), self.models.short(), time.monotonic() - started,
                 f"; {len(skipped)} alert(s) skipped" if skipped else "",
                 f"; {len(bad)} bad file(s) left out" if bad else "")

"""Alerts as a Spark Structured Streaming DataFrame: a folder where alert
files land, read with the core's cut-down schema, each alert id kept once
within a window of alert time.

Why a window. ``dropDuplicates`` on a stream keeps every alert id ever seen
as state, so a night of Rubin alerts (about ten million) grows it without
bound. :func:`read_alerts_stream` keys each alert by its id and the time of
its own observation (where each layout keeps them is the core's knowledge,
``_core.alert_keys``) and drops a copy met again within ``window`` of alert
time (``dropDuplicatesWithinWatermark``, Spark 3.5). The watermark trails
the newest alert time seen by ``window``, and an id is forgotten once the
watermark passes its time by ``window`` more: the state holds the ids of
about the last two windows of alerts, and no more.

The price, a limit to know. Spark drops as *late* an alert whose time is
more than ``window`` behind the newest alert time the stream has seen (e.g.
last month's file dropped into tonight's folder). The stream's progress
counts them (``stateOperators[0].numRowsDroppedByWatermark``) and ``python
-m fink_vra.spark stream`` logs them each micro-batch; score such files
with the batch command. A row without an id or a time is kept apart (by
its file and content) and is never late: it reaches the core, which skips
it with its usual message. A time in the future reads as no time, so
one broken value cannot make every later alert late.

:func:`fink_vra.spark.score` and :func:`fink_vra.spark.features` take the
stream as they take a batch DataFrame (they select the columns the core
reads, which leaves the key columns out).
"""

import logging
from typing import TYPE_CHECKING, List, Optional, Tuple

from .. import AlertFileError, _core, layout_of
from . import FILE_COLUMN, _arrow_typed, _schema_read, with_file_names
from .files import alert_files, is_remote

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import StructType

#: The stream's log: the command's lines (micro-batches, models, files).
LOG = logging.getLogger("fink_vra.spark.stream")

#: The default window of alert time within which an alert id is kept once.
DEFAULT_WINDOW = "7 days"

#: The columns :func:`read_alerts_stream` adds: each alert's id, and its time
#: as a Spark timestamp (the watermark's event time).
ALERT_ID_COLUMN = "_fink_vra_alert_id"
ALERT_TIME_COLUMN = "_fink_vra_alert_time"
_DEDUPE_KEY = "_fink_vra_dedupe_key"

#: Files older than the newest by more than this are passed over (Spark's ``maxFileAge``).
DEFAULT_MAX_FILE_AGE = "30d"

_UNIX_EPOCH = {"jd": 2440587.5, "mjd": 40587.0}  # 1970-01-01T00:00 in each scale
_SECONDS_PER_DAY = 86400.0


def _field(path: List[str]) -> "Column":
    from pyspark.sql import functions as F

    column = F.col(f"`{path[0]}`")
    for name in path[1:]:
        column = column.getField(name)
    return column


def alert_key_columns(df: "DataFrame") -> Tuple["Column", "Column"]:
    """The alert id (bigint) and alert time (timestamp, UTC) of each row of
    a DataFrame of raw alerts, where the core says its layout keeps them
    (ZTF ``candid`` and ``candidate.jd`` or the clean layout's first
    ``mjd``; LSST's alert id and ``diaSource.midpointMjdTai``, TAI read as
    UTC: 37 s apart, nothing next to a window of days); a time after now
    (a broken value) reads as none."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import to_arrow_schema

    alert_id, time, first_of_list, scale = _core.alert_keys(to_arrow_schema(_arrow_typed(df).schema))
    when = _field(time)
    if first_of_list:
        when = F.element_at(when, 1)
    seconds = (when.cast("double") - F.lit(_UNIX_EPOCH[scale])) * F.lit(_SECONDS_PER_DAY)
    # No alert is observed after it is read: a time in the future is a
    # broken value, read as no time, so that it cannot carry the watermark
    # past every alert to come.
    observed = F.timestamp_seconds(seconds)
    return _field(alert_id).cast("bigint"), F.when(observed <= F.current_timestamp(), observed)


def example_file(folder: str, schema_from: Optional[str] = None, *, skip_bad: bool = False) -> str:
    """The alert file whose layout a stream of ``folder`` takes:
    ``schema_from``, or the first file in the folder (name order) that the
    core reads; a bad one raises :class:`fink_vra.AlertFileError` unless
    ``skip_bad`` (then the next is tried). ``ValueError`` when there is none."""
    if schema_from:
        layout_of(schema_from)
        return schema_from
    if is_remote(folder):
        raise ValueError(f"{folder}: a remote folder needs schema_from (an alert file of the stream's layout)")
    for path in alert_files([folder]):
        try:
            layout_of(path)
            return path
        except AlertFileError:
            if not skip_bad:
                raise
    raise ValueError(f"no alert file in {folder} yet: give an alert file of the layout the stream will bring "
                     "(schema_from, or --schema-from)")


def stream_read_schema(spark: "SparkSession", path: str) -> "StructType":
    """The read schema of a stream whose files are like ``path``: its
    schema cut down by the core to the fields it reads."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_schema_read(spark.read.parquet(path)))


def sensible_shuffle_partitions(spark: "SparkSession") -> int:
    """Sets ``spark.sql.shuffle.partitions`` to the cores Spark has
    (``defaultParallelism``) while it is Spark's default of 200 and was not
    set when Spark started (``--conf``, ``spark-defaults.conf``): 200 makes
    every micro-batch of a few files run 200 tasks and 200 state stores. A
    stream keeps the value it started with in its checkpoint. Returns the
    value in force."""
    configured = spark.sparkContext.getConf().contains("spark.sql.shuffle.partitions")
    if not configured and spark.conf.get("spark.sql.shuffle.partitions") == "200":
        spark.conf.set("spark.sql.shuffle.partitions", str(spark.sparkContext.defaultParallelism))
    return int(spark.conf.get("spark.sql.shuffle.partitions"))


def read_alerts_stream(
    spark: "SparkSession",
    folder: str,
    *,
    schema_from: Optional[str] = None,
    read_schema: Optional["StructType"] = None,
    window: Optional[str] = DEFAULT_WINDOW,
    max_files_per_trigger: Optional[int] = None,
    max_file_age: str = DEFAULT_MAX_FILE_AGE,
) -> "DataFrame":
    """A streaming DataFrame of the alert files that land in ``folder``
    (``spark.readStream`` of parquet), with only the fields the core reads
    (a read schema cut down by the core, as :func:`fink_vra.spark.read_alerts`),
    :data:`fink_vra.spark.FILE_COLUMN`, and the alert's id and time
    (:data:`ALERT_ID_COLUMN`, :data:`ALERT_TIME_COLUMN`).

    The layout (and survey) is that of the first file already in ``folder``,
    or of ``schema_from`` (:func:`example_file`), or ``read_schema`` as
    :func:`stream_read_schema` gave it; every file of the stream must share
    it (Spark applies one read schema). An alert id met again within ``window`` of
    alert time (a Spark interval, e.g. ``"7 days"``) gives one row; the
    state this needs is bounded by a watermark on alert time (module doc:
    alerts more than ``window`` behind the newest are dropped as late).
    ``window=None`` keeps every copy. A file whose modification time is
    more than ``max_file_age`` older than the newest file's is passed over
    (Spark's ``maxFileAge``, whose default, 7 days, would pass over a file
    of last week moved in with ``mv``). Also sets the shuffle partitions
    sensibly (:func:`sensible_shuffle_partitions`)."""
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    if window is not None and not hasattr(DataFrame, "dropDuplicatesWithinWatermark"):
        raise RuntimeError(f"read_alerts_stream's window needs Spark 3.5 or later (dropDuplicatesWithinWatermark), "
                           f"and this is Spark {spark.version}: upgrade, or pass window=None to keep every copy")
    if read_schema is None:
        read_schema = stream_read_schema(spark, example_file(folder, schema_from))
    sensible_shuffle_partitions(spark)
    reader = spark.readStream.schema(read_schema).option("maxFileAge", max_file_age)
    if max_files_per_trigger:
        reader = reader.option("maxFilesPerTrigger", int(max_files_per_trigger))
    alerts = with_file_names(reader.parquet(folder))
    alert_id, alert_time = alert_key_columns(alerts)
    keyed = alerts.withColumn(ALERT_ID_COLUMN, alert_id).withColumn(ALERT_TIME_COLUMN, alert_time)
    if window is None:
        return keyed
    # A row without an id or a time (the core skips it, with its message) is
    # kept apart by its file and content: it never hides an alert of that id
    # (e.g. a row of another layout's file, read with this one's schema), and
    # without a time it is never late.
    by_content = F.concat(F.lit("no id or time: "), F.col(FILE_COLUMN), F.lit(" "),
                          F.xxhash64(F.to_json(F.struct(*[F.col(f"`{name}`") for name in alerts.columns]))).cast("string"))
    keys = F.col(ALERT_ID_COLUMN).isNotNull() & F.col(ALERT_TIME_COLUMN).isNotNull()
    return (keyed.withColumn(_DEDUPE_KEY, F.when(keys, F.col(ALERT_ID_COLUMN).cast("string")).otherwise(by_content))
            .withWatermark(ALERT_TIME_COLUMN, window)
            .dropDuplicatesWithinWatermark([_DEDUPE_KEY])
            .drop(_DEDUPE_KEY))

"""fink-vra over Apache Spark (3.3 or later): features and scores of a
DataFrame of raw Fink alerts, as ``spark.read.parquet(folder)`` gives it,
computed by the same core as ``fink-vra``, inside Spark's Python workers
through ``mapInArrow`` (Arrow batches straight to the core, no pandas).

- :func:`score` gives ``alert_id, object_id, p_class1`` (``fink-vra score``);
- :func:`features` gives the feature table (``fink-vra features``);
- :func:`score_files` and :func:`features_of_files` do the same for files and
  folders that mix writers and schema versions, as ``fink-vra`` reads them;
- :func:`p_class1_udf` is Fink's own form: a ``pandas_udf`` from the feature
  columns (as a struct) to ``p_class1``, for pipelines that hold features;
- :func:`read_alerts` reads alert files with only the fields the core uses,
  and :func:`read_alert_groups` reads a mixed folder as several such reads;
- :func:`read_alerts_stream` reads a folder where alert files land as a
  Structured Streaming DataFrame, each alert id once within a window of
  alert time (:mod:`fink_vra.spark.stream`);
- ``python -m fink_vra.spark score --model M.json --out DIR INPUT...`` reads
  folders or files with Spark and writes the scores as parquet, and
  ``python -m fink_vra.spark stream ...`` scores a folder's new files as
  they land, exactly once (:mod:`fink_vra.spark.stream_command`).

The model file travels to the executors once, as a broadcast of its text, and
is checked once per task. :func:`score` and :func:`features` de-duplicate
alert ids within each Arrow batch, then keep one row per id (any copy: Spark
has no order across partitions). Add :data:`FILE_COLUMN` with
:func:`with_file_names` and errors name the file an alert came from.

Mixed folders: :mod:`fink_vra.spark.files` says how files are grouped
into Spark reads and why the outputs, not the inputs, are unioned.
"""

import logging
import warnings
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa

from .. import MissingFeaturesWarning, Model, _core, feature_names, id_columns
from .files import alert_files, files_by_read_layout, is_remote, local_path

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import Broadcast
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = [
    "score",
    "features",
    "p_class1_udf",
    "read_alerts",
    "read_alert_groups",
    "score_files",
    "features_of_files",
    "alert_files",
    "with_file_names",
    "columns_read",
    "FILE_COLUMN",
    "survey_of",
    "read_alerts_stream",
]

#: The column :func:`with_file_names` adds: each row's file, for error messages.
FILE_COLUMN = "_fink_vra_file"


def with_file_names(df: "DataFrame") -> "DataFrame":
    """``df`` with :data:`FILE_COLUMN` (Spark's ``input_file_name()``), so that
    :func:`score` and :func:`features` read each file's rows as that file and
    name it in their errors. Call it right after ``spark.read.parquet``."""
    from pyspark.sql import functions as F

    return df.withColumn(FILE_COLUMN, F.input_file_name())


def survey_of(df: "DataFrame") -> str:
    """``"lsst"`` for Rubin alerts (a ``diaSource`` column), else ``"ztf"``."""
    return "lsst" if "diaSource" in df.columns else "ztf"


def _object_id_type(survey: str) -> str:
    return "string" if survey == "ztf" else "bigint"


def feature_schema(survey: str) -> str:
    """The Spark schema (DDL) of :func:`features`' output for ``survey``."""
    alert_id, object_id = id_columns(survey)
    ddl = [f"`{alert_id}` bigint", f"`{object_id}` {_object_id_type(survey)}"]
    ddl += [f"`{name}` double" for name in feature_names(survey)]
    return ", ".join(ddl)


def score_schema(survey: str) -> str:
    """The Spark schema (DDL) of :func:`score`'s output: ``fink-vra score``'s columns."""
    return f"alert_id bigint, object_id {_object_id_type(survey)}, p_class1 double"


def _file_column_of(df: "DataFrame") -> Optional[str]:
    return FILE_COLUMN if FILE_COLUMN in df.columns else None


def _schema_read(df: "DataFrame") -> pa.Schema:
    """``df``'s schema cut down by the core to the fields it reads."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return _core.schema_read(to_arrow_schema(_arrow_typed(df).schema))


def columns_read(df: "DataFrame") -> List[str]:
    """The top-level columns of ``df`` that the core reads for its layout
    (never the cutouts), plus :data:`FILE_COLUMN` when present. :func:`score`
    and :func:`features` select only these, so Spark does not read (or fail
    to decode, like pandas' nanosecond timestamps) the others."""
    kept = set(_schema_read(df).names)
    return [name for name in df.columns if name in kept or name == FILE_COLUMN]


def read_alerts(spark: "SparkSession", *paths: str) -> "DataFrame":
    """Alerts from parquet files or folders (anything ``spark.read.parquet``
    takes), reading only the fields the core uses, nested ones included: a
    read schema cut down by the core from the files' own (the first footer
    Spark reads), so Spark decodes a few fields of each history struct
    instead of every one, and never the cutouts (about four times faster
    than reading the whole columns, ``bench/SPARK.md``). With
    :data:`FILE_COLUMN`, ready for :func:`score` and :func:`features`. The
    files must share one physical schema of the fields read, e.g. one
    writer and one schema version (a job fails otherwise):
    :func:`read_alert_groups` reads any folder the CLI reads."""
    from pyspark.sql.pandas.types import from_arrow_schema

    read_schema = from_arrow_schema(_schema_read(spark.read.parquet(*paths)))
    return with_file_names(spark.read.schema(read_schema).parquet(*paths))


def read_alert_groups(spark: "SparkSession", *paths: str) -> List["DataFrame"]:
    """Alerts from parquet files or folders that may mix writers (Spark,
    pyarrow, pandas) and schema versions, as :func:`read_alerts` reads
    them, one DataFrame per group of files one Spark read can take (same
    types of the fields the core reads); each has :data:`FILE_COLUMN`.
    Footers are read on the driver (pyarrow), nothing else. Pass each to
    :func:`score` or :func:`features`, then union the results; or use
    :func:`score_files` and :func:`features_of_files`, which also keep each
    alert from the first file it is in, as the CLI does."""
    return [read_alerts(spark, *group) for group in files_by_read_layout(alert_files(paths, spark))]


def _arrow_typed(df: "DataFrame") -> "DataFrame":
    """``df`` less the columns Spark cannot express in Arrow (never alert
    columns the core reads), so that its schema converts."""
    from pyspark.sql.pandas.types import to_arrow_type

    convertible = []
    for field in df.schema.fields:
        try:
            to_arrow_type(field.dataType)
            convertible.append(field.name)
        except Exception:  # noqa: BLE001 - an unconvertible type is simply not read
            continue
    return df.select(*[f"`{name}`" for name in convertible])


def _selected(df: "DataFrame") -> "DataFrame":
    return df.select(*[f"`{name}`" for name in columns_read(df)])


def _one_batch(batch: pa.RecordBatch) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(batch.schema, [batch])


#: The column that gives each output row of :func:`score_files` and
#: :func:`features_of_files` the position of its file in the CLI's order,
#: until the first copy of each alert is chosen.
_FILE_RANK = "_fink_vra_file_rank"

#: A file's position in the CLI's order, by :func:`_file_key`.
FileRanks = Dict[str, int]


def _file_key(name: str) -> str:
    """One spelling per file, so that Spark's ``input_file_name`` (a
    percent-encoded ``file:`` URI) finds the path :func:`alert_files` gave."""
    return name if is_remote(name) else local_path(name)


def _runs_by_file(batch: pa.RecordBatch) -> Iterator[Tuple[str, pa.RecordBatch]]:
    """The rows of ``batch`` in runs of one file each (:data:`FILE_COLUMN`),
    as Spark's scan gives them: one file after the other."""
    names = batch.column(batch.schema.get_field_index(FILE_COLUMN)).to_pylist()
    start = 0
    for end in range(1, len(names) + 1):
        if end == len(names) or names[end] != names[start]:
            yield names[start], batch.slice(start, end - start)
            start = end


def _rank_of(ranks: FileRanks, name: str) -> int:
    try:
        return ranks[_file_key(name)]
    except KeyError:
        raise RuntimeError(f"fink-vra: {name} is not one of the files listed on the driver") from None


def _pieces(batch: pa.RecordBatch, ranks: Optional[FileRanks]) -> Iterator[Tuple[Optional[int], pa.RecordBatch]]:
    """The whole batch (no ranks), or its runs of one file with their rank."""
    if ranks is None:
        yield None, batch
        return
    for name, rows in _runs_by_file(batch):
        yield _rank_of(ranks, name), rows


def _with_rank(table: pa.RecordBatch, rank: int) -> pa.RecordBatch:
    ranks = pa.array([rank] * table.num_rows, pa.int64())
    return pa.RecordBatch.from_arrays(table.columns + [ranks], names=table.schema.names + [_FILE_RANK])


def _outputs(batches: Iterator[pa.RecordBatch], table_of: Callable[[pa.RecordBatchReader], pa.RecordBatch],
             ranks: Optional[FileRanks]) -> Iterator[pa.RecordBatch]:
    """The core's ``table_of`` each batch, or, with ``ranks``, of each run of
    one file, with the file's rank as a last column."""
    for batch in batches:
        for rank, rows in _pieces(batch, ranks):
            table = table_of(_one_batch(rows))
            if table.num_rows:
                yield table if rank is None else _with_rank(table, rank)


def _output_schema(schema: str, ranks: Optional[FileRanks]) -> str:
    return schema if ranks is None else f"{schema}, `{_FILE_RANK}` bigint"


def _feature_rows(df: "DataFrame", recompute_lc: bool, ranks: Optional[FileRanks]) -> "DataFrame":
    """The core's feature rows of ``df``, duplicates across batches kept."""
    file_column = _file_column_of(df)

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        def table_of(reader: pa.RecordBatchReader) -> pa.RecordBatch:
            return _core.features_of_table(reader, "<spark batch>", file_column, recompute_lc)[0]

        yield from _outputs(batches, table_of, ranks)

    return _selected(df).mapInArrow(compute, _output_schema(feature_schema(survey_of(df)), ranks))


def features(df: "DataFrame", *, recompute_lc: bool = False) -> "DataFrame":
    """The feature table of a DataFrame of raw alerts (either survey, any
    layout ``fink-vra features`` reads), one row per alert: the survey's id
    columns and features, bit-identical to ``fink-vra features``. An alert id
    met twice (the same alert in two polls) gives one row (any of its
    copies; :func:`features_of_files` keeps the CLI's). A batch the core
    cannot read fails the job with :class:`fink_vra.AlertFileError`'s message
    (naming the file when ``df`` has :data:`FILE_COLUMN`). On a stream
    (:func:`read_alerts_stream`) each micro-batch's rows are computed as
    they come: the stream's window of alert time keeps an id once."""
    alert_id, _ = id_columns(survey_of(df))
    rows = _feature_rows(df, recompute_lc, None)
    return rows if df.isStreaming else rows.dropDuplicates([alert_id])


def _model_text(model_path: str) -> str:
    with open(model_path, encoding="utf-8") as file:
        text = file.read()
    Model.from_json(text, model_path)  # refuse a bad file on the driver, before any task
    return text


def _score_rows(
    df: "DataFrame", model_path: str, text: "Broadcast[str]", ranks: Optional[FileRanks], strict: bool
) -> "DataFrame":
    """The core's scores of ``df`` with the broadcast model, duplicates
    across batches kept; a batch's (or file's) missing features logged, or
    an error when ``strict``."""
    survey = Model.from_json(text.value, model_path).survey
    file_column = _file_column_of(df)

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = _core.Model.from_json(text.value, model_path)

        def table_of(reader: pa.RecordBatchReader) -> pa.RecordBatch:
            table, _notes, missing = model.score_table(reader, "<spark batch>", file_column, False, strict)
            if missing:
                logging.getLogger(__name__).warning(missing)
            return table

        yield from _outputs(batches, table_of, ranks)

    return _selected(df).mapInArrow(compute, _output_schema(score_schema(survey), ranks))


def score(df: "DataFrame", model_path: str, *, strict: bool = False) -> "DataFrame":
    """``alert_id, object_id, p_class1`` of a DataFrame of raw alerts, as
    ``fink-vra score`` (ids as in its output: int64 alert ids; ZTF object ids
    as strings, LSST ones as int64), each alert once: an alert id met twice
    (the same alert in two polls) gives one row (any of its copies;
    :func:`score_files` keeps the CLI's). The model file is read on the
    driver, broadcast, and checked once per task; alerts of the other survey
    fail the job with :class:`fink_vra.ModelFileError`'s message. A batch
    (or, with :data:`FILE_COLUMN`, a file's rows in it) that lacks a feature
    the model was trained with is named in a warning of the
    ``fink_vra.spark`` logger, in the executors' log; ``strict=True`` fails
    the job with :class:`fink_vra.FeatureTableError`'s message instead. On a
    stream (:func:`read_alerts_stream`) rows are scored as they come: the
    stream's window of alert time keeps an id once, not this function."""
    text = df.sparkSession.sparkContext.broadcast(_model_text(model_path))
    rows = _score_rows(df, model_path, text, None, strict)
    return rows if df.isStreaming else rows.dropDuplicates(["alert_id"])


def _ranked_reads(spark: "SparkSession", paths: Sequence[str]) -> List[Tuple["DataFrame", FileRanks]]:
    """One read (:func:`read_alerts`) per group of files one Spark read
    takes, each with the CLI's rank of its files; every read of one survey."""
    files = alert_files(paths, spark)
    if not files:
        raise ValueError(f"no parquet files in {', '.join(paths)}")
    rank = {_file_key(path): index for index, path in enumerate(files)}
    reads = [
        (read_alerts(spark, *group), {_file_key(path): rank[_file_key(path)] for path in group})
        for group in files_by_read_layout(files)
    ]
    surveys = sorted({survey_of(df) for df, _ in reads})
    if len(surveys) > 1:
        raise ValueError(f"the files mix two surveys ({', '.join(surveys)}): read them once per survey")
    return reads


def _first_copies(rows: "DataFrame", alert_id: str) -> "DataFrame":
    """One row per alert id: the one from the first file in the CLI's order
    (any one of a file's copies, as Spark has no order within a file's
    batches), without :data:`_FILE_RANK`."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    copy = "_fink_vra_copy"
    first_file_first = Window.partitionBy(alert_id).orderBy(_FILE_RANK)
    return (rows.withColumn(copy, F.row_number().over(first_file_first))
            .where(F.col(copy) == 1)
            .drop(copy, _FILE_RANK))


def _union(frames: List["DataFrame"]) -> "DataFrame":
    union = frames[0]
    for more in frames[1:]:
        union = union.unionByName(more)
    return union


def features_of_files(spark: "SparkSession", *paths: str, recompute_lc: bool = False) -> "DataFrame":
    """:func:`features` of alert files and folders (local, or URIs Spark
    lists) as ``fink-vra features`` reads them, one file after the other:
    any mix of writers and schema versions of one survey
    (:func:`read_alert_groups`). An alert in several files is kept from the
    first, in the CLI's order (:func:`alert_files`). ``ValueError`` if the
    files mix the two surveys."""
    reads = _ranked_reads(spark, paths)
    alert_id, _ = id_columns(survey_of(reads[0][0]))
    return _first_copies(_union([_feature_rows(df, recompute_lc, ranks) for df, ranks in reads]), alert_id)


def score_files(spark: "SparkSession", model_path: str, *paths: str, strict: bool = False) -> "DataFrame":
    """:func:`score` of alert files and folders as ``fink-vra score`` reads
    them: any mix of writers and schema versions of one survey, each alert
    kept from the first file it is in, in the CLI's order
    (:func:`alert_files`). The model is broadcast once for every group.
    Missing features are logged per file (an error when ``strict``), as by
    :func:`score`."""
    text = spark.sparkContext.broadcast(_model_text(model_path))
    reads = _ranked_reads(spark, paths)
    scored = [_score_rows(df, model_path, text, ranks, strict) for df, ranks in reads]
    return _first_copies(_union(scored), "alert_id")


_MODELS: Dict[str, Model] = {}


def _cached_model(text: str, source: str) -> Model:
    """One checked model per worker process and model text."""
    model = _MODELS.get(text)
    if model is None:
        model = _MODELS[text] = Model.from_json(text, source)
    return model


def p_class1_udf(model_path: str) -> Callable[..., "Column"]:
    """Fink's form: a ``pandas_udf`` returning ``p_class1`` (double) from a
    struct of the model's feature columns (taken by name), for DataFrames
    that already hold features::

        udf = p_class1_udf("model.json")
        names = fink_vra.Model.load("model.json").feature_names
        df = df.withColumn("p_class1", udf(F.struct(*names)))

    The probabilities are :meth:`fink_vra.Model.predict`'s, bit-identical to
    ``fink-vra score``. The model's text travels with the function (once per
    task) and is checked once per worker process."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    text = _model_text(model_path)

    # Real (not string) annotations: Spark reads them to tell the UDF's kind.
    @pandas_udf("double")  # type: ignore[call-overload]
    def p_class1(features: pd.DataFrame) -> pd.Series:
        model = _cached_model(text, model_path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MissingFeaturesWarning)
            probabilities = model.predict(features, name="<spark batch>")
        for warning in caught:
            logging.getLogger(__name__).warning(str(warning.message))
        return pd.Series(probabilities, index=features.index)

    return p_class1


from .stream import read_alerts_stream  # noqa: E402  (it uses the helpers above)

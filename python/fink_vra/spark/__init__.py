"""fink-vra over Apache Spark (3.3 or later): features and scores of a
DataFrame of raw Fink alerts, as ``spark.read.parquet(folder)`` gives it,
computed by the same core as ``fink-vra``, inside Spark's Python workers
through ``mapInArrow`` (Arrow batches straight to the core, no pandas).

- :func:`score` gives ``alert_id, object_id, p_class1`` (``fink-vra score``);
- :func:`features` gives the feature table (``fink-vra features``);
- :func:`p_class1_udf` is Fink's own form: a ``pandas_udf`` from the feature
  columns (as a struct) to ``p_class1``, for pipelines that hold features;
- :func:`read_alerts` reads alert files with only the fields the core uses;
- ``python -m fink_vra.spark score --model M.json --out DIR INPUT...`` reads
  folders or files with Spark and writes the scores as parquet.

The model file travels to the executors once, as a broadcast of its text, and
is checked once per task. Alerts are de-duplicated within each Arrow batch
only (``fink-vra`` does it across every file): Spark has no order across
partitions. Add :data:`FILE_COLUMN` with :func:`with_file_names` and errors
name the file an alert came from.
"""

import logging
import warnings
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional

import pyarrow as pa

from .. import MissingFeaturesWarning, Model, _core, feature_names, id_columns

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = [
    "score",
    "features",
    "p_class1_udf",
    "read_alerts",
    "with_file_names",
    "columns_read",
    "FILE_COLUMN",
    "survey_of",
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
    files must share one layout (read each apart otherwise)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    read_schema = from_arrow_schema(_schema_read(spark.read.parquet(*paths)))
    return with_file_names(spark.read.schema(read_schema).parquet(*paths))


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


def features(df: "DataFrame", *, recompute_lc: bool = False) -> "DataFrame":
    """The feature table of a DataFrame of raw alerts (either survey, any
    layout ``fink-vra features`` reads), one row per alert: the survey's id
    columns and features, bit-identical to ``fink-vra features``. An alert id
    met twice (the same alert in two polls) gives one row, as in the CLI. A
    batch the core cannot read fails the job with
    :class:`fink_vra.AlertFileError`'s message (naming the file when ``df``
    has :data:`FILE_COLUMN`)."""
    file_column = _file_column_of(df)
    alert_id, _ = id_columns(survey_of(df))

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            table, _notes = _core.features_of_table(_one_batch(batch), "<spark batch>", file_column, recompute_lc)
            if table.num_rows:
                yield table

    return _selected(df).mapInArrow(compute, feature_schema(survey_of(df))).dropDuplicates([alert_id])


def _model_text(model_path: str) -> str:
    with open(model_path, encoding="utf-8") as file:
        text = file.read()
    Model.from_json(text, model_path)  # refuse a bad file on the driver, before any task
    return text


def score(df: "DataFrame", model_path: str, *, strict: bool = False) -> "DataFrame":
    """``alert_id, object_id, p_class1`` of a DataFrame of raw alerts, as
    ``fink-vra score`` (ids as in its output: int64 alert ids; ZTF object ids
    as strings, LSST ones as int64), each alert once: an alert id met twice
    (the same alert in two polls) gives one row, as in the CLI. The model file
    is read on the driver, broadcast, and checked once per task; alerts of the
    other survey fail the job with :class:`fink_vra.ModelFileError`'s
    message. A batch (or, with :data:`FILE_COLUMN`, a file's rows in it)
    that lacks a feature the model was trained with is named in a warning of
    the ``fink_vra.spark`` logger, in the executors' log; ``strict=True``
    fails the job with :class:`fink_vra.FeatureTableError`'s message
    instead."""
    spark = df.sparkSession
    text = spark.sparkContext.broadcast(_model_text(model_path))
    survey = Model.from_json(text.value, model_path).survey
    file_column = _file_column_of(df)

    def compute(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = _core.Model.from_json(text.value, model_path)
        for batch in batches:
            table, _notes, missing = model.score_table(
                _one_batch(batch), "<spark batch>", file_column, False, strict
            )
            if missing:
                logging.getLogger(__name__).warning(missing)
            if table.num_rows:
                yield table

    return _selected(df).mapInArrow(compute, score_schema(survey)).dropDuplicates(["alert_id"])


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



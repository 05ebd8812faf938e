"""fink-vra's alert features and model files, from Python.

The same Rust core as the fink-vra page and the ``fink-vra`` command line,
so every value is the one they compute, to the last bit:

- :func:`features` turns Fink alert files (ZTF or Rubin/LSST, any layout the
  CLI reads) or a ``pyarrow`` table of alerts into the VRA's feature table;
- :class:`Model` reads a model file (the page's "Model" download, or
  ``fink-vra train``) and predicts ``p_class1`` from features, or scores
  alerts directly;
- :mod:`fink_vra.spark` does both over Apache Spark DataFrames.

Data crosses between Python and the core as Arrow (the C data interface), and
the core runs with the GIL released, so Python threads run in parallel.
Errors are ``ValueError`` subclasses carrying the core's message:
:class:`AlertFileError`, :class:`ModelFileError`, :class:`FeatureTableError`.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Sequence, Union

import pyarrow as pa

from . import _core
from ._core import AlertFileError, FeatureTableError, InternalError, LabelFileError, ModelFileError

if TYPE_CHECKING:  # pragma: no cover
    import numpy
    import pandas

__all__ = [
    "features",
    "Model",
    "feature_names",
    "id_columns",
    "layout_of",
    "AlertFileError",
    "ModelFileError",
    "FeatureTableError",
    "InternalError",
    "SkippedAlertsWarning",
    "MissingFeaturesWarning",
    "agreement",
    "Agreement",
    "LabelFileError",
    "LabelNotesWarning",
    "__version__",
]

__version__: str = _core.__version__

PathLike = Union[str, "os.PathLike[str]"]
AlertData = Union[PathLike, Sequence[PathLike], pa.Table, pa.RecordBatch, pa.RecordBatchReader]


class SkippedAlertsWarning(UserWarning):
    """Alerts left out of a result: rows without a valid id, coordinates or
    observation of their own, and alert ids read twice (the first copy is
    kept), one line each, as ``fink-vra`` writes them on stderr."""


class MissingFeaturesWarning(UserWarning):
    """Alerts that lack a feature the model was trained with: missing for
    every alert of a file (or table) while training had it, or far more often
    than in training (e.g. ``sep_arcsec``, which only the clean layout has).
    The model still scores them, and ``p_class1`` may move; ``strict=True``
    makes this a :class:`FeatureTableError`. One warning names each file, the
    feature and its share in training."""


def _warn_about(notes: List[str]) -> None:
    if notes:
        warnings.warn("\n".join(notes), SkippedAlertsWarning, stacklevel=3)


def _warn_about_missing(warning: "str | None") -> None:
    if warning:
        warnings.warn(warning, MissingFeaturesWarning, stacklevel=3)


def _as_reader(table: Any, what: str) -> pa.RecordBatchReader:
    """A pyarrow table, batch or reader as a RecordBatchReader (the form the
    core imports, with pyarrow 9 as with the latest)."""
    if isinstance(table, pa.RecordBatchReader):
        return table
    if isinstance(table, pa.Table):
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    if isinstance(table, pa.RecordBatch):
        return pa.RecordBatchReader.from_batches(table.schema, [table])
    raise TypeError(f"{what} must be a pyarrow Table, RecordBatch or RecordBatchReader, not {type(table).__name__}")


def _paths(data: Any) -> Union[List[str], None]:
    """The file paths `data` names, or None when it is not paths."""
    if isinstance(data, (str, os.PathLike)):
        return [os.fspath(data)]
    if isinstance(data, (list, tuple)) and all(isinstance(item, (str, os.PathLike)) for item in data):
        return [os.fspath(item) for item in data]
    return None


def features(
    data: AlertData, *, recompute_lc: bool = False, name: str = "<table>", verbose: bool = False
) -> pa.Table:
    """The VRA's feature table of some Fink alerts, as ``fink-vra features``.

    Parameters
    ----------
    data:
        A path to an alert parquet file, a list of paths, or a
        ``pyarrow.Table`` / ``RecordBatch`` / ``RecordBatchReader`` of alerts
        (as ``pyarrow.parquet.read_table`` gives them), of either survey (ZTF
        or Rubin/LSST) in any layout the CLI reads.
    recompute_lc:
        Ignore the files' Fink light-curve features (``lc_features_*`` or
        ``lc_features``) and recompute them from the light curve, as
        ``fink-vra features --recompute-lc``.
    name:
        What a table is called in error messages (files are named by their path).
    verbose:
        Warn about every duplicate alert id, one line each (as ``fink-vra
        features --verbose``), instead of one summary line.

    Returns
    -------
    pyarrow.Table
        One row per alert, in input order, each alert id once: the survey's
        two id columns (ZTF ``candid`` int64 and ``objectId`` string; LSST
        ``diaSourceId`` and ``diaObjectId``, both int64), then the survey's
        features (:func:`feature_names`) as float64, a missing value as null.
        The values are bit-identical to ``fink-vra features``.

    Raises
    ------
    AlertFileError
        A file cannot be read (its message names it and says why), or the
        alerts mix two surveys. Every file's footer is checked before any row
        is read. Skipped alerts and duplicates (in one summary line) are
        reported as a :class:`SkippedAlertsWarning`, not as errors.
    """
    paths = _paths(data)
    if paths is not None:
        batch, notes = _core.features_of_files(paths, recompute_lc, verbose)
    else:
        batch, notes = _core.features_of_table(_as_reader(data, "data"), name, None, recompute_lc, verbose)
    _warn_about(notes)
    return pa.Table.from_batches([batch], schema=batch.schema)


def feature_names(survey: str) -> List[str]:
    """The feature columns of ``survey`` (``"ztf"`` or ``"lsst"``), in the order
    of the feature table and of the model file's ``feature_names``."""
    return list(_core.feature_names(survey))


def id_columns(survey: str) -> List[str]:
    """The two id columns that start ``survey``'s feature table
    (``candid, objectId`` or ``diaSourceId, diaObjectId``)."""
    return list(_core.id_columns(survey))


def layout_of(path: PathLike) -> Dict[str, str]:
    """The survey (``ztf`` or ``lsst``) and layout of an alert file, read from
    its footer only; :class:`AlertFileError` if it is not a readable Fink
    alert file."""
    survey, layout = _core.layout_of_file(os.fspath(path))
    return {"survey": survey, "layout": layout}


class Model:
    """A fink-vra model file: the page's "Model" download of a round, or the
    output of ``fink-vra train``. Read one with :meth:`Model.load`.

    Attributes
    ----------
    survey: ``"ztf"`` or ``"lsst"``, the alerts it scores.
    feature_names: its input columns, in order.
    target: ``{"name": ..., "classes": {label: 0 or 1}}``.
    """

    __slots__ = ("_model",)

    def __init__(self, model: "_core.Model") -> None:
        self._model = model

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """Reads and checks the model file at ``path`` (JSON, format
        ``fink-vra-model``); :class:`ModelFileError` says what is wrong with
        a file that is not one, is broken or is newer than this package."""
        return cls(_core.Model.load(os.fspath(path)))

    @classmethod
    def from_json(cls, text: str, source: str = "model file") -> "Model":
        """Reads a model file's JSON text (``source`` names it in errors)."""
        return cls(_core.Model.from_json(text, source))

    @property
    def survey(self) -> str:
        return self._model.survey

    @property
    def feature_names(self) -> List[str]:
        return list(self._model.feature_names)

    @property
    def target(self) -> Dict[str, Any]:
        return {"name": self._model.target_name, "classes": dict(self._model.target_classes)}

    def predict(
        self,
        features: Union[pa.Table, pa.RecordBatch, "pandas.DataFrame"],
        *,
        strict: bool = False,
        name: str = "<features>",
    ) -> "numpy.ndarray":
        """P(class 1) of each row of a feature table, as a numpy float64 array.

        ``features`` is a ``pyarrow.Table`` / ``RecordBatch`` or a
        ``pandas.DataFrame`` holding at least the model's
        :attr:`feature_names` (taken by name; other columns are ignored), of
        any numeric type; a null or NaN is a missing value. A 2-D numpy array
        is taken as the columns of :attr:`feature_names`, in that order. The probabilities
        are bit-identical to ``fink-vra score`` on the alerts these features
        came from. :class:`FeatureTableError` names a missing column.

        A feature missing for every row while training had it (or far more
        often than in training) gives a :class:`MissingFeaturesWarning`
        naming it (``name`` names the table), or with ``strict=True`` a
        :class:`FeatureTableError`.
        """
        if _is_numpy_array(features):
            features = _numpy_features(features, self.feature_names)
        elif not isinstance(features, (pa.Table, pa.RecordBatch, pa.RecordBatchReader)):
            features = _pandas_features(features, self.feature_names)
        probabilities, warning = self._model.predict(_as_reader(features, "features"), name, strict)
        _warn_about_missing(warning)
        return probabilities.to_numpy(zero_copy_only=False)

    def score(
        self, data: AlertData, *, name: str = "<table>", verbose: bool = False, strict: bool = False
    ) -> pa.Table:
        """Features then :meth:`predict`, as ``fink-vra score``: for alert files
        (a path or a list) or a pyarrow table of alerts (as :func:`features`
        takes them), a table of ``alert_id`` (int64), ``object_id`` (ZTF
        string, LSST int64) and ``p_class1`` (float64), one row per alert in
        input order. Alerts of the other survey raise :class:`ModelFileError`.
        Skipped alerts and duplicates are warned about as by :func:`features`
        (``verbose`` too); files that lack a feature the model was trained
        with as by :meth:`predict`, once per file (``strict`` too, as
        ``fink-vra score --strict``)."""
        paths = _paths(data)
        if paths is not None:
            batch, notes, warning = self._model.score_files(paths, verbose, strict)
        else:
            batch, notes, warning = self._model.score_table(_as_reader(data, "data"), name, None, verbose, strict)
        _warn_about(notes)
        _warn_about_missing(warning)
        return pa.Table.from_batches([batch], schema=batch.schema)

    def __repr__(self) -> str:
        return repr(self._model)


def _is_numpy_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "ndim")


def _numpy_features(array: Any, names: List[str]) -> pa.Table:
    """A 2-D numpy array as the table of the model's columns, in order."""
    import numpy

    if array.ndim != 2 or array.shape[1] != len(names):
        raise FeatureTableError(
            f"a numpy array of features must be 2-D, one row per alert and one column per "
            f"feature in `Model.feature_names` order ({len(names)} columns: {', '.join(names[:3])}, ...); "
            f"this one has shape {array.shape}"
        )
    try:
        values = numpy.asarray(array, dtype=numpy.float64)
    except (TypeError, ValueError) as error:
        raise FeatureTableError(f"a numpy array of features must hold numbers: {error}") from None
    return pa.table({name: values[:, column] for column, name in enumerate(names)})


def _pandas_features(frame: Any, names: List[str]) -> pa.Table:
    """The model's columns of a pandas DataFrame as a pyarrow table."""
    missing = [name for name in names if name not in getattr(frame, "columns", [])]
    if missing:
        raise FeatureTableError(f"the feature table has no column `{missing[0]}`, which the model takes")
    return pa.Table.from_pandas(frame[names], preserve_index=False)


class Agreement(NamedTuple):
    """A team's numbers from its label files (:func:`agreement`), as
    ``fink-vra agreement --json`` gives them."""

    #: Every vote: ``alert_id`` (int64), ``annotator``, ``label``.
    votes: pa.Table
    #: Per annotator: ``annotator, votes, shared, agreement, accuracy, gold_votes,
    #: gold_accuracy`` (accuracy on alerts someone else marked gold).
    annotators: pa.Table
    #: Per pair: ``a, b, shared, agreement, kappa`` (Cohen's).
    pairs: pa.Table
    #: Per alert: ``alert_id`` (int64, as in :attr:`votes`), ``consensus``,
    #: ``majority``, ``weighted``, ``posterior`` (the JSON's ``labels``).
    alerts: pa.Table
    #: Krippendorff's alpha (nominal) on the labels; None when undefined.
    alpha: Optional[float]
    #: The same on the target's two classes; None without ``target``.
    alpha_target: Optional[float]
    #: ``single, unanimous, majority, contested, adjudicated`` alert counts
    #: (the JSON's ``alerts``).
    counts: Dict[str, int]
    #: Alert ids (strings) whose votes tie.
    contested: List[str]


class LabelNotesWarning(UserWarning):
    """Labels that name no annotator (counted as their JSON export's
    annotator's votes, or else as ``unknown (FILE)``'s), and votes an
    annotator changed (the later label is the vote)."""


def agreement(files: Union[PathLike, Sequence[PathLike]], *, target: Optional[str] = None) -> Agreement:
    """How much a team agrees, from its label files alone, as ``fink-vra
    agreement`` (the same core): each collaborator's JSON export (any
    version) or label CSVs with an ``annotator`` column. Each annotator's
    latest label on an alert is their vote. ``target`` (``gal``, ``real``,
    ``trans`` or a mapping such as ``good=0,galactic=1,pm=1``) adds alpha on
    its two classes. Raises :class:`LabelFileError` for a file that cannot be
    read or files of two surveys; warns (:class:`LabelNotesWarning`) of
    labels without an annotator and of changed votes."""
    paths = _paths(files)
    if paths is None:
        raise TypeError("files must be a path or a list of paths")
    text, votes, notes = _core.agreement_of_files(paths, target)
    if notes:
        warnings.warn("\n".join(notes), LabelNotesWarning, stacklevel=2)
    report = json.loads(text)
    vote_table = pa.table({
        "alert_id": pa.array([alert for alert, _, _ in votes], pa.int64()),
        "annotator": pa.array([who for _, who, _ in votes], pa.string()),
        "label": pa.array([label for _, _, label in votes], pa.string()),
    })

    def table(rows: List[Dict[str, Any]], schema: Dict[str, pa.DataType]) -> pa.Table:
        return pa.table({name: pa.array([row[name] for row in rows], kind) for name, kind in schema.items()})

    text_, count, share = pa.string(), pa.int64(), pa.float64()
    return Agreement(
        votes=vote_table,
        annotators=table(report["annotators"], {"annotator": text_, "votes": count, "shared": count,
                                                "agreement": share, "accuracy": share,
                                                "gold_votes": count, "gold_accuracy": share}),
        pairs=table(report["pairs"], {"a": text_, "b": text_, "shared": count, "agreement": share, "kappa": share}),
        alerts=table([dict(row, alert_id=int(row["alert"])) for row in report["labels"]],
                     {"alert_id": count, "consensus": text_, "majority": text_, "weighted": text_,
                      "posterior": share}),
        alpha=report["alpha"],
        alpha_target=report["alpha_target"],
        counts=report["alerts"],
        contested=report["contested"],
    )

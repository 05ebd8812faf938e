"""The model file a stream scores with, read again at each micro-batch, so
that a new round's export (``mv new.json model.json``) is picked up without
a restart. A replacement that is not a model file, or is one for the other
survey, is refused with a log line and the model in use goes on scoring.
Each model is known by the SHA-256 of its file's bytes, which the stream
writes next to every score (``model_sha256``)."""

import hashlib
from typing import TYPE_CHECKING, Optional, Set, Tuple

from .. import Model, ModelFileError
from .stream import LOG

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import Broadcast
    from pyspark.sql import SparkSession



class ModelWatch:
    """The model in use for one stream of ``survey`` alerts, from ``path``.
    Created with a model that must be valid (:class:`fink_vra.ModelFileError`
    otherwise); afterwards :meth:`for_batch` never fails."""

    def __init__(self, spark: "SparkSession", path: str, survey: str) -> None:
        self.spark = spark
        self.path = path
        self.survey = survey
        self.sha256 = ""
        self.text: Optional["Broadcast[str]"] = None
        self._refused: Set[str] = set()
        data, error = self._read()
        if data is None:
            raise ModelFileError(f"{path}: cannot be read ({error})")
        refusal = self._refusal(data)
        if refusal:
            raise ModelFileError(refusal)
        self._use(data)

    def _read(self) -> Tuple[Optional[bytes], Optional[OSError]]:
        try:
            with open(self.path, "rb") as file:
                return file.read(), None
        except OSError as error:
            return None, error

    def _refusal(self, data: bytes) -> Optional[str]:
        """Why ``data`` cannot score this stream, or None."""
        try:
            model = Model.from_json(data.decode("utf-8"), self.path)
        except (ModelFileError, UnicodeDecodeError) as error:
            return str(error)
        if model.survey != self.survey:
            return (f"{self.path} is a model for {model.survey} alerts, and this stream's alerts are "
                    f"{self.survey}: start another stream (new --checkpoint and --out) for them")
        return None

    def _use(self, data: bytes) -> None:
        previous = self.text
        self.text = self.spark.sparkContext.broadcast(data.decode("utf-8"))
        self.sha256 = hashlib.sha256(data).hexdigest()
        if previous is not None:
            previous.unpersist()

    def short(self) -> str:
        """The model in use, as the log names it: its hash's first 12 digits."""
        return self.sha256[:12]

    def for_batch(self) -> "Broadcast[str]":
        """The model to score the next micro-batch with: the file as it is
        now if it changed and can score this stream, else the one in use."""
        data, error = self._read()
        if data is None:
            LOG.warning("model: %s cannot be read (%s); still scoring with %s", self.path, error, self.short())
            return self.text  # type: ignore[return-value]
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 == self.sha256 or sha256 in self._refused:
            return self.text  # type: ignore[return-value]
        refusal = self._refusal(data)
        if refusal:
            self._refused.add(sha256)
            LOG.warning("model: refused the new %s (%s); still scoring with %s", self.path, refusal, self.short())
        else:
            old = self.short()
            self._use(data)
            LOG.warning("model: now scoring with %s (was %s), from %s", self.short(), old, self.path)
        return self.text  # type: ignore[return-value]

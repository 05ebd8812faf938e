"""Files and folders through Hadoop's ``FileSystem`` (Spark's JVM), so that
the stream's checkpoint and output folders can be local or on HDFS alike:
existence, small text files, listing, delete and the atomic rename that
publishes a micro-batch's output."""

from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


class HadoopFolder:
    """A folder (``/local/path``, ``file:...``, ``hdfs://...``); names
    below it are relative paths with ``/``."""

    def __init__(self, spark: "SparkSession", uri: str) -> None:
        self._jvm: Any = spark._jvm  # type: ignore[attr-defined]
        self.uri = uri.rstrip("/") or "/"
        self._root = self._jvm.org.apache.hadoop.fs.Path(self.uri)
        self._fs = self._root.getFileSystem(spark._jsc.hadoopConfiguration())  # type: ignore[attr-defined]

    def _path(self, name: str = "") -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(self._root, name) if name else self._root

    def qualified(self, name: str = "") -> str:
        """The full URI of ``name`` (``file:/...`` for a local path)."""
        return str(self._fs.makeQualified(self._path(name)).toString())

    def exists(self, name: str = "") -> bool:
        return bool(self._fs.exists(self._path(name)))

    def names(self, name: str = "") -> List[str]:
        """The names in the folder ``name`` (none when it does not exist)."""
        if not self.exists(name):
            return []
        return sorted(str(status.getPath().getName()) for status in self._fs.listStatus(self._path(name)))

    def read_text(self, name: str) -> str:
        stream = self._fs.open(self._path(name))
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def write_text(self, name: str, text: str) -> None:
        """Writes ``name`` whole: to a hidden file first, then renamed."""
        hidden = f".{name}.writing"
        stream = self._fs.create(self._path(hidden), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        self.delete(name)
        self.rename(hidden, name)

    def delete(self, name: str) -> None:
        self._fs.delete(self._path(name), True)

    def rename(self, source: str, target: str) -> None:
        """Moves ``source`` to ``target`` in one step (the parent of
        ``target`` is made first); an error if the file system refuses."""
        self._fs.mkdirs(self._path(target).getParent())
        if not self._fs.rename(self._path(source), self._path(target)):
            raise OSError(f"cannot rename {self.qualified(source)} to {self.qualified(target)}")

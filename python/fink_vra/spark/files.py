"""Which files a Spark read gets: the parquet files named by the inputs in
the order ``fink-vra`` reads them (:func:`alert_files`), and groups of them
that one Spark read can take (:func:`files_by_read_layout`), told from
their footers alone (pyarrow, on the driver).

Mixed folders. One Spark read applies one read schema to every file, so a
folder where ZTF's ``fid`` is int32 in one file and int64 in another
(parquet-mr and pyarrow writers), or where pandas wrote an empty list column
as ``list<null>`` that Spark wrote as a list of structs, fails the job,
though the core reads each file. The core
reads each file by name and type on its own, as the CLI does, so
:func:`fink_vra.spark.score_files` and :func:`fink_vra.spark.features_of_files` read the files' footers
on the driver (pyarrow, footers only), cut each schema down to the fields the
core reads (``_core.schema_read``), and group the files whose cut-down
schemas are the same up to the order of fields (Spark matches fields by
name). Each group is one Spark read with its own read schema, whose rows go
to the core as they are; what is unioned is the *outputs*, whose schema is
fixed (:func:`fink_vra.spark.feature_schema`, :func:`fink_vra.spark.score_schema`). Unioning the inputs
instead would have to cast nested structs to common types and give every
group every layout's columns, which changes what the core sees (it tells a
layout by its columns). An alert id met in several files is kept from the
first file in the CLI's order (inputs as given, folders walked in name
order), as ``fink-vra`` does: copies of an alert in two layouts may differ
(the clean layout has no ``distnr``, so no ``sep_arcsec``). For that, the
workers hand each run of one file in a batch to the core apart and tag its
output rows with the file's rank; a window over the alert id keeps the
lowest rank (the core itself drops an id met twice within one run).
"""

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence
from urllib.parse import unquote, urlparse

import pyarrow as pa

from .. import _core

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URI of a file system other than the local one
    (``hdfs://``, ``s3a://``...): listed by Spark, its footers read through
    ``pyarrow.fs``."""
    scheme = urlparse(path).scheme
    return len(scheme) > 1 and scheme != "file"


def local_path(path: str) -> str:
    """The absolute local path of a path or ``file:`` URI (as Spark's
    ``input_file_name`` gives it, percent-encoded)."""
    if urlparse(path).scheme == "file":
        return unquote(urlparse(path).path)
    return os.path.abspath(path)


def _files_in_folder(folder: str) -> List[str]:
    """The parquet files under ``folder``, in name order, skipping names
    that start with ``_`` or ``.`` as Spark does."""
    found: List[str] = []
    for parent, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(("_", ".")))
        found += [
            os.path.join(parent, name)
            for name in sorted(names)
            if name.endswith(".parquet") and not name.startswith(("_", "."))
        ]
    return found


def alert_files(inputs: Sequence[str], spark: "Optional[SparkSession]" = None) -> List[str]:
    """The parquet files named by ``inputs`` in the order ``fink-vra`` would
    read them given the same files: inputs as given, folders searched
    recursively in name order; each file once, as an absolute path. A URI
    of another file system (``hdfs://...``) is listed by ``spark`` and its
    files sorted by name."""
    found: List[str] = []
    for item in inputs:
        if is_remote(item):
            if spark is None:
                raise ValueError(f"{item} is not a local file or folder: pass a SparkSession to list it")
            found += sorted(spark.read.parquet(item).inputFiles())
        elif os.path.isdir(local_path(item)):
            found += _files_in_folder(local_path(item))
        else:
            found.append(local_path(item))
    return list(dict.fromkeys(found))


def _footer_schema(path: str) -> pa.Schema:
    """The Arrow schema of a parquet file, from its footer only."""
    import pyarrow.parquet as pq

    if not is_remote(path):
        return pq.read_schema(path)
    from pyarrow import fs

    filesystem, inner = fs.FileSystem.from_uri(path)
    with filesystem.open_input_file(inner) as file:
        return pq.read_schema(file)


def _type_text(data_type: pa.DataType) -> str:
    """``data_type`` as text with struct fields in name order: two files
    whose cut-down schemas give the same text are read by one Spark read
    (it matches fields by name). List element names, nullability and types
    are kept, so that any other difference makes two groups."""
    if pa.types.is_struct(data_type):
        fields = [data_type[index] for index in range(data_type.num_fields)]
        return "struct<" + ", ".join(sorted(_field_text(field) for field in fields)) + ">"
    if pa.types.is_map(data_type):
        return f"map<{_field_text(data_type.key_field)}, {_field_text(data_type.item_field)}>"
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type) or pa.types.is_fixed_size_list(data_type):
        return f"{type(data_type).__name__}<{_field_text(data_type.value_field)}>"
    return str(data_type)


def _field_text(field: pa.Field) -> str:
    return f"{field.name}{'' if field.nullable else ' not null'}: {_type_text(field.type)}"


def _read_layout(path: str) -> str:
    """What one Spark read needs to share with ``path``: the types of the
    fields the core reads in it (not the cutouts nor the other columns,
    which Spark never reads)."""
    schema = _core.schema_read(_footer_schema(path))
    return _type_text(pa.struct([schema.field(index) for index in range(len(schema.names))]))


def files_by_read_layout(files: Sequence[str]) -> List[List[str]]:
    """``files`` in groups that one Spark read takes, in the order of each
    group's first file; each group in the order given."""
    groups: Dict[str, List[str]] = {}
    for path in files:
        groups.setdefault(_read_layout(path), []).append(path)
    return list(groups.values())

"""``python -m fink_vra.spark``: score (or compute the features of) folders
of Fink alert files with Apache Spark, and write the result as parquet.

    python -m fink_vra.spark score --model M.json --out OUT_DIR INPUT...
    python -m fink_vra.spark features --out OUT_DIR INPUT...
    python -m fink_vra.spark stream --model M.json --checkpoint CK --out OUT_DIR INPUT_DIR

``stream`` watches a folder and scores the files that land in it
(:mod:`fink_vra.spark.stream_command`). The other two read a fixed set:

INPUT is a parquet file or a folder of them (searched recursively, skipping
names that start with ``_`` or ``.``, as Spark does). Before Spark reads
anything, every file's footer is checked by the core, as ``fink-vra score``
does: a file that is not a readable Fink alert file stops the command with
the core's message naming it (exit 2), or with ``--skip-bad-files`` is left
out and counted. The files may mix writers and schema versions of one
survey, as for the CLI: they are read in groups that one Spark read takes
(:func:`fink_vra.spark.score_files`), and an alert in several files is kept
from the first, in the order above, as the CLI keeps it.

Spark's Python workers run this interpreter (``PYSPARK_PYTHON`` is set to it
unless you set it yourself), so the command works from a virtualenv as is.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

from .. import AlertFileError, Model, ModelFileError, layout_of
from . import alert_files, features_of_files, score_files, stream_command


def readable_files(files: Sequence[str], skip_bad: bool) -> Tuple[Dict[str, str], List[str]]:
    """The survey of each readable file (in order), and the messages of the
    files left out (only with `skip_bad`; otherwise the first bad file
    raises :class:`AlertFileError`)."""
    surveys: Dict[str, str] = {}
    bad: List[str] = []
    for path in files:
        try:
            surveys[path] = layout_of(path)["survey"]
        except AlertFileError as error:
            if not skip_bad:
                raise
            bad.append(str(error))
    return surveys, bad


def spark_session(master: Optional[str]):
    """A Spark session whose Python workers run this interpreter."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("fink-vra").config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run(arguments: argparse.Namespace) -> int:
    if arguments.command == "stream":
        return stream_command.run(arguments, spark_session, _core_message)
    started = time.monotonic()
    try:
        files = alert_files(arguments.inputs)
    except ValueError as error:  # a URI: the command reads local files (the core checks them first)
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not files:
        print("error: no parquet files in the inputs", file=sys.stderr)
        return 2
    model_survey = None
    if arguments.command == "score":
        try:
            model_survey = Model.load(arguments.model).survey
        except ModelFileError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    try:
        readable, bad = readable_files(files, arguments.skip_bad_files)
    except AlertFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for message in bad:
        print(f"skipped: {message}", file=sys.stderr)
    surveys = sorted(set(readable.values()))
    if len(surveys) > 1:
        print(f"error: the files mix two surveys ({', '.join(surveys)}): run once per survey", file=sys.stderr)
        return 2
    if model_survey is not None and surveys and surveys != [model_survey]:
        print(f"error: the model is for {model_survey} alerts, but the files are {surveys[0]} alerts", file=sys.stderr)
        return 2
    if not readable:
        print("error: no readable alert file", file=sys.stderr)
        return 2

    spark = spark_session(arguments.master)
    try:
        if arguments.command == "score":
            result = score_files(spark, arguments.model, *readable, strict=arguments.strict)
        else:
            result = features_of_files(spark, *readable, recompute_lc=arguments.recompute_lc)
        result.write.mode("overwrite" if arguments.overwrite else "errorifexists").parquet(arguments.out)
        written = spark.read.parquet(arguments.out).count()
    except Exception as error:  # Spark's errors carry the worker's traceback: keep the core's message
        print(f"error: {_core_message(error)}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    read = len(readable)
    print(
        f"{arguments.command}: {written} alerts from {read} file(s) in {time.monotonic() - started:.1f} s"
        + (f"; {len(bad)} unreadable file(s) skipped" if bad else "")
        + f" -> {arguments.out}",
        file=sys.stderr,
    )
    return 0


def _core_message(error: Exception) -> str:
    """The line of a Spark error that holds fink-vra's exception, else the whole text."""
    text = str(error)
    for line in text.splitlines():
        for kind in ("AlertFileError", "ModelFileError", "FeatureTableError", "InternalError"):
            if f"{kind}:" in line:
                return line[line.index(kind):].strip()
    return text


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m fink_vra.spark", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest="command", required=True)
    for name, summary in (("score", "alert_id, object_id, p_class1 per alert"), ("features", "the feature table")):
        command = commands.add_parser(name, help=summary)
        if name == "score":
            command.add_argument("--model", required=True, help="the model file (JSON)")
            command.add_argument("--strict", action="store_true",
                                 help="fail when alerts lack a feature the model was trained with "
                                      "(otherwise a warning in the executors' log)")
        else:
            command.add_argument("--recompute-lc", action="store_true",
                                 help="recompute Fink's light-curve features instead of reading them")
        command.add_argument("--out", required=True, help="the output folder (parquet)")
        command.add_argument("--master", help="Spark master URL (default: spark-submit's, or local[*])")
        command.add_argument("--skip-bad-files", action="store_true",
                             help="leave out files that are not readable alert files, and count them")
        command.add_argument("--overwrite", action="store_true", help="replace the output folder")
        command.add_argument("inputs", nargs="+", metavar="INPUT", help="alert files or folders of them")
    stream_command.add_arguments(commands.add_parser(
        "stream", help="score alert files as they land in a folder, exactly once (Structured Streaming)"))
    return main


def main(argv: Optional[Sequence[str]] = None) -> int:
    return run(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

"""Runs the README's shell and Python blocks, so that they cannot rot.

Every ```sh and ```python block of README.md must be marked, on the line
right before its fence, with one of:

    <!-- readme: run -->               run it (Python: --python)
    <!-- readme: run with spark -->    run it with --spark-python
    <!-- readme: not run: REASON -->   leave it, saying why

An unmarked block fails the check, so a new snippet is either run or
explained. The blocks run in order, in one scratch folder that holds what a
user would have at hand: ``polls/`` (real ZTF alert files from
tests/fixtures), ``older/`` (ZTF files in the finkvra clean layout),
``labeled.csv`` (30 of their alerts labelled gal and
extragal in turn, the researcher's columns), and the researcher's labelled
table for ``replay`` (``X.csv``, ``y.csv``, ``Xv.csv``, ``yv.csv``). A later
block may use what an earlier one wrote (``model.json``). ``fink-vra`` is
the CLI given, first on the PATH; shell blocks run with ``bash -euo
pipefail``. Stdlib only.

usage: python3 tests/readme/check_readme.py --cli target/debug/fink-vra \\
           --python PYTHON [--spark-python PYTHON] [--readme README.md]
"""

import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
POLLS = ["raw/ztf_hostless_72alerts.parquet", "raw/ztf_schema402_10alerts.parquet"]
# Older polls in the finkvra clean layout, another writer and schema.
OLDER = ["clean/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
         "clean/20250602_100102_alerts_ztf_schema402_10alerts.parquet"]
REPLAY_TABLES = {
    "X.csv": "labelled/atlas_vra_dayN_X_train.csv",
    "y.csv": "labelled/atlas_vra_dayN_y_train.csv",
    "Xv.csv": "labelled/atlas_vra_dayN_X_val.csv",
    "yv.csv": "labelled/atlas_vra_dayN_y_val.csv",
}
MARK = re.compile(r"^\s*<!-- readme: (run|run with spark|not run: .+) -->$")
FENCE = re.compile(r"^\s*```(\w*)\s*$")
# Blocks that are code a reader may type: each must be marked.
RUNNABLE = {"sh": "sh", "bash": "sh", "shell": "sh", "console": "sh", "python": "python", "py": "python"}


class Block:
    def __init__(self, line, language, marking, text):
        self.line, self.language, self.marking, self.text = line, language, marking, text

    def __str__(self):
        return f"README.md line {self.line} ({self.language})"


def blocks_of(readme):
    """The README's fenced blocks, each with its marking (None when unmarked)."""
    lines = readme.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start, language = index, fence.group(1)
        index += 1
        body = []
        while index < len(lines) and not lines[index].lstrip().startswith("```"):
            body.append(lines[index])
            index += 1
        index += 1
        mark = MARK.match(lines[start - 1]) if start > 0 else None
        indent = len(lines[start]) - len(lines[start].lstrip())
        text = "\n".join(line[indent:] if line[:indent].isspace() else line for line in body) + "\n"
        blocks.append(Block(start + 1, RUNNABLE.get(language, language), mark.group(1) if mark else None, text))
    return blocks


def tools_folder(folder, name, commands):
    """A folder to put first on the PATH, where each of `commands` (name ->
    program) runs its program: a script that execs it, not a symlink, so
    that a virtualenv's Python still finds its virtualenv."""
    tools = os.path.join(folder, name)
    os.makedirs(tools)
    for command, program in commands.items():
        if program:
            path = os.path.join(tools, command)
            with open(path, "w") as script:
                script.write(f'#!/bin/sh\nexec "{os.path.abspath(program)}" "$@"\n')
            os.chmod(path, 0o755)
    return tools


def prepare(folder, cli):
    """What a user has at hand: alert files, a labeled.csv, a labelled table."""
    os.makedirs(os.path.join(folder, "polls"))
    for name in POLLS:
        shutil.copy(os.path.join(FIXTURES, name), os.path.join(folder, "polls", os.path.basename(name)))
    os.makedirs(os.path.join(folder, "older"))
    for name in OLDER:
        shutil.copy(os.path.join(FIXTURES, name), os.path.join(folder, "older", os.path.basename(name)))
    for target, source in REPLAY_TABLES.items():
        shutil.copy(os.path.join(FIXTURES, source), os.path.join(folder, target))
    features = subprocess.run([cli, "features", *[os.path.join(folder, "polls", os.path.basename(n)) for n in POLLS]],
                              check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(features)))[1:31]
    with open(os.path.join(folder, "labeled.csv"), "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["candid", "objectId", "label", "timestamp"])
        for index, row in enumerate(rows):
            writer.writerow([row[0], row[1], ["gal", "extragal"][index % 2], "2026-12-06T10:00:00Z"])


def run(block, folder, environment, python, spark_python):
    spark = block.marking == "run with spark"
    if spark and not spark_python:
        return f"{block}: needs --spark-python"
    environment = dict(environment, PATH=(environment["SPARK_PATH"] if spark else environment["PATH"]))
    if spark:  # Spark's Python workers run the block's Python too
        environment["PYSPARK_PYTHON"] = os.path.abspath(spark_python)
    if block.language == "sh":
        command = ["bash", "-euo", "pipefail", "-c", block.text]
    elif block.language == "python":
        command = [spark_python if spark else python, "-c", block.text]
    else:
        return f"{block}: only sh and python blocks can be run"
    started = time.monotonic()
    done = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True)
    print(f"readme: {block}: exit {done.returncode} in {time.monotonic() - started:.1f} s")
    if done.returncode != 0:
        return f"{block} failed (exit {done.returncode}):\n{block.text}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="the fink-vra binary")
    parser.add_argument("--python", required=True, help="a Python with fink_vra, numpy, pandas, onnxruntime")
    parser.add_argument("--spark-python", help="a Python with fink_vra and pyspark")
    parser.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    arguments = parser.parse_args(argv)
    with open(arguments.readme, encoding="utf-8") as file:
        blocks = [block for block in blocks_of(file.read()) if block.language in ("sh", "python")]
    # (```json, ```text and the like are data, not commands: never run.)
    problems = [f"{block}: not marked (<!-- readme: run --> or <!-- readme: not run: why -->)"
                for block in blocks if block.marking is None]
    to_run = [block for block in blocks if block.marking and block.marking.startswith("run")]
    if not to_run:
        problems.append("no README block is marked to run")
    with tempfile.TemporaryDirectory(prefix="fink-vra-readme-") as folder:
        prepare(folder, arguments.cli)
        # `fink-vra` and `python` as a user's shell finds them: the CLI given,
        # and the Python of the block's kind.
        tools = tools_folder(folder, ".tools", {"fink-vra": arguments.cli, "python": arguments.python})
        spark_tools = tools_folder(folder, ".spark-tools",
                                   {"fink-vra": arguments.cli, "python": arguments.spark_python})
        path = os.environ.get("PATH", "")
        environment = dict(os.environ, PATH=tools + os.pathsep + path,
                           SPARK_PATH=spark_tools + os.pathsep + path, SPARK_LOCAL_IP="127.0.0.1")
        for block in to_run:
            problem = run(block, folder, environment, arguments.python, arguments.spark_python)
            if problem:
                problems.append(problem)
                break  # later blocks may need what this one should have written
    for problem in problems:
        print(f"readme: {problem}", file=sys.stderr)
    print(f"readme: {len(to_run)} blocks run, {len(blocks) - len(to_run)} not run (marked why)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

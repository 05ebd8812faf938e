#!/usr/bin/env bash
# fink-vra over Apache Spark (local[2]) against the CLI, and the Python API
# against the CLI, on N generated alerts of each survey (default 100000):
# builds the CLI (`cli` profile) and the optimised wheel (scripts/wheel),
# installs the wheel into the Spark test virtualenv and runs bench/spark.py.
# With --stream: the live stream (`python -m fink_vra.spark stream`) against
# the batch command on N generated ZTF alerts, and the time from a file
# landing to its scores at a 1 s trigger (bench/spark_stream.py) instead.
# One run; figures in bench/SPARK.md. Not part of CI.
#
# usage: bench/spark.sh [--stream] [ALERTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
script=bench/spark.py
if [ "${1:-}" = "--stream" ]; then
    script=bench/spark_stream.py
    shift
fi
ensure_python_package_tests
cargo build --profile cli --locked --quiet --bin fink-vra
scripts/wheel
"$PYENV_SPARK/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/fink_vra-*.whl
"$PYENV_SPARK/bin/python" "$script" --cli target/cli/fink-vra --alerts "${1:-100000}"

#!/usr/bin/env bash
# fink-vra over Apache Spark (local[2]) against the CLI, and the Python API
# against the CLI, on N generated alerts of each survey (default 100000):
# builds the CLI (`cli` profile) and the optimised wheel (scripts/wheel),
# installs the wheel into the Spark test virtualenv and runs bench/spark.py.
# One run; figures in bench/SPARK.md. Not part of CI.
#
# usage: bench/spark.sh [ALERTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_python_package_tests
cargo build --profile cli --locked --quiet --bin fink-vra
scripts/wheel
"$PYENV_SPARK/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/fink_vra-*.whl
"$PYENV_SPARK/bin/python" bench/spark.py --cli target/cli/fink-vra --alerts "${1:-100000}"

"""Scores alerts with an exported ONNX model in onnxruntime and compares the
probabilities with the CLI's, to 1e-6. Used by tests/model_file.rs.

usage: onnx_check.py MODEL.json MODEL.onnx FEATURES.csv SCORES.csv

FEATURES.csv is `fink-vra features` output (empty cell = missing);
SCORES.csv is `fink-vra score` output. The model's feature_names (from the
model file) choose and order the ONNX input's columns. Prints one line:
the onnxruntime version, the rows compared and the largest difference.
"""

import csv
import json
import sys

import numpy as np
import onnxruntime

TOLERANCE = 1e-6


def main(model_json, model_onnx, features_csv, scores_csv):
    with open(model_json) as handle:
        names = json.load(handle)["feature_names"]
    with open(features_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(scores_csv, newline="") as handle:
        expected = {row["alert_id"]: float(row["p_class1"]) for row in csv.DictReader(handle)}
    id_column = "candid" if "candid" in rows[0] else "diaSourceId"
    matrix = np.array(
        [[float(row[name]) if row[name] != "" else np.nan for name in names] for row in rows],
        dtype=np.float32,
    )
    session = onnxruntime.InferenceSession(model_onnx, providers=["CPUExecutionProvider"])
    (output,) = session.run(["p_class1"], {"features": matrix})
    got = output.reshape(-1)
    want = np.array([expected[row[id_column]] for row in rows])
    worst = float(np.max(np.abs(got - want))) if len(rows) else 0.0
    print(f"onnxruntime {onnxruntime.__version__}: {len(rows)} rows, largest difference {worst:.3g}")
    if not worst <= TOLERANCE:
        sys.exit(f"ONNX probabilities differ from the CLI's by {worst} (> {TOLERANCE})")


if __name__ == "__main__":
    main(*sys.argv[1:])

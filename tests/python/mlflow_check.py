"""Reads back, with MLflow's own Python client, the rounds the page logged
(tests/e2e/mlflow.test.mjs) and checks them; prints a JSON summary.

usage: mlflow_check.py TRACKING_URI EXPECTED.json

EXPECTED.json: {"experiment": name, "features_csv": `fink-vra features`
output, "rounds": [{"round": n, "n_labels": k, "model_json": the page's
model file export, "scores": `fink-vra score` output with it, "files":
{artifact path: local file with the bytes it must have}}]}. For each round: one FINISHED run named "round n" with the
survey/model/strategy/annotator/tool tags, its parameters, its metrics at
step n, every artifact byte for byte, and the logged MLflow model loaded with
mlflow.pyfunc.load_model predicting as the CLI scores, to 1e-6; the last
round's model also served by `mlflow models serve` and asked over HTTP.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import mlflow
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

TOLERANCE = 1e-6


def fail(message):
    sys.exit(message)


def main(tracking_uri, expected_path):
    with open(expected_path) as handle:
        expected = json.load(handle)
    mlflow.set_tracking_uri(tracking_uri)
    client = MlflowClient(tracking_uri)
    experiment = client.get_experiment_by_name(expected["experiment"])
    if experiment is None:
        fail(f"no experiment named {expected['experiment']}")
    runs = client.search_runs([experiment.experiment_id])
    by_name = {run.info.run_name: run for run in runs}
    with open(expected["features_csv"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    summary = {"runs": []}
    for wanted in expected["rounds"]:
        name = f"round {wanted['round']}"
        run = by_name.get(name)
        if run is None:
            fail(f"no run named {name!r} (runs: {sorted(by_name)})")
        if run.info.status != "FINISHED":
            fail(f"{name} is {run.info.status}, not FINISHED")
        tags = run.data.tags
        for tag in ["survey", "model_type", "classifier", "strategy", "annotator", "tool_version"]:
            if not tags.get(tag):
                fail(f"{name}: tag {tag} missing ({tags})")
        params = run.data.params
        if params.get("n_labels") != str(wanted["n_labels"]) or "seed" not in params or "classifier" not in params:
            fail(f"{name}: parameters {params}")
        history = client.get_metric_history(run.info.run_id, "n_labels")
        if [(m.step, m.value) for m in history] != [(wanted["round"], float(wanted["n_labels"]))]:
            fail(f"{name}: n_labels history {[(m.step, m.value) for m in history]}")
        if "cv_roc_auc" not in run.data.metrics:
            fail(f"{name}: metrics {sorted(run.data.metrics)}")
        with tempfile.TemporaryDirectory() as folder:
            for path, local in wanted["files"].items():
                downloaded = client.download_artifacts(run.info.run_id, path, folder)
                with open(downloaded, "rb") as got, open(local, "rb") as want:
                    if got.read() != want.read():
                        fail(f"{name}: artifact {path} differs from {local}")
        model = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
        with open(wanted["model_json"]) as handle:
            names = json.load(handle)["feature_names"]
        frame = pd.DataFrame(
            [[float(row[n]) if row[n] != "" else np.nan for n in names] for row in rows],
            columns=names,
        ).astype(np.float32)
        predicted = model.predict(frame)
        values = np.asarray(predicted["p_class1"] if isinstance(predicted, (dict, pd.DataFrame)) else predicted)
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        with open(wanted["scores"], newline="") as handle:
            scores = {r["alert_id"]: float(r["p_class1"]) for r in csv.DictReader(handle)}
        id_column = "candid" if "candid" in rows[0] else "diaSourceId"
        want = np.array([scores[row[id_column]] for row in rows])
        worst = float(np.max(np.abs(values - want)))
        if not worst <= TOLERANCE:
            fail(f"{name}: pyfunc predictions differ from the CLI's by {worst}")
        served = serve_and_predict(tracking_uri, run.info.run_id, frame) if wanted is expected["rounds"][-1] else None
        if served is not None:
            worst_served = float(np.max(np.abs(np.asarray(served, dtype=np.float64).reshape(-1) - want)))
            if not worst_served <= TOLERANCE:
                fail(f"{name}: `mlflow models serve` differs from the CLI by {worst_served}")
            summary["served_largest_difference"] = worst_served
        summary["runs"].append(
            {"name": name, "run_id": run.info.run_id, "params": len(params), "metrics": len(run.data.metrics),
             "artifacts": len(wanted["files"]), "largest_difference": worst}
        )
    print(json.dumps(summary))


def serve_and_predict(tracking_uri, run_id, frame):
    """Serves the run's model with `mlflow models serve` (this virtualenv,
    127.0.0.1, a free port), posts the frame to /invocations, stops it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The scoring server is started as `uvicorn`, found on PATH: this virtualenv's.
    bin_dir = os.path.dirname(sys.executable)
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", f"runs:/{run_id}/model",
         "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "MLFLOW_TRACKING_URI": tracking_uri,
             "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    fail("mlflow models serve did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.5)
        body = json.dumps({"dataframe_split": {"columns": list(frame.columns),
                                                "data": frame.astype(float).values.tolist()}})
        request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            predictions = json.load(answer)["predictions"]
        return [row["p_class1"] if isinstance(row, dict) else row for row in predictions]
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        server.wait(timeout=30)


if __name__ == "__main__":
    main(*sys.argv[1:])

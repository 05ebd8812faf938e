"""Oracle tests of `fink-vra agreement --json`: on generated vote tables
(3 to 10 annotators with their own accuracies, missing votes, 2 to 6 labels,
50 to 5,000 alerts), written as one label CSV per annotator, the CLI's
numbers equal the reference libraries' from PyPI:

- Cohen's kappa per pair: scikit-learn's `cohen_kappa_score`, to 1e-12;
- Krippendorff's alpha (nominal, missing votes): `krippendorff.alpha`, to 1e-9;
- one-coin Dawid-Skene accuracies and posteriors: crowd-kit's
  `OneCoinDawidSkene` (its defaults: 100 iterations, tolerance 1e-5), to 1e-6;
- majority labels: crowd-kit's `MajorityVote`, wherever there is no tie.

Run by scripts/test in target/pyenv/team (tests/python/requirements-team.txt),
with FINK_VRA_CLI naming the CLI.
"""

import csv
import json
import math
import os
import string
import subprocess

import krippendorff
import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import MajorityVote, OneCoinDawidSkene
from sklearn.metrics import cohen_kappa_score

VOCABULARY = ["real", "extragal", "gal", "agn", "bogus", "varstar"]
# (seed, annotators, labels, alerts)
CASES = [(1, 3, 2, 50), (2, 5, 3, 400), (3, 10, 6, 1000), (4, 4, 4, 5000), (5, 7, 2, 200)]


def object_id(index):
    letters = "".join(string.ascii_lowercase[(index // 26 ** power) % 26] for power in range(7))
    return f"ZTF21{letters}"


def generate(seed, annotators, labels, alerts):
    """Votes as (alert index, annotator, label): a true label per alert, an
    accuracy per annotator, each annotator voting on a share of the alerts."""
    rng = np.random.default_rng(seed)
    vocabulary = VOCABULARY[:labels]
    truth = rng.integers(0, labels, alerts)
    accuracy = rng.uniform(0.45, 0.95, annotators)
    presence = rng.uniform(0.3, 0.9, annotators)
    votes = []
    for alert in range(alerts):
        voters = [who for who in range(annotators) if rng.random() < presence[who]] or [int(rng.integers(annotators))]
        for who in voters:
            label = truth[alert] if rng.random() < accuracy[who] else rng.integers(0, labels)
            votes.append((alert, f"annotator{who}", vocabulary[label]))
    return votes


def write_files(votes, folder):
    by_annotator = {}
    for alert, who, label in votes:
        by_annotator.setdefault(who, []).append((alert, label))
    paths = []
    for who, rows in sorted(by_annotator.items()):
        path = os.path.join(folder, f"{who}.csv")
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["candid", "objectId", "label", "timestamp", "annotator"])
            for alert, label in rows:
                writer.writerow([10**18 + alert, object_id(alert), label, "2026-12-06T10:00:00Z", who])
        paths.append(path)
    return paths


def agreement(paths):
    done = subprocess.run([os.environ["FINK_VRA_CLI"], "agreement", "--json", *paths],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=CASES, ids=lambda case: "seed{}-{}annotators-{}labels-{}alerts".format(*case))
def case(request, tmp_path_factory):
    seed, annotators, labels, alerts = request.param
    votes = generate(seed, annotators, labels, alerts)
    report = agreement(write_files(votes, str(tmp_path_factory.mktemp(f"votes{seed}"))))
    frame = pd.DataFrame([(str(10**18 + alert), who, label) for alert, who, label in votes],
                         columns=["task", "worker", "label"])
    return frame, report


def test_cohen_kappa_of_every_pair_is_scikit_learns(case):
    frame, report = case
    table = frame.pivot(index="task", columns="worker", values="label")
    assert report["pairs"], "pairs measured"
    for pair in report["pairs"]:
        both = table[[pair["a"], pair["b"]]].dropna()
        assert pair["shared"] == len(both)
        if len(both) == 0:
            assert pair["kappa"] is None
            continue
        with np.errstate(all="ignore"):
            expected = cohen_kappa_score(both[pair["a"]], both[pair["b"]])
        if math.isnan(expected):
            assert pair["kappa"] is None
        else:
            assert pair["kappa"] == pytest.approx(expected, abs=1e-12)
        assert pair["agreement"] == pytest.approx((both[pair["a"]] == both[pair["b"]]).mean(), abs=1e-12)


def test_krippendorff_alpha_is_the_krippendorff_packages(case):
    frame, report = case
    codes = {label: code for code, label in enumerate(sorted(frame["label"].unique()))}
    table = frame.assign(code=frame["label"].map(codes)).pivot(index="worker", columns="task", values="code")
    expected = krippendorff.alpha(reliability_data=table.to_numpy(dtype=float), level_of_measurement="nominal")
    assert report["alpha"] == pytest.approx(expected, abs=1e-9)


def test_one_coin_dawid_skene_is_crowd_kits(case):
    frame, report = case
    model = OneCoinDawidSkene(n_iter=100, tol=1e-5).fit(frame)
    accuracy = {row["annotator"]: row["accuracy"] for row in report["annotators"]}
    for worker, skill in model.skills_.items():
        assert accuracy[worker] == pytest.approx(skill, abs=1e-6), worker
    posterior = {row["alert"]: (row["weighted"], row["posterior"]) for row in report["labels"]}
    for task, probabilities in model.probas_.iterrows():
        label, probability = posterior[task]
        assert probability == pytest.approx(probabilities.max(), abs=1e-6), task
        if (probabilities >= probabilities.max() - 1e-9).sum() == 1:
            assert label == probabilities.idxmax(), task


def test_majority_labels_are_crowd_kits_wherever_there_is_no_tie(case):
    frame, report = case
    expected = MajorityVote().fit_predict(frame)
    counts = frame.groupby(["task", "label"]).size().unstack(fill_value=0)
    tied = counts.eq(counts.max(axis=1), axis=0).sum(axis=1) > 1
    rows = {row["alert"]: row for row in report["labels"]}
    assert sorted(report["contested"]) == sorted(tied[tied].index)
    for task, label in expected.items():
        if not tied[task]:
            assert rows[task]["majority"] == label, task
        else:
            assert rows[task]["majority"] is None and rows[task]["consensus"] == "contested"

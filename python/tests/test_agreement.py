"""`fink_vra.agreement` against `fink-vra agreement --json`: the same
numbers from the same label files, as pyarrow tables; every vote in a
table; its notes and errors."""

import csv
import json
import os
import warnings

import pyarrow as pa
import pytest

import fink_vra
from conftest import run_cli

T = "2026-12-06T10:00:00Z"


def label_csv(folder, name, rows):
    path = os.path.join(folder, name)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["candid", "objectId", "label", "timestamp", "annotator"])
        for candid, label, timestamp, annotator in rows:
            writer.writerow([candid, "ZTF21aaaaaaa", label, timestamp, annotator])
    return path


@pytest.fixture
def team(tmp_path):
    folder = str(tmp_path)
    return [
        label_csv(folder, "ana.csv", [(1, "gal", T, "ana"), (2, "gal", T, "ana"), (3, "agn", T, "ana")]),
        label_csv(folder, "bo.csv", [(1, "gal", T, "bo"), (2, "extragal", T, "bo"), (3, "agn", T, "bo")]),
        label_csv(folder, "cy.csv", [(1, "varstar", T, "cy"), (2, "extragal", T, "cy")]),
    ]


def test_agreement_gives_the_clis_numbers_as_tables(team):
    stdout, _, _ = run_cli("agreement", "--json", "--target", "gal", *team)
    expected = json.loads(stdout)
    found = fink_vra.agreement(team, target="gal")
    assert found.annotators.to_pylist() == expected["annotators"]
    assert found.pairs.to_pylist() == expected["pairs"]
    assert found.alerts.to_pylist() == [
        {"alert_id": int(row.pop("alert")), **row} for row in expected["labels"]
    ]
    assert found.alerts.schema.field("alert_id").type == pa.int64()
    assert (found.alpha, found.alpha_target) == (expected["alpha"], expected["alpha_target"])
    assert found.counts == expected["alerts"] and found.contested == expected["contested"]
    assert found.votes.schema.field("alert_id").type == pa.int64()
    assert found.votes.num_rows == 8
    assert found.pairs.schema.field("kappa").type == pa.float64()


def test_labels_without_an_annotator_are_unknowns_votes_with_a_warning(team, tmp_path):
    anonymous = os.path.join(str(tmp_path), "labeled.csv")
    with open(anonymous, "w") as out:
        out.write(f"candid,objectId,label,timestamp\n1,ZTF21aaaaaaa,gal,{T}\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = fink_vra.agreement([*team, anonymous])
    said = [str(w.message) for w in caught if issubclass(w.category, fink_vra.LabelNotesWarning)]
    assert said and "1 label(s) name no annotator, and neither does the file: they count as `unknown (labeled.csv)`'s" in said[0]
    assert "unknown (labeled.csv)" in found.annotators.column("annotator").to_pylist()


def test_a_bad_label_file_is_a_label_file_error(tmp_path):
    bad = os.path.join(str(tmp_path), "bad.csv")
    with open(bad, "w") as out:
        out.write(f"candid,objectId,label,timestamp,annotator\n1,ZTF21aaaaaaa,galaxy,{T},ana\n")
    with pytest.raises(fink_vra.LabelFileError, match="bad.csv"):
        fink_vra.agreement(bad)
    with pytest.raises(fink_vra.LabelFileError, match="no_such.json"):
        fink_vra.agreement(os.path.join(str(tmp_path), "no_such.json"))

"""No silent missing features: a model trained on clean-layout files (which
have ``sep_arcsec``) scoring raw Fink files (where it is missing for every
alert) warns, naming the file, the feature and its training share, once per
file, as ``fink-vra score`` does on stderr; ``strict=True`` raises."""

import glob
import os
import warnings

import pyarrow.parquet as pq
import pytest

import fink_vra
from conftest import FIXTURES, run_cli, train_model

CLEAN = sorted(glob.glob(os.path.join(FIXTURES, "clean", "*hostless*.parquet")))
RAW = os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet")


@pytest.fixture(scope="module")
def clean_model(tmp_path_factory):
    return train_model("ztf", CLEAN, "extra-trees", str(tmp_path_factory.mktemp("clean")))


def missing_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, fink_vra.MissingFeaturesWarning)]


def test_scoring_raw_files_with_a_clean_layout_model_warns_of_sep_arcsec_like_the_cli(clean_model):
    model = fink_vra.Model.load(clean_model)
    scored, said = missing_warnings(lambda: model.score([RAW, CLEAN[0]]))
    assert scored.num_rows > 0
    assert len(said) == 1, said
    _, stderr, _ = run_cli("score", "--model", clean_model, RAW, CLEAN[0])
    cli_lines = [line.strip() for line in stderr.splitlines() if line.startswith("  ")]
    assert cli_lines == [f"{RAW}: `sep_arcsec` missing for all 72 alerts, 0 % in training"]
    assert said[0].endswith("\n  " + cli_lines[0])
    assert "strict mode makes this an error: strict=True, or --strict" in said[0]
    _, said_for_table = missing_warnings(lambda: model.score(pq.read_table(RAW), name="raw poll"))
    assert "raw poll: `sep_arcsec` missing for all 72 alerts" in said_for_table[0]


def test_strict_makes_a_missing_feature_an_error_in_score_and_predict(clean_model):
    model = fink_vra.Model.load(clean_model)
    with pytest.raises(fink_vra.FeatureTableError, match="strict mode refuses alerts that lack features"):
        model.score(RAW, strict=True)
    features = fink_vra.features(RAW)
    _, said = missing_warnings(lambda: model.predict(features))
    assert "<features>: `sep_arcsec` missing for all 72 alerts, 0 % in training" in said[0]
    with pytest.raises(fink_vra.FeatureTableError, match="sep_arcsec"):
        model.predict(features.to_pandas(), strict=True)
    _, none = missing_warnings(lambda: model.score(CLEAN[0], strict=True))
    assert none == []

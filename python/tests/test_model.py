"""`fink_vra.Model` against `fink-vra score`, bit for bit: `predict` on the
feature table (pyarrow and pandas) and `score` on alerts, for every
classifier and both surveys; and its errors."""

import os
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import fink_vra
from conftest import (CLASSIFIERS, LSST_FILES, ROOT, ZTF_FILES, assert_matches_cli, bits, cli_error,
                      cli_table)

FILES = {"ztf": ZTF_FILES, "lsst": LSST_FILES}
CASES = [(survey, classifier) for survey in FILES for classifier in CLASSIFIERS]


def case_id(case):
    return "-".join(case)


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fink_vra.SkippedAlertsWarning)
        yield


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_score_is_the_clis_on_every_fixture(models, case):
    model_path = models[case]
    model = fink_vra.Model.load(model_path)
    assert model.survey == case[0]
    for path in FILES[case[0]]:
        header, rows = cli_table("score", "--model", model_path, path)
        assert_matches_cli(model.score(path), header, rows)
        assert_matches_cli(model.score(pq.read_table(path)), header, rows)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_predict_on_features_is_the_clis_from_pyarrow_and_pandas(models, case):
    model_path = models[case]
    model = fink_vra.Model.load(model_path)
    files = FILES[case[0]]
    _, rows = cli_table("score", "--model", model_path, *files)
    expected = [bits(float(row[2])) for row in rows]
    features = fink_vra.features(files)
    predicted = model.predict(features)
    assert predicted.dtype.name == "float64"
    assert [bits(value) for value in predicted] == expected
    assert [bits(value) for value in model.predict(features.to_pandas())] == expected
    # Columns are taken by name: reordered and with extra columns, the same.
    shuffled = features.select(list(reversed(features.column_names)))
    assert [bits(value) for value in model.predict(shuffled)] == expected


def test_the_model_file_is_described(models):
    model = fink_vra.Model.load(models[("ztf", "extra-trees")])
    assert model.feature_names == fink_vra.feature_names("ztf")
    assert model.target["name"] == "gal" and model.target["classes"]["gal"] == 1
    assert "ztf" in repr(model)
    with open(models[("lsst", "gradient-boosting")]) as file:
        assert fink_vra.Model.from_json(file.read()).survey == "lsst"


def test_a_bad_model_file_raises_the_cores_message(tmp_path):
    not_json = os.path.join(ROOT, "README.md")
    with pytest.raises(fink_vra.ModelFileError) as raised:
        fink_vra.Model.load(not_json)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == cli_error("score", "--model", not_json, ZTF_FILES[0])
    with pytest.raises(fink_vra.ModelFileError, match="cannot read"):
        fink_vra.Model.load(tmp_path / "missing.json")
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "fink-vra-model", "version": 99}')
    with pytest.raises(fink_vra.ModelFileError, match="update fink-vra"):
        fink_vra.Model.load(newer)


def test_alerts_of_the_other_survey_are_refused(models):
    model = fink_vra.Model.load(models[("ztf", "extra-trees")])
    with pytest.raises(fink_vra.ModelFileError, match="the model is for ZTF alerts"):
        model.score(LSST_FILES[-1])


def test_a_feature_table_without_a_models_column_names_it(models):
    model = fink_vra.Model.load(models[("ztf", "logistic-regression")])
    features = fink_vra.features(ZTF_FILES[0]).drop(["ebv"])
    with pytest.raises(fink_vra.FeatureTableError, match="`ebv`"):
        model.predict(features)
    with pytest.raises(fink_vra.FeatureTableError, match="`ebv`"):
        model.predict(features.to_pandas())
    with pytest.raises(fink_vra.FeatureTableError, match="expected numbers"):
        model.predict(pa.table({name: pa.array(["x"]) for name in model.feature_names}))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_predict_takes_a_numpy_array_in_feature_names_order_instead_of_asking_for_ra(models, case):
    model = fink_vra.Model.load(models[case])
    features = fink_vra.features(FILES[case[0]][0])
    array = features.select(model.feature_names).to_pandas().to_numpy(dtype="float64")
    expected = [bits(value) for value in model.predict(features)]
    assert [bits(value) for value in model.predict(array)] == expected


def test_a_numpy_array_of_the_wrong_shape_says_what_predict_needs(models):
    import numpy

    model = fink_vra.Model.load(models[("ztf", "extra-trees")])
    columns = len(model.feature_names)
    with pytest.raises(fink_vra.FeatureTableError, match=f"one column per feature in `Model.feature_names` order \\({columns} columns: ra, dec"):
        model.predict(numpy.zeros((3, columns + 2)))
    with pytest.raises(fink_vra.FeatureTableError, match="shape \\(4,\\)"):
        model.predict(numpy.zeros(4))

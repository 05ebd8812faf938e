"""`fink_vra.features` against `fink-vra features`, bit for bit, on every
fixture layout of both surveys (as paths and as pyarrow tables), and its
errors: the core's messages, as Python exceptions."""

import os
import pydoc
import threading
import time
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import fink_vra
from conftest import (ALERT_FILES, FIXTURES, LSST_FILES, ROOT, ZTF_FILES, assert_matches_cli, cli_error,
                      cli_table, run_cli)


def name_of(path):
    return os.path.relpath(path, ROOT)


@pytest.mark.parametrize("path", ALERT_FILES, ids=name_of)
def test_features_of_a_file_are_the_clis(path):
    header, rows = cli_table("features", path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fink_vra.SkippedAlertsWarning)
        assert_matches_cli(fink_vra.features(path), header, rows)


@pytest.mark.parametrize("path", ALERT_FILES, ids=name_of)
def test_features_of_a_pyarrow_table_are_the_clis(path):
    header, rows = cli_table("features", path)
    table = pq.read_table(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fink_vra.SkippedAlertsWarning)
        assert_matches_cli(fink_vra.features(table, name=path), header, rows)
        batches = table.to_batches()
        if len(batches) == 1:
            assert_matches_cli(fink_vra.features(batches[0]), header, rows)


@pytest.mark.parametrize("path", [ZTF_FILES[0], LSST_FILES[-1]], ids=name_of)
def test_recomputed_light_curve_features_are_the_clis(path):
    header, rows = cli_table("features", "--recompute-lc", path)
    assert_matches_cli(fink_vra.features(path, recompute_lc=True), header, rows)


@pytest.mark.parametrize("files", [ZTF_FILES, LSST_FILES], ids=["ztf", "lsst"])
def test_many_files_keep_each_alert_once_and_warn_as_the_cli_does(files):
    header, rows = cli_table("features", *files)
    for verbose in (False, True):
        _, stderr, _ = run_cli("features", *(["--verbose"] if verbose else []), *files)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = fink_vra.features(files, verbose=verbose)
        assert_matches_cli(table, header, rows)
        notes = [line for warning in caught if issubclass(warning.category, fink_vra.SkippedAlertsWarning)
                 for line in str(warning.message).splitlines()]
        # The summary says how to see each duplicate in the tool at hand.
        cli_notes = [line.replace("(--verbose lists them)", "(verbose=True lists them)")
                     for line in stderr.splitlines() if line.startswith(("skipped: ", "duplicate: ", "duplicates: "))]
        assert notes == cli_notes
        assert sum(line.startswith("duplicates: ") for line in notes) <= (0 if verbose else 1)


def test_ids_are_int64_and_the_lsst_object_id_too():
    ztf = fink_vra.features(ZTF_FILES[0]).schema
    assert (ztf.field("candid").type, ztf.field("objectId").type) == (pa.int64(), pa.string())
    lsst = fink_vra.features(LSST_FILES[-1]).schema
    assert (lsst.field("diaSourceId").type, lsst.field("diaObjectId").type) == (pa.int64(), pa.int64())
    assert lsst.names[2:] == fink_vra.feature_names("lsst")
    assert fink_vra.id_columns("ztf") == ["candid", "objectId"]


@pytest.mark.parametrize("path", [
    os.path.join(ROOT, "README.md"),
    os.path.join(FIXTURES, "fuzz-crashes", "parquet_dictionary_page_missing.parquet"),
    os.path.join(ROOT, "no-such-file.parquet"),
], ids=["not-parquet", "crashes-the-parquet-reader", "missing"])
def test_a_bad_file_raises_the_cores_message(path):
    with pytest.raises(fink_vra.AlertFileError) as raised:
        fink_vra.features(path)
    assert isinstance(raised.value, ValueError)
    if os.path.exists(path):
        assert str(raised.value) == cli_error("features", path)
    assert path in str(raised.value)


def test_two_surveys_at_once_are_refused_before_any_row():
    with pytest.raises(fink_vra.AlertFileError, match="mix two surveys"):
        fink_vra.features([ZTF_FILES[0], LSST_FILES[-1]])


def test_a_table_that_is_no_alert_file_says_so():
    with pytest.raises(fink_vra.AlertFileError, match="not a Fink alert file"):
        fink_vra.features(pa.table({"x": [1, 2]}), name="mine")
    with pytest.raises(TypeError):
        fink_vra.features(42)


def test_a_panic_in_the_core_is_an_exception_and_the_module_lives_on():
    with pytest.raises(fink_vra.InternalError, match="on purpose"):
        fink_vra._core._panic_for_tests()
    assert fink_vra.features(ZTF_FILES[0]).num_rows > 0


def test_layout_of_reads_the_footer():
    assert fink_vra.layout_of(LSST_FILES[-1])["survey"] == "lsst"
    assert fink_vra.layout_of(ZTF_FILES[0]) == {"survey": "ztf", "layout": "ZTF, full Fink schema"}


def test_the_core_runs_without_the_gil():
    """While one thread is inside the core, another Python thread runs: the
    main thread counts its loops that fall inside the worker's calls (with
    the GIL held there would be none)."""
    table = pq.read_table(os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet"))
    big = pa.concat_tables([table] * 20)
    spans = []

    def work():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the copies are duplicates
            started = time.perf_counter()
            while time.perf_counter() - started < 0.5:
                start = time.perf_counter()
                fink_vra.features(big)
                spans.append((start, time.perf_counter()))

    ticks = []
    thread = threading.Thread(target=work)
    thread.start()
    while thread.is_alive():
        ticks.append(time.perf_counter())
    thread.join()
    inside = [t for t in ticks if any(start + 0.002 < t < end - 0.002 for start, end in spans)]
    assert sum(end - start for start, end in spans) > 0.4
    assert len(inside) > 100, f"{len(inside)} loops of the main thread while the core worked"


def test_help_reads_well():
    text = pydoc.render_doc(fink_vra.features, renderer=pydoc.plaintext)
    assert "bit-identical to ``fink-vra features``" in text and "Parameters" in text
    assert "predict" in pydoc.render_doc(fink_vra.Model, renderer=pydoc.plaintext)
    assert fink_vra.AlertFileError.__module__ == "fink_vra"


@pytest.mark.parametrize("path", [os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet"), LSST_FILES[-1]],
                         ids=name_of)
def test_the_schema_read_drops_the_cutouts_and_keeps_what_the_features_need(path):
    schema = pq.read_schema(path)
    kept = fink_vra._core.schema_read(schema)
    assert not any(name.startswith("cutout") for name in kept.names)
    assert set(kept.names) < set(schema.names)
    header, rows = cli_table("features", path)
    assert_matches_cli(fink_vra.features(pq.read_table(path, columns=kept.names)), header, rows)

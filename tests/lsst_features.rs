//! Rubin/LSST files as Fink writes them: each fixture reproduces its reference
//! feature table row for row, Fink's empty reference schemas read as empty
//! polls, and the recomputed light-curve features agree with Fink's own.

mod common;

use common::{close, load_set, parse_fixture, ExpectedTable};
use fink_vra::core::alert::Survey;
use fink_vra::core::alert::{Alert, LsstBand};
use fink_vra::core::features::fink_lc::Measurement;
use fink_vra::core::features::lsst::{lsst_band_series, recompute_lsst_lc_features};
use fink_vra::core::features::{
    compute_feature_table, feature_names, id_column_names, LcFeatureSource,
};
use fink_vra::core::ingest::{Layout, LsstSchema};

const RELATIVE_TOLERANCE: f64 = 1e-9;

/// The condition number of the raw-sum normal equations of a weighted fit
/// on raw MJD: `Σw t² / Σw (t − t̄)²`. The reference tables were computed from
/// those raw sums, which lose about `κ · ε` of relative precision (2% on a
/// series 13 minutes long at MJD 61028); fink-vra, like Fink's `light-curve`
/// package, fits well-conditioned sums. So on the three linear-fit columns
/// the reference is only trusted to within its own rounding bound.
fn raw_sum_condition(series: &[Measurement]) -> f64 {
    let weight = |m: &Measurement| 1.0 / (m.error * m.error);
    let total: f64 = series.iter().map(weight).sum();
    let mean = series.iter().map(|m| weight(m) * m.mjd).sum::<f64>() / total;
    let raw: f64 = series.iter().map(|m| weight(m) * m.mjd * m.mjd).sum();
    let centred: f64 = series
        .iter()
        .map(|m| weight(m) * (m.mjd - mean).powi(2))
        .sum();
    raw / centred
}

/// The tolerance for `name` in `alert`'s row: 1e-9, or the raw-sum rounding
/// bound (`8 κ ε`) of the reference for a linear-fit column of a recomputed band.
fn tolerance(alert: &Alert, name: &str, from_file: bool) -> f64 {
    let Some(band) = name
        .strip_prefix("linear_fit_")
        .and_then(|rest| rest.rsplit_once('_'))
        .and_then(|(_, band)| LsstBand::from_name(band))
    else {
        return RELATIVE_TOLERANCE;
    };
    if from_file {
        return RELATIVE_TOLERANCE;
    }
    let series = &lsst_band_series(alert.as_lsst().expect("an LSST alert"))[band.index()];
    RELATIVE_TOLERANCE.max(8.0 * raw_sum_condition(series) * f64::EPSILON)
}

/// The two LSST files the page offers as sample data live in `assets/sample`.
const FINK_V10: &str = "../../assets/sample/lsst_v10_fink_27alerts.parquet";
const SIMULATED_V7: &str = "../../assets/sample/lsst_v7_1_simulated_50alerts.parquet";
const PANDAS_V10: &str = "lsst/lsst_v10_pandas_25alerts.parquet";

fn check(file: &str, expected: &str) {
    let set = load_set(&[file]);
    let rows = compute_feature_table(set.alerts(), LcFeatureSource::FileOrRecompute);
    let table = ExpectedTable::read(expected);
    let [id_column, object_column] = id_column_names(Survey::Lsst);
    let mut header = vec![id_column, object_column];
    header.extend(feature_names(Survey::Lsst));
    assert_eq!(table.header, header, "{expected}: the columns, in order");
    assert_eq!(rows.len(), table.rows.len(), "{expected}: row count");
    let mut mismatches = Vec::new();
    let mut loosened = 0;
    for (index, (row, alert)) in rows.iter().zip(set.alerts()).enumerate() {
        assert_eq!(
            row.candid.to_string(),
            table.rows[index][0],
            "{expected}: id of row {index}"
        );
        assert_eq!(
            row.object_id, table.rows[index][1],
            "{expected}: object of row {index}"
        );
        for (feature, name) in feature_names(Survey::Lsst).iter().enumerate() {
            let want = table.number(index, feature + 2);
            let got = row.values[feature];
            let allowed = tolerance(alert, name, !row.lc_features_recomputed);
            loosened +=
                usize::from(allowed > RELATIVE_TOLERANCE && !close(got, want, RELATIVE_TOLERANCE));
            if !close(got, want, allowed) {
                mismatches.push(format!(
                    "row {index} ({}) {name}: got {got}, want {want}",
                    row.candid
                ));
            }
        }
    }
    eprintln!(
        "{expected}: {loosened} linear-fit values within the reference's rounding bound only"
    );
    assert!(
        mismatches.is_empty(),
        "{expected}: {} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_spark_written_v10_file_with_lc_features_matches_its_reference() {
    check(FINK_V10, "expected/lsst_v10_fink_27alerts.features.csv");
}

#[test]
fn the_pandas_written_v10_file_matches_its_reference() {
    check(PANDAS_V10, "expected/lsst_v10_pandas_25alerts.features.csv");
}

#[test]
fn the_simulated_v7_file_with_long_histories_matches_its_reference() {
    check(
        SIMULATED_V7,
        "expected/lsst_v7_1_simulated_50alerts.features.csv",
    );
}

#[test]
fn the_schema_and_survey_are_told_from_the_file() {
    let cases = [
        (FINK_V10, LsstSchema::V10, 27),
        (PANDAS_V10, LsstSchema::V10, 25),
        (SIMULATED_V7, LsstSchema::V7, 50),
        ("lsst/lsst_v7_4_schema_0rows.parquet", LsstSchema::V7, 0),
        ("lsst/lsst_v9_0_schema_0rows.parquet", LsstSchema::V9, 0),
        ("lsst/lsst_v10_0_schema_0rows.parquet", LsstSchema::V10, 0),
    ];
    for (file, schema, rows) in cases {
        let parsed = parse_fixture(file);
        assert_eq!(parsed.layout, Layout::Lsst(schema), "{file}");
        assert_eq!(parsed.layout.survey(), Survey::Lsst);
        assert_eq!((parsed.rows, parsed.alerts.len()), (rows, rows), "{file}");
        assert!(parsed.skipped.is_empty(), "{file}: {:?}", parsed.skipped);
    }
}

#[test]
fn solar_system_alerts_are_read_and_marked() {
    let parsed = parse_fixture(PANDAS_V10);
    let solar: Vec<_> = parsed
        .alerts
        .iter()
        .filter(|alert| alert.is_solar_system())
        .collect();
    assert_eq!(solar.len(), 3);
    assert!(solar.iter().all(|alert| alert.object_id() == "0"));
    // Found in review: with every diaObjectId 0, "one alert per object" took
    // them all for one object; each is its own solar-system object.
    let keys: std::collections::BTreeSet<_> =
        solar.iter().map(|alert| alert.object_key()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|key| key.starts_with("ssObject ")));
    let spark = parse_fixture(FINK_V10);
    assert!(spark.alerts.iter().any(|alert| alert.is_solar_system()));
    assert!(spark
        .alerts
        .iter()
        .all(|alert| alert.is_solar_system() == (alert.object_id() == "0")));
}

#[test]
fn ids_beyond_two_to_the_53_keep_every_digit() {
    let parsed = parse_fixture(SIMULATED_V7);
    let first = parsed.alerts[0].as_lsst().expect("an LSST alert");
    assert_eq!(first.dia_source_id.0, 3_068_429_600_980_730_034);
    assert_eq!(first.dia_object_id, 3_068_394_296_366_334_182);
    assert!(first.dia_source_id.0 > 1 << 53);
}

/// The share of Fink's stored values that the recomputation reproduces,
/// within 1e-6 and 1e-3 (relative, or absolute below 1), printed for the
/// closing note and held to what it is today.
#[test]
fn recomputed_lc_features_agree_with_finks_stored_values() {
    let set = load_set(&[FINK_V10]);
    let (mut compared, mut within_micro, mut within_milli) = (0usize, 0usize, 0usize);
    for alert in set.alerts() {
        let alert = alert.as_lsst().expect("an LSST alert");
        let stored = alert
            .lc_features
            .as_deref()
            .expect("the file carries lc_features");
        let recomputed = recompute_lsst_lc_features(alert);
        for (fink, ours) in stored.iter().zip(&recomputed) {
            for (want, got) in fink.values().into_iter().zip(ours.values()) {
                if want.is_nan() && got.is_nan() {
                    continue;
                }
                compared += 1;
                let deviation = (got - want).abs() / want.abs().max(1.0);
                within_micro += usize::from(deviation <= 1e-6);
                within_milli += usize::from(deviation <= 1e-3);
            }
        }
    }
    eprintln!(
        "LSST lc_features recomputed vs Fink: {compared} values, {within_micro} within 1e-6, {within_milli} within 1e-3"
    );
    assert!(compared > 27, "some values are compared");
    assert_eq!(within_micro, compared, "every value within 1e-6");
}

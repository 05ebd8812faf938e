//! Cutout stamps read back from real alert files and decoded, checked against
//! astropy's reading of the same stamps (`tests/fixtures/golden/cutouts.csv`
//! for ZTF's gzipped stamps, `cutouts_lsst.csv` for LSST's raw FITS, both made
//! by `make_cutouts_golden.py` beside them).

mod common;

use bytes::Bytes;
use fink_vra::core::alert::Candid;
use fink_vra::core::cutouts::decode_stamp;
use fink_vra::core::ingest::read_stamps;

fn parse_pixel(text: &str) -> f64 {
    if text == "nan" {
        f64::NAN
    } else {
        text.parse().expect("a number")
    }
}

fn same_pixel(decoded: f32, expected: f64) -> bool {
    (decoded.is_nan() && expected.is_nan()) || f64::from(decoded) == expected
}

/// Checks every stamp listed in `golden` (a file under `tests/fixtures`);
/// `path_of` gives the parquet file of a stem. Returns how many were checked.
fn check_golden(golden: &str, path_of: impl Fn(&str) -> std::path::PathBuf) -> usize {
    let golden = std::fs::read_to_string(common::fixture(golden)).expect("golden");
    let mut files: std::collections::HashMap<String, Bytes> = Default::default();
    let mut checked = 0;
    for line in golden.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let [stem, candid, stamp, width, height, nan_count, finite_sum, first, last] = cells[..]
        else {
            panic!("9 cells in {line}");
        };
        let bytes = files
            .entry(stem.to_string())
            .or_insert_with(|| std::fs::read(path_of(stem)).expect("fixture").into())
            .clone();
        let candid = Candid(candid.parse().expect("candid"));
        let stamps = read_stamps(stem, bytes, candid)
            .expect("readable")
            .expect("the alert is in its file");
        let (_, gzipped) = stamps
            .named()
            .into_iter()
            .find(|(name, _)| *name == stamp)
            .expect("a stamp column");
        let image = decode_stamp(gzipped.expect("the stamp is present")).expect("decodes");
        let context = format!("{stem} {candid} {stamp}");
        assert_eq!(image.width.to_string(), width, "{context}");
        assert_eq!(image.height.to_string(), height, "{context}");
        let nans = image.pixels.iter().filter(|value| value.is_nan()).count();
        assert_eq!(nans.to_string(), nan_count, "{context}");
        let sum: f64 = image
            .pixels
            .iter()
            .filter(|value| value.is_finite())
            .map(|&value| f64::from(value))
            .sum();
        let expected_sum: f64 = finite_sum.parse().expect("sum");
        assert!(
            (sum - expected_sum).abs() <= 1e-6 * expected_sum.abs().max(1.0),
            "{context}: sum {sum} vs {expected_sum}"
        );
        assert!(same_pixel(image.pixels[0], parse_pixel(first)), "{context}");
        let last_pixel = image.pixels[image.pixels.len() - 1];
        assert!(same_pixel(last_pixel, parse_pixel(last)), "{context}");
        assert_eq!(image.to_rgba().len(), image.width * image.height * 4);
        checked += 1;
    }
    checked
}

#[test]
fn every_stamp_of_the_real_fixtures_decodes_as_astropy_reads_it() {
    let checked = check_golden("golden/cutouts.csv", |stem| {
        common::fixture(&format!("raw/{stem}.parquet"))
    });
    assert_eq!(checked, 246, "every stamp of the two files");
}

#[test]
fn every_raw_fits_stamp_of_the_lsst_fixtures_decodes_as_astropy_reads_it() {
    let checked = check_golden("golden/cutouts_lsst.csv", |stem| {
        let sample = common::fixture(&format!("../../assets/sample/{stem}.parquet"));
        if sample.exists() {
            sample
        } else {
            common::fixture(&format!("lsst/{stem}.parquet"))
        }
    });
    assert_eq!(
        checked,
        3 * (27 + 50 + 25),
        "every stamp of the three files"
    );
}

//! The typed alert that every later stage shares.
//!
//! `core::ingest` is the only code that builds these from bytes; everything
//! downstream trusts them: coordinates are valid, magnitudes are finite or
//! missing, and the light curve lists the current candidate first.

use std::fmt;
use std::str::FromStr;

/// A ZTF candidate id, the key of an alert (and of a label).
///
/// Candids exceed 2^53, so they are never held in an `f64` or a JS number:
/// they travel as `u64` natively and as decimal strings in files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Candid(pub u64);

impl fmt::Display for Candid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Candids are written as decimal strings, in every JSON this project writes:
/// a JSON number would pass through a JS `Number` and lose digits.
impl serde::Serialize for Candid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads a candid from a decimal string; a JSON number is refused.
impl<'de> serde::Deserialize<'de> for Candid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(|_| {
            serde::de::Error::custom(format!("candid `{text}` is not a decimal string"))
        })
    }
}

impl FromStr for Candid {
    type Err = std::num::ParseIntError;

    /// Parses a decimal candid such as `"3069386410515015007"`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse::<u64>().map(Candid)
    }
}

/// A ZTF filter, from the schema's `fid` (1 = g, 2 = r, 3 = i).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Band {
    G,
    R,
    I,
}

impl Band {
    /// The band for a ZTF `fid`, or `None` for an unknown filter id.
    pub fn from_fid(fid: i64) -> Option<Band> {
        match fid {
            1 => Some(Band::G),
            2 => Some(Band::R),
            3 => Some(Band::I),
            _ => None,
        }
    }
}

/// The sign of the difference image at a light-curve point (`isdiffpos`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DifferenceSign {
    /// `'t'` or `'1'`: the source is brighter than on the template.
    Positive,
    /// `'f'` or `'0'`: the source is fainter than on the template.
    Negative,
    /// Null, as for non-detections (upper limits).
    Unknown,
}

impl DifferenceSign {
    /// Reads the ZTF `isdiffpos` spelling. The schema allows both `t`/`f` and
    /// `1`/`0`, and real files use both; anything else is `Unknown`.
    pub fn from_isdiffpos(text: Option<&str>) -> DifferenceSign {
        match text.map(str::trim) {
            Some("t") | Some("1") => DifferenceSign::Positive,
            Some("f") | Some("0") => DifferenceSign::Negative,
            _ => DifferenceSign::Unknown,
        }
    }
}

/// One point of an alert's light curve: a detection or a non-detection.
///
/// Missing values are `NaN` (never infinite): ingest turns nulls and
/// non-finite numbers into `NaN`, so that a point stays 64 bytes and 100k
/// alerts fit comfortably in wasm32 memory.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LightCurvePoint {
    /// Modified Julian Date of the exposure (`jd - 2400000.5`).
    pub mjd: f64,
    pub band: Band,
    /// PSF-fit difference magnitude (`magpsf`); `NaN` for a non-detection.
    pub magnitude: f64,
    /// 1-sigma error on `magnitude` (`sigmapsf`); `NaN` when unknown.
    pub magnitude_error: f64,
    /// 5-sigma limiting magnitude of the difference image (`diffmaglim`).
    pub limiting_magnitude: f64,
    pub difference_sign: DifferenceSign,
    /// Distance in pixels to the nearest reference-image source (`distnr`).
    pub nearest_ref_distance: f64,
    /// Magnitude of that reference source (`magnr`).
    pub nearest_ref_magnitude: f64,
    /// Error on `nearest_ref_magnitude` (`sigmagnr`).
    pub nearest_ref_magnitude_error: f64,
}

impl LightCurvePoint {
    /// A point with only the time and band known; every measurement is `NaN`.
    pub fn empty(mjd: f64, band: Band) -> LightCurvePoint {
        LightCurvePoint {
            mjd,
            band,
            magnitude: f64::NAN,
            magnitude_error: f64::NAN,
            limiting_magnitude: f64::NAN,
            difference_sign: DifferenceSign::Unknown,
            nearest_ref_distance: f64::NAN,
            nearest_ref_magnitude: f64::NAN,
            nearest_ref_magnitude_error: f64::NAN,
        }
    }

    /// True when the point has a magnitude (it is not an upper limit).
    pub fn has_magnitude(&self) -> bool {
        !self.magnitude.is_nan()
    }

    /// True for a detection of a positive difference with a magnitude: the
    /// points that `ndets` counts.
    pub fn is_positive_detection(&self) -> bool {
        self.difference_sign == DifferenceSign::Positive && self.has_magnitude()
    }
}

/// The six Fink light-curve features of one band that the VRA uses.
/// `NaN` where Fink (or the recomputation) has no value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BandFeatures {
    pub amplitude: f64,
    pub linear_fit_reduced_chi2: f64,
    pub linear_fit_slope: f64,
    pub linear_fit_slope_sigma: f64,
    pub median: f64,
    pub median_absolute_deviation: f64,
}

impl BandFeatures {
    /// The field names, as in Fink's `lc_features_*` structs, in output order.
    pub const FIELD_NAMES: [&'static str; 6] = [
        "amplitude",
        "linear_fit_reduced_chi2",
        "linear_fit_slope",
        "linear_fit_slope_sigma",
        "median",
        "median_absolute_deviation",
    ];

    /// Every feature missing.
    pub const MISSING: BandFeatures = BandFeatures {
        amplitude: f64::NAN,
        linear_fit_reduced_chi2: f64::NAN,
        linear_fit_slope: f64::NAN,
        linear_fit_slope_sigma: f64::NAN,
        median: f64::NAN,
        median_absolute_deviation: f64::NAN,
    };

    /// The values in the order of [`BandFeatures::FIELD_NAMES`].
    pub fn values(&self) -> [f64; 6] {
        [
            self.amplitude,
            self.linear_fit_reduced_chi2,
            self.linear_fit_slope,
            self.linear_fit_slope_sigma,
            self.median,
            self.median_absolute_deviation,
        ]
    }

    /// Builds the struct from values in the order of [`BandFeatures::FIELD_NAMES`].
    pub fn from_values(values: [f64; 6]) -> BandFeatures {
        BandFeatures {
            amplitude: values[0],
            linear_fit_reduced_chi2: values[1],
            linear_fit_slope: values[2],
            linear_fit_slope_sigma: values[3],
            median: values[4],
            median_absolute_deviation: values[5],
        }
    }
}

/// Fink's light-curve features for the g and r bands, as the file gave them.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FinkLcFeatures {
    pub g: BandFeatures,
    pub r: BandFeatures,
}

/// One ZTF alert, validated and reduced to what the VRA loop needs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    pub candid: Candid,
    /// ZTF object id, e.g. `ZTF25aastlyj`. Text from a file: never trusted as HTML.
    pub object_id: String,
    /// Right ascension in degrees (finite), as the file gave it.
    pub ra: f64,
    /// Declination in degrees, within `[-90, 90]`.
    pub dec: f64,
    /// Deep-learning real/bogus score; `NaN` when the file has none.
    pub drb: f64,
    /// Host separation in arcsec from Sherlock (clean layout only); `NaN` otherwise.
    pub sep_arcsec: f64,
    /// The current candidate first, then its history (`prv_candidates`) in file order.
    pub light_curve: Vec<LightCurvePoint>,
    /// Fink's precomputed light-curve features, or `None` when the file has
    /// no `lc_features_*` columns (older schema): they are then recomputed.
    pub fink_lc_features: Option<FinkLcFeatures>,
}

impl Alert {
    /// Modified Julian Date of the alert itself (its first light-curve point).
    pub fn mjd(&self) -> Option<f64> {
        self.light_curve.first().map(|point| point.mjd)
    }
}

//! The typed alert that every later stage shares, for both surveys.
//!
//! `core::ingest` is the only code that builds these from bytes; everything
//! downstream trusts them: coordinates are valid, measurements are finite or
//! `NaN` (missing), and each light curve lists the alert's own source first.
//! A ZTF alert ([`ZtfAlert`]) is measured in magnitudes; a Rubin/LSST alert
//! ([`LsstAlert`]) in flux (nJy). [`Alert`] is either, with what both share.

mod lsst;
mod ztf;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

pub use lsst::{FluxPoint, LsstAlert, LsstBand, LsstLcFeatures, SsObject};
pub use ztf::{Band, DifferenceSign, FinkLcFeatures, LightCurvePoint, ZtfAlert};

/// The alert stream a file, an alert, a session and a model belong to. A
/// session labels one survey's alerts only: their features differ.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Survey {
    /// The Zwicky Transient Facility (alerts keyed by `candid`).
    #[default]
    Ztf,
    /// The Rubin Observatory's LSST (alerts keyed by `diaSourceId`).
    Lsst,
}

impl Survey {
    /// Both surveys, ZTF first.
    pub const ALL: [Survey; 2] = [Survey::Ztf, Survey::Lsst];

    /// The lowercase key used in files and storage (`ztf`, `lsst`).
    pub fn key(self) -> &'static str {
        match self {
            Survey::Ztf => "ztf",
            Survey::Lsst => "lsst",
        }
    }

    /// Reads [`Survey::key`] back.
    pub fn from_key(key: &str) -> Option<Survey> {
        Survey::ALL.into_iter().find(|survey| survey.key() == key)
    }
}

impl fmt::Display for Survey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Survey::Ztf => "ZTF",
            Survey::Lsst => "Rubin/LSST",
        })
    }
}

/// The 64-bit id of one alert, the key of an alert and of its label: a ZTF
/// `candid` or a Rubin `diaSourceId`.
///
/// These ids exceed 2^53, so they are never held in an `f64` or a JS number:
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

/// One alert of either survey.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Alert {
    Ztf(ZtfAlert),
    Lsst(LsstAlert),
}

impl Alert {
    /// The survey the alert comes from.
    pub fn survey(&self) -> Survey {
        match self {
            Alert::Ztf(_) => Survey::Ztf,
            Alert::Lsst(_) => Survey::Lsst,
        }
    }

    /// The alert's id: the ZTF `candid` or the LSST `diaSourceId`.
    pub fn candid(&self) -> Candid {
        match self {
            Alert::Ztf(alert) => alert.candid,
            Alert::Lsst(alert) => alert.dia_source_id,
        }
    }

    /// The object's id: the ZTF `objectId`, or the LSST `diaObjectId` in
    /// decimal (`0` for a solar-system alert, which has no `diaObject`).
    pub fn object_id(&self) -> Cow<'_, str> {
        match self {
            Alert::Ztf(alert) => Cow::Borrowed(&alert.object_id),
            Alert::Lsst(alert) => Cow::Owned(alert.dia_object_id.to_string()),
        }
    }

    /// Modified Julian Date of the alert's own observation (LSST: TAI).
    pub fn mjd(&self) -> Option<f64> {
        match self {
            Alert::Ztf(alert) => alert.mjd(),
            Alert::Lsst(alert) => Some(alert.mjd()),
        }
    }

    /// What makes two alerts "the same object" for the queue's one alert per
    /// object: the object id, except for an LSST alert without a `diaObjectId`
    /// (0 for every one of them, solar-system alerts among them): its
    /// `ssObjectId`, or its own alert id when it has none.
    pub fn object_key(&self) -> Cow<'_, str> {
        match self {
            Alert::Lsst(alert) if alert.dia_object_id == 0 => match alert.ss_object_id() {
                Some(id) => Cow::Owned(format!("ssObject {id}")),
                None => Cow::Owned(format!("diaSource {}", alert.dia_source_id)),
            },
            _ => self.object_id(),
        }
    }

    /// The ZTF alert, if it is one.
    pub fn as_ztf(&self) -> Option<&ZtfAlert> {
        match self {
            Alert::Ztf(alert) => Some(alert),
            Alert::Lsst(_) => None,
        }
    }

    /// The LSST alert, if it is one.
    pub fn as_lsst(&self) -> Option<&LsstAlert> {
        match self {
            Alert::Lsst(alert) => Some(alert),
            Alert::Ztf(_) => None,
        }
    }

    /// True for a solar-system (moving) object's alert: see
    /// [`LsstAlert::is_solar_system`] for the rule. Never for ZTF.
    pub fn is_solar_system(&self) -> bool {
        match self {
            Alert::Ztf(_) => false,
            Alert::Lsst(alert) => alert.is_solar_system(),
        }
    }
}

//! A Rubin/LSST alert: one `diaSource` with its previous sources and forced
//! photometry, all in flux (nJy) against MJD (TAI).

use std::fmt;

use super::{BandFeatures, Candid};

/// An LSST filter, from the `band` string of a source (`u` .. `y`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum LsstBand {
    U,
    G,
    R,
    I,
    Z,
    Y,
}

impl LsstBand {
    /// The six bands, blue to red: the order of the feature columns.
    pub const ALL: [LsstBand; 6] = [
        LsstBand::U,
        LsstBand::G,
        LsstBand::R,
        LsstBand::I,
        LsstBand::Z,
        LsstBand::Y,
    ];

    /// The band for a `band` string, or `None` for anything else.
    pub fn from_name(name: &str) -> Option<LsstBand> {
        LsstBand::ALL
            .into_iter()
            .find(|band| band.name() == name.trim())
    }

    /// The one-letter name, as in files and feature names.
    pub fn name(self) -> &'static str {
        match self {
            LsstBand::U => "u",
            LsstBand::G => "g",
            LsstBand::R => "r",
            LsstBand::I => "i",
            LsstBand::Z => "z",
            LsstBand::Y => "y",
        }
    }

    /// Position in [`LsstBand::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for LsstBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One flux measurement: a `diaSource` (a 5σ detection in the difference
/// image, positive or negative) or a forced-photometry point. Missing values
/// are `NaN`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FluxPoint {
    /// `diaSourceId` of a source; `None` for forced photometry or a null id.
    pub source_id: Option<u64>,
    /// `midpointMjdTai`.
    pub mjd: f64,
    /// `None` when the file's `band` is null or not one of `ugrizy`.
    pub band: Option<LsstBand>,
    /// `psfFlux`, nJy, of the difference image.
    pub flux: f64,
    /// `psfFluxErr`, nJy.
    pub flux_error: f64,
}

/// Fink's light-curve features of the six bands, in [`LsstBand::ALL`] order,
/// as the file's `lc_features` map gave them (a band absent: all `NaN`).
pub type LsstLcFeatures = [BandFeatures; 6];

/// One LSST alert, validated and reduced to what the VRA loop needs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LsstAlert {
    /// The alert's `diaSourceId` (`alertId` in schema 7).
    pub dia_source_id: Candid,
    /// `diaSource.diaObjectId`; 0 when the source is tied to no object (0
    /// or null in the file: a solar-system alert, see
    /// [`LsstAlert::is_solar_system`]).
    pub dia_object_id: u64,
    /// Degrees, finite.
    pub ra: f64,
    /// Degrees, within `[-90, 90]`.
    pub dec: f64,
    /// `diaSource.reliability`; `NaN` when null.
    pub reliability: f64,
    /// `diaSource.snr`; `NaN` when null.
    pub snr: f64,
    /// The solar-system object the source is associated with, if any: a
    /// positive `ssObjectId` in `diaSource` or in `ssSource`. Whether that
    /// makes it a solar-system alert is [`LsstAlert::is_solar_system`]'s rule.
    pub ss_object: Option<SsObject>,
    /// The `diaSource` first, then `prvDiaSources` in file order (a time is
    /// always present: points without one are dropped at ingest).
    pub sources: Vec<FluxPoint>,
    /// `prvDiaForcedSources` in file order (none when null or empty).
    pub forced_sources: Vec<FluxPoint>,
    /// Fink's `lc_features` when the file has that column; `None` otherwise
    /// (the features are then recomputed). Boxed: 288 bytes most files lack.
    pub lc_features: Option<Box<LsstLcFeatures>>,
}

/// A source's association with a solar-system object (Rubin's `ssObjectId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SsObject {
    /// A positive `ssObjectId` read from an integer column.
    Id(u64),
    /// A positive `ssObjectId` read from a float column (pandas writes one
    /// when some values are null): the association is certain, the digits of
    /// a 64-bit id are not, so the id is not kept.
    IdNotExact,
}

impl SsObject {
    /// The `ssObjectId`, when it was read exactly.
    pub fn id(self) -> Option<u64> {
        match self {
            SsObject::Id(id) => Some(id),
            SsObject::IdNotExact => None,
        }
    }
}

impl LsstAlert {
    /// The solar-system rule, the only place it is written: an alert is a
    /// solar-system alert when it is associated with a solar-system object
    /// (a positive `ssObjectId`, in `diaSource` or in `ssSource`) and has no
    /// positive `diaObjectId`.
    ///
    /// - `diaObjectId` 0 or null, `ssObjectId` positive: a solar-system
    ///   alert (left out of the queue unless the settings let them in; a null
    ///   `diaObjectId` is read as 0, and without an `ssObjectId` the row is
    ///   skipped for its missing object id).
    /// - `diaObjectId` positive, `ssObjectId` positive (Rubin may associate a
    ///   source with both): not one. It stays in the queue, and the card shows
    ///   the solar-system mark with its `ssObjectId`.
    /// - `diaObjectId` positive, `ssSource` present with `ssObjectId` null or
    ///   0: not one. Writers (Spark's `struct(...)` of nulls, pandas and
    ///   pyarrow from records, Avro converters) fill the struct on every row,
    ///   so its presence says nothing.
    /// - `diaObjectId` 0 and no positive `ssObjectId`: not one.
    pub fn is_solar_system(&self) -> bool {
        self.dia_object_id == 0 && self.ss_object.is_some()
    }

    /// The `ssObjectId` of the associated solar-system object, when known exactly.
    pub fn ss_object_id(&self) -> Option<u64> {
        self.ss_object.and_then(SsObject::id)
    }

    /// The MJD (TAI) of the alert's own source.
    pub fn mjd(&self) -> f64 {
        self.sources.first().map_or(f64::NAN, |source| source.mjd)
    }

    /// The alert's own source.
    pub fn own_source(&self) -> Option<&FluxPoint> {
        self.sources.first()
    }
}

//! Which solar-system object an LSST source is associated with: a positive
//! `ssObjectId` in `diaSource` or in the `ssSource` struct.
//!
//! Only the values count. Writers fill `ssSource` on every row (Spark's
//! `struct(...)` of nulls, pandas and pyarrow from records, Avro converters),
//! its children null when the source has no solar-system object, so the
//! struct's presence says nothing about the alert. Whether an association
//! makes a solar-system alert is [`LsstAlert::is_solar_system`]'s rule.
//!
//! [`LsstAlert::is_solar_system`]: crate::core::alert::LsstAlert::is_solar_system

use arrow_array::{Array, Float64Array, RecordBatch, StructArray, UInt64Array};

use super::super::columns::{float_column, lenient_id_child, struct_child, ColumnName};
use crate::core::alert::SsObject;

/// The top-level struct of a source's solar-system association.
pub(super) const COLUMN: &str = "ssSource";
/// The field naming the solar-system object, in `diaSource` and `ssSource`.
pub(super) const ID_FIELD: &str = "ssObjectId";

/// The `ssObjectId` values of one struct column.
enum SsObjectIds {
    /// An integer column: the ids, exactly.
    Exact(UInt64Array),
    /// A float column (pandas, when some values are null): an association,
    /// whose id has lost digits.
    NotExact(Float64Array),
}

impl SsObjectIds {
    /// The `ssObjectId` child of `parent`, or `None` when it has none or it
    /// holds no numbers (pandas types an all-null column `null`).
    fn of(parent: &StructArray) -> Option<SsObjectIds> {
        let child = struct_child(parent, ID_FIELD)?;
        if child.data_type().is_integer() {
            return lenient_id_child(parent, ID_FIELD).map(SsObjectIds::Exact);
        }
        if !child.data_type().is_floating() {
            return None;
        }
        let name = ColumnName {
            file: "",
            column: ID_FIELD,
        };
        float_column(child.as_ref(), name)
            .ok()
            .map(SsObjectIds::NotExact)
    }

    /// The association at `row`: a positive id; null, 0 or negative is none.
    fn at(&self, row: usize) -> Option<SsObject> {
        match self {
            SsObjectIds::Exact(ids) => {
                (ids.is_valid(row) && ids.value(row) > 0).then(|| SsObject::Id(ids.value(row)))
            }
            SsObjectIds::NotExact(values) => {
                (values.is_valid(row) && values.value(row) > 0.0).then_some(SsObject::IdNotExact)
            }
        }
    }
}

/// The solar-system associations of a batch's rows.
pub(super) struct SolarSystemColumns<'a> {
    source: &'a StructArray,
    in_source: Option<SsObjectIds>,
    ss_source: Option<(&'a StructArray, SsObjectIds)>,
}

impl<'a> SolarSystemColumns<'a> {
    /// Reads `diaSource.ssObjectId` and `ssSource.ssObjectId`, leniently: a
    /// missing or oddly typed field is no association, never an error.
    pub(super) fn new(batch: &'a RecordBatch, source: &'a StructArray) -> SolarSystemColumns<'a> {
        let ss_source = batch
            .column_by_name(COLUMN)
            .and_then(|array| array.as_any().downcast_ref::<StructArray>())
            .and_then(|parent| SsObjectIds::of(parent).map(|ids| (parent, ids)));
        SolarSystemColumns {
            source,
            in_source: SsObjectIds::of(source),
            ss_source,
        }
    }

    /// The solar-system object of `row`, an exact id first: `diaSource`'s,
    /// then `ssSource`'s; a null struct is no association.
    pub(super) fn ss_object(&self, row: usize) -> Option<SsObject> {
        let in_source = self
            .in_source
            .as_ref()
            .filter(|_| self.source.is_valid(row))
            .and_then(|ids| ids.at(row));
        let in_ss_source = self
            .ss_source
            .as_ref()
            .filter(|(parent, _)| parent.is_valid(row))
            .and_then(|(_, ids)| ids.at(row));
        match (in_source, in_ss_source) {
            (Some(SsObject::Id(id)), _) | (_, Some(SsObject::Id(id))) => Some(SsObject::Id(id)),
            (found, other) => found.or(other),
        }
    }
}

//! Alerts from Arrow record batches that are already in memory, not from a
//! parquet file: what another Arrow runtime hands over (pyarrow through the
//! Arrow C data interface, a Spark executor's `mapInArrow` batches).
//!
//! The batches go through the same layout detection and the same per-batch
//! readers as a parquet file's, so the alerts (and so the features) are the
//! same to the bit. The readers find columns by name, so batches holding
//! every column of the file (cutouts included) read like projected ones;
//! [`schema_read`] tells a reader such as Spark which fields to ask for.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema};

use super::{
    contain_reader_panics, detect_layout, is_needed_leaf, read_batch, IngestError, Layout,
    ParsedFile,
};

/// Reads the alerts of `batches`, which all follow `schema`, as one file
/// named `file` (in errors and skip reports). With no batch at all, the
/// schema is still checked, as for a file with zero rows.
pub fn read_alerts_from_batches<'a>(
    file: &str,
    schema: &Schema,
    batches: impl IntoIterator<Item = &'a RecordBatch>,
) -> Result<ParsedFile, IngestError> {
    contain_reader_panics(file, || {
        let layout = detect_layout(schema, file)?;
        let mut parsed = ParsedFile::new(file, layout);
        let mut saw_batch = false;
        for batch in batches {
            saw_batch = true;
            read_batch(layout, batch, file, &mut parsed)?;
        }
        if !saw_batch {
            let empty = RecordBatch::new_empty(Arc::new(schema.clone()));
            read_batch(layout, &empty, file, &mut parsed)?;
        }
        Ok(parsed)
    })
}

/// `schema` cut down to the fields [`read_alerts_from_batches`] reads for
/// its layout (the leaves a parquet file's projection keeps, nested ones
/// included), in schema order: what a reader that cannot project leaf
/// columns by itself, such as Spark given a read schema, should ask for,
/// leaving the cutouts (most of an alert's bytes), the unused fields of the
/// nested structs and anything it cannot decode unread. A map keeps its key.
pub fn schema_read(schema: &Schema) -> Result<Schema, IngestError> {
    let layout = detect_layout(schema, "the alert table")?;
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .filter_map(|field| pruned(layout, field, &mut vec![field.name().clone()]))
        .collect();
    Ok(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `field` (at `path`, spelt as parquet names it: `list.element`,
/// `key_value`) with only the leaves read for `layout`; `None` if none is.
fn pruned(layout: Layout, field: &Field, path: &mut Vec<String>) -> Option<Field> {
    let under = |parts: &[&str], child: &Field, path: &mut Vec<String>| {
        let depth = path.len();
        path.extend(parts.iter().map(|part| part.to_string()));
        let kept = pruned(layout, child, path);
        path.truncate(depth);
        kept
    };
    let data_type = match field.data_type() {
        DataType::Struct(children) => {
            let kept: Vec<Field> = children
                .iter()
                .filter_map(|child| under(&[child.name()], child, path))
                .collect();
            (!kept.is_empty()).then(|| DataType::Struct(kept.into()))?
        }
        DataType::List(element) => {
            DataType::List(Arc::new(under(&["list", "element"], element, path)?))
        }
        DataType::LargeList(element) => {
            DataType::LargeList(Arc::new(under(&["list", "element"], element, path)?))
        }
        DataType::Map(entries, sorted) => {
            let DataType::Struct(parts) = entries.data_type() else {
                return None;
            };
            let [key, value] = [parts.first()?, parts.get(1)?];
            let kept_key = under(&["key_value", key.name()], key, path);
            let kept_value = under(&["key_value", value.name()], value, path);
            if kept_key.is_none() && kept_value.is_none() {
                return None;
            }
            let value = kept_value.unwrap_or_else(|| value.as_ref().clone());
            let entries = entries
                .as_ref()
                .clone()
                .with_data_type(DataType::Struct(vec![key.as_ref().clone(), value].into()));
            DataType::Map(Arc::new(entries), *sorted)
        }
        _ => return is_needed_leaf(layout, path).then(|| field.clone()),
    };
    Some(field.clone().with_data_type(data_type))
}

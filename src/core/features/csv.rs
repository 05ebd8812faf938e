//! The feature table as CSV: the survey's two id columns (`candid,objectId`
//! or `diaSourceId,diaObjectId`) then its [`feature_names`], one row per
//! alert, missing values as empty cells (as pandas writes NaN).

use std::io::{self, Write};

use super::{feature_names, id_column_names, FeatureRow};
use crate::core::alert::Survey;
use crate::core::csv_text::quote_cell;

/// The header line of `survey`'s table, without a line break.
pub fn header(survey: Survey) -> String {
    let mut columns = id_column_names(survey).to_vec();
    columns.extend(feature_names(survey));
    columns.join(",")
}

/// A number cell: the shortest text that reads back to the same `f64`; empty for `NaN`.
fn number_cell(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else {
        value.to_string()
    }
}

/// One CSV line for `row`, without a line break.
pub fn row_line(row: &FeatureRow) -> String {
    let mut cells = Vec::with_capacity(row.values.len() + 2);
    cells.push(row.candid.to_string());
    cells.push(quote_cell(&row.object_id));
    cells.extend(row.values.iter().map(|&value| number_cell(value)));
    cells.join(",")
}

/// Writes the header of `survey`'s table and every row.
pub fn write_csv<'a>(
    survey: Survey,
    rows: impl IntoIterator<Item = &'a FeatureRow>,
    mut out: impl Write,
) -> io::Result<()> {
    writeln!(out, "{}", header(survey))?;
    for row in rows {
        writeln!(out, "{}", row_line(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;
    use crate::core::features::ZTF_FEATURE_COUNT;

    #[test]
    fn nan_is_an_empty_cell_and_candid_keeps_every_digit() {
        let mut values = vec![1.5; ZTF_FEATURE_COUNT];
        values[2] = f64::NAN;
        let row = FeatureRow {
            survey: Survey::Ztf,
            candid: Candid(3_069_386_410_515_015_007),
            object_id: "ZTF19aarxyde".into(),
            values,
            lc_features_recomputed: false,
        };
        let line = row_line(&row);
        assert!(line.starts_with("3069386410515015007,ZTF19aarxyde,1.5,1.5,,1.5"));
        assert_eq!(line.split(',').count(), ZTF_FEATURE_COUNT + 2);
    }
}

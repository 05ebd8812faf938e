//! CSV text as pandas and spreadsheets write it (an optional UTF-8 BOM, CRLF
//! line ends, quoted fields): a trimmed header, then the records with their
//! row numbers. Shared by the labelled-table reader and the label importers,
//! which turn a [`CsvProblem`] into their own typed error.

/// Where and why CSV text could not be read. `row` is 0 for the header, then
/// 1-based data rows (the file's line is `row + 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub row: usize,
    pub detail: String,
}

/// A header and its data records, numbered from 1.
pub struct CsvText {
    pub header: Vec<String>,
    pub records: Vec<(usize, csv::StringRecord)>,
}

/// Parses `text`; records may be shorter or longer than the header (callers decide).
pub fn read_csv_text(text: &str) -> Result<CsvText, CsvProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| CsvProblem {
            row: 0,
            detail: error.to_string(),
        })?
        .iter()
        .map(|name| name.trim().to_string())
        .collect();
    let mut records = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|error| CsvProblem {
            row: index + 1,
            detail: error.to_string(),
        })?;
        records.push((index + 1, record));
    }
    Ok(CsvText { header, records })
}

/// A text cell for writing CSV: quoted (with inner quotes doubled) when it
/// holds a comma, quote or line break, as it is otherwise.
pub fn quote_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_commas_or_quotes_are_quoted() {
        assert_eq!(quote_cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(quote_cell("ZTF25aaaaaaa"), "ZTF25aaaaaaa");
    }

    #[test]
    fn bom_crlf_and_quotes_are_handled() {
        let parsed = read_csv_text("\u{feff} a ,b\r\n\"x,1\",2\r\n3\r\n").expect("valid");
        assert_eq!(parsed.header, vec!["a", "b"]);
        assert_eq!(&parsed.records[0].1[0], "x,1");
        assert_eq!((parsed.records[1].0, parsed.records[1].1.len()), (2, 1));
    }
}

//! Reading one alert file, start to finish, as one pure step that can run in
//! the page's worker: bytes in, validated alerts and their feature rows out,
//! or why the file could not be read.
//!
//! The page never parses files on its own thread. A malformed file can make
//! the parquet crate panic, and in wasm a panic aborts the whole instance; in
//! the worker it costs only the worker (see `ui::browser::worker`). The result
//! crosses back to the page as a `core::wire::protocol` answer (postcard,
//! compact binary) and is added to the page's `Workspace`.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::core::alert::Survey;
use crate::core::display::format_size;
use crate::core::features::{compute_feature_table, FeatureRow, LcFeatureSource};
use parquet::file::reader::ChunkReader;

use crate::core::ingest::{read_alerts, IngestError, ParsedFile};

/// Largest file the page reads. A file is read whole into the worker's
/// memory, which wasm32 caps at 4 GiB; hourly Fink files are well under
/// 100 MB, so anything larger is almost surely the wrong file.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a file brought no alerts.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum LoadError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The browser could not hand over the file's bytes.
    #[error("{file}: the file could not be read ({detail})")]
    Unreadable { file: String, detail: String },
    /// Refused before reading, by its size alone.
    #[error(
        "{file}: the file is {}, more than this page reads ({}); alert files are \
         usually under 100 MB: split it, or check it is the right file",
        format_size(*size as usize),
        format_size(*limit as usize)
    )]
    TooLarge { file: String, size: u64, limit: u64 },
    /// A readable file of the other survey than the session's: a session
    /// labels one survey's alerts (their features differ).
    #[error(
        "{file}: these are {found} alerts, and this session labels {session} alerts; \
         switch to {found} to load it (each survey keeps its own labels)"
    )]
    OtherSurvey {
        file: String,
        found: Survey,
        session: Survey,
    },
    /// The reader stopped on this file (a crash in the worker, on malformed data).
    #[error("{file}: the reader failed on this file, which is probably malformed ({detail})")]
    ReaderFailed { file: String, detail: String },
}

/// A file's alerts with the feature row of each, in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadAlerts {
    pub parsed: ParsedFile,
    /// `features[i]` belongs to `parsed.alerts[i]`.
    pub features: Vec<FeatureRow>,
}

/// The outcome of reading one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReading {
    pub name: String,
    pub size_bytes: u64,
    pub result: Result<ReadAlerts, LoadError>,
}

/// Refuses a file by its size, before any byte is read.
pub fn check_file_size(name: &str, size: u64) -> Result<(), LoadError> {
    if size > MAX_FILE_BYTES {
        Err(LoadError::TooLarge {
            file: name.to_string(),
            size,
            limit: MAX_FILE_BYTES,
        })
    } else {
        Ok(())
    }
}

/// Parses one file's bytes and computes the features of its alerts.
pub fn read_file(name: &str, bytes: Vec<u8>) -> FileReading {
    read_file_from(name, bytes::Bytes::from(bytes))
}

/// The same from any parquet chunk reader: the whole file in memory, or only
/// the ranges the alerts need (`ingest::read_needed`, the worker's way).
pub fn read_file_from<R: ChunkReader + 'static>(name: &str, reader: R) -> FileReading {
    let size_bytes = reader.len();
    let result = check_file_size(name, size_bytes).and_then(|()| {
        let parsed = read_alerts(name, reader)?;
        let features = compute_feature_table(&parsed.alerts, LcFeatureSource::FileOrRecompute);
        Ok(ReadAlerts { parsed, features })
    });
    FileReading {
        name: name.to_string(),
        size_bytes,
        result,
    }
}

impl FileReading {
    /// A reading that failed before or outside the parser.
    pub fn failed(name: &str, size_bytes: u64, error: LoadError) -> FileReading {
        FileReading {
            name: name.to_string(),
            size_bytes,
            result: Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::wire;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    }

    #[test]
    fn a_reading_survives_the_trip_through_bytes_exactly() {
        let reading = read_file("f.parquet", fixture("raw/ztf_schema402_10alerts.parquet"));
        let back: FileReading = wire::from_bytes(&wire::to_bytes(&reading)).expect("decodes");
        // NaN != NaN, so compare the debug text, which spells NaN the same way.
        assert_eq!(format!("{back:?}"), format!("{reading:?}"));
        let alerts = back.result.expect("read");
        assert_eq!(alerts.parsed.alerts.len(), 10);
        assert_eq!(alerts.features.len(), 10);
        assert_eq!(alerts.features[3].candid, alerts.parsed.alerts[3].candid());
    }

    #[test]
    fn errors_cross_too_and_garbage_is_refused() {
        let reading = read_file("bad.parquet", b"not parquet".to_vec());
        let back: FileReading = wire::from_bytes(&wire::to_bytes(&reading)).expect("decodes");
        assert!(matches!(
            back.result,
            Err(LoadError::Ingest(IngestError::NotParquet { .. }))
        ));
        assert!(wire::from_bytes::<FileReading>(&[0xff; 7]).is_err());
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_size() {
        assert!(check_file_size("ok", MAX_FILE_BYTES).is_ok());
        let error = check_file_size("huge.parquet", 2 << 30).expect_err("too large");
        assert_eq!(
            error,
            LoadError::TooLarge {
                file: "huge.parquet".into(),
                size: 2 << 30,
                limit: MAX_FILE_BYTES
            }
        );
        assert!(error
            .to_string()
            .contains("2147.5 MB, more than this page reads (536.9 MB)"));
    }
}

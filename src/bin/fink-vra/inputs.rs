//! What the user named on the command line, opened with a sentence for each
//! common mistake: a missing file, a folder given as a file, and an ONNX
//! file given where the model file (JSON) goes. The operating system's own
//! words ("os error 2", "stream did not contain valid UTF-8") said neither
//! which mistake it was nor what to give instead.

use std::fs::File;
use std::path::Path;

const PARQUET: &str = "parquet file";

/// Refuses a folder named where a `kind` ("parquet file", "label file"…)
/// goes (opening a folder succeeds on some systems).
fn not_a_folder(path: &Path, kind: &str) -> Result<(), String> {
    if !path.is_dir() {
        return Ok(());
    }
    let name = path.display();
    Err(if kind == PARQUET {
        format!("{name} is a folder, not a {kind}: give the files in it (e.g. {name}/*.parquet)")
    } else {
        format!("{name} is a folder, not a {kind}")
    })
}

/// Why `path` could not be opened or read, in a sentence of its own.
fn unreadable(path: &Path, error: std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::NotFound {
        format!("{}: no such file", path.display())
    } else {
        format!("{}: cannot read: {error}", path.display())
    }
}

/// Opens the alert file `path` for reading.
pub fn open(path: &Path) -> Result<File, String> {
    not_a_folder(path, PARQUET)?;
    File::open(path).map_err(|error| unreadable(path, error))
}

/// The bytes of `path`, a `kind`.
pub fn read_bytes(path: &Path, kind: &str) -> Result<Vec<u8>, String> {
    not_a_folder(path, kind)?;
    std::fs::read(path).map_err(|error| unreadable(path, error))
}

/// The bytes of the alert file `path`.
pub fn read_alert_file(path: &Path) -> Result<Vec<u8>, String> {
    read_bytes(path, PARQUET)
}

/// The text of `path`, a `kind` (e.g. "label file"), which must be UTF-8.
pub fn read_text(path: &Path, kind: &str) -> Result<String, String> {
    String::from_utf8(read_bytes(path, kind)?)
        .map_err(|_| format!("{} is not a {kind}: it is not text (UTF-8)", path.display()))
}

/// The text of a model file; an ONNX model (binary) is told apart.
pub fn read_model_text(path: &Path) -> Result<String, String> {
    let bytes = read_bytes(path, "model file")?;
    String::from_utf8(bytes).map_err(|_| {
        let onnx = path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("onnx"));
        let what = if onnx {
            "an ONNX model, which runs in an ONNX runtime"
        } else {
            "not text"
        };
        format!(
            "{} is not a model file (JSON) but {what}: give the model file that `fink-vra train` \
             or the page's \"Model\" button writes",
            path.display()
        )
    })
}

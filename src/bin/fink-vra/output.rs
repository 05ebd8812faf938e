//! Where a command writes its result: standard output, streamed, or the
//! file named by `--out`, whole or not at all. A failure half-way (an alert
//! file that breaks while read, a full disk) used to leave a file that
//! looked finished; the file is now written beside its final name and
//! renamed onto it only once every byte is in.

use std::fs::{self, File};
use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

/// The error of a command whose reader went away (`fink-vra score … |
/// head`): the command stops, quietly and successfully, as Unix tools do.
pub const READER_GONE: &str = "the reader of the output went away";

/// The message of a failed write of `what` ("the features"), or
/// [`READER_GONE`] when the pipe was closed.
pub fn write_error(what: &'static str) -> impl Fn(io::Error) -> String + Copy {
    move |error| {
        if error.kind() == io::ErrorKind::BrokenPipe {
            READER_GONE.to_string()
        } else {
            format!("cannot write {what}: {error}")
        }
    }
}

/// An open destination for a command's output, with a first line (a CSV
/// header) written only when the first row is, or at the end: a command
/// that fails on its first file leaves stdout empty.
pub struct Output {
    sink: Sink,
    header: Option<String>,
}

enum Sink {
    Stdout(BufWriter<Stdout>),
    File(PendingFile),
}

/// A file being written under a temporary name in the final file's folder
/// (so that the rename is atomic). Dropped without [`PendingFile::commit`],
/// it is removed.
pub struct PendingFile {
    writer: Option<BufWriter<File>>,
    temporary: PathBuf,
    path: PathBuf,
    /// Set once the content is under its final name.
    in_place: bool,
}

impl Output {
    /// Standard output, or the file `out` (nothing appears under its name
    /// before [`Output::finish`]), starting with the line `header`.
    pub fn open(out: Option<&Path>, header: String) -> Result<Output, String> {
        let sink = match out {
            None => Sink::Stdout(BufWriter::new(io::stdout())),
            Some(path) => Sink::File(PendingFile::create(path)?),
        };
        Ok(Output {
            sink,
            header: Some(header),
        })
    }

    /// Writes the header if nothing was, flushes, and puts a file in place:
    /// the output is complete.
    pub fn finish(mut self) -> Result<(), String> {
        let cannot = write_error("the output");
        self.write_header().map_err(cannot)?;
        match self.sink {
            Sink::Stdout(mut stdout) => stdout.flush().map_err(cannot),
            Sink::File(file) => file.commit(),
        }
    }

    fn write_header(&mut self) -> io::Result<()> {
        match self.header.take() {
            Some(header) => writeln!(self.sink, "{header}"),
            None => Ok(()),
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_header()?;
        self.sink.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink.flush()
    }
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(stdout) => stdout.write(bytes),
            Sink::File(file) => file.writer()?.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(stdout) => stdout.flush(),
            Sink::File(file) => file.writer()?.flush(),
        }
    }
}

impl PendingFile {
    /// Starts `path`'s content under a temporary name beside it.
    pub fn create(path: &Path) -> Result<PendingFile, String> {
        if path.is_dir() {
            return Err(format!(
                "{}: is a folder; --out takes the name of the file to write",
                path.display()
            ));
        }
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let file = File::create(&temporary)
            .map_err(|error| format!("{}: cannot write: {error}", path.display()))?;
        Ok(PendingFile {
            writer: Some(BufWriter::new(file)),
            temporary,
            path: path.to_path_buf(),
            in_place: false,
        })
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("the file was already put in place"))
    }

    /// Flushes the content to disk and renames it onto the final name.
    pub fn commit(mut self) -> Result<(), String> {
        let cannot = |error: io::Error| format!("{}: cannot write: {error}", self.path.display());
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|error| cannot(error.into_error()))?;
        file.sync_all().map_err(cannot)?;
        drop(file);
        fs::rename(&self.temporary, &self.path).map_err(cannot)?;
        self.in_place = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.in_place {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// Writes `bytes` to `path` whole or not at all.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = PendingFile::create(path)?;
    file.writer()
        .and_then(|writer| writer.write_all(bytes))
        .map_err(|error| format!("{}: cannot write: {error}", path.display()))?;
    file.commit()
}

//! The crate's error type.
//!
//! Errors are for inputs that cannot be turned into text at all (binary data, an unknown forced
//! encoding label) and for failures of the outside world (I/O). Everything that *can* be repaired
//! is repaired and written to the edit record instead: a malformed byte sequence is not an error.

use std::path::PathBuf;

/// Everything that can go wrong in scour.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not text: it starts with a known binary signature, or too many of its bytes
    /// are NUL or other control bytes for any text encoding scour knows.
    #[error("input is not text: {reason} (at byte {offset})")]
    Binary {
        /// Why the input was judged binary, for example `PNG signature` or `31% NUL bytes`.
        reason: String,
        /// The byte offset of the evidence (0 for a signature).
        offset: usize,
    },
    /// A forced or hinted encoding label that neither the WHATWG Encoding Standard nor scour's own
    /// decoders know.
    #[error("unknown encoding label {0:?}")]
    UnknownEncoding(String),
    /// A phrase list or boilerplate model could not be used.
    #[error("bad boilerplate list: {0}")]
    Boilerplate(String),
    /// An input or output file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An error about the contents of one input file, with the file's path.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What went wrong with it.
        #[source]
        source: Box<Error>,
    },
    /// A line of a JSONL input is not a JSON object with the expected text field.
    #[error("{}:{line}: {message}", path.display())]
    Jsonl {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: u64,
        /// What is wrong with the line.
        message: String,
    },
    /// A saved deduplication index could not be used: wrong format, another version, cut short,
    /// corrupt (checksum mismatch, inconsistent contents), or made with other settings than the
    /// ones asked for.
    #[error("{}: not a usable scour index: {message}", path.display())]
    Index {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A setting outside its allowed range (deduplication settings are checked when the
    /// configuration is built).
    #[error("{name} {value}: {allowed}")]
    Setting {
        /// The setting, named as its builder method (`num_perm`, `threshold`, …).
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// The allowed range, as a sentence fragment (`must be in (0, 1]`).
        allowed: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl Error {
    /// Names the file this error is about (I/O errors already name theirs).
    pub fn in_file(self, path: impl Into<PathBuf>) -> Error {
        match self {
            e @ (Error::Io { .. } | Error::InFile { .. } | Error::Jsonl { .. }) => e,
            e => Error::InFile {
                path: path.into(),
                source: Box::new(e),
            },
        }
    }
}

/// A `Result` whose error is scour's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Finding input files: files and directories, walked recursively in a stable order.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One input file and its path relative to the input it was found under (the file name, for a
/// file named directly).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The path to read.
    pub path: PathBuf,
    /// The path to write its output at, relative to an output directory.
    pub relative: PathBuf,
}

/// Lists the files named by `inputs`, walking directories recursively. Within a directory,
/// entries are sorted by name, so the order (and every output that follows it) does not depend
/// on the file system. Hidden entries (names starting with `.`) inside directories are skipped.
///
/// An input that does not exist or cannot be listed, a dangling symbolic link, a link to a
/// directory (not followed, since it could loop) and anything that is not a regular file (a
/// FIFO would block the run) are returned as errors in their place; the walk goes on.
pub fn walk(inputs: &[PathBuf]) -> Vec<Result<InputFile>> {
    let mut out = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(meta) if meta.is_dir() => walk_dir(input, Path::new(""), &mut out),
            // A FIFO would block the run and a device never ends: only regular files are read.
            Ok(meta) if !meta.is_file() => out.push(Err(not_regular(input))),
            Ok(_) => out.push(Ok(InputFile {
                path: input.clone(),
                relative: input
                    .file_name()
                    .map_or_else(|| PathBuf::from("input"), PathBuf::from),
            })),
            Err(e) => out.push(Err(Error::io(input, e))),
        }
    }
    out
}

fn walk_dir(dir: &Path, relative: &Path, out: &mut Vec<Result<InputFile>>) {
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) => return out.push(Err(Error::io(dir, e))),
    };
    let mut entries = Vec::new();
    for entry in listing {
        match entry {
            Ok(entry) => entries.push(entry),
            Err(e) => out.push(Err(Error::io(dir, e))),
        }
    }
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = relative.join(&name);
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk_dir(&path, &rel, out),
            Ok(t) if t.is_file() => out.push(Ok(InputFile {
                path,
                relative: rel,
            })),
            // A link to a file is read; a link to a directory is not followed (it could loop
            // back), and a dangling link is an error. Both are reported, not skipped silently.
            Ok(t) if t.is_symlink() => match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => out.push(Ok(InputFile {
                    path,
                    relative: rel,
                })),
                Ok(meta) if meta.is_dir() => out.push(Err(Error::io(
                    &path,
                    std::io::Error::other(
                        "symbolic link to a directory, not followed (name the target to read it)",
                    ),
                ))),
                Ok(_) => out.push(Err(not_regular(&path))),
                Err(e) => out.push(Err(Error::io(&path, e))),
            },
            Ok(_) => out.push(Err(not_regular(&path))),
            Err(e) => out.push(Err(Error::io(&path, e))),
        }
    }
}

/// The error for a FIFO, socket or device among the inputs.
fn not_regular(path: &Path) -> Error {
    Error::io(
        path,
        std::io::Error::other("not a regular file (a FIFO, socket or device); not read"),
    )
}

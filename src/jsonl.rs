//! Streaming documents out of JSONL files (plain, `.gz` or `.zst`) and plain text files.
//!
//! ```
//! use scour::jsonl::{Documents, Fields};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("docs.jsonl");
//! std::fs::write(&path, "{\"id\": \"a\", \"text\": \"一\"}\nnot json\n{\"text\": \"二\"}\n").unwrap();
//! let docs: Vec<_> = Documents::open(&path, &Fields::default()).unwrap().collect();
//! assert_eq!(docs[0].as_ref().unwrap().id, "a");
//! assert!(docs[1].as_ref().unwrap_err().to_string().contains("docs.jsonl:2:"));
//! assert_eq!(docs[2].as_ref().unwrap().id, "3"); // no id field: the line number
//! ```
//!
//! A file is read as JSONL when its name ends in `.jsonl`, `.ndjson` or `.json`, optionally
//! followed by `.gz` or `.zst`; any other file is one document, decoded from any encoding by
//! [`crate::decode()`], with its path as id. JSONL is read a line at a time, so memory is bounded
//! by the longest line ([`Fields::max_line`], 256 MiB by default). A line that is not UTF-8,
//! not JSON, not an object, lacks the text field, or is too long gives an [`Error::Jsonl`] with
//! the file and line number, and reading goes on with the next line. To keep such lines (a
//! tool that must lose nothing writes them through unchanged), read with
//! [`Documents::next_unparsed`]: a record that fails [`Unparsed::parse`] still has its
//! [`Unparsed::raw`] bytes.
//!
//! Lines end at `\n`; a `\r` before it (CRLF files) is removed, and so is a UTF-8 byte-order
//! mark at the start of the first line. Blank lines (nothing but ASCII whitespace) are not
//! records: they are skipped without an error, take no document number, and are counted
//! ([`Documents::blank_lines`]) so a caller can report them. A plain text file's bytes that are
//! malformed in its detected encoding become U+FFFD, counted in [`Document::malformed`].
//!
//! Ids are not checked for uniqueness here: a file may repeat an id, and a record without the
//! id field is named by its line number, which other files repeat. Callers that name documents
//! by id across files must handle repeats (`scour dedup` qualifies them, see its docs).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Which fields hold the text and the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// The text field (default `text`).
    pub text: String,
    /// The id field (default `id`); a record without it is named by its line number.
    pub id: String,
    /// The longest line accepted, in bytes.
    pub max_line: usize,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: "text".into(),
            id: "id".into(),
            max_line: 256 << 20,
        }
    }
}

/// One document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The id field as a string (a number is written in decimal), else the 1-based line number;
    /// for a plain text file, its path.
    pub id: String,
    /// The text.
    pub text: String,
    /// The 1-based line number (1 for a plain text file).
    pub line: u64,
    /// The JSONL line as read (without its line end, and without the byte-order mark of a first
    /// line), to write kept records unchanged; `None` for a plain text file.
    pub raw: Option<String>,
    /// The number of malformed byte sequences replaced by U+FFFD when a plain text file was
    /// decoded ([`crate::decode::Decoded::malformed`]); always 0 for JSONL, whose lines must be
    /// valid UTF-8.
    pub malformed: usize,
}

/// Whether `path` is read as JSONL (by its name).
pub fn is_jsonl(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.ends_with(".json")
}

/// The documents of one file, in order; see the [module docs](self).
pub struct Documents {
    path: std::sync::Arc<Path>,
    fields: std::sync::Arc<Fields>,
    source: Source,
    line: u64,
    blank: u64,
    buf: Vec<u8>,
}

enum Source {
    Lines(Box<dyn BufRead + Send>),
    Whole(Option<Vec<u8>>),
    Done,
}

impl Documents {
    /// Opens `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if it cannot be opened (or its compression header is unreadable).
    pub fn open(path: &Path, fields: &Fields) -> Result<Documents> {
        let source = if is_jsonl(path) {
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let name = path.to_string_lossy().to_lowercase();
            let reader: Box<dyn BufRead + Send> = if name.ends_with(".gz") {
                Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
            } else if name.ends_with(".zst") {
                Box::new(BufReader::new(
                    zstd::stream::read::Decoder::new(file).map_err(|e| Error::io(path, e))?,
                ))
            } else {
                Box::new(BufReader::with_capacity(1 << 16, file))
            };
            Source::Lines(reader)
        } else {
            Source::Whole(Some(std::fs::read(path).map_err(|e| Error::io(path, e))?))
        };
        Ok(Documents {
            path: std::sync::Arc::from(path),
            fields: std::sync::Arc::new(fields.clone()),
            source,
            line: 0,
            blank: 0,
            buf: Vec::new(),
        })
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::Jsonl {
            path: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }

    fn unparsed(&self, body: Body) -> Unparsed {
        Unparsed {
            path: self.path.clone(),
            fields: self.fields.clone(),
            line: self.line,
            body,
        }
    }

    /// Reads one line into `buf`, up to `max_line` bytes; returns `Ok(false)` at the end, and
    /// `Ok(true)` with `too_long` set when the line was longer (the rest is skipped).
    fn read_line(
        reader: &mut dyn BufRead,
        buf: &mut Vec<u8>,
        max: usize,
    ) -> std::io::Result<(bool, bool)> {
        buf.clear();
        let mut any = false;
        let mut too_long = false;
        loop {
            let chunk = reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok((any, too_long));
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if buf.len() + take > max.saturating_add(1) {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            reader.consume(take);
            if done {
                return Ok((true, too_long));
            }
        }
    }
}

/// A record read but not yet parsed: parsing (UTF-8 check, JSON, or decoding a plain text
/// file) is a pure function of it, so records can be read in order on one thread and parsed in
/// parallel. See [`Documents::next_unparsed`].
#[derive(Clone, Debug)]
pub struct Unparsed {
    path: std::sync::Arc<Path>,
    fields: std::sync::Arc<Fields>,
    line: u64,
    body: Body,
}

#[derive(Clone, Debug)]
enum Body {
    /// A JSONL line without its line end.
    Line(Vec<u8>),
    /// A whole plain text file.
    File(Vec<u8>),
}

impl Unparsed {
    /// The 1-based line number.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The bytes read.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Line(b) | Body::File(b) => b.len(),
        }
    }

    /// Whether no bytes were read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::Jsonl {
            path: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }

    /// The JSONL line as read, without its line end (`None` for a plain text file): what a
    /// caller writes unchanged when [`Unparsed::parse`] fails, so nothing read is lost.
    pub fn raw(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Line(b) => Some(b),
            Body::File(_) => None,
        }
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The document.
    ///
    /// # Errors
    ///
    /// [`Error::Jsonl`] for a line that is not UTF-8, not a JSON object, or lacks the text
    /// field; [`Error::InFile`] for a plain text file that is not text. The record is left as
    /// it was, so its [`raw`](Unparsed::raw) line can still be written out.
    pub fn parse(&self) -> Result<Document> {
        match &self.body {
            Body::File(bytes) => crate::decode(bytes)
                .map(|d| Document {
                    id: self.path.to_string_lossy().into_owned(),
                    malformed: d.malformed(),
                    text: d.text,
                    line: 1,
                    raw: None,
                })
                .map_err(|e| e.in_file(self.path.to_path_buf())),
            Body::Line(bytes) => self.parse_line(bytes),
        }
    }

    fn parse_line(&self, bytes: &[u8]) -> Result<Document> {
        let line = match simdutf8::compat::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                return Err(self.error(format!(
                    "not UTF-8 (invalid byte at column {})",
                    e.valid_up_to() + 1
                )))
            }
        };
        let value: Value =
            serde_json::from_str(line).map_err(|e| self.error(format!("not JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(self.error("not a JSON object"));
        };
        let text = match map.get(&self.fields.text) {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(self.error(format!("field {:?} is not a string", self.fields.text)))
            }
            None => return Err(self.error(format!("no field {:?}", self.fields.text))),
        };
        let id = match map.get(&self.fields.id) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => self.line.to_string(),
            Some(_) => {
                return Err(self.error(format!(
                    "field {:?} is not a string or number",
                    self.fields.id
                )))
            }
        };
        Ok(Document {
            id,
            text,
            line: self.line,
            raw: Some(line.to_owned()),
            malformed: 0,
        })
    }
}

impl Documents {
    /// The number of blank lines skipped so far.
    pub fn blank_lines(&self) -> u64 {
        self.blank
    }

    /// The next record, read but not parsed (reading errors, such as a line over the length
    /// limit or a broken compressed stream, come here; parsing errors come from
    /// [`Unparsed::parse`]). Blank lines are skipped and counted; a first line's byte-order mark
    /// and the `\r` of a CRLF line end are removed.
    pub fn next_unparsed(&mut self) -> Option<Result<Unparsed>> {
        match std::mem::replace(&mut self.source, Source::Done) {
            Source::Done => None,
            Source::Whole(bytes) => {
                self.line = 1;
                Some(Ok(self.unparsed(Body::File(bytes?))))
            }
            Source::Lines(mut reader) => loop {
                let mut buf = std::mem::take(&mut self.buf);
                let read = Self::read_line(&mut *reader, &mut buf, self.fields.max_line);
                self.line += 1;
                let result = match read {
                    Err(e) => {
                        // A broken file (bad compression, I/O error): report once and stop.
                        return Some(Err(self.error(format!("unreadable: {e}"))));
                    }
                    Ok((false, _)) => return None,
                    Ok((true, true)) => Some(Err(self.error(format!(
                        "line longer than {} bytes, skipped",
                        self.fields.max_line
                    )))),
                    Ok((true, false)) => {
                        if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                            // Editors on Windows write one; it is not part of the JSON.
                            buf.drain(..3);
                        }
                        let mut end = buf.len();
                        while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
                            end -= 1;
                        }
                        if buf[..end].iter().all(u8::is_ascii_whitespace) {
                            // Allowed, and no record: counted for the caller to report.
                            self.blank += 1;
                            None
                        } else {
                            buf.truncate(end);
                            Some(Ok(self.unparsed(Body::Line(std::mem::take(&mut buf)))))
                        }
                    }
                };
                self.buf = buf;
                if let Some(result) = result {
                    self.source = Source::Lines(reader);
                    return Some(result);
                }
            },
        }
    }
}

impl Iterator for Documents {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        self.next_unparsed().map(|r| r.and_then(|u| u.parse()))
    }
}

/// Reads a whole file through the same decompression as [`Documents`] (for tests and tools).
pub fn read_to_end(path: &Path) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let name = path.to_string_lossy().to_lowercase();
    let mut out = Vec::new();
    let r: std::io::Result<usize> = if name.ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(file).read_to_end(&mut out)
    } else if name.ends_with(".zst") {
        zstd::stream::read::Decoder::new(file).and_then(|mut d| d.read_to_end(&mut out))
    } else {
        BufReader::new(file).read_to_end(&mut out)
    };
    r.map_err(|e| Error::io(path, e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(path: &Path, fields: &Fields) -> Vec<std::result::Result<Document, String>> {
        Documents::open(path, fields)
            .unwrap()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    const BODY: &str = "{\"id\": 7, \"text\": \"甲\"}\n\n{\"id\": \"x\", \"body\": \"乙\"}\n[1]\n{\"text\": 3}\n{\"text\": \"丙\"}";

    #[test]
    fn plain_gz_zst_agree() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.jsonl");
        std::fs::write(&plain, BODY).unwrap();
        let gz = dir.path().join("a.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(BODY.as_bytes()).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let zst = dir.path().join("a.jsonl.zst");
        std::fs::write(&zst, zstd::encode_all(BODY.as_bytes(), 1).unwrap()).unwrap();
        let fields = Fields::default();
        let want = collect(&plain, &fields);
        assert_eq!(want.len(), 5);
        assert_eq!(want[0].as_ref().unwrap().id, "7");
        assert_eq!(
            want[0].as_ref().unwrap().raw.as_deref(),
            Some("{\"id\": 7, \"text\": \"甲\"}")
        );
        let p = plain.display();
        assert_eq!(want[1], Err(format!("{p}:3: no field \"text\"")));
        assert_eq!(want[2], Err(format!("{p}:4: not a JSON object")));
        assert_eq!(
            want[3],
            Err(format!("{p}:5: field \"text\" is not a string"))
        );
        let last = want[4].as_ref().unwrap();
        assert_eq!(
            (last.id.as_str(), last.text.as_str(), last.line),
            ("6", "丙", 6)
        );
        for other in [&gz, &zst] {
            let got: Vec<_> = collect(other, &fields)
                .into_iter()
                .map(|r| {
                    r.map(|d| d.text)
                        .map_err(|e| e.rsplit(": ").next().unwrap().to_owned())
                })
                .collect();
            let want: Vec<_> = want
                .iter()
                .map(|r| {
                    r.clone()
                        .map(|d| d.text)
                        .map_err(|e| e.rsplit(": ").next().unwrap().to_owned())
                })
                .collect();
            assert_eq!(got, want);
        }
        let custom = Fields {
            text: "body".into(),
            ..Fields::default()
        };
        let got = collect(&plain, &custom);
        assert_eq!(got[1].as_ref().unwrap().text, "乙");
    }

    #[test]
    fn bad_bytes_long_lines_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.jsonl");
        let mut body = b"{\"text\": \"ok\"}\n{\"text\": \"\xff\xfe\"}\n".to_vec();
        body.extend_from_slice(format!("{{\"text\": \"{}\"}}\n", "x".repeat(100)).as_bytes());
        body.extend_from_slice("{\"text\": \"end\"}".as_bytes());
        std::fs::write(&path, &body).unwrap();
        let fields = Fields {
            max_line: 50,
            ..Fields::default()
        };
        let got = collect(&path, &fields);
        let p = path.display();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[1],
            Err(format!("{p}:2: not UTF-8 (invalid byte at column 11)"))
        );
        assert_eq!(
            got[2],
            Err(format!("{p}:3: line longer than 50 bytes, skipped"))
        );
        assert_eq!(got[3].as_ref().unwrap().text, "end");

        // A cut gzip stream: the records before the cut, then one error, then the end.
        let gz = dir.path().join("c.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..2000 {
            writeln!(enc, "{{\"text\": \"第{i}行\"}}").unwrap();
        }
        let bytes = enc.finish().unwrap();
        std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
        let got = collect(&gz, &Fields::default());
        let last = got.last().unwrap();
        assert!(
            last.as_ref().unwrap_err().contains("unreadable"),
            "{last:?}"
        );
        assert!(got[..got.len() - 1].iter().all(|r| r.is_ok()));
        assert!(got.len() > 10);
    }

    #[test]
    fn plain_text_file_is_one_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.txt");
        std::fs::write(&path, "第一行\n第二行\n").unwrap();
        let got = collect(&path, &Fields::default());
        assert_eq!(got.len(), 1);
        let d = got[0].as_ref().unwrap();
        assert_eq!(
            (d.text.as_str(), d.raw.as_ref()),
            ("第一行\n第二行\n", None)
        );
        assert!(!is_jsonl(&path));
        assert!(is_jsonl(Path::new("x/y.JSONL.zst")));
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(
            collect(&empty, &Fields::default())[0]
                .as_ref()
                .unwrap()
                .text,
            ""
        );
    }

    #[test]
    fn bom_crlf_and_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"\xEF\xBB\xBF{\"id\": \"a\", \"text\": \"\xE7\x94\xB2\"}\r\n\r\n  \t\n{\"text\": \"b\"}\r\n\xEF\xBB\xBF{\"text\": \"c\"}\n\n";
        for name in ["a.jsonl", "a.jsonl.gz"] {
            let path = dir.path().join(name);
            if name.ends_with(".gz") {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                enc.write_all(body).unwrap();
                std::fs::write(&path, enc.finish().unwrap()).unwrap();
            } else {
                std::fs::write(&path, body).unwrap();
            }
            let mut docs = Documents::open(&path, &Fields::default()).unwrap();
            let got: Vec<_> = docs
                .by_ref()
                .map(|r| r.map(|d| (d.id, d.text, d.line, d.raw.unwrap())))
                .map(|r| r.map_err(|e| e.to_string()))
                .collect();
            let p = path.display();
            assert_eq!(
                got,
                [
                    Ok((
                        "a".into(),
                        "甲".into(),
                        1,
                        "{\"id\": \"a\", \"text\": \"甲\"}".into()
                    )),
                    Ok(("4".into(), "b".into(), 4, "{\"text\": \"b\"}".into())),
                    // A mark on a later line is not a file's mark: the line is not JSON.
                    Err(format!(
                        "{p}:5: not JSON: expected value at line 1 column 1"
                    )),
                ],
                "{name}"
            );
            assert_eq!(docs.blank_lines(), 3, "{name}");
        }
    }

    #[test]
    fn malformed_bytes_of_a_plain_text_file_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.txt");
        let mut bytes = "中文文本，被截断的网页。\n".repeat(20).into_bytes();
        bytes.extend_from_slice(b"\xE4\xB8 x \xFF\n");
        std::fs::write(&path, &bytes).unwrap();
        let got = collect(&path, &Fields::default());
        let d = got[0].as_ref().unwrap();
        assert_eq!(d.malformed, 2);
        assert_eq!(d.text.matches('\u{FFFD}').count(), 2);
        let fine = dir.path().join("fine.txt");
        std::fs::write(&fine, "中文文本").unwrap();
        assert_eq!(
            collect(&fine, &Fields::default())[0]
                .as_ref()
                .unwrap()
                .malformed,
            0
        );
    }
}

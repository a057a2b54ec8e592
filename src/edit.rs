//! The edit record: the one currency between stages.
//!
//! Every stage that changes text says what it changed in [`Edit`]s. An edit names the [`Stage`]
//! that made it, its [`EditKind`], the byte `offset` where it applies, the text `removed` and the
//! text `inserted` there, and a `reason` in words.
//!
//! # Coordinates
//!
//! An edit's `offset` is a byte offset into **the text its stage received**, not into the
//! original input. The edits of one stage are sorted by offset and never overlap, so applying
//! them in order to the stage's input yields the stage's output. Stages run in the order of
//! [`Stage`], so the whole record replays: start from the decoded text and apply each stage's
//! edits in turn ([`replay`]) to get the emitted text back, byte for byte. That is how the tests
//! prove that nothing is removed without a record.
//!
//! The [`Stage::Decode`] edits are the exception: they describe bytes, not text. Their `offset`
//! is into the input bytes, `removed` spells the malformed bytes as `\xHH` escapes and `inserted`
//! is what the decoder put in their place (U+FFFD). They are not replayed; they are the record of
//! the bytes that did not survive decoding.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The stage of the reader that made an edit, in the order the stages run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Bytes to text ([`decode`](mod@crate::decode)).
    Decode,
    /// Mojibake repair on decoded text.
    Repair,
    /// Character and whitespace normalization ([`crate::normalize::Normalizer`]).
    Normalize,
    /// Unicode canonical composition (NFC, [`crate::normalize::compose`]).
    Compose,
    /// Known or learned boilerplate ([`crate::boilerplate`]).
    Boilerplate,
    /// Repeated copies inside one document ([`crate::repetition`]).
    Repetition,
    /// The normalizer and composition run again, when boilerplate, repetition or the second
    /// repair pass changed something: to tidy the blank lines and spaces the cuts exposed, and
    /// what the repair brought back.
    Tidy,
}

impl Stage {
    /// The stage's name as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Repair => "repair",
            Stage::Normalize => "normalize",
            Stage::Compose => "compose",
            Stage::Boilerplate => "boilerplate",
            Stage::Repetition => "repetition",
            Stage::Tidy => "tidy",
        }
    }
}

/// What kind of change an edit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// A malformed byte sequence replaced by U+FFFD while decoding.
    Decode,
    /// Text repaired from mojibake (text decoded with the wrong encoding).
    Mojibake,
    /// Text flagged as already lost (`锟斤拷`, runs of U+FFFD): recorded, never changed.
    LostData,
    /// Canonical composition (NFC).
    Unicode,
    /// A `\r\n` or `\r` line ending turned into `\n`.
    LineEnding,
    /// A control, zero-width or stray byte-order-mark character removed.
    Control,
    /// A full-width ASCII letter or digit folded to half-width.
    Width,
    /// Punctuation repaired (decoding-table artifacts such as U+2015 for U+2014).
    Punctuation,
    /// Whitespace removed: trailing spaces, spaces between CJK characters, surplus blank lines.
    Whitespace,
    /// A boilerplate phrase or line removed.
    Boilerplate,
    /// A repeated copy of earlier text removed.
    Repetition,
}

impl EditKind {
    /// All kinds, in declaration order (for summaries).
    pub const ALL: [EditKind; 11] = [
        EditKind::Decode,
        EditKind::Mojibake,
        EditKind::LostData,
        EditKind::Unicode,
        EditKind::LineEnding,
        EditKind::Control,
        EditKind::Width,
        EditKind::Punctuation,
        EditKind::Whitespace,
        EditKind::Boilerplate,
        EditKind::Repetition,
    ];

    /// The kind's name as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EditKind::Decode => "decode",
            EditKind::Mojibake => "mojibake",
            EditKind::LostData => "lost_data",
            EditKind::Unicode => "unicode",
            EditKind::LineEnding => "line_ending",
            EditKind::Control => "control",
            EditKind::Width => "width",
            EditKind::Punctuation => "punctuation",
            EditKind::Whitespace => "whitespace",
            EditKind::Boilerplate => "boilerplate",
            EditKind::Repetition => "repetition",
        }
    }
}

impl fmt::Display for EditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change made by one stage. See the [module docs](self) for the coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The stage that made the change.
    pub stage: Stage,
    /// What kind of change it is.
    pub kind: EditKind,
    /// Byte offset into the stage's input where `removed` starts.
    pub offset: usize,
    /// The text removed (empty for a pure insertion).
    pub removed: String,
    /// The text inserted in its place (empty for a pure removal).
    pub inserted: String,
    /// Why, in words; for learned boilerplate this includes the evidence.
    pub reason: Cow<'static, str>,
}

impl Edit {
    /// The length in bytes of the stage input that the edit covers: `removed.len()`, or for a
    /// decode edit the number of raw bytes its `\xHH` escapes spell.
    pub fn input_len(&self) -> usize {
        if self.stage == Stage::Decode {
            self.removed.len() / 4
        } else {
            self.removed.len()
        }
    }

    /// False for a flag: an edit that records something about the text (lost data) without
    /// changing it, so its removed and inserted text are equal.
    pub fn changes_text(&self) -> bool {
        self.removed != self.inserted
    }
}

/// What a text stage returns: its output text and the edits that turned its input into it.
///
/// `text` borrows the input when the stage changed nothing, which is the common case on clean
/// text and costs no copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten<'a> {
    /// The stage's output.
    pub text: Cow<'a, str>,
    /// The edits, sorted by offset into the stage's input.
    pub edits: Vec<Edit>,
}

impl<'a> Rewritten<'a> {
    /// The input, unchanged.
    pub fn unchanged(text: &'a str) -> Rewritten<'a> {
        Rewritten {
            text: Cow::Borrowed(text),
            edits: Vec::new(),
        }
    }

    /// A changed text with its edits.
    pub fn changed(text: String, edits: Vec<Edit>) -> Rewritten<'a> {
        Rewritten {
            text: Cow::Owned(text),
            edits,
        }
    }
}

/// Collects the edits of one stage while it rewrites its input.
///
/// A stage copies its input to an output `String` and, wherever it changes something, calls
/// [`EditLog::replace`] with the input offset. Adjacent edits of the same kind and reason are
/// merged, so a run of forty spaces is one edit, not forty.
#[derive(Debug)]
pub struct EditLog {
    stage: Stage,
    edits: Vec<Edit>,
}

impl EditLog {
    /// An empty log for `stage`.
    pub fn new(stage: Stage) -> EditLog {
        EditLog {
            stage,
            edits: Vec::new(),
        }
    }

    /// Records that `removed`, at byte `offset` of the stage's input, became `inserted`.
    ///
    /// Calls must come in increasing offset order with no overlap.
    pub fn replace(
        &mut self,
        kind: EditKind,
        offset: usize,
        removed: &str,
        inserted: &str,
        reason: impl Into<Cow<'static, str>>,
    ) {
        let reason = reason.into();
        // Decode edits spell malformed bytes as escapes: one edit per malformed sequence.
        if let Some(last) = self
            .edits
            .last_mut()
            .filter(|_| self.stage != Stage::Decode)
        {
            let last_end = last.offset + last.input_len();
            debug_assert!(last_end <= offset, "edits overlap");
            if last.kind == kind && last.reason == reason && last_end == offset {
                last.removed.push_str(removed);
                last.inserted.push_str(inserted);
                return;
            }
        }
        self.edits.push(Edit {
            stage: self.stage,
            kind,
            offset,
            removed: removed.to_owned(),
            inserted: inserted.to_owned(),
            reason,
        });
    }

    /// Records that `removed`, at byte `offset` of the stage's input, was deleted.
    pub fn remove(
        &mut self,
        kind: EditKind,
        offset: usize,
        removed: &str,
        reason: impl Into<Cow<'static, str>>,
    ) {
        self.replace(kind, offset, removed, "", reason)
    }

    /// True if nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The edits recorded, in offset order.
    pub fn into_edits(self) -> Vec<Edit> {
        self.edits
    }
}

/// Applies one stage's `edits` (sorted, non-overlapping, offsets into `input`) to `input`.
///
/// Returns `None` if an edit does not fit: its offset is out of range, not on a character
/// boundary, its `removed` text is not what `input` holds there, or it overlaps the one before.
pub fn apply(input: &str, edits: &[Edit]) -> Option<String> {
    let mut out = String::with_capacity(input.len());
    let mut pos = 0;
    for edit in edits {
        let end = edit.offset.checked_add(edit.removed.len())?;
        if edit.offset < pos || input.get(edit.offset..end)? != edit.removed {
            return None;
        }
        out.push_str(&input[pos..edit.offset]);
        out.push_str(&edit.inserted);
        pos = end;
    }
    out.push_str(&input[pos..]);
    Some(out)
}

/// Replays a whole record, stage by stage, on the decoded text.
///
/// `edits` is a record as produced by [`crate::Cleaner::clean`]: grouped by stage in stage order.
/// [`Stage::Decode`] edits are skipped (they describe bytes; `decoded` already reflects them).
/// Returns `None` if any stage's edits do not fit the text that stage received.
pub fn replay(decoded: &str, edits: &[Edit]) -> Option<String> {
    let mut text = decoded.to_owned();
    let mut start = 0;
    while start < edits.len() {
        let stage = edits[start].stage;
        let end = start
            + edits[start..]
                .iter()
                .take_while(|e| e.stage == stage)
                .count();
        if stage != Stage::Decode {
            text = apply(&text, &edits[start..end])?;
        }
        start = end;
    }
    Some(text)
}

/// Escapes bytes as `\xHH` for the `removed` field of a decode edit.
pub(crate) fn escape_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 4);
    for b in bytes {
        let _ = write!(s, "\\x{b:02X}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_merges_adjacent_edits_of_one_kind() {
        let mut log = EditLog::new(Stage::Normalize);
        log.remove(EditKind::Whitespace, 3, " ", "space");
        log.remove(EditKind::Whitespace, 4, " ", "space");
        log.remove(EditKind::Whitespace, 8, " ", "space");
        let edits = log.into_edits();
        assert_eq!(edits.len(), 2);
        assert_eq!((edits[0].offset, edits[0].removed.as_str()), (3, "  "));
        assert_eq!(apply("abc  def g", &edits).unwrap(), "abcdefg");
    }

    #[test]
    fn apply_rejects_an_edit_that_does_not_match() {
        let mut log = EditLog::new(Stage::Normalize);
        log.replace(EditKind::Width, 0, "x", "y", "test");
        assert_eq!(apply("abc", &log.into_edits()), None);
    }

    #[test]
    fn escape_bytes_spells_each_byte() {
        assert_eq!(escape_bytes(&[0xE4, 0x0A]), "\\xE4\\x0A");
    }
}

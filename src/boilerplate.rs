//! Boilerplate: text a site inserts into its pages, cut out wherever it occurs
//! ([`Stage::Boilerplate`]).
//!
//! A [`BoilerplateCutter`] holds [`Pattern`]s: a literal text, where on a line it may be cut
//! ([`Placement`]) and the reason recorded for each cut. Patterns come from a phrase list (a file
//! with one phrase per line, [`BoilerplateCutter::from_phrase_file`]) or from a learned model;
//! the cutter does not care which, so a learned model compiles to the same patterns with its
//! evidence as the reason.
//!
//! All patterns are searched at once with one Aho-Corasick automaton (leftmost-longest), so the
//! cost is one scan of the text whatever the number of patterns. Patterns are normalized like
//! the text ([`crate::normalize`]) so that a phrase written with full-width digits still matches.
//!
//! When a line holds nothing but boilerplate, the whole line goes, with its line break. When a
//! cut leaves a line, the cut also takes the spaces that would otherwise be left doubled or at
//! the line's start. Blank lines and spaces that the cuts expose are tidied afterwards by the
//! reader ([`crate::edit::Stage::Tidy`]).
//!
//! # Example
//!
//! ```
//! use scour::boilerplate::BoilerplateCutter;
//!
//! let cutter = BoilerplateCutter::from_phrases(["侯卫东官场笔记", "点击下一页继续阅读"]).unwrap();
//! let out = cutter.cut("2016年工作回顾侯卫东官场笔记\n正文。\n点击下一页继续阅读\n");
//! assert_eq!(out.text, "2016年工作回顾\n正文。\n");
//! assert_eq!(out.edits.len(), 2);
//! ```

use std::borrow::Cow;
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::edit::{EditKind, EditLog, Rewritten, Stage};
use crate::error::{Error, Result};
use crate::normalize;

/// Where on a line a pattern may be cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Anywhere.
    #[default]
    Anywhere,
    /// Only at the start of a line (after its indentation).
    LineStart,
    /// Only at the end of a line (before trailing whitespace).
    LineEnd,
    /// Only when it is the whole line.
    WholeLine,
}

/// One piece of boilerplate to cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    /// The literal text.
    pub text: String,
    /// Where it may be cut.
    pub placement: Placement,
    /// The reason written into each edit that cuts it.
    pub reason: Cow<'static, str>,
}

impl Pattern {
    /// A listed phrase, cut anywhere.
    pub fn phrase(text: impl Into<String>) -> Pattern {
        Pattern {
            text: text.into(),
            placement: Placement::Anywhere,
            reason: Cow::Borrowed("listed boilerplate phrase"),
        }
    }
}

/// Cuts boilerplate patterns out of text. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct BoilerplateCutter {
    patterns: Vec<Pattern>,
    automaton: Option<AhoCorasick>,
}

impl BoilerplateCutter {
    /// A cutter with these patterns. Each pattern's text is normalized; empty ones are dropped,
    /// and of two patterns with the same text the first wins.
    pub fn new(patterns: impl IntoIterator<Item = Pattern>) -> Result<BoilerplateCutter> {
        let mut kept: Vec<Pattern> = Vec::new();
        for mut pattern in patterns {
            pattern.text = normalize_phrase(&pattern.text);
            if !pattern.text.is_empty() && !kept.iter().any(|p| p.text == pattern.text) {
                kept.push(pattern);
            }
        }
        let automaton = if kept.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(kept.iter().map(|p| p.text.as_str()))
                    .map_err(|e| Error::Boilerplate(e.to_string()))?,
            )
        };
        Ok(BoilerplateCutter {
            patterns: kept,
            automaton,
        })
    }

    /// A cutter for listed phrases, each cut anywhere.
    pub fn from_phrases<S: AsRef<str>>(
        phrases: impl IntoIterator<Item = S>,
    ) -> Result<BoilerplateCutter> {
        BoilerplateCutter::new(phrases.into_iter().map(|p| Pattern::phrase(p.as_ref())))
    }

    /// A cutter for the phrases in a UTF-8 file, one per line. Blank lines are skipped; spaces
    /// around a phrase are not part of it.
    pub fn from_phrase_file(path: impl AsRef<Path>) -> Result<BoilerplateCutter> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::Boilerplate(format!(
                "{}: not UTF-8 (at byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        BoilerplateCutter::from_phrases(text.lines().map(str::trim).filter(|l| !l.is_empty()))
    }

    /// Adds patterns (for example a learned model's) to this cutter.
    pub fn with(self, more: impl IntoIterator<Item = Pattern>) -> Result<BoilerplateCutter> {
        BoilerplateCutter::new(self.patterns.into_iter().chain(more))
    }

    /// The patterns, normalized.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// True if the cutter has no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Cuts every occurrence of every pattern out of `text` ([`Stage::Boilerplate`]).
    ///
    /// `text` is expected to be normalized (lines end with `\n`), as the reader gives it.
    pub fn cut<'a>(&self, text: &'a str) -> Rewritten<'a> {
        let Some(automaton) = &self.automaton else {
            return Rewritten::unchanged(text);
        };
        let mut log = EditLog::new(Stage::Boilerplate);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut matches = automaton.find_iter(text).peekable();
        let mut line_cuts: Vec<(usize, usize, usize)> = Vec::new();
        while let Some(first) = matches.peek() {
            // The line holding the next match.
            let line_start =
                memchr::memrchr(b'\n', &text.as_bytes()[..first.start()]).map_or(0, |i| i + 1);
            let content_end = memchr::memchr(b'\n', &text.as_bytes()[first.start()..])
                .map_or(text.len(), |i| first.start() + i);
            let term_end = (content_end + 1).min(text.len());
            line_cuts.clear();
            while let Some(m) = matches.peek() {
                if m.start() >= content_end {
                    break;
                }
                let m = matches.next().expect("peeked");
                let pattern = m.pattern().as_usize();
                // A combining mark after the match belongs to its last character, which is then
                // not the pattern's character.
                let splits_a_character = text[m.end()..]
                    .chars()
                    .next()
                    .is_some_and(unicode_normalization::char::is_combining_mark);
                if !splits_a_character
                    && placement_fits(
                        self.patterns[pattern].placement,
                        text,
                        line_start,
                        content_end,
                        m.start(),
                        m.end(),
                    )
                {
                    line_cuts.push((m.start(), m.end(), pattern));
                }
            }
            if line_cuts.is_empty() {
                continue;
            }
            out.push_str(&text[copied..line_start]);
            copied = line_start;
            let line = &text[line_start..content_end];
            let cut_len: usize = line_cuts.iter().map(|&(s, e, _)| e - s).sum();
            let whitespace_len: usize = line
                .chars()
                .filter(|c| c.is_whitespace())
                .map(char::len_utf8)
                .sum();
            if cut_len + whitespace_len >= line.len() {
                // Nothing but boilerplate: the whole line goes.
                let reason = self.patterns[line_cuts[0].2].reason.clone();
                log.remove(
                    EditKind::Boilerplate,
                    line_start,
                    &text[line_start..term_end],
                    reason,
                );
                copied = term_end;
                continue;
            }
            for &(start, end, pattern) in &line_cuts {
                let (start, end) = widen_over_spaces(text, line_start, content_end, start, end);
                let start = start.max(copied);
                out.push_str(&text[copied..start]);
                log.remove(
                    EditKind::Boilerplate,
                    start,
                    &text[start..end],
                    self.patterns[pattern].reason.clone(),
                );
                copied = end;
            }
        }
        if log.is_empty() {
            return Rewritten::unchanged(text);
        }
        out.push_str(&text[copied..]);
        Rewritten::changed(out, log.into_edits())
    }
}

/// Normalizes a phrase as the reader normalizes text, without the final newline.
fn normalize_phrase(phrase: &str) -> String {
    let (text, _) = normalize::normalize(phrase.trim());
    text.trim().to_owned()
}

fn placement_fits(
    placement: Placement,
    text: &str,
    line_start: usize,
    content_end: usize,
    start: usize,
    end: usize,
) -> bool {
    let at_start = text[line_start..start].trim().is_empty();
    let at_end = text[end..content_end].trim().is_empty();
    match placement {
        Placement::Anywhere => true,
        Placement::LineStart => at_start,
        Placement::LineEnd => at_end,
        Placement::WholeLine => at_start && at_end,
    }
}

/// Widens a cut over the spaces that it would otherwise leave doubled, or at the start or end of
/// the line.
fn widen_over_spaces(
    text: &str,
    line_start: usize,
    content_end: usize,
    start: usize,
    end: usize,
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let spaces_after = bytes[end..content_end]
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let spaces_before = bytes[line_start..start]
        .iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let at_start = text[line_start..start].trim().is_empty();
    let at_end = end + spaces_after == content_end;
    if at_end {
        (start - spaces_before, end + spaces_after)
    } else if at_start || spaces_before > 0 {
        (start, end + spaces_after)
    } else {
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    fn cut(cutter: &BoilerplateCutter, s: &str) -> String {
        let out = cutter.cut(s);
        assert_eq!(apply(s, &out.edits).as_deref(), Some(&*out.text));
        out.text.into_owned()
    }

    #[test]
    fn cuts_phrases_glued_to_text_and_whole_lines() {
        let c = BoilerplateCutter::from_phrases(["侯卫东官场笔记", "上一篇"]).unwrap();
        assert_eq!(
            cut(&c, "2016年工作回顾侯卫东官场笔记\n"),
            "2016年工作回顾\n"
        );
        assert_eq!(cut(&c, "a\n上一篇 侯卫东官场笔记\nb\n"), "a\nb\n");
        assert_eq!(cut(&c, "one 上一篇 two\n"), "one two\n");
        assert_eq!(cut(&c, "上一篇 two\n"), "two\n");
        assert_eq!(cut(&c, "nothing here\n"), "nothing here\n");
    }

    #[test]
    fn placement_limits_where_a_pattern_is_cut() {
        let c = BoilerplateCutter::new([Pattern {
            text: "笔记".into(),
            placement: Placement::LineEnd,
            reason: "test".into(),
        }])
        .unwrap();
        assert_eq!(cut(&c, "笔记本\n读书笔记\n"), "笔记本\n读书\n");
    }

    #[test]
    fn phrases_are_normalized() {
        let c = BoilerplateCutter::from_phrases(["第１章  "]).unwrap();
        assert_eq!(c.patterns()[0].text, "第1章");
        assert!(BoilerplateCutter::from_phrases(["", "  "])
            .unwrap()
            .is_empty());
    }
}

//! Unicode and whitespace normalization that keeps CJK punctuation intact.
//!
//! Two stages live here, both usable alone:
//!
//! * [`compose`] puts text in NFC ([`Stage::Compose`]). Not NFKC: NFKC would turn Chinese
//!   `，（）：` into ASCII and `Ⅲ` into `III`, so it is used for matching keys only (see the
//!   deduplication stage), never for emitted text.
//! * [`Normalizer::normalize`] ([`Stage::Normalize`]) makes, in one left-to-right pass:
//!   - line endings `\r\n`, `\r`, U+0085, U+2028, U+2029, `\x0B`, `\x0C` into `\n`;
//!   - control characters (all of category Cc but `\n` and `\t`), zero-width spaces (U+200B,
//!     U+2060, U+180E) and stray byte-order marks (U+FEFF) removed; U+200C/U+200D (ZWNJ/ZWJ) are
//!     removed only next to CJK text, a space or a line edge, since Persian, Indic scripts and
//!     emoji need them between their characters;
//!   - full-width ASCII letters and digits (`Ａ`, `１`) folded to half-width; full-width
//!     punctuation is kept;
//!   - the punctuation left by the old GB2312 decoding table repaired in Chinese context (a line
//!     with a Han character and no kana):
//!     U+2015 becomes U+2014 (`――` → `——`, `2016―2020` → `2016—2020`); U+30FB, U+FF65 and U+2027
//!     become U+00B7 (`阿里巴巴・柳州` → `阿里巴巴·柳州`). Elsewhere, Japanese text included,
//!     these characters are left alone;
//!   - ASCII spaces between two CJK characters removed (`扩大开放。 “八个一”` →
//!     `扩大开放。“八个一”`). CJK here means Han, kana and CJK punctuation; a curly quote, dash,
//!     ellipsis or middle dot counts as CJK when the character on its other side is CJK. Hangul is
//!     not included, and a line holding Hangul keeps all its spaces: Korean separates words
//!     with spaces, Hanja words included (`大韓民國 憲法 前文`);
//!   - trailing whitespace on each line removed; blank lines at the start and end removed, runs
//!     of blank lines collapsed to one; the text ends with exactly one `\n` unless it is empty.
//!
//! Every change is an [`Edit`] with its reason.
//!
//! # Example
//!
//! ```
//! use scour::normalize::Normalizer;
//!
//! let out = Normalizer::new().normalize("２０１７年  ――柳州\r\n阿里巴巴・柳州 \r\n");
//! assert_eq!(out.text, "2017年——柳州\n阿里巴巴·柳州\n");
//! assert_eq!(out.edits.len(), 7);
//! ```

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use crate::edit::{Edit, EditKind, EditLog, Rewritten, Stage};
use crate::script::{is_cjk, is_han, is_hangul, is_kana};

/// Puts `text` in Unicode Normalization Form C ([`Stage::Compose`]).
///
/// Text made only of characters that NFC never changes (ASCII, Latin-1 letters, CJK ideographs,
/// kana, Hangul syllables, CJK and full-width punctuation) is returned borrowed after one scan.
/// Otherwise each line that NFC changes becomes one edit, trimmed to the part that differs.
pub fn compose(text: &str) -> Rewritten<'_> {
    if is_nfc_inert(text.as_bytes()) || unicode_normalization::is_nfc(text) {
        return Rewritten::unchanged(text);
    }
    let mut log = EditLog::new(Stage::Compose);
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let composed: String = line.nfc().collect();
        if composed != line {
            let (prefix, suffix) = common_affixes(line, &composed);
            log.replace(
                EditKind::Unicode,
                start + prefix,
                &line[prefix..line.len() - suffix],
                &composed[prefix..composed.len() - suffix],
                "canonical composition (NFC)",
            );
        }
        out.push_str(&composed);
        start += line.len();
    }
    Rewritten::changed(out, log.into_edits())
}

/// True if `text` (valid UTF-8) holds only characters that are NFC on their own and never
/// compose with a neighbour: ASCII and U+0080–U+02FF, most of U+2000–U+2FFF, CJK punctuation, kana (but
/// the combining marks U+3099 and U+309A, and the tone marks U+302A–U+302F), CJK ideographs,
/// Hangul syllables, and the half-width and full-width forms. A byte scan, conservative: any
/// other character makes it false, and the caller then runs the full check.
fn is_nfc_inert(text: &[u8]) -> bool {
    // The lead bytes whose characters need a closer look; no continuation byte is among them,
    // so the scan tests each byte on its own, with no chain from one character to the next.
    const LOOK: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = matches!(b as u8, 0xCC..=0xE3 | 0xEA | 0xED..=0xFF);
            b += 1;
        }
        table
    };
    let n = text.len();
    let mut i = 0;
    while i < n {
        match text[i..].iter().position(|&b| LOOK[usize::from(b)]) {
            Some(k) => i += k,
            None => break,
        }
        let b = text[i];
        // Valid UTF-8: a lead byte is followed by all its continuation bytes.
        let (b1, b2) = (text[i + 1], text.get(i + 2).copied().unwrap_or(0));
        let inert = match b {
            // U+2000–U+2FFF, but for the singletons U+2000, U+2001, U+2126, U+212A, U+212B,
            // U+2329, U+232A, U+2ADC and the combining marks U+20D0–U+20FF, U+2CEF–U+2CF1,
            // U+2D7F, U+2DE0–U+2DFF.
            0xE2 => !matches!(
                (b1, b2),
                (0x80, 0x80 | 0x81)
                    | (0x83, 0x90..=0xBF)
                    | (0x84, 0xA6 | 0xAA | 0xAB)
                    | (0x8C, 0xA9 | 0xAA)
                    | (0xAB, 0x9C)
                    | (0xB3, 0xAF..=0xB1)
                    | (0xB5, 0xBF)
                    | (0xB7, 0xA0..=0xBF)
            ),
            0xE3 => match b1 {
                0x80 => !(0xAA..=0xAF).contains(&b2),
                0x81 | 0x83 => true,
                0x82 => b2 != 0x99 && b2 != 0x9A,
                0x90..=0xBF => true,
                _ => false,
            },
            0xE4..=0xE9 | 0xEB | 0xEC => true,
            0xEA => b1 >= 0xB0,
            0xED => b1 <= 0x9E,
            0xEF => {
                matches!(b1, 0xBC..=0xBE) || (b1 == 0xBF && b2 <= 0xAF) || (b1, b2) == (0xBB, 0xBF)
            }
            _ => false,
        };
        if !inert {
            return false;
        }
        i += 1;
    }
    true
}

/// The lengths in bytes of the longest common prefix and suffix of `a` and `b`, at character
/// boundaries, not overlapping.
fn common_affixes(a: &str, b: &str) -> (usize, usize) {
    let prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix: usize = a[prefix..]
        .chars()
        .rev()
        .zip(b[prefix..].chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .scan(0, |acc, n| {
            *acc += n;
            Some(*acc)
        })
        .take_while(|&total| total <= max_suffix)
        .last()
        .unwrap_or(0);
    (prefix, suffix)
}

/// Character and whitespace normalization ([`Stage::Normalize`]); see the [module docs](self).
///
/// Every rule is on by default and can be turned off with the builder methods.
#[derive(Clone, Debug)]
pub struct Normalizer {
    fold_width: bool,
    repair_punctuation: bool,
    remove_cjk_spaces: bool,
    remove_controls: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new()
    }
}

/// What the per-character pass decided for one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Keep,
    Remove(EditKind, &'static str),
    Replace(EditKind, char, &'static str),
}

impl Normalizer {
    /// A normalizer with every rule on.
    pub fn new() -> Normalizer {
        Normalizer {
            fold_width: true,
            repair_punctuation: true,
            remove_cjk_spaces: true,
            remove_controls: true,
        }
    }

    /// Fold full-width ASCII letters and digits to half-width (default on).
    pub fn fold_width(mut self, yes: bool) -> Normalizer {
        self.fold_width = yes;
        self
    }

    /// Repair GB2312-table punctuation in Chinese context (default on).
    pub fn repair_punctuation(mut self, yes: bool) -> Normalizer {
        self.repair_punctuation = yes;
        self
    }

    /// Remove ASCII spaces between CJK characters (default on).
    pub fn remove_cjk_spaces(mut self, yes: bool) -> Normalizer {
        self.remove_cjk_spaces = yes;
        self
    }

    /// Remove control and zero-width characters (default on).
    pub fn remove_controls(mut self, yes: bool) -> Normalizer {
        self.remove_controls = yes;
        self
    }

    /// Normalizes `text` ([`Stage::Normalize`]). The result ends with exactly one `\n`, or is
    /// empty.
    ///
    /// Cost: one scan of the bytes; lines that hold no byte a rule could act on are copied
    /// without looking at their characters.
    pub fn normalize<'a>(&self, text: &'a str) -> Rewritten<'a> {
        let mut log = EditLog::new(Stage::Normalize);
        let mut out = String::with_capacity(text.len() + 1);
        let mut chars: Vec<(usize, char)> = Vec::new();
        let mut actions: Vec<Action> = Vec::new();
        // Blank lines are held back until the next non-blank line shows whether they are inside
        // the text (one is kept) or at its end (all go).
        let mut pending_blank: Vec<(usize, usize, usize)> = Vec::new();
        let mut seen_content = false;
        let mut last_term_missing = false;

        // Most texts end their lines with \n alone: then a line is found with memchr.
        let only_newlines = has_only_newline_terminators(text);
        let mut pos = 0;
        while pos < text.len() {
            let (content_end, term_end) = if only_newlines {
                memchr::memchr(b'\n', &text.as_bytes()[pos..])
                    .map_or((text.len(), text.len()), |i| (pos + i, pos + i + 1))
            } else {
                find_line_end(text, pos)
            };
            let line = &text[pos..content_end];
            if is_blank(line) {
                pending_blank.push((pos, content_end, term_end));
                pos = term_end;
                continue;
            }
            // A non-blank line: settle the blank lines before it.
            for (i, &(start, ce, end)) in pending_blank.iter().enumerate() {
                if seen_content && i == 0 {
                    // Keep one blank line: drop its content, normalize its terminator.
                    if ce > start {
                        log.remove(
                            EditKind::Whitespace,
                            start,
                            &text[start..ce],
                            "whitespace on a blank line",
                        );
                    }
                    self.emit_terminator(text, ce, end, &mut log);
                    out.push('\n');
                } else {
                    let reason = if seen_content {
                        "blank line in a run of blank lines"
                    } else {
                        "blank line at the start of the text"
                    };
                    log.remove(EditKind::Whitespace, start, &text[start..end], reason);
                }
            }
            pending_blank.clear();
            seen_content = true;

            match line_work(line) {
                LineWork::Copy => out.push_str(line),
                LineWork::SpacesOnly if self.remove_cjk_spaces => {
                    remove_cjk_spaces_only(line, pos, &mut out, &mut log)
                }
                LineWork::SpacesOnly => out.push_str(line),
                LineWork::Chars => {
                    self.normalize_line(line, pos, &mut chars, &mut actions, &mut out, &mut log)
                }
            }
            if term_end == content_end {
                last_term_missing = true;
            } else {
                self.emit_terminator(text, content_end, term_end, &mut log);
            }
            out.push('\n');
            pos = term_end;
        }
        for &(start, _, end) in &pending_blank {
            log.remove(
                EditKind::Whitespace,
                start,
                &text[start..end],
                "blank line at the end of the text",
            );
        }
        if last_term_missing && pending_blank.is_empty() {
            log.replace(
                EditKind::Whitespace,
                text.len(),
                "",
                "\n",
                "the text ends with one newline",
            );
        }
        if log.is_empty() {
            Rewritten::unchanged(text)
        } else {
            Rewritten::changed(out, log.into_edits())
        }
    }

    fn emit_terminator(&self, text: &str, content_end: usize, term_end: usize, log: &mut EditLog) {
        let term = &text[content_end..term_end];
        if term != "\n" && !term.is_empty() {
            log.replace(
                EditKind::LineEnding,
                content_end,
                term,
                "\n",
                "line endings become \\n",
            );
        }
    }

    /// The per-character pass over one non-blank line (without its terminator) that starts at
    /// byte `base` of the stage input.
    fn normalize_line(
        &self,
        line: &str,
        base: usize,
        chars: &mut Vec<(usize, char)>,
        actions: &mut Vec<Action>,
        out: &mut String,
        log: &mut EditLog,
    ) {
        chars.clear();
        actions.clear();
        // One pass decodes the characters, decides what does not depend on the rest of the line,
        // and notes what the later passes need to look at.
        let (mut has_han, mut has_kana, mut has_hangul, mut has_space, mut has_joiner) =
            (false, false, false, false, false);
        let mut has_gb_punct = false;
        for (off, c) in line.char_indices() {
            chars.push((off, c));
            let action = if (c as u32) < 0x80 {
                has_space |= c == ' ';
                if c.is_ascii_control() && c != '\t' && self.remove_controls {
                    Action::Remove(EditKind::Control, "control character")
                } else {
                    Action::Keep
                }
            } else {
                has_han |= is_han(c);
                has_kana |= is_kana(c);
                has_hangul |= is_hangul(c);
                has_joiner |= matches!(c, '\u{200C}' | '\u{200D}');
                has_gb_punct |= matches!(c, '\u{2015}' | '\u{30FB}' | '\u{FF65}' | '\u{2027}');
                self.char_action(c, false)
            };
            actions.push(action);
        }
        // Chinese context is a line with Han and no kana: a line, not a window, so that removing
        // characters elsewhere on the line never changes the verdict (the stage is idempotent).
        if has_gb_punct && has_han && !has_kana {
            for (i, &(_, c)) in chars.iter().enumerate() {
                if actions[i] == Action::Keep {
                    actions[i] = self.char_action(c, true);
                }
            }
        }
        // Zero-width joiners next to CJK or a line edge.
        if self.remove_controls && has_joiner {
            for i in 0..chars.len() {
                let c = chars[i].1;
                if (c == '\u{200C}' || c == '\u{200D}') && actions[i] == Action::Keep {
                    // The neighbours that stay, so a joiner next to a removed character is
                    // judged by what it will touch.
                    // Runs of joiners are judged together, by what surrounds the run.
                    let stays = |j: &usize| {
                        !matches!(actions[*j], Action::Remove(..))
                            && !matches!(chars[*j].1, '\u{200C}' | '\u{200D}')
                    };
                    let prev = (0..i).rev().find(stays).map(|j| chars[j].1);
                    let next = (i + 1..chars.len()).find(stays).map(|j| chars[j].1);
                    let joins_nothing = |c: char| is_cjk(c) || c.is_whitespace();
                    if prev.is_none_or(joins_nothing) || next.is_none_or(joins_nothing) {
                        actions[i] = Action::Remove(
                            EditKind::Control,
                            "zero-width joiner next to CJK text, a space or a line edge",
                        );
                    }
                }
            }
        }
        // Korean written with Hanja separates its words by spaces, Hanja words included.
        if self.remove_cjk_spaces && has_space && !has_hangul {
            self.mark_cjk_spaces(chars, actions);
        }
        // Trailing whitespace (and removed characters among it).
        for i in (0..chars.len()).rev() {
            let c = chars[i].1;
            match actions[i] {
                Action::Remove(..) => continue,
                Action::Keep if c.is_whitespace() => {
                    actions[i] = Action::Remove(EditKind::Whitespace, "trailing whitespace");
                }
                _ => break,
            }
        }
        // Emit.
        let mut copied = 0;
        for (i, &(off, c)) in chars.iter().enumerate() {
            let action = actions[i];
            if action == Action::Keep {
                continue;
            }
            out.push_str(&line[copied..off]);
            let end = off + c.len_utf8();
            match action {
                Action::Remove(kind, reason) => {
                    log.remove(kind, base + off, &line[off..end], reason);
                }
                Action::Replace(kind, with, reason) => {
                    let mut buf = [0u8; 4];
                    let with = with.encode_utf8(&mut buf);
                    log.replace(kind, base + off, &line[off..end], with, reason);
                    out.push_str(with);
                }
                Action::Keep => unreachable!(),
            }
            copied = end;
        }
        out.push_str(&line[copied..]);
    }

    fn char_action(&self, c: char, chinese: bool) -> Action {
        match c {
            '\t' => Action::Keep,
            '\u{FEFF}' if self.remove_controls => {
                Action::Remove(EditKind::Control, "stray byte-order mark (U+FEFF)")
            }
            '\u{200B}' | '\u{2060}' | '\u{180E}' if self.remove_controls => {
                Action::Remove(EditKind::Control, "zero-width character")
            }
            c if c.is_control() && self.remove_controls => {
                Action::Remove(EditKind::Control, "control character")
            }
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}'
                if self.fold_width =>
            {
                let half = char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c);
                Action::Replace(
                    EditKind::Width,
                    half,
                    "full-width ASCII letter or digit folded to half-width",
                )
            }
            '\u{2015}' if self.repair_punctuation && chinese => Action::Replace(
                EditKind::Punctuation,
                '\u{2014}',
                "U+2015 from the GB2312 decoding table; Chinese dashes are U+2014",
            ),
            '\u{30FB}' | '\u{FF65}' | '\u{2027}' if self.repair_punctuation && chinese => {
                Action::Replace(
                    EditKind::Punctuation,
                    '\u{00B7}',
                    "katakana-style middle dot from a legacy decoding table; Chinese uses U+00B7",
                )
            }
            _ => Action::Keep,
        }
    }

    fn mark_cjk_spaces(&self, chars: &[(usize, char)], actions: &mut [Action]) {
        let effective = |j: usize| match actions[j] {
            Action::Replace(_, with, _) => Some(with),
            Action::Remove(..) => None,
            Action::Keep => Some(chars[j].1),
        };
        // The kept character before index `i`, and after index `j`.
        let prev_kept = |i: usize| (0..i).rev().find_map(|j| effective(j).map(|c| (j, c)));
        let next_kept = |j: usize| (j + 1..chars.len()).find_map(|k| effective(k).map(|c| (k, c)));
        // The first kept character past `k` (forward or back) that is neither a space nor
        // ambiguous punctuation: what decides whether ambiguous punctuation is CJK.
        let beyond = |k: usize, forward: bool| {
            let decisive = |j: usize| effective(j).filter(|&c| c != ' ' && !is_ambiguous(c));
            if forward {
                (k + 1..chars.len()).find_map(decisive)
            } else {
                (0..k).rev().find_map(decisive)
            }
        };
        // A gap is a run of spaces and removed characters; its spaces go when both sides of the
        // gap are CJK.
        let in_gap = |k: usize| {
            actions[k] == Action::Keep && chars[k].1 == ' '
                || matches!(actions[k], Action::Remove(..))
        };
        let mut remove = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !in_gap(i) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < chars.len() && in_gap(j + 1) {
                j += 1;
            }
            let has_space = (i..=j).any(|k| actions[k] == Action::Keep);
            if has_space {
                let left = prev_kept(i);
                let right = next_kept(j);
                let cjk_left = left.is_some_and(|(k, c)| is_cjk_like(c, || beyond(k, false)));
                let cjk_right = right.is_some_and(|(k, c)| is_cjk_like(c, || beyond(k, true)));
                if cjk_left && cjk_right {
                    remove.push((i, j));
                }
            }
            i = j + 1;
        }
        for (i, j) in remove {
            for action in &mut actions[i..=j] {
                if *action == Action::Keep {
                    *action = Action::Remove(EditKind::Whitespace, "space between CJK characters");
                }
            }
        }
    }
}

/// Punctuation shared by CJK and Latin text: it counts as CJK only next to CJK.
#[inline]
fn is_ambiguous(c: char) -> bool {
    matches!(
        c,
        '\u{2018}'
            | '\u{2019}'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2026}'
            | '\u{00B7}'
    )
}

/// Is `c` CJK for the space rule: plainly CJK, or ambiguous punctuation whose neighbour on the
/// far side (given by `beyond`) is plainly CJK.
#[inline]
fn is_cjk_like(c: char, beyond: impl FnOnce() -> Option<char>) -> bool {
    if is_ambiguous(c) {
        beyond().is_some_and(is_cjk)
    } else {
        is_cjk(c)
    }
}

/// The bytes at which [`line_work`] must look: a space, a control, and the lead bytes of
/// U+0080–U+00BF, U+1000–U+3FFF and U+F000–U+FFFF, where the characters the normalizer acts on
/// live, and of U+A000–U+DFFF, where Hangul lives. No continuation byte is among them, so a scan may test every byte on its own, with no
/// chain from one character to the next.
const LINE_WORK_LOOK: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(
            b as u8,
            0x00..=0x08 | 0x0A..=0x1F | 0x7F | b' ' | 0xC2 | 0xE1..=0xE3 | 0xEA..=0xED | 0xEF
        );
        b += 1;
    }
    table
};

fn line_work(line: &str) -> LineWork {
    if line.chars().next_back().is_some_and(char::is_whitespace) {
        return LineWork::Chars;
    }
    let mut spaces = false;
    // Set by the lead bytes of every Hangul range (and some others): Korean lines keep their
    // spaces (see `normalize_line`), and only a line flagged here needs the exact check.
    let mut maybe_hangul = false;
    let bytes = line.as_bytes();
    let n = bytes.len();
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let mut i = 0;
    while i < n {
        match bytes[i..]
            .iter()
            .position(|&b| LINE_WORK_LOOK[usize::from(b)])
        {
            Some(k) => i += k,
            None => break,
        }
        match bytes[i] {
            b' ' => {
                let start = i;
                while i < n && bytes[i] == b' ' {
                    i += 1;
                }
                spaces |= start > 0 && bytes[start - 1] >= 0x80 && at(i) >= 0x80;
                continue;
            }
            0x00..=0x08 | 0x0A..=0x1F | 0x7F => return LineWork::Chars,
            0xC2 if (0x80..=0x9F).contains(&at(i + 1)) => return LineWork::Chars,
            0xE1 if at(i + 1) == 0xA0 && at(i + 2) == 0x8E => return LineWork::Chars,
            0xE2 if at(i + 1) == 0x80 && matches!(at(i + 2), 0x8B..=0x8D | 0x95 | 0xA7) => {
                return LineWork::Chars
            }
            0xE2 if at(i + 1) == 0x81 && at(i + 2) == 0xA0 => return LineWork::Chars,
            0xE3 if at(i + 1) == 0x83 && at(i + 2) == 0xBB => return LineWork::Chars,
            0xEF => match (at(i + 1), at(i + 2)) {
                (0xBB, 0xBF) | (0xBC, 0x90..=0x99 | 0xA1..=0xBA) | (0xBD, 0x81..=0x9A | 0xA5) => {
                    return LineWork::Chars
                }
                (0xBE | 0xBF, _) => maybe_hangul = true,
                _ => {}
            },
            0xE1 | 0xEA..=0xED => maybe_hangul = true,
            0xE3 if matches!(at(i + 1), 0x84..=0x86) => maybe_hangul = true,
            _ => {}
        }
        // Its continuation bytes are never looked at.
        i += 1;
    }
    if spaces && !(maybe_hangul && line.chars().any(is_hangul)) {
        LineWork::SpacesOnly
    } else {
        LineWork::Copy
    }
}

/// What a line needs from the normalizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineWork {
    /// Nothing: copy it.
    Copy,
    /// Only the space rule can act, on spaces between non-ASCII characters.
    SpacesOnly,
    /// The per-character pass.
    Chars,
}

/// The space rule alone, for a line on which nothing else acts (so no character is removed or
/// replaced and a space run's neighbours are the characters next to it). Gives the same edits
/// as the per-character pass would.
fn remove_cjk_spaces_only(line: &str, base: usize, out: &mut String, log: &mut EditLog) {
    let bytes = line.as_bytes();
    let decisive = |c: &char| *c != ' ' && !is_ambiguous(*c);
    let mut copied = 0;
    let mut i = 0;
    while let Some(found) = memchr::memchr(b' ', &bytes[i..]) {
        let start = i + found;
        let mut end = start;
        while end < bytes.len() && bytes[end] == b' ' {
            end += 1;
        }
        i = end;
        if start == 0 || end == bytes.len() || bytes[start - 1] < 0x80 || bytes[end] < 0x80 {
            continue;
        }
        let left = line[..start].chars().next_back().unwrap_or(' ');
        let right = line[end..].chars().next().unwrap_or(' ');
        let cjk_left = is_cjk_like(left, || {
            line[..start - left.len_utf8()].chars().rev().find(decisive)
        });
        let cjk_right = is_cjk_like(right, || {
            line[end + right.len_utf8()..].chars().find(decisive)
        });
        if cjk_left && cjk_right {
            out.push_str(&line[copied..start]);
            log.remove(
                EditKind::Whitespace,
                base + start,
                &line[start..end],
                "space between CJK characters",
            );
            copied = end;
        }
    }
    out.push_str(&line[copied..]);
}

/// A line is blank when it holds only whitespace and characters the normalizer removes.
fn is_blank(line: &str) -> bool {
    line.chars().all(|c| {
        c.is_whitespace()
            || (c.is_control() && c != '\t')
            || matches!(
                c,
                '\u{FEFF}' | '\u{200B}' | '\u{2060}' | '\u{180E}' | '\u{200C}' | '\u{200D}'
            )
    })
}

/// True if no line of `text` ends in anything but `\n`.
fn has_only_newline_terminators(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Built once: a searcher costs more to build than to run on a short text.
    static SEPARATORS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::LazyLock::new(|| {
            ["\u{85}", "\u{2028}", "\u{2029}"].map(|t| memchr::memmem::Finder::new(t.as_bytes()))
        });
    memchr::memchr3(b'\r', 0x0B, 0x0C, bytes).is_none()
        && SEPARATORS.iter().all(|f| f.find(bytes).is_none())
}

/// Finds the end of the line that starts at `pos`: returns (end of content, end of terminator).
/// The terminators are `\n`, `\r\n`, `\r`, `\x0B`, `\x0C`, U+0085, U+2028 and U+2029.
pub(crate) fn find_line_end(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut i = pos;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' | 0x0B | 0x0C => return (i, i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => return (i, i + 2),
            b'\r' => return (i, i + 1),
            0xC2 if bytes.get(i + 1) == Some(&0x85) => return (i, i + 2),
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                return (i, i + 3)
            }
            _ => i += 1,
        }
    }
    (bytes.len(), bytes.len())
}

/// Normalizes with both stages and the default rules: [`Normalizer::normalize`], then
/// [`compose`].
pub fn normalize(text: &str) -> (String, Vec<Edit>) {
    let normalized = Normalizer::new().normalize(text);
    let mut edits = normalized.edits;
    let composed = compose(&normalized.text);
    edits.extend(composed.edits);
    let out = match composed.text {
        Cow::Borrowed(_) => normalized.text.into_owned(),
        Cow::Owned(s) => s,
    };
    (out, edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    fn norm(s: &str) -> String {
        let out = Normalizer::new().normalize(s);
        assert_eq!(
            apply(s, &out.edits).as_deref(),
            Some(&*out.text),
            "edits replay"
        );
        out.text.into_owned()
    }

    #[test]
    fn gb2312_punctuation_in_chinese_context() {
        assert_eq!(norm("――经济发展"), "——经济发展\n");
        assert_eq!(norm("规划（2016―2020年）"), "规划（2016—2020年）\n");
        assert_eq!(norm("阿里巴巴・柳州"), "阿里巴巴·柳州\n");
        assert_eq!(norm("“美丽柳州・生态乡村”"), "“美丽柳州·生态乡村”\n");
    }

    #[test]
    fn gb2312_punctuation_left_alone_elsewhere() {
        assert_eq!(norm("He paused ― then left."), "He paused ― then left.\n");
        assert_eq!(norm("テレビ・ゲーム"), "テレビ・ゲーム\n");
        assert_eq!(norm("東京・大阪へ行く"), "東京・大阪へ行く\n");
    }

    #[test]
    fn spaces_between_cjk() {
        assert_eq!(norm("扩大开放。 “八个一”综合"), "扩大开放。“八个一”综合\n");
        assert_eq!(norm("“七个一批” “十大行动”"), "“七个一批”“十大行动”\n");
        assert_eq!(norm("加快 “双高”糖"), "加快“双高”糖\n");
        assert_eq!(norm("中 文"), "中文\n");
        assert_eq!(norm("中文 English 中文"), "中文 English 中文\n");
        assert_eq!(norm("한국어 문장"), "한국어 문장\n");
        assert_eq!(
            norm("大韓民國 憲法 前文 및 制定"),
            "大韓民國 憲法 前文 및 制定\n"
        );
        assert_eq!(norm("he said “hi” “bye”"), "he said “hi” “bye”\n");
    }

    #[test]
    fn the_spaces_only_path_agrees_with_the_character_pass() {
        let lines = [
            "中 文",
            "中 “ 文",
            "“中” “文”",
            "中 · 东",
            "A “中”",
            "—— 中",
            "中 —— 文",
            "第一条 为了",
            "中  “a” 文",
            "“ 中",
            "한국 어",
            "大韓 民國 및",
            "中 … 文 … a",
            "中 ’ ’ 文",
        ];
        for line in lines {
            let (mut fast, mut slow) = (String::new(), String::new());
            let (mut fast_log, mut slow_log) = (
                EditLog::new(Stage::Normalize),
                EditLog::new(Stage::Normalize),
            );
            match line_work(line) {
                LineWork::SpacesOnly => remove_cjk_spaces_only(line, 7, &mut fast, &mut fast_log),
                LineWork::Copy => fast.push_str(line),
                LineWork::Chars => panic!("{line:?} needs the character pass"),
            }
            Normalizer::new().normalize_line(
                line,
                7,
                &mut Vec::new(),
                &mut Vec::new(),
                &mut slow,
                &mut slow_log,
            );
            assert_eq!(fast, slow, "{line:?}");
            assert_eq!(fast_log.into_edits(), slow_log.into_edits(), "{line:?}");
        }
    }

    proptest::proptest! {
        /// On any line, the byte-level shortcuts give exactly the character pass's output and
        /// edits (lines drawn from the characters the rules act on and their neighbours).
        #[test]
        fn line_work_shortcuts_agree_with_the_character_pass(
            picks in proptest::collection::vec(0usize..40, 0..24)
        ) {
            const ALPHABET: [&str; 40] = [
                "中", "文", "。", "，", "“", "”", "‘", "’", "—", "―", "…", "·", "・", "‧", "ｱ", "あ",
                "한", "大", " ", "  ", "\t", "a", "1", "Ａ", "１", "，", "\u{3000}", "\u{200B}",
                "\u{200D}", "\u{FEFF}", "\u{85}", "\u{1}", "\u{7F}", "é", "\u{301}", "Ⅲ", "😀",
                "\u{180E}", "\u{2060}", "「",
            ];
            let line: String = picks.iter().map(|&k| ALPHABET[k]).collect();
            let (mut fast, mut slow) = (String::new(), String::new());
            let (mut fast_log, mut slow_log) = (
                EditLog::new(Stage::Normalize),
                EditLog::new(Stage::Normalize),
            );
            match line_work(&line) {
                LineWork::SpacesOnly => remove_cjk_spaces_only(&line, 3, &mut fast, &mut fast_log),
                LineWork::Copy => fast.push_str(&line),
                LineWork::Chars => return Ok(()),
            }
            Normalizer::new().normalize_line(
                &line,
                3,
                &mut Vec::new(),
                &mut Vec::new(),
                &mut slow,
                &mut slow_log,
            );
            proptest::prop_assert_eq!(&fast, &slow, "{:?}", line);
            proptest::prop_assert_eq!(fast_log.into_edits(), slow_log.into_edits(), "{:?}", line);
        }
    }

    #[test]
    fn width_controls_and_lines() {
        assert_eq!(norm("ＰＭ２．５"), "PM2．5\n");
        assert_eq!(norm("a\u{0}b\u{200B}c\u{FEFF}d\u{7}"), "abcd\n");
        assert_eq!(norm("\n\n a \r\n\r\n\r\n\tb  \rc"), " a\n\n\tb\nc\n");
        assert_eq!(norm("x\n\n\n"), "x\n");
        assert_eq!(norm(""), "");
        assert_eq!(norm("\n \n"), "");
        assert_eq!(norm("Ⅲ类，（ＰＭ１０）：、"), "Ⅲ类，（PM10）：、\n");
    }

    #[test]
    fn zero_width_joiner_kept_inside_words() {
        assert_eq!(norm("می\u{200C}خواهم"), "می\u{200C}خواهم\n");
        assert_eq!(norm("中\u{200D}文"), "中文\n");
    }

    #[test]
    fn nfc_inert_characters_are_nfc_and_never_compose() {
        use unicode_normalization::char::{
            canonical_combining_class, compose, decompose_canonical,
        };
        // Every character that is the second half of a canonical composition.
        let mut seconds = std::collections::HashSet::new();
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            let mut parts = Vec::new();
            decompose_canonical(c, |p| parts.push(p));
            if parts.len() >= 2 {
                seconds.insert(parts[parts.len() - 1]);
            }
        }
        let mut inert = 0;
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            if !is_nfc_inert(c.encode_utf8(&mut buf).as_bytes()) {
                continue;
            }
            inert += 1;
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(
                c.to_string().nfc().collect::<String>(),
                c.to_string(),
                "{c:?}"
            );
            assert!(
                !seconds.contains(&c),
                "{c:?} composes with what comes before"
            );
            assert!(compose('\u{1100}', c).is_none() && compose('\u{AC00}', c).is_none());
        }
        assert!(inert > 40_000);
    }

    #[test]
    fn compose_is_nfc_and_records_the_change() {
        let out = compose("Cafe\u{301} 中文\nok\n");
        assert_eq!(out.text, "Café 中文\nok\n");
        assert_eq!(out.edits.len(), 1);
        assert_eq!(out.edits[0].removed, "e\u{301}");
        assert_eq!(out.edits[0].inserted, "é");
        assert_eq!(
            apply("Cafe\u{301} 中文\nok\n", &out.edits).unwrap(),
            out.text
        );
        assert!(matches!(compose("柳州，Ⅲ类").text, Cow::Borrowed(_)));
    }
}

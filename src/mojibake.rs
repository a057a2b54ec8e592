//! Mojibake repair on decoded text ([`Stage::Repair`]).
//!
//! ```
//! use scour::mojibake::Repairer;
//!
//! let repairer = Repairer::new();
//! // UTF-8 read as windows-1252, and UTF-8 read as GBK.
//! assert_eq!(repairer.repair("Le barÃ¨me est publiÃ©.").text, "Le barème est publié.");
//! assert_eq!(repairer.repair("鍙樺法鐨勬椂浠ｆ潵浜嗗悧").text, "变巨的时代来了吗");
//! // Cut at the end: the last character's final byte is gone, so it is lost, not guessed.
//! assert_eq!(repairer.repair("鍙樺法鐨勬椂浠ｆ潵浜").text, "变巨的时代来\u{FFFD}");
//! // Clean text is borrowed back untouched.
//! assert!(matches!(repairer.repair("中文编码").text, std::borrow::Cow::Borrowed(_)));
//! ```
//!
//! # What is repaired
//!
//! Text whose bytes were UTF-8 but were decoded with another charset: windows-1252 or Latin-1
//! (`Ã©` for `é`, `ä¸­æ–‡` for `中文`), windows-1250/1251/1253/1254/1257, ISO-8859-2, Mac Roman,
//! IBM 437, and the double-byte charsets GBK, Big5 and Shift_JIS (`鍙樺法` for `变巨`); GBK read
//! as windows-1252 or Latin-1 (`ÖÐÎÄ` for `中文`); the same mistakes made twice; and the lossy
//! variants, where a byte was dropped or replaced (by `?`, U+FFFD, or a space for a lost 0xA0):
//! the character it belonged to becomes one U+FFFD, and the reason says so.
//!
//! # How it decides
//!
//! The text is cut into *spans*: runs of a line that hold characters a wrong decoding produces
//! (Latin-1 letters and symbols, box drawing, rare ideographs, …), with the ASCII between them.
//! Each span is re-encoded with each candidate charset and the bytes are read as UTF-8 where
//! they form UTF-8 (or read as GBK, for GBK read as Latin-1). A candidate is kept only when it
//! is consistent: its repaired sequences outnumber twice over the bytes that fit no sequence. The
//! best candidate replaces the span only when its [`badness`] is lower than the span's by at
//! least [`Repairer::MARGIN`]; badness counts what wrong decodings produce and real text does
//! not: a lead-byte character followed by a continuation-byte character, symbols inside words,
//! case flips inside words, scripts mixed inside words, control characters, and for Han text
//! ideographs rare in the corpus and ideograph pairs never seen in it (statistics generated
//! from `../shared/data/corpus/` by `examples/gen_han_stats.rs`: 21 KB of unigram classes and a
//! 512 KB bigram bit set). A candidate that was better but not clearly so is recorded as a
//! suspicion (an edit whose removed and inserted text are equal) and the text is left alone.
//!
//! `锟斤拷` (UTF-8's U+FFFD read as GBK and written back) and runs of U+FFFD are flagged as
//! [`EditKind::LostData`]: the edit's removed and inserted text are equal, because the bytes are
//! gone and any replacement would be a guess.
//!
//! The double-byte decoders lose bytes themselves (a pair not in their table becomes one U+FFFD
//! for one or two bytes), so a misreading through them is repaired around the losses: each
//! stretch that cannot be framed becomes U+FFFD, one per character it stood for as near as the
//! byte count tells, and the reason counts them. Those characters are not guessed.
//!
//! Cost: one pass over the bytes with a table look-up per non-ASCII character finds the lines
//! worth a look (clean text returns at that point, borrowed: about 1 GB/s on Chinese text);
//! only those lines are cut into spans; per span, one encode and one decode per candidate
//! charset.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use encoding_rs::{Encoding, BIG5, GBK, SHIFT_JIS};

use crate::codecs::Codec;
use crate::detect::is_common_han;
use crate::edit::{EditKind, EditLog, Rewritten, Stage};

/// Repairs mojibake; see the [module docs](self). Cheap to clone and share.
#[derive(Clone, Debug)]
pub struct Repairer {
    double_byte: bool,
    flag_lost: bool,
    max_rounds: usize,
}

impl Default for Repairer {
    fn default() -> Self {
        Repairer::new()
    }
}

/// A single-byte charset a span may have been misread with.
struct ByteCharset {
    name: &'static str,
    /// Character to byte, for the upper half (ASCII maps to itself).
    to_byte: HashMap<char, u8>,
}

impl ByteCharset {
    fn new(name: &'static str, upper: impl Fn(u8) -> Option<char>, latin1_c1: bool) -> ByteCharset {
        let mut to_byte = HashMap::with_capacity(160);
        for b in 0x80..=0xFFu8 {
            // A hole in the table reads as the Latin-1 character of the same number, as
            // lenient decoders produce.
            let c = upper(b).unwrap_or(char::from(b));
            to_byte.entry(c).or_insert(b);
        }
        if latin1_c1 {
            // windows-1252 and Latin-1 are confused so often that one candidate covers both:
            // every Latin-1 character maps to its own byte too.
            for b in 0x80..=0xFFu8 {
                to_byte.entry(char::from(b)).or_insert(b);
            }
        }
        ByteCharset { name, to_byte }
    }

    fn encode(&self, c: char) -> Option<u8> {
        if c.is_ascii() {
            Some(c as u8)
        } else {
            self.to_byte.get(&c).copied()
        }
    }
}

fn whatwg_upper(encoding: &'static Encoding) -> impl Fn(u8) -> Option<char> {
    move |b| {
        let byte = [b];
        let s = encoding.decode_without_bom_handling_and_without_replacement(&byte)?;
        s.chars().next().filter(|&c| c != '\u{FFFD}')
    }
}

fn codec_upper(codec: Codec) -> impl Fn(u8) -> Option<char> {
    move |b| {
        let (s, bad) = codec.decode_to_string(&[b]);
        (bad == 0).then(|| s.chars().next()).flatten()
    }
}

/// The single-byte charsets tried, most common mistake first.
fn byte_charsets() -> &'static [ByteCharset] {
    static SETS: OnceLock<Vec<ByteCharset>> = OnceLock::new();
    SETS.get_or_init(|| {
        use encoding_rs::*;
        vec![
            ByteCharset::new("windows-1252", whatwg_upper(WINDOWS_1252), true),
            ByteCharset::new("windows-1251", whatwg_upper(WINDOWS_1251), false),
            ByteCharset::new("windows-1250", whatwg_upper(WINDOWS_1250), false),
            ByteCharset::new("windows-1253", whatwg_upper(WINDOWS_1253), false),
            ByteCharset::new("windows-1254", whatwg_upper(WINDOWS_1254), false),
            ByteCharset::new("windows-1257", whatwg_upper(WINDOWS_1257), false),
            ByteCharset::new("ISO-8859-2", whatwg_upper(ISO_8859_2), false),
            ByteCharset::new("Mac Roman", whatwg_upper(MACINTOSH), false),
            ByteCharset::new("IBM437", codec_upper(Codec::Cp437), false),
        ]
    })
}

/// Per character: which charsets (bit i = `byte_charsets()[i]`) give it a UTF-8 lead byte
/// (0xC2..=0xF4) and which a continuation byte (0x80..=0xBF).
fn byte_roles() -> &'static HashMap<char, (u16, u16)> {
    static ROLES: OnceLock<HashMap<char, (u16, u16)>> = OnceLock::new();
    ROLES.get_or_init(|| {
        let mut roles: HashMap<char, (u16, u16)> = HashMap::new();
        for (i, set) in byte_charsets().iter().enumerate() {
            for (&c, &b) in &set.to_byte {
                let entry = roles.entry(c).or_default();
                if (0xC2..=0xF4).contains(&b) {
                    entry.0 |= 1 << i;
                }
                if (0x80..=0xBF).contains(&b) {
                    entry.1 |= 1 << i;
                }
            }
        }
        roles
    })
}

/// A byte of a re-encoded span, with the original character it came from.
#[derive(Clone, Copy)]
struct Unit {
    byte: u8,
    /// The byte is unknown: the span had U+FFFD or a `?` standing for it.
    lost: bool,
    /// Index of the original character.
    char_index: usize,
}

/// The result of reading a re-encoded span as UTF-8.
struct Reading {
    text: String,
    /// Multi-byte sequences read.
    sequences: usize,
    /// Bytes >= 0x80 that fit no sequence (left as they were).
    strays: usize,
    /// Sequences with a lost byte, emitted as U+FFFD.
    lost: usize,
    /// Sequences that needed a space read as 0xA0, other than `à` (lead 0xC3).
    restored: usize,
}

impl Repairer {
    /// How much lower the badness of a repair must be than the original's for it to be made.
    pub const MARGIN: f64 = 3.0;

    /// A repairer with every rule on.
    pub fn new() -> Repairer {
        Repairer {
            double_byte: true,
            flag_lost: true,
            max_rounds: 3,
        }
    }

    /// Whether to try the double-byte charsets (GBK, Big5, Shift_JIS) and GBK read as Latin-1
    /// (default on).
    pub fn double_byte(mut self, yes: bool) -> Repairer {
        self.double_byte = yes;
        self
    }

    /// Whether to flag `锟斤拷` and U+FFFD runs as lost data (default on).
    pub fn flag_lost_data(mut self, yes: bool) -> Repairer {
        self.flag_lost = yes;
        self
    }

    /// Repairs `text`: the repaired text and the [`Stage::Repair`] edits (offsets into `text`).
    /// Borrows `text` back when there is nothing to record.
    pub fn repair<'a>(&self, text: &'a str) -> Rewritten<'a> {
        // Pure ASCII has nothing to repair; `is_ascii` runs a word at a time.
        if text.is_ascii() {
            return Rewritten::unchanged(text);
        }
        let (lines, lost) = marked_lines(text);
        let lost = self.flag_lost && lost;
        if lines.is_empty() && !lost {
            return Rewritten::unchanged(text);
        }
        // (start, end, replacement, reason): a replacement equal to the span is a suspicion.
        let mut pieces: Vec<(usize, usize, String, Cow<'static, str>)> = Vec::new();
        for &(line_start, line_end) in &lines {
            let line = &text[line_start..line_end];
            let first_piece = pieces.len();
            for (start, end, cjk) in spans(line) {
                let (start, end) = (line_start + start, line_start + end);
                let span = &text[start..end];
                let context = Context::around(text, start, end);
                match self.repair_span(span, cjk, &context) {
                    Verdict::Repair(fixed, reason) => pieces.push((start, end, fixed, reason)),
                    Verdict::Suspect(reason) => pieces.push((start, end, span.to_owned(), reason)),
                    Verdict::Clean => {}
                }
            }
            // C1 controls left alone by the spans: windows-1252 bytes read as Latin-1.
            for (i, c) in line.char_indices() {
                let i = line_start + i;
                let mapped = c1_as_windows_1252(c);
                if mapped != c
                    && !pieces[first_piece..]
                        .iter()
                        .any(|p| p.0 <= i && i < p.1 && p.2 != text[p.0..p.1])
                {
                    pieces.retain(|p| !(p.0 <= i && i < p.1));
                    pieces.push((
                        i,
                        i + c.len_utf8(),
                        mapped.to_string(),
                        Cow::Borrowed("C1 control character: a windows-1252 byte read as Latin-1"),
                    ));
                }
            }
        }
        pieces.sort_by_key(|p| p.0);
        let mut log = EditLog::new(Stage::Repair);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut changed = false;
        for (start, end, replacement, reason) in pieces {
            let span = &text[start..end];
            out.push_str(&text[copied..start]);
            out.push_str(&replacement);
            changed |= replacement != span;
            log.replace(EditKind::Mojibake, start, span, &replacement, reason);
            copied = end;
        }
        out.push_str(&text[copied..]);
        let mut edits = log.into_edits();
        if lost {
            edits = merge_lost_flags(text, edits);
        }
        if changed {
            Rewritten::changed(out, edits)
        } else {
            Rewritten {
                text: Cow::Borrowed(text),
                edits,
            }
        }
    }

    fn repair_span(&self, span: &str, cjk: bool, context: &Context<'_>) -> Verdict {
        // One character repeated (`××××` standing for withheld digits, `■■■`) is a
        // placeholder or a rule, not text read with the wrong charset.
        let mut non_ascii = span.chars().filter(|c| !c.is_ascii());
        if let (Some(first), Some(second)) = (non_ascii.next(), non_ascii.next()) {
            if second == first && non_ascii.all(|c| c == first) && first != '\u{FFFD}' {
                return Verdict::Clean;
            }
        }
        let original = context.badness(span);
        let best = self.best_chain(span, cjk, self.max_rounds, context);
        let Some(best) = best else {
            return Verdict::Clean;
        };
        if !(best.cost + Self::MARGIN <= original && best.cost <= 0.5 * original) {
            if best.cost < original {
                return Verdict::Suspect(Cow::Owned(format!(
                    "suspected mojibake (UTF-8 read as {}); the repair is not clearly better, text left",
                    best.path[0]
                )));
            }
            return Verdict::Clean;
        }
        let mut reason = if best.path[0] == GBK_VIA_LATIN {
            "GBK read as windows-1252/Latin-1".to_owned()
        } else {
            format!("UTF-8 read as {}", best.path.join(", then as "))
        };
        if best.path.len() > 1 {
            reason = format!("double encoding: {reason}");
        }
        if best.lost > 0 {
            reason.push_str(&format!(
                "; {} character(s) lost, left as U+FFFD",
                best.lost
            ));
        }
        Verdict::Repair(best.text, Cow::Owned(reason))
    }

    /// The cheapest text reachable from `span` by one to `depth` consistent readings, each step
    /// taken only when it lowers the badness by [`Repairer::MARGIN`] (the first step is judged
    /// by the caller against the original, with what it leads to: a double encoding's first
    /// step alone may look no better).
    fn best_chain(
        &self,
        span: &str,
        cjk: bool,
        depth: usize,
        context: &Context<'_>,
    ) -> Option<Chain> {
        let mut best: Option<Chain> = None;
        for (fixed, name, lost) in self.candidates(span, cjk) {
            // A double-byte misreading was lossy before any repair: the U+FFFD its repair
            // leaves stand where garbage stood, and weigh less than in the original.
            let discount = if matches!(name, "GBK" | "Big5" | "Shift_JIS") {
                1.5 * fixed.chars().filter(|&c| c == '\u{FFFD}').count() as f64
            } else {
                0.0
            };
            let mut chain = Chain {
                cost: context.badness(&fixed) - discount,
                text: fixed,
                path: vec![name],
                lost,
            };
            // A reading that lost characters is not read again: its U+FFFD are not bytes.
            if depth > 1 && lost == 0 {
                if let Some(next) = self.best_chain(&chain.text, cjk, depth - 1, context) {
                    if next.cost + Self::MARGIN <= chain.cost {
                        chain.cost = next.cost;
                        chain.text = next.text;
                        chain.path.extend(next.path);
                        chain.lost += next.lost;
                    }
                }
            }
            if best.as_ref().is_none_or(|b| chain.cost < b.cost) {
                best = Some(chain);
            }
        }
        best
    }

    /// Every consistent reading of `span` as mojibake: (repaired text, what it was read as,
    /// characters lost).
    fn candidates(&self, span: &str, cjk: bool) -> Vec<(String, &'static str, usize)> {
        let chars: Vec<char> = span.chars().collect();
        let mut out = Vec::new();
        for (index, set) in byte_charsets().iter().enumerate() {
            let Some(units) = encode_units(&chars, |c| set.encode(c).map(|b| vec![b])) else {
                continue;
            };
            // A space read as a lost 0xA0 only for the common mistakes, not Mac Roman or IBM437.
            let space_a0 = CHARSET_WEIGHT[index] > 0.5;
            let reading = read_utf8(&units, &chars, space_a0, index == 0);
            let consistent = reading.sequences >= reading.strays
                && (reading.strays == 0 || reading.sequences >= 2)
                // A space read as 0xA0 is weak evidence unless it makes `à`.
                && reading.sequences + reading.lost > reading.restored;
            if consistent {
                out.push((reading.text, set.name, reading.lost));
            }
        }
        if self.double_byte && cjk {
            for (encoding, name) in [(GBK, "GBK"), (BIG5, "Big5"), (SHIFT_JIS, "Shift_JIS")] {
                let Some(units) = encode_units_with(&chars, |c| encode_whatwg(encoding, c)) else {
                    continue;
                };
                let reading = read_utf8_with(&units, &chars, false, false, true);
                // A sequence cut short at the end counts as lost only beside repaired ones.
                if reading.sequences > reading.lost.min(1) && reading.strays == 0 {
                    out.push((reading.text, name, reading.lost));
                }
            }
        }
        if self.double_byte && !cjk {
            // GBK read as windows-1252 or Latin-1: re-encode to bytes, read as GBK. Only when
            // every ideograph it gives stands next to another CJK character: Chinese text, not
            // ideographs scattered through Latin.
            let latin = &byte_charsets()[0];
            if let Some(units) = encode_units(&chars, |c| latin.encode(c).map(|b| vec![b])) {
                let bytes: Vec<u8> = units.iter().map(|u| u.byte).collect();
                if !units.iter().any(|u| u.lost) && bytes.iter().any(|&b| b >= 0x80) {
                    if let Some(text) =
                        GBK.decode_without_bom_handling_and_without_replacement(&bytes)
                    {
                        if han_in_runs(&text) {
                            out.push((text.into_owned(), GBK_VIA_LATIN, 0));
                        }
                    }
                }
            }
        }
        out
    }
}

/// True if `text` has at least two ideographs and nearly all of them (all but one in eight)
/// stand next to another CJK character, an ideographic space or a digit: Chinese text, not
/// ideographs scattered through Latin (`(四)` and `第八章　附　　则` have lone ones), with two
/// ideographs in a row somewhere and no private-use character.
fn han_in_runs(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    // Digits count: dates and article numbers sit between ideographs (`2020年5月1日`).
    let cjk = |c: Option<&char>| {
        c.is_some_and(|&c| {
            crate::script::is_cjk(c)
                || crate::script::is_cjk_punctuation(c)
                || c == '\u{3000}'
                || c.is_ascii_digit()
        })
    };
    let (mut han, mut alone, mut pairs) = (0, 0, 0);
    for (i, c) in chars.iter().enumerate() {
        // The user-defined area of GBK (private use here) is not in real text.
        if ('\u{E000}'..='\u{F8FF}').contains(c) {
            return false;
        }
        if crate::script::is_han(*c) {
            han += 1;
            pairs += usize::from(i > 0 && crate::script::is_han(chars[i - 1]));
            if !(cjk(chars.get(i + 1)) || i > 0 && cjk(chars.get(i - 1))) {
                alone += 1;
            }
        }
    }
    han >= 2 && pairs >= 1 && alone * 8 <= han
}

const GBK_VIA_LATIN: &str = "GBK via Latin-1";

/// The characters around a span, so that its badness is judged in place (`ZURÃœCK`, not `Ãœ`).
struct Context<'a> {
    left: &'a str,
    right: &'a str,
}

impl<'a> Context<'a> {
    const CHARS: usize = 3;

    fn around(text: &'a str, start: usize, end: usize) -> Context<'a> {
        let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let left_start = text[line_start..start]
            .char_indices()
            .rev()
            .nth(Self::CHARS - 1)
            .map_or(line_start, |(i, _)| line_start + i);
        let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p);
        let right_end = text[end..line_end]
            .char_indices()
            .nth(Self::CHARS)
            .map_or(line_end, |(i, _)| end + i);
        Context {
            left: &text[left_start..start],
            right: &text[end..right_end],
        }
    }

    fn badness(&self, span: &str) -> f64 {
        badness(&format!("{}{span}{}", self.left, self.right))
    }
}

struct Chain {
    cost: f64,
    text: String,
    path: Vec<&'static str>,
    lost: usize,
}

enum Verdict {
    Repair(String, Cow<'static, str>),
    Suspect(Cow<'static, str>),
    Clean,
}

/// A double-byte charset's decoder inverted: character to the byte sequences it reads from.
type ReverseTable = (&'static Encoding, HashMap<char, Vec<Vec<u8>>>);

/// Encodes one character back to the bytes a double-byte decoder made it from. Built by
/// decoding every byte pair (and every single byte), so it inverts the decoder exactly, where
/// the standard encoders differ (GBK's encoder writes `€` as 0x80, the decoder also reads A2 E3
/// as `€`; the decoders map user-defined areas to private use).
fn encode_whatwg(encoding: &'static Encoding, c: char) -> Option<Vec<Vec<u8>>> {
    if c.is_ascii() {
        return Some(vec![vec![c as u8]]);
    }
    static TABLES: OnceLock<Vec<ReverseTable>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        [GBK, BIG5, SHIFT_JIS]
            .into_iter()
            .map(|e| {
                let mut map: HashMap<char, Vec<Vec<u8>>> = HashMap::new();
                // Single bytes first: GBK reads a lone 0x80 (a UTF-8 continuation byte) as `€`,
                // far more often than the pair A2 E3.
                for b in 0x80..=0xFFu8 {
                    let byte = [b];
                    if let Some(s) = e.decode_without_bom_handling_and_without_replacement(&byte) {
                        if let Some(ch) = s.chars().next() {
                            map.entry(ch).or_default().push(byte.to_vec());
                        }
                    }
                }
                for lead in 0x81..=0xFEu8 {
                    for trail in 0x40..=0xFEu8 {
                        let pair = [lead, trail];
                        if let Some(s) =
                            e.decode_without_bom_handling_and_without_replacement(&pair)
                        {
                            let mut it = s.chars();
                            if let (Some(ch), None) = (it.next(), it.next()) {
                                let alternatives = map.entry(ch).or_default();
                                if alternatives.len() < 2 {
                                    alternatives.push(pair.to_vec());
                                }
                            }
                        }
                    }
                }
                // The encoder's own bytes first: a character read from two byte pairs (Big5's
                // HKSCS duplicates) was far more likely written by the common one.
                for (ch, alternatives) in map.iter_mut() {
                    let mut utf8 = [0; 4];
                    let (canonical, _, unmappable) = e.encode(ch.encode_utf8(&mut utf8));
                    if let Some(at) = alternatives.iter().position(|a| *a == *canonical) {
                        if !unmappable {
                            alternatives[..=at].rotate_right(1);
                        }
                    }
                }
                (e, map)
            })
            .collect()
    });
    tables
        .iter()
        .find(|(e, _)| *e == encoding)
        .and_then(|(_, map)| map.get(&c).cloned())
}

/// Re-encodes `chars` unit by unit. U+FFFD and `?` become lost bytes (a decoder's stand-in for a
/// byte it could not read); `None` if any other character has no encoding.
fn encode_units(chars: &[char], encode: impl Fn(char) -> Option<Vec<u8>>) -> Option<Vec<Unit>> {
    encode_units_with(chars, |c| encode(c).map(|b| vec![b]))
}

/// Like [`encode_units`], for charsets where a character may come from more than one byte
/// sequence (GBK reads both 0x80 and A2 E3 as `€`): the alternative that keeps the bytes valid
/// UTF-8 is taken, looking one character ahead.
fn encode_units_with(
    chars: &[char],
    encode: impl Fn(char) -> Option<Vec<Vec<u8>>>,
) -> Option<Vec<Unit>> {
    let mut units = Vec::with_capacity(chars.len() * 2);
    // Continuation bytes the UTF-8 sequence under way still needs.
    let mut pending = 0usize;
    let is_cont = |b: u8| (0x80..=0xBF).contains(&b);
    for (i, &c) in chars.iter().enumerate() {
        if c == '\u{FFFD}' || c == '?' {
            units.push(Unit {
                byte: if c == '?' { b'?' } else { 0x80 },
                lost: true,
                char_index: i,
            });
            pending = pending.saturating_sub(1);
            continue;
        }
        let alternatives = encode(c)?;
        let fits = |bytes: &[u8]| {
            let mut p = pending;
            for &b in bytes {
                if p > 0 {
                    if !is_cont(b) {
                        return None;
                    }
                    p -= 1;
                } else if let Some(n) = continuation_count(b) {
                    p = n;
                } else if b >= 0x80 {
                    return None;
                }
            }
            Some(p)
        };
        let next_is_cont = chars
            .get(i + 1)
            .and_then(|&n| encode(n))
            .and_then(|a| a.first().map(|b| b[0]));
        let chosen = if alternatives.len() == 1 {
            &alternatives[0]
        } else {
            // Prefer an alternative after which the next character's first byte fits.
            alternatives
                .iter()
                .filter_map(|a| fits(a).map(|p| (a, p)))
                .find(|&(_, p)| next_is_cont.is_none_or(|b| (p > 0) == is_cont(b)))
                .map(|(a, _)| a)
                .unwrap_or(&alternatives[0])
        };
        pending = fits(chosen).unwrap_or(0);
        for &byte in chosen {
            units.push(Unit {
                byte,
                lost: false,
                char_index: i,
            });
        }
    }
    Some(units)
}

/// The number of continuation bytes a UTF-8 lead byte announces.
fn continuation_count(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(1),
        0xE0..=0xEF => Some(2),
        0xF0..=0xF4 => Some(3),
        _ => None,
    }
}

/// Reads re-encoded units as UTF-8 where they form it. A decoded sequence must start and end on
/// boundaries of the original characters, or it is not read. `space_a0` lets a space stand for
/// a lost 0xA0 byte; `c1_fix` reads C1 controls outside sequences as windows-1252.
fn read_utf8(units: &[Unit], chars: &[char], space_a0: bool, c1_fix: bool) -> Reading {
    read_utf8_with(units, chars, space_a0, c1_fix, false)
}

/// [`read_utf8`], and with `cut_end` a sequence cut short by the end of the span is read as one
/// lost character: a double-byte decoder drops (or a storage limit cuts) the lone lead byte
/// left at the end, and the character it began is gone.
fn read_utf8_with(
    units: &[Unit],
    chars: &[char],
    space_a0: bool,
    c1_fix: bool,
    cut_end: bool,
) -> Reading {
    let mut r = Reading {
        text: String::with_capacity(units.len()),
        sequences: 0,
        strays: 0,
        lost: 0,
        restored: 0,
    };
    // Through a double-byte decoder that lost bytes, the span is framed as a whole: where a
    // lost byte belongs decides the frame of everything around it.
    if cut_end && units.iter().any(|u| u.lost) {
        if let Some(framed) = frame_lost_stretch(units, None) {
            r.push_framed(&framed);
            return r;
        }
    }
    let starts_char = |k: usize| k == 0 || units[k].char_index != units[k - 1].char_index;
    let ends_char = |k: usize| k == units.len() || starts_char(k);
    let mut i = 0;
    while i < units.len() {
        let u = units[i];
        if !u.lost && u.byte < 0x80 {
            r.text.push(chars[u.char_index]);
            i += 1;
            continue;
        }
        if starts_char(i) {
            // A run of back-to-back sequences, cut back to the last end that is also the end of
            // an original character (a double-byte character may hold parts of two sequences).
            let mut k = i;
            let mut run: Vec<(usize, String, bool)> = Vec::new();
            let mut best_end = None;
            loop {
                if let Some((len, decoded, lost)) = sequence_at(units, k, chars, space_a0) {
                    // Through a double-byte decoder, where a lost byte belongs is for the
                    // framing of the whole lost stretch to say.
                    if lost && cut_end {
                        break;
                    }
                    k += len;
                    run.push((k, decoded, lost));
                } else if run.last().is_some_and(|r| r.2)
                    && units
                        .get(k)
                        .is_some_and(|u| !u.lost && (0x80..=0xBF).contains(&u.byte))
                {
                    // Continuation bytes orphaned by a lost lead: one more lost character.
                    while units
                        .get(k)
                        .is_some_and(|u| !u.lost && (0x80..=0xBF).contains(&u.byte))
                    {
                        k += 1;
                    }
                    run.push((k, "\u{FFFD}".into(), true));
                } else {
                    break;
                }
                if ends_char(k) {
                    best_end = Some(run.len());
                }
            }
            if let Some(n) = best_end {
                let mut from = i;
                for (end, decoded, lost) in run.into_iter().take(n) {
                    let restored = units[from].byte != 0xC3
                        && units[from + 1..end].iter().any(|u| u.byte == b' ');
                    r.text.push_str(&decoded);
                    r.sequences += usize::from(!lost);
                    r.lost += usize::from(lost);
                    r.restored += usize::from(restored && !lost);
                    i = end;
                    from = end;
                }
                continue;
            }
        }
        if cut_end && starts_char(i) && is_cut_sequence(&units[i..]) {
            r.text.push('\u{FFFD}');
            r.lost += 1;
            break;
        }
        if cut_end {
            // A double-byte decoder's U+FFFD swallowed one or two bytes, so the sequences
            // around it cannot be framed: everything up to the next character that is ASCII or
            // starts a whole sequence is one lost stretch, when it holds a U+FFFD.
            let mut k = i;
            let mut has_lost = false;
            // The bytes the stretch stood for: a U+FFFD took two (a lead byte and the non-ASCII
            // byte after it) unless ASCII follows it, which the decoder reads again.
            let mut bytes = 0usize;
            while k < units.len() {
                let at = units[k];
                if k > i
                    && starts_char(k)
                    && !at.lost
                    && (at.byte < 0x80
                        || sequence_at(units, k, chars, false).is_some_and(|(_, _, l)| !l))
                {
                    break;
                }
                has_lost |= at.lost;
                bytes += if at.lost && units.get(k + 1).is_some_and(|n| n.lost || n.byte >= 0x80) {
                    2
                } else {
                    1
                };
                k += 1;
            }
            if has_lost {
                if let Some(framed) = frame_lost_stretch(&units[i..k], units.get(k)) {
                    r.push_framed(&framed);
                    i = k;
                    continue;
                }
                // One U+FFFD per character lost, as near as the byte count tells (CJK characters
                // are three bytes in UTF-8).
                for _ in 0..(bytes / 3).max(1) {
                    r.text.push('\u{FFFD}');
                    r.lost += 1;
                }
                i = k;
                continue;
            }
        }
        // Not part of a sequence: keep the original character whole.
        let ci = u.char_index;
        let c = chars[ci];
        let fixed_c1 = if c1_fix { c1_as_windows_1252(c) } else { c };
        // C1 controls are repaired on their own; they do not make a reading inconsistent.
        if !u.lost && u.byte >= 0x80 && fixed_c1 == c {
            r.strays += 1;
        }
        r.text.push(fixed_c1);
        while i < units.len() && units[i].char_index == ci {
            i += 1;
        }
    }
    r
}

/// Frames a stretch of re-encoded units that holds lost bytes (a double-byte decoder's U+FFFD)
/// as UTF-8, and reads it: each character that held a lost byte becomes one U+FFFD, each whole
/// character of known bytes is itself. `after` is the unit that follows the stretch.
///
/// UTF-8 frames itself: a known lead byte starts a character, a known continuation byte does
/// not. Only the lost bytes are open, and they are constrained by how the decoders lose them:
/// a U+FFFD stands for one byte (a lead byte whose partner was refused, or a lone byte no
/// pair starts) or, when a non-ASCII byte (or the end) followed it, for two (the pair refused
/// together); a lone one before a non-ASCII byte is a byte no pair starts (0x80, 0xA0), a
/// continuation byte in UTF-8; a lost byte is never ASCII (the decoders read an ASCII byte
/// again). Of all framings into whole characters, the one with the fewest lost characters that
/// are not three bytes long (CJK text is three-byte characters), then the fewest lone lost
/// bytes before a non-ASCII byte (a decoder refuses a pair far more often than it meets a byte
/// that starts none), then the fewest lost characters, is taken: a shortest-path search over
/// byte positions, linear in the stretch.
/// `None` when no framing fits.
fn frame_lost_stretch(units: &[Unit], after: Option<&Unit>) -> Option<String> {
    /// A place in the stretch: the next unit, and whether the second byte of the lost unit
    /// before it is still to be read.
    #[derive(Clone, Copy)]
    struct Place {
        unit: usize,
        pending: bool,
    }
    /// Lost characters that are not three bytes long, lost bytes read as lone bytes before a
    /// non-ASCII byte, lost characters: fewer is likelier, in that order.
    type Cost = (usize, usize, usize);
    enum Byte {
        Known(u8),
        /// A lost byte; `cont` when it can only be a continuation byte.
        Lost {
            cont: bool,
        },
    }
    // At the end of the text the byte after a U+FFFD is unknown: it may have been swallowed.
    let may_be_two: Vec<bool> = (0..units.len())
        .map(|k| {
            units
                .get(k + 1)
                .or(if k + 1 == units.len() { after } else { None })
                .is_none_or(|n| n.lost || n.byte >= 0x80)
        })
        .collect();
    let next_bytes = |at: Place| -> Vec<(Byte, Place)> {
        if at.pending {
            let to = Place {
                unit: at.unit,
                pending: false,
            };
            return vec![(Byte::Lost { cont: false }, to)];
        }
        let Some(u) = units.get(at.unit) else {
            return Vec::new();
        };
        let one = Place {
            unit: at.unit + 1,
            pending: false,
        };
        if !u.lost {
            return vec![(Byte::Known(u.byte), one)];
        }
        let two = may_be_two[at.unit];
        let mut options = vec![(Byte::Lost { cont: two }, one)];
        if two {
            let first_of_two = Place {
                unit: at.unit + 1,
                pending: true,
            };
            options.push((Byte::Lost { cont: false }, first_of_two));
        }
        options
    };
    // Every character that can be read from `at`: where it ends, its cost, and its text.
    let read_char = |at: Place| -> Vec<(Place, Cost, char)> {
        let mut found = Vec::new();
        for (first, after_first) in next_bytes(at) {
            let (lengths, lead): (&[usize], Option<u8>) = match first {
                Byte::Known(b) if b < 0x80 => {
                    found.push((after_first, (0, 0, 0), char::from(b)));
                    continue;
                }
                Byte::Known(b) => match continuation_count(b) {
                    Some(1) => (&[1], Some(b)),
                    Some(2) => (&[2], Some(b)),
                    Some(_) => (&[3], Some(b)),
                    None => continue,
                },
                Byte::Lost { cont: true } => continue,
                Byte::Lost { cont: false } => (&[2, 1, 3], None),
            };
            for &need in lengths {
                // Walk the continuation bytes, branching where a lost unit may be one or two.
                let mut partial: Vec<(Place, Vec<u8>, bool, usize)> =
                    vec![(after_first, lead.into_iter().collect(), lead.is_none(), 0)];
                for _ in 0..need {
                    let mut grown = Vec::new();
                    for (place, bytes, lost, lone) in partial {
                        for (byte, to) in next_bytes(place) {
                            match byte {
                                Byte::Known(b) if (0x80..=0xBF).contains(&b) => {
                                    let mut more = bytes.clone();
                                    more.push(b);
                                    grown.push((to, more, lost, lone));
                                }
                                Byte::Known(_) => {}
                                Byte::Lost { cont } => {
                                    grown.push((to, bytes.clone(), true, lone + usize::from(cont)))
                                }
                            }
                        }
                    }
                    partial = grown;
                }
                for (to, bytes, lost, lone) in partial {
                    if lost {
                        found.push((to, (usize::from(need + 1 != 3), lone, 1), '\u{FFFD}'));
                    } else if let Some(c) = std::str::from_utf8(&bytes)
                        .ok()
                        .and_then(|s| s.chars().next())
                    {
                        found.push((to, (0, 0, 0), c));
                    }
                }
            }
        }
        found
    };
    // Places in byte order: the pending second byte of unit k - 1 comes before unit k.
    let index = |p: Place| p.unit * 2 + usize::from(!p.pending);
    let slots = units.len() * 2 + 2;
    let mut best: Vec<Option<(Cost, usize, char)>> = vec![None; slots];
    let start = Place {
        unit: 0,
        pending: false,
    };
    let mut reached = vec![false; slots];
    reached[index(start)] = true;
    let mut cost_at: Vec<Cost> = vec![(0, 0, 0); slots];
    for slot in 0..slots {
        if !reached[slot] {
            continue;
        }
        let at = Place {
            unit: slot / 2,
            pending: slot % 2 == 0,
        };
        for (to, cost, c) in read_char(at) {
            let c0 = cost_at[slot];
            let total = (c0.0 + cost.0, c0.1 + cost.1, c0.2 + cost.2);
            let t = index(to);
            if !reached[t] || total < cost_at[t] {
                reached[t] = true;
                cost_at[t] = total;
                best[t] = Some((total, slot, c));
            }
        }
    }
    let end = index(Place {
        unit: units.len(),
        pending: false,
    });
    if !reached[end] {
        return None;
    }
    let mut text = Vec::new();
    let mut slot = end;
    while slot != index(start) {
        let (_, from, c) = best[slot]?;
        text.push(c);
        slot = from;
    }
    Some(text.into_iter().rev().collect())
}

impl Reading {
    /// Appends the reading of a framed lost stretch ([`frame_lost_stretch`]): its U+FFFD are
    /// lost characters, its other non-ASCII characters sequences read.
    fn push_framed(&mut self, framed: &str) {
        for c in framed.chars() {
            self.lost += usize::from(c == '\u{FFFD}');
            self.sequences += usize::from(!c.is_ascii() && c != '\u{FFFD}');
        }
        self.text.push_str(framed);
    }
}

/// True if `units` are a UTF-8 lead byte and fewer continuation bytes than it announces.
fn is_cut_sequence(units: &[Unit]) -> bool {
    let Some(need) = units.first().and_then(|u| continuation_count(u.byte)) else {
        return false;
    };
    units.len() <= need
        && !units[0].lost
        && units[1..]
            .iter()
            .all(|u| !u.lost && (0x80..=0xBF).contains(&u.byte))
}

/// One UTF-8 sequence starting at `units[i]`: its length in units, its text, and whether a byte
/// of it was lost (then the text is U+FFFD).
fn sequence_at(
    units: &[Unit],
    i: usize,
    chars: &[char],
    space_a0: bool,
) -> Option<(usize, String, bool)> {
    let lead = *units.get(i)?;
    if lead.lost {
        return None;
    }
    let need = continuation_count(lead.byte)?;
    let mut bytes = vec![lead.byte];
    let mut lost = false;
    let mut len = 1;
    while bytes.len() <= need {
        let k = i + len;
        let u = units.get(k)?;
        if u.lost {
            // A decoder's U+FFFD may stand for one byte or for all this sequence still needs.
            lost = true;
            bytes.push(0x80);
            len += 1;
            if units
                .get(i + len)
                .is_none_or(|n| n.lost || !(0x80..=0xBF).contains(&n.byte))
            {
                break;
            }
            continue;
        } else if (0x80..=0xBF).contains(&u.byte) {
            bytes.push(u.byte);
        } else if space_a0 && u.byte == b' ' && chars[u.char_index] == ' ' {
            // A 0xA0 byte turned into a space on its way.
            bytes.push(0xA0);
        } else {
            return None;
        }
        len += 1;
    }
    if lost {
        return Some((len, "\u{FFFD}".into(), true));
    }
    match std::str::from_utf8(&bytes) {
        Ok(s) => {
            // A restored 0xA0 space after `Ã` is `à` followed by the word break it hid, except
            // where `à` joins the next word: Portuguese `às`, `àquele`, `àquilo`.
            let restored_space = units[i + 1..i + len].iter().any(|u| u.byte == b' ');
            if restored_space && lead.byte == 0xC3 && bytes[1] == 0xA0 {
                let rest: String = units[i + len..]
                    .iter()
                    .take(6)
                    .map(|u| chars[u.char_index])
                    .collect();
                let joins = rest.starts_with("quel")
                    || rest.starts_with("quil")
                    || rest == "s"
                    || rest.starts_with("s ")
                    || rest.starts_with("s,");
                let next_is_space = rest.starts_with(char::is_whitespace);
                if !joins && !next_is_space {
                    return Some((len, "à ".into(), false));
                }
            }
            Some((len, s.to_owned(), false))
        }
        // A surrogate half (CESU-8): pair it with the next one.
        Err(_) if bytes[0] == 0xED && (0xA0..=0xAF).contains(&bytes[1]) => {
            let (len2, _, _) = (3, (), ());
            let tail = units.get(i + len..i + len + len2)?;
            let low: Vec<u8> = tail.iter().map(|u| u.byte).collect();
            if tail.iter().any(|u| u.lost) || low[0] != 0xED || !(0xB0..=0xBF).contains(&low[1]) {
                return None;
            }
            let hi = 0xD800 + (((bytes[1] as u32) & 0x0F) << 6 | (bytes[2] as u32 & 0x3F));
            let lo = 0xDC00 + (((low[1] as u32) & 0x0F) << 6 | (low[2] as u32 & 0x3F));
            let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
            Some((len + len2, c.to_string(), false))
        }
        Err(_) => None,
    }
}

/// A C1 control character (U+0080..U+009F) read as the windows-1252 character of its byte.
fn c1_as_windows_1252(c: char) -> char {
    if ('\u{80}'..='\u{9F}').contains(&c) {
        let b = [c as u32 as u8];
        if let Some(s) =
            encoding_rs::WINDOWS_1252.decode_without_bom_handling_and_without_replacement(&b)
        {
            if let Some(d) = s.chars().next().filter(|&d| d != c) {
                return d;
            }
        }
    }
    c
}

/// Characters that wrong decodings produce: the upper halves of the single-byte charsets
/// (Latin-1, Latin Extended-A, Cyrillic, Greek, box drawing, …), C1 controls, half-width
/// katakana, and ideographs rare in running text.
fn is_suspect(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return false;
    }
    if (0x4E00..=0x9FFF).contains(&u) {
        return !is_common_han(c);
    }
    if (0xFF61..=0xFF9F).contains(&u) || (0xE000..=0xF8FF).contains(&u) {
        return true;
    }
    byte_roles().contains_key(&c)
}

/// What the fast scan of [`marked_lines`] knows about a BMP character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Nothing a wrong decoding produces.
    Clean,
    /// Produced by wrong decodings but common in clean CJK text too: curly quotes, dashes, the
    /// ellipsis, middle dots and bullet, and U+FFFD. Alone they never make a line worth a look.
    Weak,
    /// Anything else [`is_suspect`] holds.
    Strong,
    /// A C1 control: worth a look even alone.
    Control,
}

/// Two bits per BMP character, built once from [`is_suspect`] (16 KB).
fn mark_table() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![0u32; 0x10000 / 16];
        for u in 0x80..0x10000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            let mark = if (0x80..=0x9F).contains(&u) {
                Mark::Control
            } else if matches!(
                c,
                '“' | '”' | '‘' | '’' | '—' | '–' | '…' | '·' | '•' | '\u{FFFD}'
                // The GB2312 table's dash and middle dot, all over scraped Chinese text (the
                // normalizer repairs them); real mojibake brings stronger marks along.
                | '―' | '・' | '･' | '‧'
            ) {
                Mark::Weak
            } else if is_suspect(c) {
                Mark::Strong
            } else {
                Mark::Clean
            };
            table[u as usize / 16] |= (mark as u32) << (2 * (u % 16));
        }
        table
    })
}

/// The lines of `text` (start, end, without the `\n`) worth a look, and whether `text` holds
/// U+FFFD or `锟` (lost data to flag): with a C1 control, or a
/// strong mark and another mark, a space, a `?` or a U+FFFD. A superset of the lines that
/// [`spans`] finds spans in, except spans of weak marks alone (which no candidate repairs);
/// one pass over the bytes with a table look-up per non-ASCII character, so clean CJK text
/// pays little.
fn marked_lines(text: &str) -> (Vec<(usize, usize)>, bool) {
    let table = mark_table();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // Per line: characters with each mark (clean, weak, strong, control), and a space, `?` or
    // U+FFFD seen. Counting by index keeps the loop free of branches on the mark.
    let mut counts = [0u32; 4];
    let (mut line_start, mut filler) = (0, false);
    // U+FFFD or `锟` seen: lost data to flag.
    let mut lost = false;
    let mut i = 0;
    let end_line = |out: &mut Vec<(usize, usize)>, start, end, counts: &[u32; 4], f: bool| {
        let [_, weak, strong, control] = *counts;
        if control > 0 || strong >= 1 && (strong + weak >= 2 || f) {
            out.push((start, end));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        // `text` is valid UTF-8: the lead byte gives the length. Three-byte characters (all of
        // CJK) first.
        let (u, len) = if b >= 0xE0 {
            if b >= 0xF0 {
                i += 4;
                continue;
            }
            (
                (u32::from(b & 0x0F) << 12)
                    | (u32::from(bytes[i + 1] & 0x3F) << 6)
                    | u32::from(bytes[i + 2] & 0x3F),
                3,
            )
        } else if b >= 0x80 {
            (
                (u32::from(b & 0x1F) << 6) | u32::from(bytes[i + 1] & 0x3F),
                2,
            )
        } else {
            if b == b'\n' {
                end_line(&mut out, line_start, i, &counts, filler);
                (line_start, counts, filler) = (i + 1, [0; 4], false);
            } else {
                filler |= b == b' ' || b == b'?';
            }
            i += 1;
            continue;
        };
        let mark = (table[u as usize / 16] >> (2 * (u % 16))) & 3;
        counts[mark as usize] += 1;
        // `锟` is a rare ideograph (a strong mark), U+FFFD a weak one: tested only for those.
        if mark != 0 && (u == 0xFFFD || u == 0x951F) {
            lost = true;
            filler |= u == 0xFFFD;
        }
        i += len;
    }
    end_line(&mut out, line_start, bytes.len(), &counts, filler);
    (out, lost)
}

/// Cuts `text` into spans worth a look: maximal runs within a line of suspect characters with
/// the ASCII between them, and a trailing `?`, U+FFFD or space that a lossy reading may have
/// left in place of a byte. A span that starts with an ideograph, kana or a full-width form is a
/// *CJK span*: it runs through common ideographs (a double-byte misreading mixes rare and common
/// ones) and gets the double-byte candidates; elsewhere a common ideograph ends a span. Kept:
/// spans with two suspect characters, or one and a lossy or space trail.
fn spans(text: &str) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    for (line_start, line) in lines(text) {
        let mut start: Option<usize> = None;
        let mut han_run_start: Option<usize> = None;
        let mut cjk_span = false;
        let mut last_suspect_end = 0;
        let mut flush = |start: &mut Option<usize>, end: usize, cjk: bool| {
            if let Some(s) = start.take() {
                if end > s {
                    out.push((line_start + s, line_start + end, cjk));
                }
            }
        };
        for (i, c) in line.char_indices() {
            let han = crate::script::is_han(c)
                || crate::script::is_cjk_punctuation(c)
                || crate::script::is_kana(c)
                || ('\u{FF01}'..='\u{FF5E}').contains(&c);
            // The run of non-ASCII characters this one belongs to: where a CJK span starts.
            if !c.is_ascii() && !c.is_whitespace() {
                han_run_start.get_or_insert(i);
            } else {
                han_run_start = None;
            }
            let suspect = is_suspect(c);
            if han && start.is_some() && !cjk_span && !suspect {
                flush(&mut start, last_suspect_end, cjk_span);
            }
            let in_cjk_span = start.is_some() && cjk_span && !c.is_ascii();
            if suspect || c == '\u{FFFD}' || c == '锟' || han && start.is_some() || in_cjk_span {
                if start.is_none() {
                    start = Some(if han { han_run_start.unwrap_or(i) } else { i });
                    // A Latin-1 character (`·` is also CJK punctuation) starts a Latin span.
                    cjk_span = han && c > '\u{FF}' || ('\u{FF61}'..='\u{FF9F}').contains(&c);
                }
                last_suspect_end = i + c.len_utf8();
            } else if c.is_ascii() && !c.is_ascii_control() || han {
                // ASCII stays inside a span (which ends at its last suspect character).
            } else {
                flush(&mut start, last_suspect_end, cjk_span);
            }
        }
        flush(&mut start, last_suspect_end, cjk_span);
    }
    for span in &mut out {
        // Take in a lossy CJK run just before a CJK span: `(浜�)钀ヤ笟` is `(二)营业` read
        // as GBK, and `浜` alone is a common ideograph.
        if span.2 {
            let before = &text[..span.0];
            let line_start = before.rfind('\n').map_or(0, |p| p + 1);
            let mut start = span.0;
            let mut rest = before[line_start..].char_indices().rev().peekable();
            let mut ascii = 0;
            while let Some(&(_, c)) = rest.peek() {
                if !c.is_ascii_punctuation() || ascii == 3 {
                    break;
                }
                ascii += 1;
                rest.next();
            }
            if rest.peek().is_some_and(|&(_, c)| c == '\u{FFFD}') {
                for (i, c) in rest {
                    if c.is_ascii() || c.is_whitespace() {
                        break;
                    }
                    start = line_start + i;
                }
            }
            span.0 = start;
        }
        // Take in what a lossy reading leaves after the last suspect character.
        let mut end = span.1;
        let mut spaces_only = true;
        for c in text[end..].chars().take(3) {
            spaces_only &= c == ' ';
            if c == '?' || c == '\u{FFFD}' || spaces_only {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        span.1 = end;
    }
    // A CJK span starts at the start of its run, and the extensions reach out: spans that
    // overlap are one span.
    out.sort_by_key(|s| s.0);
    let mut merged: Vec<(usize, usize, bool)> = Vec::with_capacity(out.len());
    for span in out {
        match merged.last_mut() {
            Some(last) if span.0 < last.1 => {
                last.1 = last.1.max(span.1);
                last.2 |= span.2;
            }
            _ => merged.push(span),
        }
    }
    let mut out = merged;
    out.retain(|&(s, e, _)| {
        let span = &text[s..e];
        let suspects = span.chars().filter(|&c| is_suspect(c)).count();
        suspects >= 2 || suspects == 1 && (span.ends_with(' ') || span.contains(['?', '\u{FFFD}']))
    });
    out
}

/// Lines of `text` with their byte offsets (without the line ends).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    text.split('\n').map(move |line| {
        let at = pos;
        pos += line.len() + 1;
        (at, line)
    })
}

/// Adds [`EditKind::LostData`] flags for `锟斤拷` and U+FFFD runs that no repair edit covers,
/// keeping the edits sorted by offset.
fn merge_lost_flags(text: &str, mut edits: Vec<crate::edit::Edit>) -> Vec<crate::edit::Edit> {
    let mut flags = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let (unit, reason) = if rest.starts_with("锟斤拷") {
            (
                "锟斤拷",
                "锟斤拷: UTF-8 U+FFFD bytes read as GBK; the original bytes are lost",
            )
        } else if rest.starts_with('\u{FFFD}') {
            (
                "\u{FFFD}",
                "U+FFFD: a decoder already replaced bytes it could not read; they are lost",
            )
        } else {
            i += 1;
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            continue;
        };
        let mut end = i;
        while text[end..].starts_with(unit) {
            end += unit.len();
        }
        let covered = edits
            .iter()
            .any(|e| e.offset < end && i < e.offset + e.removed.len());
        if !covered {
            flags.push(crate::edit::Edit {
                stage: Stage::Repair,
                kind: EditKind::LostData,
                offset: i,
                removed: text[i..end].to_owned(),
                inserted: text[i..end].to_owned(),
                reason: Cow::Borrowed(reason),
            });
        }
        i = end;
    }
    if !flags.is_empty() {
        edits.extend(flags);
        edits.sort_by_key(|e| e.offset);
    }
    edits
}

/// How much a lead/continuation pair counts in each charset of [`byte_charsets`]: the common
/// mistakes more than the rare ones.
const CHARSET_WEIGHT: [f64; 9] = [1.0, 0.8, 0.8, 0.6, 0.6, 0.6, 0.6, 0.4, 0.4];

/// Characters that are byte 0xC3 (the UTF-8 lead of `à`) in one of the candidate charsets.
fn is_c3(c: char) -> bool {
    static SET: OnceLock<Vec<char>> = OnceLock::new();
    SET.get_or_init(|| {
        byte_charsets()
            .iter()
            .flat_map(|set| set.to_byte.iter().filter(|e| *e.1 == 0xC3).map(|e| *e.0))
            .collect()
    })
    .contains(&c)
}

/// The badness of `text`: the evidence that it is mojibake. See the [module docs](self).
pub fn badness(text: &str) -> f64 {
    let roles = byte_roles();
    let chars: Vec<char> = text.chars().collect();
    let mut points = 0.0;
    let han_stats = HanStats::get();
    // Consecutive Latin-1 characters: European words rarely hold three non-ASCII letters in a
    // row; GBK or UTF-8 read as Latin-1 always does.
    let mut latin1_run = 0;
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let prev2 = if i > 1 { chars[i - 2] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        if ('\u{A1}'..='\u{FF}').contains(&c) && c != '\u{A0}' {
            latin1_run += 1;
            if latin1_run >= 3 {
                points += 2.0;
            }
        } else {
            latin1_run = 0;
        }
        if c.is_ascii() {
            // A case flip inside a word: a non-ASCII lower-case letter, then upper case.
            if c.is_ascii_uppercase() && prev.is_lowercase() && !prev.is_ascii() {
                points += 4.0;
            }
            continue;
        }
        // A lead-byte character followed by a continuation-byte character in one charset.
        if let (Some(&(lead, _)), Some(&(_, cont))) = (roles.get(&c), roles.get(&next)) {
            let both = lead & cont;
            if both != 0 {
                let weight = (0..9)
                    .filter(|k| both & (1 << k) != 0)
                    .map(|k| CHARSET_WEIGHT[k])
                    .fold(0.0, f64::max);
                let after = chars.get(i + 2).copied().unwrap_or(' ');
                let strong = matches!(c, 'Ã' | 'Â' | 'â' | 'Ð' | 'Ñ' | 'Р' | 'С');
                let base = match next {
                    '\u{A0}' => 0.0,
                    // An apostrophe: `’s`, `’t`.
                    '’' if after.is_lowercase()
                        && !chars.get(i + 3).is_some_and(|c| c.is_alphabetic()) =>
                    {
                        0.0
                    }
                    '’' | '‘' | '“' | '”' | '–' | '—' | '…' | '•' => 1.5,
                    // A sign after a word: a trademark, not a byte.
                    '™' | '®' | '©' | '°' if !after.is_alphanumeric() && !strong => 1.0,
                    _ if next.is_alphabetic() => {
                        if strong {
                            4.0
                        } else {
                            2.0
                        }
                    }
                    _ => 4.0,
                };
                points += base * weight;
                // Three in a row: the shape of a three-byte sequence.
                if chars
                    .get(i + 2)
                    .and_then(|a| roles.get(a))
                    .is_some_and(|r| r.1 & both != 0)
                {
                    points += 2.0 * weight;
                }
            }
        }
        // `à` whose 0xA0 became a space (or stayed a no-break space) before a word.
        if is_c3(c) && (next == ' ' || next == '\u{A0}') && following_letter_is_lower(&chars, i + 1)
        {
            points += 4.0;
        }
        points += char_badness(prev2, prev, c, next, &han_stats);
        if crate::script::is_han(c) && crate::script::is_han(prev) && !han_stats.pair_seen(prev, c)
        {
            points += 1.0;
        }
    }
    points
}

fn following_letter_is_lower(chars: &[char], from: usize) -> bool {
    chars[from..]
        .iter()
        .find(|c| !c.is_whitespace())
        .is_some_and(|c| c.is_lowercase())
}

fn is_rare_letter(c: char) -> bool {
    let u = c as u32;
    u == 0x017F
        || !matches!(u,
            0x00C0..=0x017F
            | 0x0386..=0x03CE
            | 0x0400..=0x045F
            | 0x05D0..=0x05EA
            | 0x0620..=0x064A
            | 0x0900..=0x0DFF
            | 0x0E00..=0x0E7F
            | 0x1E00..=0x1EFF
            | 0x3040..=0x30FF
            | 0x3400..=0x9FFF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0x20000..)
}

fn char_badness(prev2: char, prev: char, c: char, next: char, han: &HanStats) -> f64 {
    let u = c as u32;
    match u {
        0xFFFD => return 2.0,
        0x80..=0x9F => return 10.0,
        0xE000..=0xF8FF => return 10.0,
        0x2500..=0x259F => {
            return 2.0
                + 2.0 * f64::from(u8::from(prev.is_alphabetic()) + u8::from(next.is_alphabetic()))
        }
        0xFF61..=0xFF9F => return 2.0,
        _ => {}
    }
    if (0x4E00..=0x9FFF).contains(&u) {
        let class = han.unigram(c);
        let mut p = if class >= 10 {
            0.0
        } else {
            (10 - class) as f64 * 0.4
        };
        // Ideographs glued to Latin letters are what Latin text read as a double-byte charset
        // gives.
        p += 2.0
            * f64::from(
                u8::from(prev.is_ascii_alphabetic()) + u8::from(next.is_ascii_alphabetic()),
            );
        return p;
    }
    if c.is_alphabetic() {
        let mut p = 0.0;
        if is_rare_letter(c) {
            p += if u == 0x017F { 6.0 } else { 3.0 };
        }
        if c.is_uppercase() && prev.is_lowercase() {
            p += 4.0;
        }
        if c.is_lowercase() && prev.is_uppercase() && (next.is_uppercase() || prev2.is_uppercase())
        {
            p += 3.0;
        }
        let latin = |x: char| x.is_ascii_alphanumeric();
        if !(0x00C0..=0x024F).contains(&u) && !(0x1E00..=0x1EFF).contains(&u) {
            // A non-Latin letter glued to Latin letters or digits.
            if latin(prev) || latin(next) {
                p += 4.0;
            }
        }
        if !prev.is_alphabetic() && !next.is_alphabetic() && !crate::script::is_cjk(c) {
            p += 2.0;
        }
        return p;
    }
    if (0x0300..=0x036F).contains(&u) {
        // The accents of Latin letters after a letter; overlays (strike-through) after digits
        // and signs.
        let accent = matches!(u, 0x0300..=0x030C | 0x0323 | 0x0327 | 0x0328);
        return match (
            prev.is_alphabetic(),
            prev.is_alphanumeric() || prev.is_ascii_punctuation(),
        ) {
            (true, _) if accent => 0.5,
            (true, _) => 2.0,
            (false, true) => 0.5,
            _ => 4.0,
        };
    }
    if c.is_whitespace() || crate::script::is_cjk_punctuation(c) {
        return 0.3;
    }
    let inside_word = prev.is_alphabetic() && next.is_alphabetic();
    match c {
        '’' | '·' => 0.5,
        _ if inside_word => 6.0,
        _ => 1.0,
    }
}

/// The generated Han statistics.
struct HanStats {
    unigram: &'static [u8],
    bigram: &'static [u8],
}

static HAN_UNIGRAM: &[u8; 0x5200] = include_bytes!("mojibake/han_unigram.bin");
static HAN_BIGRAM: &[u8; 1 << 19] = include_bytes!("mojibake/han_bigram.bin");
const BIGRAM_BITS: u32 = 22;

impl HanStats {
    fn get() -> HanStats {
        HanStats {
            unigram: HAN_UNIGRAM,
            bigram: HAN_BIGRAM,
        }
    }

    /// The frequency class of an ideograph U+4E00..=U+9FFF: `round(log2(count + 1))` in the
    /// training text.
    fn unigram(&self, c: char) -> u8 {
        let u = c as usize;
        if (0x4E00..=0x9FFF).contains(&u) {
            self.unigram[u - 0x4E00]
        } else {
            0
        }
    }

    /// True if the ideograph pair occurs at least twice in the training text (or collides with
    /// one that does: about 30% of the bit set is set).
    fn pair_seen(&self, a: char, b: char) -> bool {
        let slot = bigram_slot(a, b);
        self.bigram[slot / 8] & (1 << (slot % 8)) != 0
    }
}

/// Must match `examples/gen_han_stats.rs`.
fn bigram_slot(a: char, b: char) -> usize {
    let key = ((a as u32) << 16) ^ (b as u32).wrapping_mul(0x9E37_79B1);
    (key.wrapping_mul(0x85EB_CA6B) >> (32 - BIGRAM_BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        Repairer::new().repair(s).text.into_owned()
    }

    #[test]
    fn utf8_read_as_windows_1252() {
        assert_eq!(fix("ä¸\u{AD}æ–‡"), "中文");
        assert_eq!(fix("ÖÐÎÄ"), "中文");
        assert_eq!(fix("HÃ´tel de Police"), "Hôtel de Police");
    }

    #[test]
    fn utf8_read_as_gbk_and_shift_jis() {
        let utf8 = "变巨的时代来了".as_bytes();
        let (gbk, _, _) = GBK.decode(utf8);
        // 21 bytes: the last one had no partner and was replaced, so 了 is lost.
        assert_eq!(fix(&gbk), "变巨的时代来\u{FFFD}");
        assert_eq!(fix("鍙樺法鐨勬椂浠ｆ潵浜嗗悧"), "变巨的时代来了吗");
        let (sjis, _, _) = SHIFT_JIS.decode("日本語のテキスト".as_bytes());
        // Shift_JIS could not read four of the byte pairs: those characters are lost.
        assert_eq!(fix(&sjis), "日本語\u{FFFD}\u{FFFD}\u{FFFD}ス\u{FFFD}");
    }

    #[test]
    fn clean_text_is_left_alone() {
        for s in [
            "中文编码是一个问题",
            "Bremer/Mccoy – DrÃ¥ber",
            "4288×…",
            "日本語のテキスト",
            "café",
            // Placeholders: one character repeated.
            "××××年××月××日",
            "编号：××××2××××",
            // Rare ideographs beside lost data: flagged, not read as GBK or Big5.
            "鄱阳湖\u{FFFD}的犰狳与鼋鼍\u{FFFD}\u{FFFD}。",
        ] {
            let r = Repairer::new().repair(s);
            assert_eq!(r.text, s);
            assert!(
                r.edits.iter().all(|e| e.removed == e.inserted),
                "{s}: {:?}",
                r.edits
            );
        }
    }

    #[test]
    fn kun_is_a_strong_mark() {
        // The line scan looks for `锟` among the strong marks only.
        assert_eq!(
            mark_table()[0x951F / 16] >> (2 * (0x951F % 16)) & 3,
            Mark::Strong as u32
        );
    }

    #[test]
    fn lost_data_is_flagged_not_changed() {
        let r = Repairer::new().repair("前文锟斤拷锟斤拷后文\u{FFFD}\u{FFFD}。");
        assert_eq!(r.text, "前文锟斤拷锟斤拷后文\u{FFFD}\u{FFFD}。");
        let lost: Vec<_> = r
            .edits
            .iter()
            .filter(|e| e.kind == EditKind::LostData)
            .collect();
        assert_eq!(lost.len(), 2);
        assert_eq!(
            (lost[0].offset, lost[0].removed.as_str()),
            (6, "锟斤拷锟斤拷")
        );
        assert_eq!(lost[0].removed, lost[0].inserted);
        assert_eq!(lost[1].removed, "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn edits_replay() {
        let input = "Le barÃ¨me, 中文 ä¸\u{AD}æ–‡ fin";
        let r = Repairer::new().repair(input);
        assert_eq!(r.text, "Le barème, 中文 中文 fin");
        assert_eq!(r.edits.len(), 2);
        assert_eq!(crate::edit::apply(input, &r.edits).unwrap(), r.text);
    }
}

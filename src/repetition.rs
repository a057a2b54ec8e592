//! Repeated copies inside one document, collapsed to the first ([`Stage::Repetition`]).
//!
//! Scraped pages often hold the same text several times: a page saved with its print version,
//! a site that repeats the article under every tab, a scraper that appended the page to itself.
//! This stage keeps the first copy and removes the others, recording each removal.
//!
//! # The rule
//!
//! 1. **Units.** The text is cut into units: sentences (ending in `。！？!?…`, or `.` before a
//!    space, with any closing quotes or brackets after them) and, where a line has no sentence
//!    end, the line. Blank lines are not units and are skipped when units are compared. Each unit
//!    is keyed by the xxh3 hash of its text without spaces, tabs, ideographic spaces and line
//!    breaks, so a copy re-wrapped or re-spaced still matches.
//! 2. **Runs.** Scanning units in order, each unit is compared with earlier units that have the
//!    same key (at most [`MAX_CANDIDATES`] of them); from each, the match is extended unit by unit
//!    while the keys agree and the earlier copy stays before the later one. The longest match
//!    that is a copy wins (the earliest on a tie). A match is a copy, and removed, when
//!    - it is long enough: at least [`RepetitionCollapser::min_run_chars`] characters and either
//!      two units or [`RepetitionCollapser::min_single_unit_chars`] characters, so a short line
//!      that legitimately recurs (`各位代表：`, `表1`) is never removed on its own; and
//!    - it sits where scraped copies sit: right after the text it repeats (at most
//!      [`MAX_GAP_UNITS`] units between them), or it is a quarter of the text or more. A passage
//!      that a document legitimately repeats far from its first occurrence (a law listing the
//!      same acts under two articles) is kept.
//!
//!    Matches that continue one another (the next starts at most [`MAX_GAP_UNITS`] units after
//!    the previous one, in the copy and in its source) are judged together, as one copy.
//! 3. **Slightly different copies.** A copy may lack a paragraph (it then simply forms two runs),
//!    or carry a different phrase somewhere. Units between two runs of the same copy (the runs'
//!    earlier counterparts are in the same order, at most [`MAX_GAP_UNITS`] units apart) are part
//!    of the copy and removed with it. Next to a run, a unit whose counterpart is similar (Dice
//!    coefficient of character bigrams at least 0.5) is removed too.
//! 4. **Copies that start or end mid-line.** When the unit before a run ends with the
//!    counterpart of that unit (a copy glued to the end of a line), that tail is removed; when
//!    the unit after a run starts with its counterpart, that head is removed. A run that starts
//!    mid-line keeps its last line break, so the text after it stays on its own line.
//!
//! Removals only; what the removals leave (blank lines, trailing spaces) is tidied by the
//! reader's [`Stage::Tidy`] pass.
//!
//! Cost: one pass to cut and hash units, and a hash-map lookup per unit; extension work is
//! proportional to the text removed.
//!
//! # Example
//!
//! ```
//! use scour::repetition::RepetitionCollapser;
//!
//! let copy = "过去一年，面对错综复杂的发展环境，全力保持经济社会平稳健康发展。\n\
//!             一年来，我们做了以下工作：全力以赴做好稳增长工作。\n";
//! let text = format!("{copy}\n{copy}\n{copy}");
//! // Copies this short are kept by default (see the rule); lower the bar to collapse them.
//! assert!(RepetitionCollapser::new().collapse(&text).edits.is_empty());
//! let out = RepetitionCollapser::new().min_run_chars(40).collapse(&text);
//! assert_eq!(out.text, format!("{copy}\n\n"));
//! assert_eq!(out.edits.len(), 2);
//! ```

use std::collections::HashMap;

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::edit::{EditKind, EditLog, Rewritten, Stage};

/// How many earlier units with the same key are tried as the start of a copy.
pub const MAX_CANDIDATES: usize = 8;
/// How many units may stand between two runs of the same copy.
pub const MAX_GAP_UNITS: usize = 3;

/// Collapses repeated copies; see the [module docs](self) for the rule.
#[derive(Clone, Debug)]
pub struct RepetitionCollapser {
    min_run_chars: usize,
    min_single_unit_chars: usize,
}

impl Default for RepetitionCollapser {
    fn default() -> Self {
        RepetitionCollapser::new()
    }
}

/// A unit: a byte range of the text and its key (`None` for a blank line).
#[derive(Clone, Copy, Debug)]
struct Unit {
    start: usize,
    end: usize,
    chars: usize,
}

/// A run of repeated units, in the index space of non-blank units.
#[derive(Clone, Copy, Debug)]
struct Run {
    target: usize,
    len: usize,
    source: usize,
}

impl RepetitionCollapser {
    /// The default rule: runs of at least 200 characters, and single units of at least 300.
    pub fn new() -> RepetitionCollapser {
        RepetitionCollapser {
            min_run_chars: 200,
            min_single_unit_chars: 300,
        }
    }

    /// The fewest characters (not counting whitespace) a repeated run must hold to be removed.
    pub fn min_run_chars(mut self, chars: usize) -> RepetitionCollapser {
        self.min_run_chars = chars.max(1);
        self
    }

    /// The fewest characters a single repeated unit must hold to be removed on its own.
    pub fn min_single_unit_chars(mut self, chars: usize) -> RepetitionCollapser {
        self.min_single_unit_chars = chars.max(1);
        self
    }

    /// Removes repeated copies from `text` ([`Stage::Repetition`]).
    pub fn collapse<'a>(&self, text: &'a str) -> Rewritten<'a> {
        let units = split_units(text);
        if units.len() < 2 {
            return Rewritten::unchanged(text);
        }
        let keys: Vec<u64> = units
            .iter()
            .map(|u| unit_key(&text[u.start..u.end]))
            .collect();
        let runs = self.find_runs(&units, &keys);
        if runs.is_empty() {
            return Rewritten::unchanged(text);
        }
        let mut removed = vec![false; units.len()];
        for run in &runs {
            removed[run.target..run.target + run.len].fill(true);
        }
        // (start, end, reason) byte spans to remove.
        let mut spans: Vec<(usize, usize, String)> = Vec::new();
        for (k, run) in runs.iter().enumerate() {
            let source_at = units[run.source].start;
            // Units between this run and the next run of the same copy.
            if let Some(next) = runs.get(k + 1) {
                let gap_t = next.target - (run.target + run.len);
                let source_end = run.source + run.len;
                if gap_t > 0
                    && gap_t <= MAX_GAP_UNITS
                    && next.source >= source_end
                    && next.source - source_end <= MAX_GAP_UNITS
                {
                    removed[run.target + run.len..next.target].fill(true);
                    spans.push((
                        units[run.target + run.len].start,
                        units[next.target - 1].end,
                        format!("inside a repeated copy of the text at byte {source_at}"),
                    ));
                }
            }
            // Neighbours with a similar counterpart.
            let mut first = run.target;
            let mut src = run.source;
            while first > 0 && src > 0 && !removed[first - 1] && first - 1 != src - 1 {
                let (t, s) = (&units[first - 1], &units[src - 1]);
                let (tt, st) = (&text[t.start..t.end], &text[s.start..s.end]);
                if similar(tt, st) {
                    removed[first - 1] = true;
                    spans.push((
                        t.start,
                        t.end,
                        format!("near copy of the text at byte {}", s.start),
                    ));
                    first -= 1;
                    src -= 1;
                } else {
                    if let Some(cut) = glued_suffix(tt, st) {
                        spans.push((
                            t.start + cut,
                            t.end,
                            format!("start of a repeated copy glued to the line before; copy of the text at byte {}", s.start),
                        ));
                    }
                    break;
                }
            }
            let mut last = run.target + run.len;
            let mut src = run.source + run.len;
            while last < units.len() && src < run.target && !removed[last] {
                let (t, s) = (&units[last], &units[src]);
                let (tt, st) = (&text[t.start..t.end], &text[s.start..s.end]);
                if similar(tt, st) {
                    removed[last] = true;
                    spans.push((
                        t.start,
                        t.end,
                        format!("near copy of the text at byte {}", s.start),
                    ));
                    last += 1;
                    src += 1;
                } else {
                    if let Some(cut) = glued_prefix(tt, st) {
                        spans.push((
                            t.start,
                            t.start + cut,
                            format!("end of a repeated copy glued to the line after; copy of the text at byte {}", s.start),
                        ));
                    }
                    break;
                }
            }
            let start = units[run.target].start;
            let mut end = units[run.target + run.len - 1].end;
            // A copy that starts mid-line keeps its last line break.
            let starts_mid_line = start > 0 && text.as_bytes()[start - 1] != b'\n';
            if starts_mid_line && text.as_bytes()[end - 1] == b'\n' {
                end -= 1;
            }
            spans.push((
                start,
                end,
                format!(
                    "repeated copy ({} units) of the text at byte {source_at}",
                    run.len
                ),
            ));
        }
        spans.sort_by_key(|s| (s.0, s.1));
        let mut log = EditLog::new(Stage::Repetition);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (start, end, reason) in spans {
            let start = start.max(copied);
            if end <= start {
                continue;
            }
            out.push_str(&text[copied..start]);
            log.remove(EditKind::Repetition, start, &text[start..end], reason);
            copied = end;
        }
        out.push_str(&text[copied..]);
        Rewritten::changed(out, log.into_edits())
    }

    /// Finds the repeated copies: candidate runs, grouped into copies, filtered by
    /// [`RepetitionCollapser::is_copy`].
    fn find_runs(&self, units: &[Unit], keys: &[u64]) -> Vec<Run> {
        let candidates = find_candidates(units, keys);
        let mut before = Vec::with_capacity(units.len() + 1);
        before.push(0usize);
        for u in units {
            before.push(before.last().copied().unwrap_or(0) + u.chars);
        }
        let total = before[units.len()];
        let mut runs = Vec::new();
        let mut k = 0;
        while k < candidates.len() {
            // A copy: candidates that continue one another in both the copy and its source.
            let mut end = k + 1;
            while end < candidates.len() && continues(&candidates[end - 1], &candidates[end]) {
                end += 1;
            }
            let copy = &candidates[k..end];
            if self.is_copy(copy, &before, total) {
                runs.extend_from_slice(copy);
            }
            k = end;
        }
        runs
    }

    /// Is a candidate copy (runs that continue one another) a copy to remove? It must be long
    /// enough, and placed as scraped copies are: right after the text it repeats (a tandem
    /// copy), or a quarter of the text or more. A passage that a document legitimately repeats
    /// far from its first occurrence (a law that lists the same acts under two articles) is
    /// left alone.
    fn is_copy(&self, copy: &[Run], before: &[usize], total: usize) -> bool {
        let (first, last) = (copy[0], copy[copy.len() - 1]);
        let chars: usize = copy
            .iter()
            .map(|r| before[r.target + r.len] - before[r.target])
            .sum();
        let units: usize = copy.iter().map(|r| r.len).sum();
        let long_enough =
            chars >= self.min_run_chars && (units >= 2 || chars >= self.min_single_unit_chars);
        let source_end = last.source + last.len;
        let tandem = first.target >= source_end && first.target - source_end <= MAX_GAP_UNITS;
        long_enough && (tandem || chars * 4 >= total)
    }
}

/// Does `next` continue the copy that `run` belongs to: close after it, with its source close
/// after `run`'s source?
fn continues(run: &Run, next: &Run) -> bool {
    let (end, source_end) = (run.target + run.len, run.source + run.len);
    next.target >= end
        && next.target - end <= MAX_GAP_UNITS
        && next.source >= source_end
        && next.source - source_end <= MAX_GAP_UNITS
}

/// Scans units in order for runs that repeat earlier units (see the module docs): at each unit,
/// the longest match among earlier units with the same key, preferring, on a tie, the one that
/// continues the previous run, then the earliest.
fn find_candidates(units: &[Unit], keys: &[u64]) -> Vec<Run> {
    // Earlier units by key: the first in `first`; keys seen more than once also in `more`
    // (first occurrences and the most recent ones), so that a text with no repetition costs one
    // map insert per unit and no allocation per key.
    let mut first: HashMap<u64, usize, KeyHasher> =
        HashMap::with_capacity_and_hasher(units.len(), KeyHasher::default());
    let mut more: HashMap<u64, Vec<usize>, KeyHasher> = HashMap::default();
    let mut runs: Vec<Run> = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let mut best: Option<Run> = None;
        if let Some(&j0) = first.get(&keys[i]) {
            let others = more.get(&keys[i]).map_or(&[][..], Vec::as_slice);
            for &j in std::iter::once(&j0).chain(others) {
                let mut len = 0;
                while i + len < units.len() && j + len < i && keys[i + len] == keys[j + len] {
                    len += 1;
                }
                let run = Run {
                    target: i,
                    len,
                    source: j,
                };
                let better = match best {
                    None => len > 0,
                    Some(b) => {
                        len > b.len
                            || len == b.len
                                && runs
                                    .last()
                                    .is_some_and(|p| continues(p, &run) && !continues(p, &b))
                    }
                };
                if better {
                    best = Some(run);
                }
            }
        }
        let step = best.map_or(1, |run| run.len);
        for (k, &key) in keys.iter().enumerate().skip(i).take(step) {
            if let std::collections::hash_map::Entry::Vacant(slot) = first.entry(key) {
                slot.insert(k);
                continue;
            }
            let list = more.entry(key).or_default();
            // Keep the first occurrences and the most recent ones.
            if list.len() + 1 >= MAX_CANDIDATES {
                list.remove(MAX_CANDIDATES / 2);
            }
            list.push(k);
        }
        if let Some(run) = best {
            runs.push(run);
        }
        i += step;
    }
    runs
}

/// Unit keys are already xxh3 hashes: the map uses them as they are.
type KeyHasher = std::hash::BuildHasherDefault<IdentityHasher>;

#[derive(Default)]
struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Splits `text` into non-blank units (sentences, or lines without sentence ends). A byte scan:
/// the sentence ends and closers are matched as UTF-8 sequences.
fn split_units(text: &str) -> Vec<Unit> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    // The length of a sentence end at `k`, or 0.
    let sentence_end = |k: usize| match bytes[k] {
        b'!' | b'?' => 1,
        b'.' if matches!(at(k + 1), 0 | b' ' | b'\n') => 1,
        0xE3 if at(k + 1) == 0x80 && at(k + 2) == 0x82 => 3, // 。
        0xEF if at(k + 1) == 0xBC && matches!(at(k + 2), 0x81 | 0x9F) => 3, // ！？
        0xE2 if at(k + 1) == 0x80 && at(k + 2) == 0xA6 => 3, // …
        _ => 0,
    };
    // The length of a closing quote or bracket (or more sentence-end punctuation) at `k`, or 0.
    let closer = |k: usize| match at(k) {
        b')' | b']' | b'"' | b'\'' => 1,
        0xE2 if at(k + 1) == 0x80 && matches!(at(k + 2), 0x9D | 0x99 | 0xA6) => 3, // ” ’ …
        0xE3 if at(k + 1) == 0x80 && matches!(at(k + 2), 0x8D | 0x8F | 0x82) => 3, // 」 』 。
        0xEF if at(k + 1) == 0xBC && matches!(at(k + 2), 0x89 | 0x81 | 0x9F) => 3, // ）！？
        _ => 0,
    };
    let mut units = Vec::new();
    let mut start = 0;
    let mut chars = 0;
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        // Most of CJK text: lead bytes of characters that neither end a sentence nor close
        // one, skipped whole (the text is valid UTF-8).
        if (0xE4..=0xEE).contains(&b) {
            chars += 1;
            i += 3;
            continue;
        }
        let end = if b == b'\n' {
            i + 1
        } else {
            let len = sentence_end(i);
            if len == 0 {
                // Count characters by their first byte, leaving out spaces and tabs.
                if b & 0xC0 != 0x80 && b != b' ' && b != b'\t' {
                    chars += 1;
                }
                i += 1;
                continue;
            }
            chars += 1;
            let mut e = i + len;
            loop {
                let more = closer(e);
                if more == 0 {
                    break;
                }
                chars += 1;
                e += more;
            }
            // The line break after the sentence belongs to it.
            if at(e) == b'\n' {
                e += 1;
            }
            e
        };
        if chars > 0 {
            units.push(Unit { start, end, chars });
        }
        start = end;
        chars = 0;
        i = end;
    }
    if chars > 0 {
        units.push(Unit {
            start,
            end: n,
            chars,
        });
    }
    units
}

/// The xxh3 hash of a unit's text without spaces, tabs, ideographic spaces (U+3000) and the
/// whitespace at its ends.
fn unit_key(unit: &str) -> u64 {
    let core = unit.trim();
    let bytes = core.as_bytes();
    // Built once: a searcher costs more to build than to run on one sentence.
    static IDEOGRAPHIC_SPACE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\u{3000}".as_bytes()));
    if memchr::memchr2(b' ', b'\t', bytes).is_none() && IDEOGRAPHIC_SPACE.find(bytes).is_none() {
        return xxh3_64(bytes);
    }
    // The streaming hash of the pieces equals the one-shot hash of their concatenation.
    let mut hasher = Xxh3::new();
    for piece in core.split([' ', '\t', '\u{3000}']) {
        hasher.update(piece.as_bytes());
    }
    hasher.digest()
}

/// Character bigrams of `s` without whitespace, sorted and deduplicated.
fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut grams: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Two units are similar when their character-bigram sets have a Dice coefficient of at least
/// 0.5 and neither is more than twice as long as the other.
fn similar(a: &str, b: &str) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.max(lb) > 2 * la.min(lb) {
        return false;
    }
    let (ga, gb) = (bigrams(a), bigrams(b));
    if ga.is_empty() || gb.is_empty() {
        return false;
    }
    let shared = ga.iter().filter(|g| gb.binary_search(g).is_ok()).count();
    2 * shared * 2 >= ga.len() + gb.len()
}

/// If `unit` ends with `counterpart` (ignoring its line break) and holds more before it, the byte
/// offset in `unit` where the glued copy starts.
fn glued_suffix(unit: &str, counterpart: &str) -> Option<usize> {
    let core = counterpart.trim_end();
    let unit_core = unit.trim_end();
    (core.chars().count() >= 4 && unit_core.len() > core.len() && unit_core.ends_with(core))
        .then(|| unit_core.len() - core.len())
}

/// If `unit` starts with `counterpart` (ignoring its line break) and holds more after it, the
/// length in bytes of the glued copy's end.
fn glued_prefix(unit: &str, counterpart: &str) -> Option<usize> {
    let core = counterpart.trim_end();
    (core.chars().count() >= 4 && unit.trim_end().len() > core.len() && unit.starts_with(core))
        .then_some(core.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    fn collapse(s: &str) -> String {
        let out = RepetitionCollapser::new().collapse(s);
        assert_eq!(apply(s, &out.edits).as_deref(), Some(&*out.text));
        out.text.into_owned()
    }

    const A: &str = "各位代表：\n\
过去一年，面对错综复杂的发展环境，我们在自治区党委、政府和市委的正确领导下，以五大发展理念为引领，深化供给侧结构性改革，全力保持经济社会平稳健康发展，实现了良好开局。\n\
一年来，我们做了以下工作：\n\
全力以赴做好稳增长工作。面对持续加大的经济下行压力，我们把稳增长作为政府工作的首要任务，出台加强要素保障、减轻企业成本措施，实施供给侧结构性改革总体方案及系列政策。\n\
大力推进产业结构调整。工业结构不断优化，实施十大工业结构调整工程，预计完成全部工业总产值四千七百亿元，汽车工业继续领跑全市产业，汽车产量突破二百四十万辆。\n";

    #[test]
    fn unit_keys_ignore_spaces() {
        assert_eq!(unit_key("各位 代表\u{3000}：\n"), unit_key("各位代表："));
        assert_ne!(unit_key("各位代表："), unit_key("各位代表"));
    }

    #[test]
    fn exact_copies_collapse_to_the_first() {
        assert_eq!(collapse(&format!("{A}{A}{A}")), A);
        assert_eq!(collapse(&format!("{A}\n{A}")), format!("{A}\n"));
    }

    #[test]
    fn short_repeated_lines_stay() {
        let text = "表1\n第一项内容。\n表1\n第二项内容。\n各位代表：\n各位代表：\n";
        assert_eq!(collapse(text), text);
    }

    #[test]
    fn copy_with_a_paragraph_missing_or_a_phrase_changed() {
        let missing = A.replace("一年来，我们做了以下工作：\n", "");
        assert_eq!(collapse(&format!("{A}{missing}")), A);
        let changed = A.replace("各位代表：", "各位代表们：");
        assert_eq!(collapse(&format!("{A}{changed}")), A);
        let inserted = A.replace("一年来，", "本站广告内容。\n一年来，");
        assert_eq!(collapse(&format!("{A}{inserted}")), A);
    }

    #[test]
    fn copy_glued_mid_line() {
        let glued = format!("{}{A}", A.trim_end());
        assert_eq!(collapse(&glued), A);
        let text = format!("开头没有标点{A}");
        let twice = format!("{text}{text}");
        assert_eq!(collapse(&twice), text.to_string());
    }
}

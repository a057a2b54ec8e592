//! Learned boilerplate: find the text a site inserts into all of its pages, from the pages
//! themselves.
//!
//! A [`BoilerplateLearner`] reads a corpus of documents (already cleaned: decoded, normalized,
//! repeated copies collapsed, so a page saved eight times counts once) and builds a
//! [`BoilerplateModel`]: the spans that recur across documents *and* sit where inserted text
//! sits. The model compiles to [`Pattern`]s for the ordinary [`BoilerplateCutter`], with the
//! evidence in each pattern's reason, so every cut lands in the edit record.
//!
//! # Example
//!
//! ```
//! use scour::learn::BoilerplateLearner;
//! use scour::Cleaner;
//!
//! // Sixty unrelated pages; the site glued its title onto each heading and added a footer.
//! let docs: Vec<String> = (0..60)
//!     .map(|i| {
//!         format!(
//!             "第{i}回 标题{}{}侯卫东官场笔记\n正文第{i}段，内容各不相同{}。\n本站所有小说均来源于网络\n",
//!             i * 7 % 13,
//!             char::from_u32(0x4E00 + i * 37).unwrap(),
//!             char::from_u32(0x5E00 + i * 91).unwrap(),
//!         )
//!     })
//!     .collect();
//! let model = BoilerplateLearner::new().learn(|| docs.iter());
//! let texts: Vec<&str> = model.entries.iter().map(|e| e.text.as_str()).collect();
//! assert_eq!(texts, ["侯卫东官场笔记", "本站所有小说均来源于网络"]);
//!
//! let cleaner = Cleaner::builder().boilerplate(model.cutter().unwrap()).build();
//! let page = "2016年工作回顾侯卫东官场笔记\n过去一年。\n本站所有小说均来源于网络\n";
//! assert_eq!(cleaner.clean(page.as_bytes()).unwrap().text, "2016年工作回顾\n过去一年。\n");
//! ```
//!
//! # What counts as inserted
//!
//! Frequency alone does not tell a site's insert from the language a genre shares: every law
//! says `第一条` and `本条例自公布之日起施行。`, every government report `各位代表`. A span is
//! learned only when it is frequent (in at least [`LearnerConfig::min_docs`] documents and
//! [`LearnerConfig::min_doc_fraction`] of them), when it is a unit, and when it sits where
//! inserted text sits.
//!
//! A unit does not end with a clause break (`，`, `：`: `情节严重的，` and `各位代表：` open
//! what follows), its brackets, quotes and HTML-like tags balance (`法》办法` is a piece of a
//! title, `</strong>` the end of a heading's markup), and fewer than half of its occurrences
//! continue across its ends. An occurrence continues when it follows a numeral
//! (`第三十次会议通过`), when the gram across its end is frequent and at least half as frequent
//! as the span's own gram at that end, or when it starts or ends inside a Latin word, number or
//! web address (an ASCII letter, digit or one of `/._-~%?=&#+:@` on both sides of the cut:
//! `/article/details/` in `csdn.net/x/article/details/12`). HTML-like tags right before a span
//! are a boundary, not its context: in `<strong>第一回</strong>侯卫东官场笔记` the title's left
//! context is `一回`, and it does not continue `</strong>`.
//!
//! It must sit in one of three places:
//!
//! * **Whole line at a document's edge** ([`Placement::WholeLine`]): at least 90% of its
//!   occurrences are whole lines, at least 90% of those are among the first or last
//!   [`LearnerConfig::edge_lines`] non-blank lines (headers, footers, navigation), and the line
//!   is not one member of a family: at least 80% of the documents that have a line starting
//!   (ending) with the same [`LearnerConfig::min_chars`] characters have this very line. A
//!   template line (`本条例自公布之日起施行。`, `本办法自2021年1月1日起施行。`) fails that test.
//! * **Glued to the end of a line** ([`Placement::LineEnd`]), as a site title glued onto
//!   headings: at least 90% of its occurrences end a line that has other text, the two
//!   characters before it are varied (their perplexity, the exponential of their entropy, is at
//!   least [`LearnerConfig::min_variety`]), it does not end with sentence punctuation (a
//!   genre's line-final formula, `且听下回分解。`, does), and it is not one member of a family
//!   of line endings: at least 80% of the documents that have a line ending with the span's
//!   last two characters (about a word) have the span. A genre ends its titles and formulas
//!   with a few words after varied text, so a frequent ending is one of many that share its
//!   last word: in `laws-zh`, `促进条例` ends lines in 114 documents and `…条例` in 2,056;
//!   `第三十次会议通过` is one of the `…会议通过` lines, whose numbers vary. A site's title ends
//!   lines of its own. (A genre ending that is the only one with its last word, in at least
//!   [`LearnerConfig::min_doc_fraction`] of the documents, would still be learned.)
//! * **Dropped into a paragraph** ([`Placement::Anywhere`]), as a spam phrase: the two
//!   characters on each side are varied, at most half of its occurrences open a line, and
//!   either it is at least 6 characters long and at least 80% of its occurrences follow a
//!   sentence end (dropped between sentences; shorter spans there are how the documents'
//!   sentences open, `后人有诗`), or it is at least 12 characters long, nearly every occurrence
//!   has contexts of its own on both sides (perplexity at least 0.7 × occurrences) and it occurs
//!   about once per document (dropped at random; a phrase of the genre recurs in the same turns
//!   of phrase).
//!
//! A span that opens lines with varied continuations is what genre formulas do (`第一条`,
//! `各位代表：`), so spans seen only at line starts are never learned; list such a site prefix
//! as a phrase instead. Spans are maximal: a 7-character title is learned whole, not as its
//! 4-grams, and a span that merely contains a learned one (`条例侯卫东官场笔记`) is dropped when
//! it is in fewer than 80% as many documents.
//!
//! # Passes and memory
//!
//! Learning makes three passes over the documents, so memory does not grow with the corpus:
//!
//! 1. **Sketch.** Each document's distinct character [`LearnerConfig::min_chars`]-grams, whole
//!    lines, line prefixes and line suffixes (of that many characters, and of two characters)
//!    are hashed (xxh3) and counted, once per document,
//!    in a blocked count-min sketch ([`CountMinSketch`]) of [`LearnerConfig::sketch_depth`] ×
//!    2^[`LearnerConfig::sketch_width_log2`] `u32` counters (32 MiB by default). The sketch
//!    over-counts, never under-counts, so nothing frequent is missed.
//! 2. **Segments.** In each line, the maximal runs of grams the sketch calls frequent are the
//!    document's frequent segments; their exact document frequencies are counted in a map of at
//!    most [`LearnerConfig::max_segments`] entries (when it is full, the rarest are dropped).
//!    Candidates are the frequent segments and their prefixes and suffixes.
//! 3. **Evidence.** One Aho-Corasick pass over each document counts, for every candidate, its
//!    exact document frequency, its places in lines and its contexts.
//!
//! Each pass works document by document with pure functions whose results are merged by
//! addition, in input order, so the model does not depend on the thread count. The pieces are
//! public and their results serializable, so the passes can as well run as map → reduce on a
//! cluster: [`BoilerplateLearner::doc_keys`] (reduce: [`CountMinSketch::add`]),
//! [`BoilerplateLearner::doc_segments`] (reduce: count, then
//! [`BoilerplateLearner::candidates`]), [`BoilerplateLearner::doc_evidence`] (reduce:
//! [`SpanEvidence::merge`]), and [`BoilerplateLearner::decide`]. Cost: each pass is linear in the text; the first
//! does a few random memory accesses per character.
//!
//! The [`BoilerplateModel`] is a JSON file meant to be read and edited: each entry gives the
//! text, its placement and its evidence; `veto` lists texts never to cut and `phrases` texts to
//! cut wherever they occur.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::boilerplate::{BoilerplateCutter, Pattern, Placement};
use crate::error::{Error, Result};

/// The configuration of a [`BoilerplateLearner`], built step by step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerConfig {
    /// The shortest span learned, in characters; also the gram length of the first pass.
    pub min_chars: usize,
    /// The longest span learned, in characters.
    pub max_chars: usize,
    /// A span must occur in at least this many documents.
    pub min_docs: u64,
    /// A span must occur in at least this fraction of the documents.
    pub min_doc_fraction: f64,
    /// With fewer documents than this, nothing is learned (the model is empty).
    pub min_corpus_docs: u64,
    /// The least perplexity of a span's two-character contexts for it to count as varied.
    pub min_variety: f64,
    /// How many non-blank lines at each end of a document count as its edge.
    pub edge_lines: usize,
    /// The count-min sketch has 2^this counters per row.
    pub sketch_width_log2: u32,
    /// The count-min sketch's number of rows.
    pub sketch_depth: usize,
    /// The most distinct segments counted in the second pass.
    pub max_segments: usize,
    /// The most candidates whose evidence is gathered in the third pass.
    pub max_candidates: usize,
}

impl Default for LearnerConfig {
    fn default() -> Self {
        LearnerConfig {
            min_chars: 4,
            max_chars: 200,
            min_docs: 10,
            min_doc_fraction: 0.02,
            min_corpus_docs: MIN_CORPUS_DOCS,
            min_variety: 8.0,
            edge_lines: 2,
            sketch_width_log2: 21,
            sketch_depth: 4,
            max_segments: 1 << 18,
            max_candidates: 1 << 16,
        }
    }
}

/// The default least number of documents to learn from (see [`LearnerConfig::min_corpus_docs`]).
pub const MIN_CORPUS_DOCS: u64 = 50;

impl LearnerConfig {
    /// The default configuration.
    pub fn new() -> LearnerConfig {
        LearnerConfig::default()
    }

    /// The shortest span learned, in characters (at least 2).
    pub fn min_chars(mut self, chars: usize) -> LearnerConfig {
        self.min_chars = chars.max(2);
        self
    }

    /// The longest span learned, in characters.
    pub fn max_chars(mut self, chars: usize) -> LearnerConfig {
        self.max_chars = chars;
        self
    }

    /// The least number of documents a span must occur in.
    pub fn min_docs(mut self, docs: u64) -> LearnerConfig {
        self.min_docs = docs.max(2);
        self
    }

    /// The least fraction of the documents a span must occur in.
    pub fn min_doc_fraction(mut self, fraction: f64) -> LearnerConfig {
        self.min_doc_fraction = fraction;
        self
    }

    /// The least number of documents to learn from.
    pub fn min_corpus_docs(mut self, docs: u64) -> LearnerConfig {
        self.min_corpus_docs = docs;
        self
    }

    /// The least perplexity of contexts that counts as varied.
    pub fn min_variety(mut self, variety: f64) -> LearnerConfig {
        self.min_variety = variety;
        self
    }

    /// How many non-blank lines at each end of a document count as its edge.
    pub fn edge_lines(mut self, lines: usize) -> LearnerConfig {
        self.edge_lines = lines;
        self
    }

    /// The sketch's size: `depth` (1 to 8) × 2^`width_log2` counters of 4 bytes.
    pub fn sketch(mut self, width_log2: u32, depth: usize) -> LearnerConfig {
        self.sketch_width_log2 = width_log2;
        self.sketch_depth = depth;
        self
    }

    /// The learner. Values out of range (the fields are public) are brought into range: at
    /// least 2 characters per span, at least 2 documents, a fraction in [0, 1], a sketch of 1 to
    /// 8 counters per key.
    pub fn build(mut self) -> BoilerplateLearner {
        self.min_chars = self.min_chars.max(2);
        self.max_chars = self.max_chars.max(self.min_chars);
        self.min_docs = self.min_docs.max(2);
        self.min_doc_fraction = if self.min_doc_fraction.is_nan() {
            0.0
        } else {
            self.min_doc_fraction.clamp(0.0, 1.0)
        };
        self.sketch_width_log2 = self.sketch_width_log2.clamp(4, 30);
        self.sketch_depth = self.sketch_depth.clamp(1, 8);
        BoilerplateLearner { config: self }
    }
}

/// Learns a [`BoilerplateModel`] from documents; see the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct BoilerplateLearner {
    config: LearnerConfig,
}

/// The evidence for one learned span, as counted over the corpus.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Occurrences in all documents.
    pub occurrences: u64,
    /// Share of occurrences that are a whole line.
    pub whole_line: f64,
    /// Share of whole-line occurrences among the first or last non-blank lines of a document.
    pub at_edge: f64,
    /// Share of occurrences at the start of a line (after indentation).
    pub line_start: f64,
    /// Share of occurrences at the end of a line.
    pub line_end: f64,
    /// Share of occurrences after a sentence end or at a line start.
    pub after_sentence: f64,
    /// Perplexity of the two characters before the span (a line start counts as one context).
    pub left_variety: f64,
    /// Perplexity of the two characters after the span (a line end counts as one context).
    pub right_variety: f64,
    /// For a whole line or a line end: the share of the documents with a line of the span's
    /// family (a line starting or ending with the same [`LearnerConfig::min_chars`] characters;
    /// a line ending with the same two characters) that have the span. Absent for spans cut
    /// anywhere, and in models written before it was counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<f64>,
}

/// One learned span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// The literal text cut.
    pub text: String,
    /// Where on a line it is cut.
    pub placement: Placement,
    /// In how many documents it occurred.
    pub doc_frequency: u64,
    /// What else was counted.
    pub evidence: Evidence,
}

/// What a [`BoilerplateLearner`] learned; a JSON file a person can read and edit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BoilerplateModel {
    /// The number of documents learned from.
    pub documents: u64,
    /// The characters learned from.
    pub chars: u64,
    /// The learned spans, most frequent first.
    pub entries: Vec<ModelEntry>,
    /// Texts never cut: an entry whose text equals one of these is skipped.
    #[serde(default)]
    pub veto: Vec<String>,
    /// Texts added by hand, cut wherever they occur.
    #[serde(default)]
    pub phrases: Vec<String>,
}

impl BoilerplateModel {
    /// The model as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model always serializes")
    }

    /// A model from JSON.
    ///
    /// # Errors
    ///
    /// [`Error::Boilerplate`] when the JSON is not a model.
    pub fn from_json(json: &str) -> Result<BoilerplateModel> {
        serde_json::from_str(json).map_err(|e| Error::Boilerplate(format!("bad model: {e}")))
    }

    /// Writes the model to a file as JSON.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut json = self.to_json();
        json.push('\n');
        std::fs::write(path, json).map_err(|e| Error::io(path, e))
    }

    /// Reads a model written by [`BoilerplateModel::save`] (or by hand).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, [`Error::Boilerplate`] (naming the file) when
    /// it is not a model.
    pub fn load(path: impl AsRef<Path>) -> Result<BoilerplateModel> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        BoilerplateModel::from_json(&json).map_err(|e| e.in_file(path))
    }

    /// The patterns to cut: the entries not vetoed, then the added phrases (cut anywhere).
    /// Each entry's reason states its evidence.
    pub fn patterns(&self) -> Vec<Pattern> {
        let vetoed: HashSet<&str> = self.veto.iter().map(|v| v.trim()).collect();
        let mut patterns: Vec<Pattern> = self
            .entries
            .iter()
            .filter(|e| !vetoed.contains(e.text.as_str()))
            .map(|e| Pattern {
                text: e.text.clone(),
                placement: e.placement,
                reason: Cow::Owned(format!(
                    "learned boilerplate ({}): in {} of {} documents, context variety {:.1} left, {:.1} right",
                    placement_name(e.placement),
                    e.doc_frequency,
                    self.documents,
                    e.evidence.left_variety,
                    e.evidence.right_variety,
                )),
            })
            .collect();
        patterns.extend(
            self.phrases
                .iter()
                .filter(|p| !vetoed.contains(p.trim()))
                .map(|p| Pattern {
                    text: p.clone(),
                    placement: Placement::Anywhere,
                    reason: Cow::Borrowed("boilerplate phrase added to the model"),
                }),
        );
        patterns
    }

    /// A cutter for this model's patterns, ready for [`crate::CleanerConfig::boilerplate`].
    pub fn cutter(&self) -> Result<BoilerplateCutter> {
        BoilerplateCutter::new(self.patterns())
    }
}

fn placement_name(p: Placement) -> &'static str {
    match p {
        Placement::Anywhere => "anywhere",
        Placement::LineStart => "line start",
        Placement::LineEnd => "line end",
        Placement::WholeLine => "whole line",
    }
}

/// A count-min sketch of `u32` counters: estimates are never below the true count.
///
/// It is blocked: all of a key's `depth` counters lie in one 64-byte block (16 counters) chosen
/// by the key's hash, so a lookup or an update costs one cache miss, not `depth` of them. The
/// price is a little accuracy (the key's counters share a block with fewer other keys' than
/// independent rows would spread them over), which the learner does not need: it only asks
/// whether a count reaches a threshold, and counts exactly what the sketch lets through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountMinSketch {
    block_log2: u32,
    depth: usize,
    counters: Vec<u32>,
}

/// Counters per block: one 64-byte cache line of `u32`.
const BLOCK: usize = 16;

impl CountMinSketch {
    /// An empty sketch of `depth` (at most 8) counters per key, `depth` × 2^`width_log2`
    /// counters in all.
    pub fn new(width_log2: u32, depth: usize) -> CountMinSketch {
        let depth = depth.clamp(1, 8);
        let total = (depth << width_log2).max(BLOCK);
        let block_log2 = (total / BLOCK).ilog2();
        CountMinSketch {
            block_log2,
            depth,
            counters: vec![0; BLOCK << block_log2],
        }
    }

    /// The key's counters: one block, `depth` distinct slots in it.
    fn slots(&self, key: u64) -> impl Iterator<Item = usize> {
        let h = mix64(key);
        let base = if self.block_log2 == 0 {
            0
        } else {
            ((h >> (64 - self.block_log2)) as usize) * BLOCK
        };
        // Slot i is (start + i * step) mod 16 with an odd step: distinct for i < 16.
        let start = (h & 15) as usize;
        let step = ((h >> 4) & 15) as usize | 1;
        (0..self.depth).map(move |i| base + (start + i * step) % BLOCK)
    }

    /// Counts `key` once more.
    pub fn add(&mut self, key: u64) {
        for slot in self.slots(key) {
            self.counters[slot] = self.counters[slot].saturating_add(1);
        }
    }

    /// The estimated count of `key`: at least its true count.
    pub fn estimate(&self, key: u64) -> u32 {
        self.slots(key)
            .map(|slot| self.counters[slot])
            .min()
            .unwrap_or(0)
    }

    /// Adds another sketch of the same shape into this one.
    ///
    /// # Errors
    ///
    /// [`Error::Boilerplate`] when the shapes differ.
    pub fn merge(&mut self, other: &CountMinSketch) -> Result<()> {
        if other.block_log2 != self.block_log2 || other.depth != self.depth {
            return Err(Error::Boilerplate("sketches of different shapes".into()));
        }
        for (a, b) in self.counters.iter_mut().zip(&other.counters) {
            *a = a.saturating_add(*b);
        }
        Ok(())
    }
}

fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

// Domain seeds, so a gram, a line, a prefix and a suffix with the same bytes are different keys.
const GRAM: u64 = 1;
const LINE: u64 = 2;
const PREFIX: u64 = 3;
const SUFFIX: u64 = 4;
const TAIL: u64 = 5;

/// The length, in characters, of the line ending that defines a family of line endings: about a
/// word of Chinese (`条例`, `通过`, `笔记`).
const FAMILY_TAIL_CHARS: usize = 2;

/// A span is one member of a family of lines (or line endings) when fewer than this share of the
/// documents that have a line of the family have the span.
const FAMILY_SHARE: f64 = 0.8;

/// The last `n` characters of `text` (all of it if shorter).
fn last_chars(text: &str, n: usize) -> &str {
    match n.checked_sub(1) {
        None => "",
        Some(skip) => text
            .char_indices()
            .rev()
            .nth(skip)
            .map_or(text, |(i, _)| &text[i..]),
    }
}

// Inlined: it is called once per character in passes 1 and 2, and without the hint the
// compiler stopped inlining it when a call site was added (pass 2 got 40% slower).
#[inline(always)]
fn key(domain: u64, text: &str) -> u64 {
    xxh3_64_with_seed(text.as_bytes(), domain)
}

/// Characters that end a sentence; a span after one sits between sentences.
fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '!' | '?' | '；' | ';' | '…' | '”' | '’' | '」' | '』'
    )
}

/// Characters that end a clause but not a sentence: a span or line ending in one opens the
/// text that goes on after it (`情节严重的，`, `应当遵守下列规定：`, `各位代表：`).
fn is_clause_break(c: char) -> bool {
    matches!(c, '，' | ',' | '、' | '：' | ':')
}

/// True if every bracket or quote in `text` that opens also closes in it, in order: inserted
/// text is a unit, while a span such as `法》办法` is a piece of a longer title.
fn balanced(text: &str) -> bool {
    const PAIRS: [(char, char); 10] = [
        ('（', '）'),
        ('(', ')'),
        ('【', '】'),
        ('[', ']'),
        ('《', '》'),
        ('〈', '〉'),
        ('「', '」'),
        ('『', '』'),
        ('“', '”'),
        ('‘', '’'),
    ];
    if !tags_balanced(text) {
        return false;
    }
    let mut open: Vec<char> = Vec::new();
    for c in text.chars() {
        if PAIRS.iter().any(|&(o, _)| o == c) {
            open.push(c);
        } else if let Some(&(o, _)) = PAIRS.iter().find(|&&(_, cl)| cl == c) {
            if open.pop() != Some(o) {
                return false;
            }
        }
    }
    open.is_empty()
}

/// ASCII digits and Chinese numerals.
fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || "〇零一二三四五六七八九十百千万两".contains(c)
}

/// True if every HTML-like tag in `text` that opens (`<strong>`) also closes (`</strong>`) in
/// it, and no tag is cut in half: a span holding `</strong>` alone is the end of a heading's
/// markup, not an insert.
fn tags_balanced(text: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['<', '>']) {
        if rest.as_bytes()[i] == b'>' {
            return false;
        }
        let Some(len) = rest[i..].find('>') else {
            return false;
        };
        let tag = &rest[i + 1..i + len];
        rest = &rest[i + len + 1..];
        if tag.ends_with('/') || tag.starts_with('!') {
            continue;
        }
        let name = |t: &str| {
            t.split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        if let Some(closing) = tag.strip_prefix('/') {
            match open.pop() {
                Some(o) if name(o) == name(closing) => {}
                _ => return false,
            }
        } else {
            open.push(tag);
        }
    }
    open.is_empty()
}

/// `text` without the HTML-like tags (`</strong>`, `<br/>`) at its end, and without the spaces
/// between them; `text` itself when it does not end with a tag. (`<>`, `</>` and `<!-- -->` are
/// not tags here: a tag has a name that starts with an ASCII letter.)
fn strip_trailing_tags(mut text: &str) -> &str {
    loop {
        let t = text.trim_end();
        let Some(open) = t.strip_suffix('>').and_then(|inner| inner.rfind('<')) else {
            return text;
        };
        let tag = &t[open + 1..t.len() - 1];
        let name = tag.trim_start_matches('/').trim_end_matches('/');
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || name.contains(['<', '>', '\n'])
        {
            return text;
        }
        text = &t[..open];
    }
}

/// Characters of a Latin word, number or web address: a span that starts right after one of
/// these with another (or ends with one right before another) cuts a token in two.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '/' | '.' | '_' | '-' | '~' | '%' | '?' | '=' | '&' | '#' | '+' | ':' | '@'
        )
}

/// Characters a learned span does not start with: they close the text before it.
fn is_leading_trim(c: char) -> bool {
    c.is_whitespace()
        || is_sentence_end(c)
        || matches!(
            c,
            '，' | ',' | '、' | '：' | ':' | '）' | ')' | '】' | '》' | '〉' | '.'
        )
}

/// Characters a learned span does not end with: they open the text after it.
fn is_trailing_trim(c: char) -> bool {
    c.is_whitespace() || matches!(c, '“' | '‘' | '「' | '『' | '（' | '(' | '【' | '《' | '〈')
}

/// The byte ranges of the `k`-character windows of `line`, in order. Keeps only `k` offsets,
/// so a line of any length costs no more memory than a short one.
fn grams(line: &str, k: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut starts: std::collections::VecDeque<usize> =
        std::collections::VecDeque::with_capacity(k);
    line.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(line.len()))
        .filter_map(move |end| {
            let window = (starts.len() == k).then(|| (starts.pop_front().unwrap_or(0), end));
            starts.push_back(end);
            window
        })
}

/// The byte offsets of the character boundaries of `line`, end included.
fn boundaries(line: &str) -> Vec<usize> {
    line.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(line.len()))
        .collect()
}

/// The shortest span learned as dropped between sentences: shorter ones are how the
/// documents' sentences open (`后人有诗`, `请道其详。`).
const BETWEEN_SENTENCES_MIN_CHARS: usize = 6;

/// The shortest span learned as dropped into text at random (not between sentences): shorter
/// ones are the words and phrases of the documents' language.
const RANDOM_DROP_MIN_CHARS: usize = 12;

/// Documents per parallel batch: results are merged in input order, batch by batch.
const BATCH: usize = 256;
/// Documents per parallel batch in the evidence pass.
const SMALL_BATCH: usize = 16;

impl BoilerplateLearner {
    /// A learner with the default configuration.
    pub fn new() -> BoilerplateLearner {
        BoilerplateLearner::default()
    }

    /// Starts a configuration.
    pub fn builder() -> LearnerConfig {
        LearnerConfig::new()
    }

    /// The configuration.
    pub fn config(&self) -> &LearnerConfig {
        &self.config
    }

    /// Learns from the documents that `docs` yields. `docs` is called once per pass (three
    /// times) and must yield the same documents, in the same order, each time: cleaned text,
    /// as [`crate::Cleaner`] gives it without boilerplate cutting.
    ///
    /// With fewer than [`LearnerConfig::min_corpus_docs`] documents the model is empty.
    pub fn learn<I, D>(&self, mut docs: impl FnMut() -> I) -> BoilerplateModel
    where
        I: IntoIterator<Item = D>,
        D: AsRef<str> + Sync,
    {
        let c = &self.config;
        // Pass 1: the sketch.
        let mut sketch = CountMinSketch::new(c.sketch_width_log2, c.sketch_depth);
        let (mut documents, mut chars) = (0u64, 0u64);
        for_batches(docs(), |batch| {
            let keys: Vec<(Vec<u64>, usize)> = batch
                .par_iter()
                .map(|d| (self.doc_keys(d.as_ref()), d.as_ref().chars().count()))
                .collect();
            for (keys, n) in keys {
                documents += 1;
                chars += n as u64;
                for k in keys {
                    sketch.add(k);
                }
            }
        });
        let model = BoilerplateModel {
            documents,
            chars,
            ..BoilerplateModel::default()
        };
        if documents < c.min_corpus_docs.max(1) {
            return model;
        }
        let threshold = self.threshold(documents);

        // Pass 2: frequent segments.
        let mut segments: HashMap<String, u32> = HashMap::new();
        let mut floor = 0u32;
        for_batches(docs(), |batch| {
            let found: Vec<Vec<String>> = batch
                .par_iter()
                .map(|d| self.doc_segments(d.as_ref(), &sketch, threshold))
                .collect();
            for doc in found {
                for s in doc {
                    *segments.entry(s).or_insert(0) += 1;
                }
                if segments.len() > c.max_segments {
                    floor += 1;
                    segments.retain(|_, n| *n > floor);
                }
            }
        });
        let candidates = self.candidates(&segments, threshold);
        drop(segments);
        if candidates.is_empty() {
            return model;
        }

        // Pass 3: evidence.
        let matcher = CandidateMatcher::new(&candidates);
        let mut stats: Vec<SpanEvidence> = vec![SpanEvidence::default(); candidates.len()];
        // Smaller batches here: a formulaic document holds thousands of candidates.
        for_batches_of(SMALL_BATCH, docs(), |batch| {
            let found: Vec<Vec<(usize, SpanEvidence)>> = batch
                .par_iter()
                .map(|d| self.doc_evidence(d.as_ref(), &matcher, &sketch, threshold))
                .collect();
            for doc in found {
                for (i, s) in doc {
                    stats[i].merge(s);
                }
            }
        });

        self.decide(documents, chars, &candidates, &stats, &sketch)
    }

    /// The model from the gathered evidence: `evidence[i]` is the merged evidence of
    /// `candidates[i]` over all `documents` documents (of `chars` characters).
    ///
    /// This and the per-document functions [`doc_keys`](Self::doc_keys),
    /// [`doc_segments`](Self::doc_segments) and [`doc_evidence`](Self::doc_evidence) are the
    /// pieces [`learn`](Self::learn) is made of, for running the passes elsewhere (map the
    /// per-document functions, reduce by [`CountMinSketch::add`], counting, and
    /// [`SpanEvidence::merge`]; all serializable).
    pub fn decide(
        &self,
        documents: u64,
        chars: u64,
        candidates: &[String],
        evidence: &[SpanEvidence],
        sketch: &CountMinSketch,
    ) -> BoilerplateModel {
        let threshold = self.threshold(documents);
        let mut accepted: Vec<ModelEntry> = Vec::new();
        for (text, s) in candidates.iter().zip(evidence) {
            if s.docs < threshold {
                continue;
            }
            if let Some(entry) = self.judge(text, s, sketch) {
                accepted.push(entry);
            }
        }
        BoilerplateModel {
            documents,
            chars,
            entries: maximal(accepted),
            ..BoilerplateModel::default()
        }
    }

    /// The least document frequency of a learned span among `documents` documents.
    pub fn threshold(&self, documents: u64) -> u64 {
        let by_fraction = (self.config.min_doc_fraction * documents as f64).ceil() as u64;
        self.config.min_docs.max(by_fraction).max(2)
    }

    /// Pass 1 for one document: its distinct keys (grams, lines, line prefixes and suffixes).
    ///
    /// Memory: eight bytes per distinct key of the document, whatever its line lengths.
    pub fn doc_keys(&self, text: &str) -> Vec<u64> {
        let k = self.config.min_chars;
        let mut keys = Vec::with_capacity((text.len() / 2).min(1 << 20));
        for line in text.split('\n') {
            let line = line.trim();
            let mut first = None;
            let mut last = None;
            for (s, e) in grams(line, k) {
                first.get_or_insert((s, e));
                last = Some((s, e));
                keys.push(key(GRAM, &line[s..e]));
                if keys.len() == keys.capacity() && keys.len() >= 1 << 20 {
                    // A long document: drop repeats before growing.
                    keys.sort_unstable();
                    keys.dedup();
                    keys.reserve(keys.len());
                }
            }
            if let (Some((_, prefix_end)), Some((suffix_start, _))) = (first, last) {
                keys.push(key(LINE, line));
                keys.push(key(PREFIX, &line[..prefix_end]));
                keys.push(key(SUFFIX, &line[suffix_start..]));
                keys.push(key(TAIL, last_chars(line, FAMILY_TAIL_CHARS)));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Pass 2 for one document: its distinct frequent segments, the maximal runs of grams that
    /// `sketch` (pass 1's) counts in at least `threshold` documents, in each line; those longer
    /// than [`LearnerConfig::max_chars`] are left out.
    pub fn doc_segments(&self, text: &str, sketch: &CountMinSketch, threshold: u64) -> Vec<String> {
        let k = self.config.min_chars;
        let max = self.config.max_chars;
        let mut out = BTreeSet::new();
        let mut emit = |segment: &str| {
            // A character is 1 to 4 bytes: count them only when the length leaves it open.
            if segment.len() <= max || (segment.len() <= 4 * max && segment.chars().count() <= max)
            {
                out.insert(segment.to_owned());
            }
        };
        for line in text.split('\n') {
            let line = line.trim();
            // The run of frequent grams being extended: its first byte and its end so far.
            let mut run: Option<(usize, usize)> = None;
            for (s, e) in grams(line, k) {
                let frequent = u64::from(sketch.estimate(key(GRAM, &line[s..e]))) >= threshold;
                run = match (frequent, run) {
                    (true, None) => Some((s, e)),
                    (true, Some((start, _))) => Some((start, e)),
                    (false, Some((start, end))) => {
                        emit(&line[start..end]);
                        None
                    }
                    (false, None) => None,
                };
            }
            if let Some((start, end)) = run {
                emit(&line[start..end]);
            }
        }
        out.into_iter().collect()
    }

    /// The candidates, from the document frequencies of the segments: the segments in at least
    /// `threshold` documents, trimmed, with their prefixes and suffixes; sorted, at most
    /// [`LearnerConfig::max_candidates`].
    pub fn candidates(&self, segments: &HashMap<String, u32>, threshold: u64) -> Vec<String> {
        let c = &self.config;
        let mut frequent: Vec<(&String, u32)> = segments
            .iter()
            .filter(|(_, &n)| u64::from(n) >= threshold)
            .map(|(s, &n)| (s, n))
            .collect();
        // Most frequent first, then by text, so a cap keeps the same ones every time.
        frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut out: BTreeSet<String> = BTreeSet::new();
        for (segment, _) in frequent {
            if out.len() >= c.max_candidates {
                break;
            }
            let b = boundaries(segment);
            let n = b.len() - 1;
            if n > c.max_chars {
                continue;
            }
            // Prefixes and suffixes too, so a span glued to a frequent neighbour is found alone.
            for i in 0..=n.saturating_sub(c.min_chars) {
                push_trimmed(&mut out, &segment[b[i]..], c);
            }
            for j in c.min_chars..n {
                push_trimmed(&mut out, &segment[..b[j]], c);
            }
        }
        out.into_iter().collect()
    }

    /// Pass 3 for one document: the evidence for each candidate it holds, by candidate index.
    pub fn doc_evidence(
        &self,
        text: &str,
        matcher: &CandidateMatcher,
        sketch: &CountMinSketch,
        threshold: u64,
    ) -> Vec<(usize, SpanEvidence)> {
        let k = self.config.min_chars;
        // A seam gram continues the span when it is frequent and at least half as frequent as
        // the span's own gram at that end: then the span's text goes on past its end in most
        // documents, rather than some documents happening to glue it to the same neighbour.
        let continues = |seam: &str, inner: &str| {
            let seam = u64::from(sketch.estimate(key(GRAM, seam)));
            let inner = u64::from(sketch.estimate(key(GRAM, inner)));
            seam >= threshold && seam * 2 >= inner
        };
        let bytes = text.as_bytes();
        // Non-blank line ordinals, to tell a document's edge.
        let mut line_starts = vec![0usize];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut ordinal = Vec::with_capacity(line_starts.len());
        let mut nonblank = 0usize;
        for (i, &s) in line_starts.iter().enumerate() {
            let e = line_starts.get(i + 1).map_or(text.len(), |&n| n - 1);
            if text[s..e].trim().is_empty() {
                ordinal.push(usize::MAX);
            } else {
                ordinal.push(nonblank);
                nonblank += 1;
            }
        }
        let edge = self.config.edge_lines;
        let mut found: BTreeMap<usize, SpanEvidence> = BTreeMap::new();
        for m in matcher.0.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let line = line_starts.partition_point(|&x| x <= s) - 1;
            let ls = line_starts[line];
            let le = memchr::memchr(b'\n', &bytes[e..]).map_or(text.len(), |i| e + i);
            let before = &text[ls..s];
            let after = &text[e..le];
            let at_start = before.trim().is_empty();
            let at_end = after.trim().is_empty();
            let stats = found.entry(m.pattern().as_usize()).or_default();
            stats.docs = 1;
            stats.occurrences += 1;
            stats.line_start += u64::from(at_start);
            stats.line_end += u64::from(at_end);
            if at_start && at_end {
                stats.whole_line += 1;
                let o = ordinal[line];
                if o < edge || o.saturating_add(edge) >= nonblank {
                    stats.at_edge += 1;
                }
            }
            // Seams: is the gram across each end of the span frequent too? Then the span is a
            // piece of a longer frequent unit, not a unit glued onto varied text. A neighbour the
            // candidates are trimmed of (a sentence end before, an opening bracket after) is not
            // part of a unit.
            // Markup right before the span (`<strong>标题</strong>侯卫东官场笔记`) is a
            // boundary, not context: the span's context is the text before the markup.
            let text_before = strip_trailing_tags(before);
            let after_markup = text_before.len() < before.len();
            // A span that starts or ends inside a Latin word, number or address
            // (`…csdn.net/article/details/1234`) continues it too.
            let span = &text[s..e];
            let in_token_left = before.chars().next_back().is_some_and(is_token_char)
                && span.chars().next().is_some_and(is_token_char);
            let in_token_right = after.chars().next().is_some_and(is_token_char)
                && span.chars().next_back().is_some_and(is_token_char);
            if in_token_left {
                stats.left_seam += 1;
            } else if let Some((i, c)) = before.char_indices().next_back() {
                if !after_markup && !is_leading_trim(c) {
                    let head = span.char_indices().nth(k - 1).map_or(e, |(j, _)| s + j);
                    let head_full = span.char_indices().nth(k).map_or(e, |(j, _)| s + j);
                    if continues(&text[ls + i..head], &text[s..head_full]) {
                        stats.left_seam += 1;
                    }
                }
            }
            if in_token_right {
                stats.right_seam += 1;
            } else if let Some(c) = after.chars().next() {
                if !is_trailing_trim(c) {
                    let tail = span
                        .char_indices()
                        .rev()
                        .nth(k - 2)
                        .map_or(s, |(j, _)| s + j);
                    let tail_full = span
                        .char_indices()
                        .rev()
                        .nth(k - 1)
                        .map_or(s, |(j, _)| s + j);
                    if continues(&text[tail..e + c.len_utf8()], &text[tail_full..e]) {
                        stats.right_seam += 1;
                    }
                }
            }
            if before.chars().next_back().is_some_and(is_numeral) {
                stats.after_numeral += 1;
            }
            let before = text_before.trim_end();
            let after = after.trim_start();
            if at_start || before.chars().next_back().is_some_and(is_sentence_end) {
                stats.after_sentence += 1;
            }
            let left: String = if at_start {
                String::new()
            } else {
                let mut tail: Vec<char> = before.chars().rev().take(2).collect();
                tail.reverse();
                tail.into_iter().collect()
            };
            let right: String = if at_end {
                String::new()
            } else {
                after.chars().take(2).collect()
            };
            stats.left.add(xxh3_64_with_seed(left.as_bytes(), 0), 1);
            stats.right.add(xxh3_64_with_seed(right.as_bytes(), 0), 1);
        }
        found.into_iter().collect()
    }

    /// Decides whether a candidate is inserted text, and where it is cut.
    fn judge(&self, text: &str, s: &SpanEvidence, sketch: &CountMinSketch) -> Option<ModelEntry> {
        let c = &self.config;
        let occ = s.occurrences.max(1) as f64;
        let mut evidence = Evidence {
            occurrences: s.occurrences,
            whole_line: s.whole_line as f64 / occ,
            at_edge: if s.whole_line == 0 {
                0.0
            } else {
                s.at_edge as f64 / s.whole_line as f64
            },
            line_start: s.line_start as f64 / occ,
            line_end: s.line_end as f64 / occ,
            after_sentence: s.after_sentence as f64 / occ,
            left_variety: s.left.perplexity(),
            right_variety: s.right.perplexity(),
            family: None,
        };
        // Few documents cannot show much variety: ask for at most half their number.
        let varied = c.min_variety.min(s.docs as f64 / 2.0);
        let last = text.chars().next_back()?;
        // Inserted text is a unit: brackets balance, and it is not the piece of a longer
        // frequent unit (half of its occurrences or more continue it across a seam, or follow a
        // number: `第三十次会议通过`).
        if !balanced(text)
            || is_clause_break(last)
            || s.left_seam * 2 >= s.occurrences
            || s.right_seam * 2 >= s.occurrences
            || s.after_numeral * 2 >= s.occurrences
        {
            return None;
        }
        let placement = if evidence.whole_line >= 0.9 {
            let b = boundaries(text);
            let n = b.len() - 1;
            let k = c.min_chars.min(n);
            let prefix = u64::from(sketch.estimate(key(PREFIX, &text[..b[k]])));
            let suffix = u64::from(sketch.estimate(key(SUFFIX, &text[b[n - k]..])));
            let family = s.docs as f64 / prefix.max(suffix).max(s.docs) as f64;
            if evidence.at_edge < 0.9 || family < FAMILY_SHARE {
                return None;
            }
            evidence.family = Some(family);
            Placement::WholeLine
        } else if evidence.line_end >= 0.9 {
            // A family of line endings: the lines that end with the span's last word end with
            // the span in only a few documents (`促进条例` among `…条例` titles, `第三十次会议
            // 通过` among `…会议通过` lines). A site's title ends its own lines.
            let tail = last_chars(text, FAMILY_TAIL_CHARS);
            let family_docs = u64::from(sketch.estimate(key(TAIL, tail)));
            let family = s.docs as f64 / family_docs.max(s.docs) as f64;
            if evidence.left_variety < varied || is_sentence_end(last) || family < FAMILY_SHARE {
                return None;
            }
            evidence.family = Some(family);
            Placement::LineEnd
        } else if evidence.line_start >= 0.9 {
            // Where genre formulas sit.
            return None;
        } else {
            // Between sentences, or dropped at random: then nearly every occurrence has
            // contexts of its own on both sides and a document holds it about once, unlike a
            // phrase of the genre, which recurs in the same turns of phrase.
            let between_sentences = evidence.after_sentence >= 0.8
                && text.chars().count() >= BETWEEN_SENTENCES_MIN_CHARS;
            let dropped_at_random = text.chars().count() >= RANDOM_DROP_MIN_CHARS
                && evidence.left_variety >= 0.7 * occ
                && evidence.right_variety >= 0.7 * occ
                && occ <= 1.5 * s.docs as f64;
            if !(between_sentences || dropped_at_random)
                || evidence.line_start > 0.5
                || evidence.left_variety < varied
                || evidence.right_variety < varied
            {
                return None;
            }
            Placement::Anywhere
        };
        Some(ModelEntry {
            text: text.to_owned(),
            placement,
            doc_frequency: s.docs,
            evidence,
        })
    }
}

/// Trims a candidate and adds it if it is still long enough.
fn push_trimmed(out: &mut BTreeSet<String>, s: &str, c: &LearnerConfig) {
    let s = s.trim_start_matches(is_leading_trim);
    let s = s.trim_end_matches(is_trailing_trim);
    let n = s.chars().count();
    if n >= c.min_chars && n <= c.max_chars && !out.contains(s) {
        out.insert(s.to_owned());
    }
}

/// Keeps the maximal spans: an entry that contains another accepted entry is dropped unless it
/// is in at least 80% as many documents (then it is the longer unit, and the shorter one is
/// dropped if it is never seen outside it). Sorted by document frequency, then text.
fn maximal(mut accepted: Vec<ModelEntry>) -> Vec<ModelEntry> {
    accepted.sort_by(|a, b| {
        b.doc_frequency
            .cmp(&a.doc_frequency)
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut keep = vec![true; accepted.len()];
    for i in 0..accepted.len() {
        for j in 0..accepted.len() {
            if i == j || !keep[i] || !keep[j] {
                continue;
            }
            let (outer, inner) = (&accepted[i], &accepted[j]);
            if outer.text.len() > inner.text.len() && outer.text.contains(&inner.text) {
                if (outer.doc_frequency as f64) < 0.8 * inner.doc_frequency as f64 {
                    keep[i] = false;
                } else if inner.evidence.occurrences <= outer.evidence.occurrences {
                    keep[j] = false;
                }
            }
        }
    }
    accepted
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}

/// Feeds `docs` to `f` in batches of [`BATCH`].
fn for_batches<I, D>(docs: I, f: impl FnMut(&[D]))
where
    I: IntoIterator<Item = D>,
{
    for_batches_of(BATCH, docs, f)
}

/// Feeds `docs` to `f` in batches of `size`.
fn for_batches_of<I, D>(size: usize, docs: I, mut f: impl FnMut(&[D]))
where
    I: IntoIterator<Item = D>,
{
    let mut batch = Vec::with_capacity(size);
    for d in docs {
        batch.push(d);
        if batch.len() == size {
            f(&batch);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        f(&batch);
    }
}

/// Finds the candidates in a document (all occurrences, overlapping ones too).
#[derive(Clone, Debug)]
pub struct CandidateMatcher(AhoCorasick);

impl CandidateMatcher {
    /// A matcher for these candidates; a match reports the candidate's index.
    pub fn new(candidates: &[String]) -> CandidateMatcher {
        CandidateMatcher(
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(candidates)
                .expect("candidates are short literals"),
        )
    }
}

/// What pass 3 counts for one candidate, in one document or, merged, in many. Counts are of
/// occurrences except `docs`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpanEvidence {
    /// Documents it occurs in.
    pub docs: u64,
    /// Occurrences.
    pub occurrences: u64,
    /// At the start of a line (after indentation).
    pub line_start: u64,
    /// At the end of a line.
    pub line_end: u64,
    /// As a whole line.
    pub whole_line: u64,
    /// As a whole line among the first or last [`LearnerConfig::edge_lines`] non-blank lines.
    pub at_edge: u64,
    /// After a sentence end or at a line start.
    pub after_sentence: u64,
    /// Where the text before it continues it (see the module docs).
    pub left_seam: u64,
    /// Where the text after it continues it.
    pub right_seam: u64,
    /// Right after a numeral.
    pub after_numeral: u64,
    /// The two characters before it (hashed).
    pub left: Contexts,
    /// The two characters after it (hashed).
    pub right: Contexts,
}

impl SpanEvidence {
    /// Adds another count of the same candidate into this one.
    pub fn merge(&mut self, o: SpanEvidence) {
        self.docs += o.docs;
        self.occurrences += o.occurrences;
        self.line_start += o.line_start;
        self.line_end += o.line_end;
        self.whole_line += o.whole_line;
        self.at_edge += o.at_edge;
        self.after_sentence += o.after_sentence;
        self.left_seam += o.left_seam;
        self.right_seam += o.right_seam;
        self.after_numeral += o.after_numeral;
        for (k, n) in o.left.counts {
            self.left.add(k, n);
        }
        self.left.overflow += o.left.overflow;
        for (k, n) in o.right.counts {
            self.right.add(k, n);
        }
        self.right.overflow += o.right.overflow;
    }
}

/// Counts of hashed contexts; past [`MAX_CONTEXTS`] distinct ones, new contexts are counted as
/// distinct singletons (which they nearly are, by then).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contexts {
    counts: BTreeMap<u64, u64>,
    overflow: u64,
}

/// The most distinct contexts counted exactly per candidate.
pub const MAX_CONTEXTS: usize = 1024;

impl Contexts {
    fn add(&mut self, key: u64, n: u64) {
        if let Some(c) = self.counts.get_mut(&key) {
            *c += n;
        } else if self.counts.len() < MAX_CONTEXTS {
            self.counts.insert(key, n);
        } else {
            self.overflow += n;
        }
    }

    /// The perplexity of the contexts: exp(entropy) of their distribution, 0 when empty.
    pub fn perplexity(&self) -> f64 {
        let total = self.counts.values().sum::<u64>() + self.overflow;
        if total == 0 {
            return 0.0;
        }
        let t = total as f64;
        let mut h: f64 = self
            .counts
            .values()
            .map(|&n| {
                let p = n as f64 / t;
                -p * p.ln()
            })
            .sum();
        if self.overflow > 0 {
            h += self.overflow as f64 / t * t.ln();
        }
        h.exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_never_undercounts_and_merges() {
        let mut a = CountMinSketch::new(6, 3);
        for k in 0..1000u64 {
            a.add(k);
        }
        a.add(7);
        assert!(a.estimate(7) >= 2);
        assert!((0..1000u64).all(|k| a.estimate(k) >= 1));
        let b = a.clone();
        a.merge(&b).unwrap();
        assert!(a.estimate(7) >= 4);
        assert!(a.merge(&CountMinSketch::new(9, 3)).is_err());
        // One block: every key's counters are in it, still never below the true count.
        let mut tiny = CountMinSketch::new(0, 4);
        for k in 0..40u64 {
            tiny.add(k);
        }
        assert!((0..40u64).all(|k| tiny.estimate(k) >= 1));
        assert_eq!(tiny.counters.len(), 16);
    }

    #[test]
    fn perplexity_of_contexts() {
        let mut c = Contexts::default();
        for k in 0..8 {
            c.add(k, 5);
        }
        assert!((c.perplexity() - 8.0).abs() < 1e-9);
        let mut one = Contexts::default();
        one.add(1, 100);
        assert!((one.perplexity() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn out_of_range_settings_are_brought_into_range() {
        let config = LearnerConfig {
            min_chars: 0,
            max_chars: 0,
            min_docs: 0,
            min_doc_fraction: f64::NAN,
            sketch_width_log2: 99,
            sketch_depth: 0,
            ..LearnerConfig::default()
        };
        let learner = config.build();
        let c = learner.config();
        assert_eq!(
            (c.min_chars, c.max_chars, c.min_docs, c.min_doc_fraction),
            (2, 2, 2, 0.0)
        );
        assert_eq!((c.sketch_width_log2, c.sketch_depth), (30, 1));
        // Small settings still learn without panicking.
        let small = BoilerplateLearner::builder()
            .min_chars(2)
            .sketch(4, 2)
            .min_corpus_docs(2)
            .build();
        let docs = ["甲乙丙\n丁戊\n", "甲乙丙\n己庚\n", "甲乙\n"];
        assert_eq!(small.learn(|| docs.iter()).documents, 3);
    }

    #[test]
    fn grams_are_windows_of_characters() {
        let windows: Vec<&str> = grams("a侯卫东b", 3)
            .map(|(s, e)| &"a侯卫东b"[s..e])
            .collect();
        assert_eq!(windows, ["a侯卫", "侯卫东", "卫东b"]);
        assert_eq!(grams("ab", 3).count(), 0);
        assert_eq!(grams("abc", 3).count(), 1);
    }

    #[test]
    fn brackets_must_balance() {
        assert!(balanced("（天才一秒记住本站地址）"));
        assert!(balanced("侯卫东官场笔记"));
        assert!(!balanced("法》办法"));
        assert!(!balanced("《实施办法"));
        assert!(!balanced("（一】"));
        assert!(balanced("<b>本站</b>"));
        assert!(balanced("本站<br/>"));
        assert!(!balanced("</strong>"));
        assert!(!balanced("<strong>标题"));
        assert!(!balanced("g>侯卫东"));
        assert!(!balanced("侯卫东<str"));
    }

    #[test]
    fn trailing_tags_are_stripped() {
        assert_eq!(
            strip_trailing_tags("<strong>第一回</strong>"),
            "<strong>第一回"
        );
        assert_eq!(strip_trailing_tags("标题<br/> <b></b>"), "标题");
        assert_eq!(strip_trailing_tags("a < b >"), "a < b >");
        assert_eq!(strip_trailing_tags("x<>"), "x<>");
        assert_eq!(strip_trailing_tags(">"), ">");
        assert_eq!(strip_trailing_tags(""), "");
    }

    #[test]
    fn token_characters() {
        assert!(is_token_char('a') && is_token_char('7') && is_token_char('/'));
        assert!(!is_token_char('侯') && !is_token_char(' ') && !is_token_char('（'));
    }

    #[test]
    fn last_chars_counts_characters() {
        assert_eq!(last_chars("促进条例", 2), "条例");
        assert_eq!(last_chars("例", 2), "例");
        assert_eq!(last_chars("ab", 0), "");
        assert_eq!(last_chars("", 2), "");
    }

    #[test]
    fn trims_candidates_to_what_they_insert() {
        let c = LearnerConfig::default();
        let mut out = BTreeSet::new();
        push_trimmed(&mut out, "。（记住本站地址）“", &c);
        push_trimmed(&mut out, "。上一", &c);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["（记住本站地址）"]);
    }
}

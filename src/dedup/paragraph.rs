//! Exact duplicate paragraphs across documents (CCNet style), reported as byte spans.
//!
//! ```
//! use scour::dedup::paragraph::ParagraphDeduper;
//!
//! let mut p = ParagraphDeduper::new();
//! assert!(p.push("第一段，讲的是一件事情。\n免责声明：本站内容来源于网络。\n").is_empty());
//! let spans = p.push("另一篇文章的正文，和上面无关。\n免责声明：本站内容来源于网络！\n");
//! assert_eq!(spans.len(), 1);
//! assert_eq!(spans[0].first_doc, 0);
//! // The span covers the repeated line, without its line end.
//! let text = "另一篇文章的正文，和上面无关。\n免责声明：本站内容来源于网络！\n";
//! assert_eq!(&text[spans[0].start..spans[0].end], "免责声明：本站内容来源于网络！");
//! ```
//!
//! A paragraph is a line (text between `\n`s, without the `\r\n` or `\n`). Two paragraphs are
//! the same when their [matching keys](super::key) are equal, so width, case, punctuation and
//! spacing do not matter. Paragraphs whose key has fewer than
//! [`min_chars`](ParagraphDeduper::min_chars) characters (10 by default) are ignored: short
//! lines such as headings and list markers repeat legitimately. The first occurrence is never
//! reported; every later one, in the same document or another, is.
//!
//! [`paragraph_hashes`] is the pure per-document half (serializable, parallel); the
//! [`ParagraphDeduper`] holds one 16-byte entry per distinct paragraph.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::key::{tokenize, KeyConfig};

/// One paragraph of a document: its byte span and the hash of its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParagraphHash {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive, before the line end).
    pub end: usize,
    /// xxh3-64 of the paragraph's matching key.
    pub hash: u64,
}

/// A paragraph seen before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedSpan {
    /// Start byte in the document.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// The document where it first occurred.
    pub first_doc: u64,
}

/// The paragraphs of `text` whose key has at least `min_chars` characters, in order.
pub fn paragraph_hashes(text: &str, key: &KeyConfig, min_chars: usize) -> Vec<ParagraphHash> {
    let mut out = Vec::new();
    let (mut k, mut tokens) = (String::new(), Vec::new());
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        tokenize(body, key, &mut k, &mut tokens);
        if k.chars().count() >= min_chars {
            out.push(ParagraphHash {
                start,
                end: start + body.len(),
                hash: xxhash_rust::xxh3::xxh3_64(k.as_bytes()),
            });
        }
        start += line.len();
    }
    out
}

/// Finds paragraphs repeated across documents; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct ParagraphDeduper {
    key: KeyConfig,
    min_chars: usize,
    first: HashMap<u64, u64>,
    docs: u64,
}

impl Default for ParagraphDeduper {
    fn default() -> Self {
        ParagraphDeduper::new()
    }
}

impl ParagraphDeduper {
    /// Default key, paragraphs of at least 10 key characters.
    pub fn new() -> ParagraphDeduper {
        ParagraphDeduper {
            key: KeyConfig::default(),
            min_chars: 10,
            first: HashMap::new(),
            docs: 0,
        }
    }

    /// Ignore paragraphs whose key has fewer than `n` characters.
    pub fn min_chars(mut self, n: usize) -> ParagraphDeduper {
        self.min_chars = n;
        self
    }

    /// Use this matching key.
    pub fn key(mut self, key: KeyConfig) -> ParagraphDeduper {
        self.key = key;
        self
    }

    /// The paragraph hashes of `text` under this deduper's settings (pure; for parallel use
    /// with [`push_hashes`](Self::push_hashes)).
    pub fn hashes(&self, text: &str) -> Vec<ParagraphHash> {
        paragraph_hashes(text, &self.key, self.min_chars)
    }

    /// The repeated paragraphs of the next document.
    pub fn push(&mut self, text: &str) -> Vec<RepeatedSpan> {
        let hashes = self.hashes(text);
        self.push_hashes(&hashes)
    }

    /// The repeated paragraphs of the next document, from its [`hashes`](Self::hashes).
    pub fn push_hashes(&mut self, hashes: &[ParagraphHash]) -> Vec<RepeatedSpan> {
        let doc = self.docs;
        self.docs += 1;
        let mut out = Vec::new();
        for p in hashes {
            let first = *self.first.entry(p.hash).or_insert(doc);
            if first != doc {
                out.push(RepeatedSpan {
                    start: p.start,
                    end: p.end,
                    first_doc: first,
                });
            }
        }
        // Repeats inside this document: every occurrence after the first.
        let mut seen_here = HashSet::new();
        for p in hashes {
            if self.first.get(&p.hash) == Some(&doc) && !seen_here.insert(p.hash) {
                out.push(RepeatedSpan {
                    start: p.start,
                    end: p.end,
                    first_doc: doc,
                });
            }
        }
        out.sort_by_key(|s| s.start);
        out
    }

    /// The number of distinct paragraphs held.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    /// Whether no paragraph is held.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_across_and_within_documents() {
        let mut p = ParagraphDeduper::new();
        let a = "标题\n这是第一篇文章的第一段内容。\r\n版权所有，未经许可不得转载。\n";
        assert!(p.push(a).is_empty());
        let b = "标题\n完全不同的正文内容在这里出现。\n版权所有 未经许可不得转载\n版权所有，未经许可，不得转载。";
        let spans = p.push(b);
        // "标题" is too short to count; the notice repeats twice (first from document 0).
        assert_eq!(spans.len(), 2);
        assert_eq!(
            &b[spans[0].start..spans[0].end],
            "版权所有 未经许可不得转载"
        );
        assert_eq!(
            &b[spans[1].start..spans[1].end],
            "版权所有，未经许可，不得转载。"
        );
        assert!(spans.iter().all(|s| s.first_doc == 0));
        let c = "新的一段话，只在这里出现两次。\n新的一段话，只在这里出现两次。\n";
        let spans = p.push(c);
        assert_eq!(
            spans,
            vec![RepeatedSpan {
                start: c.len() / 2,
                end: c.len() - 1,
                first_doc: 2
            }]
        );
        assert_eq!(p.len(), 4);
        let h = paragraph_hashes(a, &KeyConfig::default(), 10);
        assert_eq!(h.len(), 2);
        assert_eq!(&a[h[0].start..h[0].end], "这是第一篇文章的第一段内容。");
    }
}

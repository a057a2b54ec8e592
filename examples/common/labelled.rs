//! A labelled near-duplicate set built from real documents by realistic edits, and pairwise
//! precision and recall of a clustering against it. Shared by `examples/dedup_eval.rs` and
//! `tests/dedup_eval.rs`.

#![allow(dead_code)]

use std::collections::HashMap;

use rayon::prelude::*;

/// A small deterministic generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One document of the set.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub text: String,
    /// Documents with the same group come from the same source.
    pub group: u32,
    /// The edits applied, for the record (empty for the source itself).
    pub edits: Vec<&'static str>,
}

const HEADERS: &[&str] = &[
    "来源：中国政府网　发布时间：2021-03-15 10:20\n",
    "首页 > 法律法规 > 正文\n【字体：大 中 小】 打印本页\n",
    "本文转载自人民网，版权归原作者所有。\n",
    "【导读】以下为全文内容，供参考学习。\n",
];

const FOOTERS: &[&str] = &[
    "\n责任编辑：王晓明\n扫一扫在手机打开当前页\n",
    "\n（完）\n【打印】【关闭窗口】\n",
    "\n免责声明：本站部分内容来源于网络，如有侵权请联系删除。\n",
    "\n上一篇：关于进一步加强管理工作的通知\n下一篇：年度工作报告\n",
];

/// Splits after sentence ends (。！？；) and line ends, keeping them.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | '！' | '？' | '；' | '\n') {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Applies one named edit.
fn edit(text: &str, kind: usize, rng: &mut Rng, donor: &str) -> (String, &'static str) {
    match kind {
        0 => {
            // Insert one to three sentences taken from another document.
            let mut s = sentences(text);
            let d = sentences(donor);
            for _ in 0..1 + rng.below(3) {
                let pick = d[rng.below(d.len())];
                let at = rng.below(s.len() + 1);
                s.insert(at, pick);
            }
            (s.concat(), "inserted sentences")
        }
        1 => {
            // Delete one to three sentences.
            let mut s = sentences(text);
            for _ in 0..1 + rng.below(3) {
                if s.len() > 1 {
                    let at = rng.below(s.len());
                    s.remove(at);
                }
            }
            (s.concat(), "deleted sentences")
        }
        2 => (
            format!(
                "{}{text}{}",
                HEADERS[rng.below(HEADERS.len())],
                FOOTERS[rng.below(FOOTERS.len())]
            ),
            "header and footer",
        ),
        3 => {
            // The whole text twice (a page scraped with its content repeated).
            (format!("{text}\n{text}"), "repeated copy")
        }
        4 => {
            // Full-width punctuation to ASCII, or dropped.
            let drop = rng.below(2) == 0;
            let t: String = text
                .chars()
                .filter_map(|c| match c {
                    '，' => Some(if drop { ' ' } else { ',' }),
                    '。' => Some(if drop { ' ' } else { '.' }),
                    '；' => Some(';'),
                    '：' => Some(':'),
                    '（' => Some('('),
                    '）' => Some(')'),
                    '、' if drop => None,
                    c => Some(c),
                })
                .collect();
            (t, "punctuation changed")
        }
        5 => {
            // ASCII letters and digits to full width, spaces to ideographic spaces.
            let t: String = text
                .chars()
                .map(|c| match c {
                    '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                        char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
                    }
                    ' ' => '\u{3000}',
                    c => c,
                })
                .collect();
            (t, "width changed")
        }
        _ => {
            // Encode as GBK and read it back through scour's decoder (what a scraper of a GBK
            // page sees); characters GBK lacks come back as numeric references.
            let (bytes, _, _) = encoding_rs::GBK.encode(text);
            let decoded = scour::decode(&bytes).map(|d| d.text).unwrap_or_default();
            (decoded, "GBK round trip")
        }
    }
}

/// Builds the set: each source is kept as is; `with_variants` of them (chosen at random) also
/// get one to four variants, each made by one to three random edits. The order is shuffled.
pub fn build(sources: &[String], with_variants: usize, seed: u64) -> Vec<Labelled> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    let mut order: Vec<usize> = (0..sources.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for (rank, &i) in order.iter().enumerate() {
        let group = i as u32;
        out.push(Labelled {
            text: sources[i].clone(),
            group,
            edits: Vec::new(),
        });
        if rank < with_variants {
            for _ in 0..1 + rng.below(4) {
                let mut text = sources[i].clone();
                let mut edits = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let donor = &sources[rng.below(sources.len())];
                    let (t, what) = edit(&text, rng.below(7), &mut rng, donor);
                    text = t;
                    edits.push(what);
                }
                out.push(Labelled { text, group, edits });
            }
        }
    }
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    out
}

/// Pairwise scores of a clustering against the truth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairScores {
    /// Pairs in the same predicted cluster.
    pub predicted: u64,
    /// Pairs in the same true group.
    pub truth: u64,
    /// Pairs in both.
    pub both: u64,
}

impl PairScores {
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.both as f64 / self.predicted as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.truth == 0 {
            1.0
        } else {
            self.both as f64 / self.truth as f64
        }
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores `clusters[i]` (predicted) against `groups[i]` (truth).
pub fn score(groups: &[u32], clusters: &[u32]) -> PairScores {
    let mut by_group: HashMap<u32, u64> = HashMap::new();
    let mut by_cluster: HashMap<u32, u64> = HashMap::new();
    let mut by_both: HashMap<(u32, u32), u64> = HashMap::new();
    for (&g, &c) in groups.iter().zip(clusters) {
        *by_group.entry(g).or_default() += 1;
        *by_cluster.entry(c).or_default() += 1;
        *by_both.entry((g, c)).or_default() += 1;
    }
    PairScores {
        predicted: by_cluster.values().map(|&n| pairs(n)).sum(),
        truth: by_group.values().map(|&n| pairs(n)).sum(),
        both: by_both.values().map(|&n| pairs(n)).sum(),
    }
}

/// The sorted, distinct hashes of the character 5-grams of `text` (the whole text if shorter).
pub fn char_grams(text: &str, n: usize) -> Vec<u64> {
    let idx: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let mut v: Vec<u64> = if idx.len() <= n {
        vec![xxhash_rust::xxh3::xxh3_64(text.as_bytes())]
    } else {
        (0..idx.len() - n)
            .map(|i| xxhash_rust::xxh3::xxh3_64(&text.as_bytes()[idx[i]..idx[i + n]]))
            .collect()
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// Exact Jaccard similarity of two sorted distinct lists.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        1.0
    } else {
        both as f64 / union as f64
    }
}

/// Sources: documents of at least `min_chars` characters, dropping any whose exact 5-gram
/// Jaccard with an earlier kept source is 0.5 or more. Candidate pairs come from a 1-in-16
/// sample of 5-grams (an inverted index over grams shared by at most 50 sources).
pub fn pick_sources(texts: Vec<String>, min_chars: usize) -> Vec<String> {
    let texts: Vec<String> = texts
        .into_iter()
        .filter(|t| t.chars().count() >= min_chars)
        .collect();
    let grams: Vec<Vec<u64>> = texts.par_iter().map(|t| char_grams(t, 5)).collect();
    let mut inverted: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, g) in grams.iter().enumerate() {
        for &h in g.iter().filter(|&&h| h % 16 == 0) {
            inverted.entry(h).or_default().push(i as u32);
        }
    }
    let mut shared: HashMap<(u32, u32), u32> = HashMap::new();
    for list in inverted.values().filter(|l| l.len() <= 50) {
        for a in 0..list.len() {
            for b in a + 1..list.len() {
                *shared.entry((list[a], list[b])).or_default() += 1;
            }
        }
    }
    let mut dropped = vec![false; texts.len()];
    let mut pairs: Vec<(u32, u32)> = shared
        .into_iter()
        .filter(|&((a, b), n)| {
            let sa = grams[a as usize].len() / 16 + 1;
            let sb = grams[b as usize].len() / 16 + 1;
            n as f64 / (sa + sb) as f64 >= 0.1
        })
        .map(|(p, _)| p)
        .collect();
    pairs.sort_unstable();
    for (a, b) in pairs {
        if dropped[a as usize] || dropped[b as usize] {
            continue;
        }
        if jaccard(&grams[a as usize], &grams[b as usize]) >= 0.5 {
            dropped[b as usize] = true;
        }
    }
    texts
        .into_iter()
        .zip(dropped)
        .filter(|(_, d)| !d)
        .map(|(t, _)| t)
        .collect()
}

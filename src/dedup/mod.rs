//! Finding exact and near-duplicate documents, clustering them, and keeping one per cluster.
//!
//! ```
//! use scour::dedup::{Deduper, Outcome};
//!
//! let mut deduper = Deduper::new();
//! let report = "第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合法权益，\
//!               维护国家主权、安全和发展利益，制定本法。第二条 在中华人民共和国境内开展数据处理活动\
//!               及其安全监管，适用本法。";
//! let a = deduper.push(report);
//! // The same text with full-width digits, a different space and a trailing note.
//! let b = deduper.push(&format!("{} 　（完）", report.replace("第一条", "第１条")));
//! let c = deduper.push("一段完全不同的文字，讲的是另一件事情，和上面的法律条文没有关系。");
//! assert_eq!(a.outcome, Outcome::Keep);
//! assert!(matches!(b.outcome, Outcome::Duplicate { of: 0, .. }));
//! assert_eq!(c.outcome, Outcome::Keep);
//! ```
//!
//! # How it works
//!
//! Every document is first reduced to a [`Fingerprint`], a pure function of its text and the
//! [`DedupConfig`] (serializable, so it can be computed anywhere, in parallel):
//!
//! 1. the [matching key](key) (NFKC-equivalent, case-folded, punctuation and whitespace
//!    dropped) and its xxh3-128 hash, for exact duplicates;
//! 2. the key's [shingles](shingle): character n-grams in Chinese, Japanese, Thai…, word
//!    n-grams elsewhere;
//! 3. by [`Method`]: a [MinHash](minhash) signature, kept as a 4-bit [`Sketch`] plus its
//!    [LSH band keys](lsh); or a 64-bit [SimHash](simhash); or nothing more (exact only).
//!
//! The [`Deduper`] then takes fingerprints in input order. A document whose key hash was seen
//! is an exact duplicate. Otherwise its candidates (clusters sharing a band, or within the
//! Hamming distance) are **verified against each cluster's kept document**, by the estimated
//! Jaccard similarity of the two sketches (or the SimHash distance), and the document joins the
//! most similar cluster that passes the threshold; if none does, it starts a cluster of its own
//! and its band keys go into the index. Because every member is checked against the kept
//! document itself, chains of small edits (A ≈ B ≈ C, A ≉ C) cannot pull unrelated documents
//! into one cluster. Clusters are stars around their kept document, a special case of
//! union-find in which only the root is ever compared; the result depends only on the order of
//! the documents, never on the number of threads ([`Deduper::push_batch`] computes
//! fingerprints in parallel and applies them in order).
//!
//! Documents shorter than one shingle have no signature: they are matched by exact key only,
//! never lumped together. Documents whose key is empty (only whitespace, punctuation and
//! symbols) match byte-identical text only.
//!
//! Optionally, [`paragraph::ParagraphDeduper`] finds exact duplicate paragraphs across
//! documents and reports them as spans.
//!
//! The index can be [saved](Deduper::save) and [loaded](Deduper::load), so a new shard is
//! deduplicated against everything seen before.
//!
//! # Memory
//!
//! Per kept document: a 4-bit sketch (`num_perm / 2` bytes, 64 at the default), one 8-byte slot
//! per band at 80% or lower load (9 bands at the default), the cluster record (12 bytes) and the
//! exact-key table entry. Duplicates add only their exact-key entry. Documents themselves are
//! never held.

pub mod key;
pub mod lsh;
pub mod minhash;
pub mod paragraph;
pub mod shingle;
pub mod simhash;

mod store;

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use key::KeyConfig;
pub use lsh::{BandIndex, Banding};
pub use minhash::{MinHasher, Signature, Sketch};
pub use shingle::Shingler;
pub use simhash::SimhashIndex;

use shingle::Shingled;

use crate::error::{Error, Result};

/// How near duplicates are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// MinHash signatures with LSH banding, verified by estimated Jaccard similarity.
    MinHash,
    /// 64-bit SimHash with a block index, verified by Hamming distance.
    SimHash,
    /// Exact duplicates (equal matching keys) only.
    Exact,
}

/// How a duplicate was recognized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// Equal matching keys.
    Exact,
    /// Estimated Jaccard similarity at or above the threshold.
    MinHash,
    /// SimHash distance at or below the limit.
    SimHash,
}

/// Which document of a cluster is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeepPolicy {
    /// The first one seen (decisions are final as they are made).
    #[default]
    First,
    /// The longest text (in bytes); ties go to the first seen.
    Longest,
    /// The one with the fewest cleaning edits (see [`Fingerprint::edits`]); ties go to the first
    /// seen.
    FewestEdits,
}

/// The largest [`DedupConfig::num_perm`] (and `bands × rows`): 1,024 permutations already
/// estimate Jaccard similarity to about ±0.03, and every permutation costs time per shingle and
/// half a byte per kept document.
pub const MAX_NUM_PERM: usize = 1024;

/// The largest [`DedupConfig::ngram`]: hashing a shingle costs `n` steps per token, and
/// documents shorter than `n` tokens have no shingles at all.
pub const MAX_NGRAM: usize = 64;

/// The largest [`DedupConfig::max_distance`]: the SimHash index splits the 64 bits into
/// `k + 1` blocks, so `k` must leave at least one bit per block.
pub const MAX_DISTANCE: u32 = 63;

/// The deduplication settings, built step by step; see the [module docs](self).
///
/// Setters take any value; [`build`](Self::build) (and [`validate`](Self::validate)) check
/// every setting and return [`Error::Setting`] naming the first one out of range, so settings
/// from users are never clamped silently, and never panic, hang or allocate without bound.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DedupConfig {
    method: Method,
    shingler: Shingler,
    num_perm: usize,
    seed: u64,
    threshold: f64,
    fn_weight: f64,
    banding: Banding,
    max_distance: u32,
    keep: KeepPolicy,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig::new()
    }
}

impl DedupConfig {
    /// The defaults: MinHash, 5-token shingles, 128 permutations, Jaccard threshold 0.8 with the
    /// banding [derived from it](Banding::for_threshold), SimHash distance 3, keep the first.
    pub fn new() -> DedupConfig {
        DedupConfig {
            method: Method::MinHash,
            shingler: Shingler::new(5, KeyConfig::default()),
            num_perm: 128,
            seed: 1,
            threshold: 0.8,
            fn_weight: 0.5,
            banding: Banding::for_threshold(0.8, 128),
            max_distance: 3,
            keep: KeepPolicy::First,
        }
    }

    /// FineWeb's settings: word (and CJK character) 5-grams, 14 bands of 8 rows (112
    /// permutations), threshold 0.75.
    pub fn fineweb() -> DedupConfig {
        DedupConfig::new()
            .ngram(5)
            .num_perm(112)
            .threshold(0.75)
            .banding(14, 8)
    }

    /// NeMo Curator's settings: 24-token shingles, 20 bands of 13 rows (260 permutations),
    /// threshold 0.8.
    pub fn nemo() -> DedupConfig {
        DedupConfig::new()
            .ngram(24)
            .num_perm(260)
            .threshold(0.8)
            .banding(20, 13)
    }

    /// The method.
    pub fn method(mut self, method: Method) -> DedupConfig {
        self.method = method;
        self
    }

    /// Tokens per shingle, 1 to [`MAX_NGRAM`].
    pub fn ngram(mut self, n: usize) -> DedupConfig {
        // Not through `Shingler::new`, which takes 0 as 1: a 0 from a user is reported.
        self.shingler = Shingler {
            n,
            key: self.shingler.key,
        };
        self
    }

    /// How the matching key is made.
    pub fn key(mut self, key: KeyConfig) -> DedupConfig {
        self.shingler = Shingler {
            n: self.shingler.n,
            key,
        };
        self
    }

    /// The number of MinHash permutations, 1 to [`MAX_NUM_PERM`]; re-derives the banding from
    /// the threshold.
    pub fn num_perm(mut self, num_perm: usize) -> DedupConfig {
        self.num_perm = num_perm;
        self.derive_banding()
    }

    /// The Jaccard threshold, in `(0, 1]`; re-derives the banding from it.
    pub fn threshold(mut self, threshold: f64) -> DedupConfig {
        self.threshold = threshold;
        self.derive_banding()
    }

    /// The weight of false negatives when deriving the banding, in `[0, 1]` (default 0.5, see
    /// [`Banding::for_threshold_weighted`]); re-derives it. A higher weight finds more pairs
    /// just above the threshold at the cost of more bands (index space) and more candidates to
    /// verify: 0.8 gives 12 bands × 10 rows at the default threshold instead of 9 × 13.
    pub fn fn_weight(mut self, weight: f64) -> DedupConfig {
        self.fn_weight = weight;
        self.derive_banding()
    }

    fn derive_banding(mut self) -> DedupConfig {
        // Only from settings in range: the search costs about num_perm² curve integrals, so an
        // absurd num_perm would hang here before `validate` could report it.
        if self.check_threshold().is_ok()
            && self.check_fn_weight().is_ok()
            && (1..=MAX_NUM_PERM).contains(&self.num_perm)
        {
            self.banding =
                Banding::for_threshold_weighted(self.threshold, self.num_perm, self.fn_weight);
        }
        self
    }

    /// Sets bands and rows explicitly (call after [`threshold`](Self::threshold) and
    /// [`num_perm`](Self::num_perm), which re-derive them). Each must be at least 1 and
    /// `bands × rows` at most [`MAX_NUM_PERM`]. Raises the permutation count to `bands × rows`
    /// if it is smaller; a larger count is allowed (the positions past the bands only sharpen
    /// the verification).
    pub fn banding(mut self, bands: usize, rows: usize) -> DedupConfig {
        self.num_perm = self.num_perm.max(bands.saturating_mul(rows));
        self.banding = Banding { bands, rows };
        self
    }

    /// The largest SimHash distance that counts as a duplicate (for [`Method::SimHash`]), 0 to
    /// [`MAX_DISTANCE`].
    pub fn max_distance(mut self, k: u32) -> DedupConfig {
        self.max_distance = k;
        self
    }

    /// Which document of a cluster is kept.
    pub fn keep(mut self, keep: KeepPolicy) -> DedupConfig {
        self.keep = keep;
        self
    }

    /// The seed of the MinHash permutations.
    pub fn seed(mut self, seed: u64) -> DedupConfig {
        self.seed = seed;
        self
    }

    fn check_threshold(&self) -> Result<()> {
        let t = self.threshold;
        // Written so that NaN fails too.
        if t > 0.0 && t <= 1.0 {
            Ok(())
        } else {
            Err(setting("threshold", t, "must be in (0, 1]"))
        }
    }

    fn check_fn_weight(&self) -> Result<()> {
        if (0.0..=1.0).contains(&self.fn_weight) {
            Ok(())
        } else {
            Err(setting("fn_weight", self.fn_weight, "must be in [0, 1]"))
        }
    }

    /// Checks every setting, in this order: threshold, fn_weight, ngram, bands, rows,
    /// `bands × rows`, num_perm, max_distance (bands before num_perm, which `banding` raises,
    /// so that the setting reported is the one given).
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] naming the first setting out of range and the allowed range:
    /// threshold in `(0, 1]`, fn_weight in `[0, 1]` (NaN is neither), ngram 1 to
    /// [`MAX_NGRAM`], bands and rows at least 1 with `bands × rows` at most [`MAX_NUM_PERM`],
    /// num_perm 1 to [`MAX_NUM_PERM`] and at least `bands × rows`, max_distance 0 to
    /// [`MAX_DISTANCE`].
    pub fn validate(&self) -> Result<()> {
        self.check_threshold()?;
        self.check_fn_weight()?;
        let n = self.shingler.n;
        if !(1..=MAX_NGRAM).contains(&n) {
            return Err(setting(
                "ngram",
                n,
                format!("must be from 1 to {MAX_NGRAM}"),
            ));
        }
        let Banding { bands, rows } = self.banding;
        for (name, v) in [("bands", bands), ("rows", rows)] {
            if !(1..=MAX_NUM_PERM).contains(&v) {
                return Err(setting(
                    name,
                    v,
                    format!("must be from 1 to {MAX_NUM_PERM}"),
                ));
            }
        }
        let product = bands * rows; // both at most MAX_NUM_PERM: no overflow
        if product > MAX_NUM_PERM {
            return Err(setting(
                "bands",
                format!("{bands} x rows {rows} = {product} permutations"),
                format!("bands x rows must be at most {MAX_NUM_PERM}"),
            ));
        }
        if !(1..=MAX_NUM_PERM).contains(&self.num_perm) {
            return Err(setting(
                "num_perm",
                self.num_perm,
                format!("must be from 1 to {MAX_NUM_PERM}"),
            ));
        }
        if self.num_perm < product {
            // Only a configuration read from elsewhere: `banding` raises num_perm.
            return Err(setting(
                "num_perm",
                self.num_perm,
                format!("must be at least bands x rows ({product})"),
            ));
        }
        if self.max_distance > MAX_DISTANCE {
            return Err(setting(
                "max_distance",
                self.max_distance,
                format!("must be from 0 to {MAX_DISTANCE}"),
            ));
        }
        Ok(())
    }

    /// The settings that decide which documents are duplicates and differ between `self` and
    /// `other`, each as `name self (other)`; empty when the two decide alike. The false negative
    /// weight is left out: only the banding it derived matters.
    pub fn differences(&self, other: &DedupConfig) -> Vec<String> {
        let mut out = Vec::new();
        let mut diff = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name} {a} ({b})"));
            }
        };
        diff(
            "method",
            format!("{:?}", self.method),
            format!("{:?}", other.method),
        );
        diff(
            "ngram",
            self.shingler.n.to_string(),
            other.shingler.n.to_string(),
        );
        diff(
            "key",
            format!("{:?}", self.shingler.key),
            format!("{:?}", other.shingler.key),
        );
        diff(
            "num_perm",
            self.num_perm.to_string(),
            other.num_perm.to_string(),
        );
        diff("seed", self.seed.to_string(), other.seed.to_string());
        diff(
            "threshold",
            self.threshold.to_string(),
            other.threshold.to_string(),
        );
        diff(
            "banding",
            format!("{} x {}", self.banding.bands, self.banding.rows),
            format!("{} x {}", other.banding.bands, other.banding.rows),
        );
        diff(
            "max_distance",
            self.max_distance.to_string(),
            other.max_distance.to_string(),
        );
        diff(
            "keep",
            format!("{:?}", self.keep),
            format!("{:?}", other.keep),
        );
        out
    }

    /// The method in use.
    pub fn get_method(&self) -> Method {
        self.method
    }

    /// The threshold in use.
    pub fn get_threshold(&self) -> f64 {
        self.threshold
    }

    /// The banding in use.
    pub fn get_banding(&self) -> Banding {
        self.banding
    }

    /// The permutation count in use.
    pub fn get_num_perm(&self) -> usize {
        self.num_perm
    }

    /// The shingler in use.
    pub fn shingler(&self) -> Shingler {
        self.shingler
    }

    /// The keep policy in use.
    pub fn get_keep(&self) -> KeepPolicy {
        self.keep
    }

    /// The deduper.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] for a setting out of range (see [`validate`](Self::validate)).
    pub fn build(self) -> Result<Deduper> {
        self.validate()?;
        Ok(Deduper::from_valid(self))
    }

    /// A fingerprinter for this configuration (holds the permutations).
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] for a setting out of range (see [`validate`](Self::validate)).
    pub fn fingerprinter(&self) -> Result<Fingerprinter> {
        self.validate()?;
        Ok(self.fingerprinter_of_valid())
    }

    fn fingerprinter_of_valid(&self) -> Fingerprinter {
        Fingerprinter {
            config: self.clone(),
            hasher: MinHasher::new(self.num_perm, self.seed),
        }
    }
}

fn setting(name: &'static str, value: impl std::fmt::Display, allowed: impl Into<String>) -> Error {
    Error::Setting {
        name,
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

/// Everything the [`Deduper`] needs to know about one document; a pure function of its text
/// and the configuration (plus [`edits`](Self::edits), which the caller may set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// xxh3-128 of the matching key; for a document whose key is empty (only whitespace,
    /// punctuation and symbols), a differently seeded xxh3-128 of its raw bytes, so such
    /// documents match byte-identical text only.
    pub exact: u128,
    /// The text's length in bytes.
    pub len: u64,
    /// The number of cleaning edits the document needed (0 unless set by the caller), for
    /// [`KeepPolicy::FewestEdits`].
    pub edits: u64,
    /// The number of shingles (0 for a document shorter than one shingle).
    pub shingles: u32,
    /// The MinHash sketch ([`Method::MinHash`] with shingles; empty otherwise).
    pub sketch: Sketch,
    /// The LSH band keys (same condition).
    pub band_keys: Vec<u64>,
    /// The SimHash ([`Method::SimHash`] with shingles).
    pub simhash: Option<u64>,
}

/// Computes fingerprints; cheap to share across threads.
#[derive(Clone, Debug)]
pub struct Fingerprinter {
    config: DedupConfig,
    hasher: MinHasher,
}

/// Seeds the exact hash of documents with an empty key, which hash their raw bytes.
const EMPTY_KEY_SEED: u64 = 0x454D_5054_594B_4559;

thread_local! {
    static SCRATCH: RefCell<(Shingled, Vec<u64>)> = RefCell::default();
}

impl Fingerprinter {
    /// The fingerprint of `text`.
    pub fn fingerprint(&self, text: &str) -> Fingerprint {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let (shingled, tokens) = &mut *scratch;
            self.config.shingler.shingle_into(text, shingled, tokens);
            // A document with an empty key (nothing but whitespace, punctuation, symbols) has no
            // content to compare: it matches byte-identical text only, so "", "\n" and "---"
            // stay apart.
            let exact = if shingled.key.is_empty() {
                xxhash_rust::xxh3::xxh3_128_with_seed(text.as_bytes(), EMPTY_KEY_SEED)
            } else {
                xxhash_rust::xxh3::xxh3_128(shingled.key.as_bytes())
            };
            let has_shingles = !shingled.shingles.is_empty();
            let (sketch, band_keys) = if self.config.method == Method::MinHash && has_shingles {
                let signature = self.hasher.signature(&shingled.shingles);
                let keys = lsh::band_keys(&signature, self.config.banding);
                (signature.sketch(), keys)
            } else {
                (Sketch(Vec::new()), Vec::new())
            };
            let simhash = (self.config.method == Method::SimHash && has_shingles)
                .then(|| simhash::simhash(&shingled.shingles));
            Fingerprint {
                exact,
                len: text.len() as u64,
                edits: 0,
                shingles: shingled.shingles.len().min(u32::MAX as usize) as u32,
                sketch,
                band_keys,
                simhash,
            }
        })
    }

    /// The MinHash signature of `text` (for inspection and comparisons).
    pub fn signature(&self, text: &str) -> Signature {
        self.hasher.signature(&self.config.shingler.shingles(text))
    }
}

/// What became of one document.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum Outcome {
    /// Kept: the first (or, by the policy, best so far) of its cluster.
    Keep,
    /// A duplicate of the cluster's kept document.
    Duplicate {
        /// The kept document's number.
        of: u64,
        /// Estimated Jaccard similarity (MinHash), `1 - distance / 64` (SimHash), or 1 (exact).
        similarity: f32,
        /// How it was recognized.
        method: Match,
    },
}

/// The decision about one document.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The document's number: its position among all documents pushed (counting from 0, and
    /// from the loaded index's count when one was loaded).
    pub doc: u64,
    /// Its cluster.
    pub cluster: u32,
    /// Keep or duplicate.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A cluster's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ClusterState {
    kept: u64,
    size: u32,
}

/// The key of the exact table is already a uniform hash: use its low bits.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Keyed by the 128-bit hash as two words (8-byte alignment: 24-byte entries, not 32).
type ExactTable = HashMap<(u64, u64), u32, BuildHasherDefault<IdentityHasher>>;

fn exact_key(h: u128) -> (u64, u64) {
    ((h >> 64) as u64, h as u64)
}

/// Deduplicates a stream of documents; see the [module docs](self). Cluster numbers are `u32`,
/// so one deduper holds at most `u32::MAX - 1` clusters (kept documents).
#[derive(Debug)]
pub struct Deduper {
    fingerprinter: Fingerprinter,
    exact: ExactTable,
    clusters: Vec<ClusterState>,
    /// The kept document's length or edit count, for policies other than `First`.
    preference: Vec<u64>,
    /// Sketches of the kept documents, `sketch_len` bytes each (zeros when it has none).
    sketches: Vec<u8>,
    sketch_len: usize,
    bands: BandIndex,
    simhashes: SimhashIndex,
    docs: u64,
}

impl Default for Deduper {
    fn default() -> Self {
        Deduper::new()
    }
}

impl Deduper {
    /// A deduper with the default configuration.
    pub fn new() -> Deduper {
        // The defaults are in range (tested).
        Deduper::from_valid(DedupConfig::new())
    }

    /// Starts a configuration.
    pub fn builder() -> DedupConfig {
        DedupConfig::new()
    }

    /// A deduper with `config`; the same as [`DedupConfig::build`].
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] for a setting out of range (see [`DedupConfig::validate`]).
    pub fn with_config(config: DedupConfig) -> Result<Deduper> {
        config.build()
    }

    /// A deduper with `config`, which has passed [`DedupConfig::validate`].
    fn from_valid(config: DedupConfig) -> Deduper {
        let fingerprinter = config.fingerprinter_of_valid();
        Deduper {
            exact: ExactTable::default(),
            clusters: Vec::new(),
            preference: Vec::new(),
            sketches: Vec::new(),
            sketch_len: config.num_perm.div_ceil(2),
            bands: BandIndex::new(config.banding),
            simhashes: SimhashIndex::new(config.max_distance),
            docs: 0,
            fingerprinter,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DedupConfig {
        &self.fingerprinter.config
    }

    /// The fingerprinter (to compute fingerprints elsewhere, for [`push_fingerprint`](Self::push_fingerprint)).
    pub fn fingerprinter(&self) -> &Fingerprinter {
        &self.fingerprinter
    }

    /// Decides about one document.
    pub fn push(&mut self, text: &str) -> Decision {
        let fp = self.fingerprinter.fingerprint(text);
        self.push_fingerprint(&fp)
    }

    /// Decides about a batch: fingerprints are computed in parallel (rayon), then applied in
    /// order, so the decisions are those of pushing the texts one by one.
    pub fn push_batch<S: AsRef<str> + Sync>(&mut self, texts: &[S]) -> Vec<Decision> {
        let fps: Vec<Fingerprint> = texts
            .par_iter()
            .map(|t| self.fingerprinter.fingerprint(t.as_ref()))
            .collect();
        fps.iter().map(|fp| self.push_fingerprint(fp)).collect()
    }

    /// Decides about a document from its fingerprint (made with this configuration).
    pub fn push_fingerprint(&mut self, fp: &Fingerprint) -> Decision {
        let doc = self.docs;
        self.docs += 1;
        if let Some(&cluster) = self.exact.get(&exact_key(fp.exact)) {
            return self.join(doc, cluster, fp, 1.0, Match::Exact);
        }
        let found = match self.config().method {
            Method::MinHash if !fp.band_keys.is_empty() => self.best_minhash(fp),
            Method::SimHash => fp.simhash.and_then(|h| self.best_simhash(h)),
            _ => None,
        };
        self.exact.insert(
            exact_key(fp.exact),
            found.map_or(self.clusters.len() as u32, |f| f.0),
        );
        match found {
            Some((cluster, similarity, method)) => self.join(doc, cluster, fp, similarity, method),
            None => self.start_cluster(doc, fp),
        }
    }

    fn sketch_of(&self, cluster: u32) -> &[u8] {
        let start = cluster as usize * self.sketch_len;
        &self.sketches[start..start + self.sketch_len]
    }

    /// The most similar verified cluster (ties to the lowest cluster number).
    fn best_minhash(&self, fp: &Fingerprint) -> Option<(u32, f32, Match)> {
        let threshold = self.config().threshold;
        let mut best: Option<(u32, f64)> = None;
        for cluster in self.bands.candidates(&fp.band_keys) {
            let j = minhash::sketch_jaccard(&fp.sketch.0, self.sketch_of(cluster));
            if j >= threshold && best.is_none_or(|(_, b)| j > b) {
                best = Some((cluster, j));
            }
        }
        best.map(|(c, j)| (c, j as f32, Match::MinHash))
    }

    fn best_simhash(&self, h: u64) -> Option<(u32, f32, Match)> {
        let mut best: Option<(u32, u32)> = None;
        for cluster in self.simhashes.candidates(h) {
            let f = self.simhashes.fingerprint(cluster)?;
            let d = simhash::distance(f, h);
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((cluster, d));
            }
        }
        best.map(|(c, d)| (c, 1.0 - d as f32 / 64.0, Match::SimHash))
    }

    fn start_cluster(&mut self, doc: u64, fp: &Fingerprint) -> Decision {
        let cluster = self.clusters.len() as u32;
        self.clusters.push(ClusterState { kept: doc, size: 1 });
        if self.config().keep != KeepPolicy::First {
            self.preference.push(self.preference_of(fp));
        }
        self.index_kept(cluster, fp, true);
        Decision {
            doc,
            cluster,
            outcome: Outcome::Keep,
        }
    }

    /// Puts a kept document's sketch and keys in the index (`new`: append its sketch; else
    /// replace the cluster's).
    fn index_kept(&mut self, cluster: u32, fp: &Fingerprint, new: bool) {
        let mut sketch = fp.sketch.0.clone();
        sketch.resize(self.sketch_len, 0);
        if new {
            self.sketches.extend_from_slice(&sketch);
        } else {
            let start = cluster as usize * self.sketch_len;
            self.sketches[start..start + self.sketch_len].copy_from_slice(&sketch);
        }
        if !fp.band_keys.is_empty() {
            self.bands.insert(&fp.band_keys, cluster);
        }
        if let Some(h) = fp.simhash {
            self.simhashes.insert(h, cluster);
        }
    }

    fn preference_of(&self, fp: &Fingerprint) -> u64 {
        match self.config().keep {
            KeepPolicy::First => 0,
            // Larger is better: store the length, or the complement of the edit count.
            KeepPolicy::Longest => fp.len,
            KeepPolicy::FewestEdits => u64::MAX - fp.edits,
        }
    }

    fn join(
        &mut self,
        doc: u64,
        cluster: u32,
        fp: &Fingerprint,
        similarity: f32,
        method: Match,
    ) -> Decision {
        let state = &mut self.clusters[cluster as usize];
        state.size += 1;
        let of = state.kept;
        if self.config().keep != KeepPolicy::First {
            let pref = self.preference_of(fp);
            if pref > self.preference[cluster as usize] {
                self.preference[cluster as usize] = pref;
                self.clusters[cluster as usize].kept = doc;
                if fp.sketch.0.len() == self.sketch_len || fp.simhash.is_some() {
                    self.index_kept(cluster, fp, false);
                }
                return Decision {
                    doc,
                    cluster,
                    outcome: Outcome::Keep,
                };
            }
        }
        Decision {
            doc,
            cluster,
            outcome: Outcome::Duplicate {
                of,
                similarity,
                method,
            },
        }
    }

    /// The document kept for `cluster` now (final after the last push).
    pub fn kept(&self, cluster: u32) -> Option<u64> {
        self.clusters.get(cluster as usize).map(|c| c.kept)
    }

    /// The number of documents in `cluster`.
    pub fn cluster_size(&self, cluster: u32) -> Option<u32> {
        self.clusters.get(cluster as usize).map(|c| c.size)
    }

    /// The number of documents pushed (including those of a loaded index).
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// The number of clusters (kept documents).
    pub fn clusters(&self) -> usize {
        self.clusters.len()
    }

    /// The number of clusters with two or more documents.
    pub fn clusters_with_duplicates(&self) -> usize {
        self.clusters.iter().filter(|c| c.size > 1).count()
    }

    /// The size of the largest cluster (0 when empty).
    pub fn largest_cluster(&self) -> u32 {
        self.clusters.iter().map(|c| c.size).max().unwrap_or(0)
    }

    /// Warnings about clusters holding more than 1% of the documents pushed so far (call it
    /// after the last push), largest first. Such a cluster usually means boilerplate-only or
    /// templated documents, or settings too loose for the corpus.
    pub fn warnings(&self) -> Vec<String> {
        let mut big: Vec<(u32, usize)> = self
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| c.size > 1 && u64::from(c.size) * 100 > self.docs)
            .map(|(i, c)| (c.size, i))
            .collect();
        big.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        big.into_iter()
            .map(|(size, i)| {
                format!(
                    "cluster {i} (kept document {}) holds {size} of {} documents, over 1%",
                    self.clusters[i].kept, self.docs
                )
            })
            .collect()
    }

    /// Bytes held by the index, by part.
    pub fn memory(&self) -> Memory {
        let exact_slot = std::mem::size_of::<((u64, u64), u32)>() + 1;
        Memory {
            bands: self.bands.heap_bytes(),
            sketches: self.sketches.capacity(),
            clusters: self.clusters.capacity() * std::mem::size_of::<ClusterState>()
                + self.preference.capacity() * 8,
            exact: self.exact.capacity() * exact_slot,
            simhash: self.simhashes.entries().len() * (8 + 4 + 4 * 4 + 16),
        }
    }
}

/// Bytes held by a [`Deduper`]'s index, by part (heap capacities; hash-map slot sizes are
/// estimated from the entry size plus one control byte).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// LSH band tables.
    pub bands: usize,
    /// Kept documents' sketches.
    pub sketches: usize,
    /// Cluster records.
    pub clusters: usize,
    /// The exact-key table.
    pub exact: usize,
    /// The SimHash index (estimated).
    pub simhash: usize,
}

impl Memory {
    /// The MinHash LSH index proper: band tables, sketches and cluster records.
    pub fn minhash_lsh(&self) -> usize {
        self.bands + self.sketches + self.clusters
    }

    /// Everything.
    pub fn total(&self) -> usize {
        self.minhash_lsh() + self.exact + self.simhash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合法权益，维护国家主权、安全和发展利益，制定本法。第二条 在中华人民共和国境内开展数据处理活动及其安全监管，适用本法。";

    #[test]
    fn exact_near_and_distinct() {
        let mut d = Deduper::new();
        assert_eq!(d.push(BASE).outcome, Outcome::Keep);
        assert_eq!(
            d.push(&BASE.replace('，', ",")).outcome,
            Outcome::Duplicate {
                of: 0,
                similarity: 1.0,
                method: Match::Exact
            }
        );
        let near = d.push(&format!("{BASE}本法自公布之日起施行。"));
        assert!(
            matches!(near.outcome, Outcome::Duplicate { of: 0, method: Match::MinHash, similarity } if similarity > 0.8),
            "{near:?}"
        );
        let other =
            d.push("完全不同的另一段文字，讲述的是山川河流与四季变化，没有任何法律条文的内容。");
        assert_eq!(other.outcome, Outcome::Keep);
        assert_eq!(other.cluster, 1);
        assert_eq!(d.clusters(), 2);
        assert_eq!(d.largest_cluster(), 3);
        assert_eq!(d.clusters_with_duplicates(), 1);
        assert_eq!(
            d.warnings(),
            ["cluster 0 (kept document 0) holds 3 of 4 documents, over 1%"]
        );
    }

    #[test]
    fn short_documents_are_not_lumped() {
        let mut d = Deduper::new();
        let a = d.push("短文");
        let b = d.push("另一个");
        let c = d.push("短文。");
        // Empty keys: only byte-identical texts match.
        let e1 = d.push("");
        let e2 = d.push("\n");
        let e3 = d.push("");
        assert_ne!(e1.cluster, e2.cluster);
        assert!(matches!(
            e3.outcome,
            Outcome::Duplicate {
                of: 3,
                method: Match::Exact,
                ..
            }
        ));
        assert_eq!((a.outcome, b.outcome), (Outcome::Keep, Outcome::Keep));
        assert_ne!(a.cluster, b.cluster);
        assert!(matches!(
            c.outcome,
            Outcome::Duplicate {
                of: 0,
                method: Match::Exact,
                ..
            }
        ));
    }

    #[test]
    fn longest_policy_replaces_kept() {
        let mut d = Deduper::builder()
            .keep(KeepPolicy::Longest)
            .build()
            .unwrap();
        d.push(BASE);
        let longer = d.push(&format!("{BASE}附则。"));
        assert_eq!(longer.outcome, Outcome::Keep);
        assert_eq!(d.kept(0), Some(1));
        let shorter = d.push(BASE);
        assert!(matches!(shorter.outcome, Outcome::Duplicate { of: 1, .. }));
    }

    #[test]
    fn simhash_and_exact_methods() {
        let mut d = Deduper::builder().method(Method::SimHash).build().unwrap();
        d.push(BASE);
        let near = d.push(&format!("{BASE}。"));
        assert!(matches!(near.outcome, Outcome::Duplicate { of: 0, .. }));
        let mut e = Deduper::builder().method(Method::Exact).build().unwrap();
        e.push(BASE);
        assert_eq!(
            e.push(&format!("{BASE}本法自公布之日起施行。")).outcome,
            Outcome::Keep
        );
    }

    #[test]
    fn batch_equals_one_by_one() {
        let texts: Vec<String> = (0..40)
            .map(|i| {
                let head: String = BASE.chars().take((i % 7 + 1) * 12).collect();
                format!("{head}{}", "第".repeat(i % 3))
            })
            .collect();
        let mut a = Deduper::new();
        let one: Vec<Decision> = texts.iter().map(|t| a.push(t)).collect();
        let mut b = Deduper::new();
        assert_eq!(b.push_batch(&texts), one);
    }

    #[test]
    fn presets() {
        let f = DedupConfig::fineweb();
        assert_eq!(f.get_banding(), Banding { bands: 14, rows: 8 });
        assert_eq!(f.get_num_perm(), 112);
        let n = DedupConfig::nemo();
        assert_eq!(
            n.get_banding(),
            Banding {
                bands: 20,
                rows: 13
            }
        );
        assert_eq!(n.shingler().n, 24);
    }

    #[test]
    fn defaults_and_presets_are_valid() {
        for c in [
            DedupConfig::new(),
            DedupConfig::fineweb(),
            DedupConfig::nemo(),
        ] {
            assert_eq!(c.validate().ok(), Some(()), "{c:?}");
        }
    }

    /// The error's display for `config`, or "ok".
    fn checked(config: DedupConfig) -> String {
        match config.build() {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn settings_out_of_range_are_errors_naming_the_setting() {
        let c = DedupConfig::new;
        for (config, want) in [
            (c().threshold(0.0), "threshold 0: must be in (0, 1]"),
            (c().threshold(1.5), "threshold 1.5: must be in (0, 1]"),
            (c().threshold(f64::NAN), "threshold NaN: must be in (0, 1]"),
            (c().threshold(-0.1), "threshold -0.1: must be in (0, 1]"),
            (c().fn_weight(5.0), "fn_weight 5: must be in [0, 1]"),
            (c().fn_weight(f64::NAN), "fn_weight NaN: must be in [0, 1]"),
            (c().ngram(0), "ngram 0: must be from 1 to 64"),
            (c().ngram(65), "ngram 65: must be from 1 to 64"),
            (c().num_perm(0), "num_perm 0: must be from 1 to 1024"),
            (
                c().num_perm(1 << 40),
                "num_perm 1099511627776: must be from 1 to 1024",
            ),
            (c().banding(0, 8), "bands 0: must be from 1 to 1024"),
            (c().banding(8, 0), "rows 0: must be from 1 to 1024"),
            (
                c().banding(usize::MAX, usize::MAX),
                "bands 18446744073709551615: must be from 1 to 1024",
            ),
            (
                c().banding(100, 100),
                "bands 100 x rows 100 = 10000 permutations: bands x rows must be at most 1024",
            ),
            (
                c().max_distance(64),
                "max_distance 64: must be from 0 to 63",
            ),
            (
                c().max_distance(u32::MAX),
                "max_distance 4294967295: must be from 0 to 63",
            ),
        ] {
            assert_eq!(checked(config.clone()), want, "{config:?}");
            assert!(matches!(config.fingerprinter(), Err(Error::Setting { .. })));
        }
        // In range, at the edges.
        assert_eq!(checked(c().threshold(1.0).fn_weight(0.0)), "ok");
        assert_eq!(checked(c().ngram(64).max_distance(63)), "ok");
        assert_eq!(checked(c().num_perm(1024)), "ok");
        assert_eq!(checked(c().num_perm(1).banding(1, 1)), "ok");
        assert_eq!(checked(c().banding(32, 32)), "ok");
        // A banding larger than num_perm raises it; a later num_perm re-derives the banding.
        assert_eq!(c().banding(20, 13).get_num_perm(), 260);
        assert_eq!(
            c().banding(20, 13).num_perm(64).get_banding(),
            Banding::for_threshold(0.8, 64)
        );
        // A configuration read from elsewhere may hold a banding wider than its permutations.
        let mut json = serde_json::to_value(c()).unwrap();
        json["num_perm"] = 100.into();
        let read: DedupConfig = serde_json::from_value(json).unwrap();
        assert_eq!(
            checked(read),
            "num_perm 100: must be at least bands x rows (117)"
        );
        // A bad value does not stick once replaced.
        assert_eq!(checked(c().threshold(f64::NAN).threshold(0.7)), "ok");
    }

    #[test]
    fn differences_name_the_settings_that_decide() {
        let a = DedupConfig::new();
        assert!(a.differences(&a.clone()).is_empty());
        // The weight itself is not a difference, the banding it derives is.
        assert_eq!(
            a.differences(&a.clone().fn_weight(0.8)),
            ["banding 9 x 13 (12 x 10)"]
        );
        assert_eq!(
            a.differences(&a.clone().num_perm(64).keep(KeepPolicy::Longest)),
            [
                "num_perm 128 (64)".to_string(),
                format!(
                    "banding 9 x 13 ({} x {})",
                    Banding::for_threshold(0.8, 64).bands,
                    Banding::for_threshold(0.8, 64).rows
                ),
                "keep First (Longest)".to_string(),
            ]
        );
    }
}

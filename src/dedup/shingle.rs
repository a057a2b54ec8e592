//! Shingles: overlapping runs of `n` tokens, hashed to 32 bits.
//!
//! ```
//! use scour::dedup::key::KeyConfig;
//! use scour::dedup::shingle::Shingler;
//!
//! let shingler = Shingler::new(5, KeyConfig::default());
//! // Seven ideographs give three character 5-grams; four words give no word 5-gram.
//! assert_eq!(shingler.shingles("中华人民共和国").len(), 3);
//! assert!(shingler.shingles("too short to shingle").is_empty());
//! ```
//!
//! Tokens come from [`key::tokenize`](super::key::tokenize): one per character in scripts written
//! without spaces, one per word elsewhere. So the same `n` gives character n-grams inside Chinese
//! or Japanese and word n-grams inside English or Korean, and mixed text just works, without a
//! dictionary. A document with fewer than `n` tokens has no shingle: it is matched by its exact
//! key only, never lumped with other short documents.
//!
//! A shingle's hash folds its `n` token hashes in order, so it depends on their order, and
//! finishes with a 64-bit avalanche whose high 32 bits are kept.

use serde::{Deserialize, Serialize};

use super::key::{tokenize, KeyConfig};

/// Makes shingles; cheap to clone and share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shingler {
    /// Tokens per shingle (at least 1).
    pub n: usize,
    /// How the matching key is made.
    pub key: KeyConfig,
}

/// A document's key and shingles, from one pass over its text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shingled {
    /// The matching key.
    pub key: String,
    /// The 32-bit hash of every shingle, in text order (repeats included).
    pub shingles: Vec<u32>,
}

impl Shingler {
    /// Shingles of `n` tokens (`n` of 0 is taken as 1).
    pub fn new(n: usize, key: KeyConfig) -> Shingler {
        Shingler { n: n.max(1), key }
    }

    /// The shingle hashes of `text`, in order.
    pub fn shingles(&self, text: &str) -> Vec<u32> {
        let mut out = Shingled::default();
        self.shingle_into(text, &mut out, &mut Vec::new());
        out.shingles
    }

    /// Fills `out` with the key and shingles of `text`, reusing its buffers; `tokens` is scratch
    /// space.
    pub fn shingle_into(&self, text: &str, out: &mut Shingled, tokens: &mut Vec<u64>) {
        tokenize(text, &self.key, &mut out.key, tokens);
        shingle_tokens(tokens, self.n, &mut out.shingles);
    }
}

/// Hashes every run of `n` consecutive token hashes into `out` (cleared first).
pub fn shingle_tokens(tokens: &[u64], n: usize, out: &mut Vec<u32>) {
    out.clear();
    let n = n.max(1);
    if tokens.len() < n {
        return;
    }
    out.reserve(tokens.len() - n + 1);
    out.extend(tokens.windows(n).map(|w| {
        let mut h = 0x243F_6A88_85A3_08D3u64;
        for &t in w {
            h = (h.rotate_left(27) ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        h ^= h >> 29;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 32;
        (h >> 32) as u32
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_order() {
        let s = Shingler::new(2, KeyConfig::default());
        let a = s.shingles("甲乙丙");
        assert_eq!(a.len(), 2);
        assert_ne!(a[0], a[1]);
        // Reversed order gives different shingles.
        let b = s.shingles("丙乙甲");
        assert!(a.iter().all(|x| !b.contains(x)));
        // Punctuation and width do not change shingles.
        assert_eq!(s.shingles("甲，乙　丙。"), a);
        assert_eq!(s.shingles("one two three"), s.shingles("ONE, two; THREE"));
        assert_eq!(s.shingles("one two three").len(), 2);
    }

    #[test]
    fn short_documents_have_no_shingles() {
        let s = Shingler::new(5, KeyConfig::default());
        assert!(s.shingles("").is_empty());
        assert!(s.shingles("甲乙丙丁").is_empty());
        assert_eq!(s.shingles("甲乙丙丁戊").len(), 1);
        assert_eq!(Shingler::new(0, KeyConfig::default()).n, 1);
    }
}

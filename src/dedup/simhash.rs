//! 64-bit SimHash over shingles, and an index for Hamming distance at most `k`.
//!
//! ```
//! use scour::dedup::simhash::{simhash, SimhashIndex};
//! use scour::dedup::key::KeyConfig;
//! use scour::dedup::shingle::Shingler;
//!
//! let s = Shingler::new(3, KeyConfig::default());
//! let a = simhash(&s.shingles("中华人民共和国宪法第一条规定了国家的根本制度和根本任务"));
//! let b = simhash(&s.shingles("中华人民共和国宪法第一条规定了国家的根本制度和根本任务。"));
//! let mut index = SimhashIndex::new(3);
//! index.insert(a, 0);
//! assert_eq!(index.candidates(b), vec![0]);
//! ```
//!
//! Each shingle's 32-bit hash is widened to 64 bits by a bijective mixer; bit `i` of the
//! fingerprint is set when more shingles have bit `i` set than clear (Charikar's SimHash with unit
//! weights). This is the `simhash` crate's `simhash_stream` computed over scour's own shingles
//! (that crate's `simhash(&str)` splits on whitespace, which sees a whole Chinese paragraph as
//! one word), with a cheaper per-feature hash; distances use its `hamming_distance`.
//!
//! [`SimhashIndex`] splits fingerprints into `k + 1` blocks: two fingerprints within distance `k`
//! agree on at least one block (pigeonhole), so each block value is looked up in its own table
//! and the candidates are then checked for distance. Cost per lookup: `k + 1` hash lookups.

use std::collections::HashMap;

/// The SimHash of a shingle list (0 for no shingles).
pub fn simhash(shingles: &[u32]) -> u64 {
    let mut counts = [0i32; 64];
    for &s in shingles {
        let h = widen(s);
        for (i, c) in counts.iter_mut().enumerate() {
            // Branch-free ±1, vectorizable.
            *c += (((h >> i) & 1) as i32) * 2 - 1;
        }
    }
    if shingles.is_empty() {
        return 0;
    }
    counts
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, &c)| acc | (u64::from(c > 0) << i))
}

/// The Hamming distance between two fingerprints.
pub fn distance(a: u64, b: u64) -> u32 {
    simhash::hamming_distance(a, b)
}

/// A 32 → 64-bit bijective mixer (the MurmurHash3 finalizer on a spread input).
#[inline]
fn widen(x: u32) -> u64 {
    let mut h = u64::from(x).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(x);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Fingerprints by block value, for Hamming-distance queries; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct SimhashIndex {
    max_distance: u32,
    /// Block `i` covers bits `bounds[i]..bounds[i + 1]`.
    bounds: Vec<u32>,
    tables: Vec<HashMap<u64, Vec<u32>>>,
    fingerprints: HashMap<u32, u64>,
}

impl SimhashIndex {
    /// An empty index answering distance `≤ max_distance` (at most 63).
    pub fn new(max_distance: u32) -> SimhashIndex {
        let max_distance = max_distance.min(63);
        let blocks = max_distance + 1;
        let bounds = (0..=blocks).map(|i| i * 64 / blocks).collect();
        SimhashIndex {
            max_distance,
            bounds,
            tables: vec![HashMap::new(); blocks as usize],
            fingerprints: HashMap::new(),
        }
    }

    /// The largest distance answered.
    pub fn max_distance(&self) -> u32 {
        self.max_distance
    }

    fn block(&self, fingerprint: u64, i: usize) -> u64 {
        let (lo, hi) = (self.bounds[i], self.bounds[i + 1]);
        let width = hi - lo;
        let mask = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        (fingerprint >> lo) & mask
    }

    /// Stores `fingerprint` under `value` (one fingerprint per value; a second insert of the
    /// same value adds its blocks too and replaces the fingerprint checked by queries).
    pub fn insert(&mut self, fingerprint: u64, value: u32) {
        for i in 0..self.tables.len() {
            let b = self.block(fingerprint, i);
            self.tables[i].entry(b).or_default().push(value);
        }
        self.fingerprints.insert(value, fingerprint);
    }

    /// The values whose fingerprint is within the distance of `fingerprint`, sorted.
    pub fn candidates(&self, fingerprint: u64) -> Vec<u32> {
        let mut out = Vec::new();
        for (i, table) in self.tables.iter().enumerate() {
            if let Some(values) = table.get(&self.block(fingerprint, i)) {
                out.extend(values.iter().copied().filter(|v| {
                    self.fingerprints
                        .get(v)
                        .is_some_and(|&f| distance(f, fingerprint) <= self.max_distance)
                }));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The fingerprint stored for `value`.
    pub fn fingerprint(&self, value: u32) -> Option<u64> {
        self.fingerprints.get(&value).copied()
    }

    /// Every stored `(value, fingerprint)`, sorted by value (for saving).
    pub fn entries(&self) -> Vec<(u32, u64)> {
        let mut v: Vec<_> = self.fingerprints.iter().map(|(&k, &f)| (k, f)).collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_and_far() {
        let a: Vec<u32> = (0..400)
            .map(|i: u32| i.wrapping_mul(2_654_435_761))
            .collect();
        let mut b = a.clone();
        b[0] ^= 1;
        let c: Vec<u32> = (1000..1400)
            .map(|i: u32| i.wrapping_mul(2_654_435_761))
            .collect();
        let (fa, fb, fc) = (simhash(&a), simhash(&b), simhash(&c));
        assert!(distance(fa, fb) <= 3);
        assert!(distance(fa, fc) > 10);
        assert_eq!(simhash(&[]), 0);
        let mut index = SimhashIndex::new(3);
        index.insert(fa, 1);
        index.insert(fc, 2);
        assert_eq!(index.candidates(fb), vec![1]);
        assert_eq!(index.candidates(fc), vec![2]);
        assert_eq!(index.candidates(!fa), Vec::<u32>::new());
        // Exactly at the limit, differing in every block but one.
        let at_limit = fa ^ 0b1 ^ (1 << 20) ^ (1 << 40);
        assert_eq!(index.candidates(at_limit), vec![1]);
        assert_eq!(index.entries(), vec![(1, fa), (2, fc)]);
    }
}

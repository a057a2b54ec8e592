//! Locality-sensitive hashing of MinHash signatures: bands, band keys, and a compact index.
//!
//! ```
//! use scour::dedup::lsh::Banding;
//!
//! let banding = Banding::for_threshold(0.8, 128);
//! assert!(banding.bands * banding.rows <= 128);
//! // Pairs at the threshold are found most of the time, pairs far below it almost never.
//! assert!(banding.collision_probability(0.9) > 0.9);
//! assert!(banding.collision_probability(0.5) < 0.05);
//! ```
//!
//! A signature of `bands × rows` positions is cut into `bands` bands of `rows` positions; two
//! documents are candidates when they agree on every position of at least one band, which
//! happens with probability `1 - (1 - s^rows)^bands` at Jaccard similarity `s` (the S-curve).
//! [`Banding::for_threshold`] picks the bands and rows that minimize the area of false
//! positives below the threshold plus false negatives above it.
//!
//! [`band_keys`] is a pure function of a signature: the map step of a distributed run
//! (`map` signatures to band keys → shuffle by key → connected components) can use it as is.
//!
//! [`BandIndex`] holds, for each band, the band keys of the documents inserted so far in an
//! open-addressing table (linear probing) of 8-byte slots, the high 32 bits of the key and a
//! `u32` value, grown by half when 80% full: 10 to 15 bytes per document and band. A lookup may
//! return a value whose key only shares those 32 bits; callers verify candidates anyway.

use serde::{Deserialize, Serialize};

use super::minhash::Signature;

/// How a signature is cut into bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Banding {
    /// Number of bands.
    pub bands: usize,
    /// Positions per band.
    pub rows: usize,
}

impl Banding {
    /// The banding for `num_perm` permutations that minimizes the false positive area (below
    /// `threshold`) plus the false negative area (above it), with equal weights, over all
    /// `bands × rows ≤ num_perm`. Ties go to fewer bands (a smaller index).
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Banding {
        Banding::for_threshold_weighted(threshold, num_perm, 0.5)
    }

    /// Like [`for_threshold`](Self::for_threshold) with the false negative area weighted by
    /// `fn_weight` and the false positive area by `1 - fn_weight` (both clamped to `[0, 1]`).
    /// Since candidates are verified, false positives of the banding cost only time and index
    /// space (more bands), while false negatives are lost duplicates.
    pub fn for_threshold_weighted(threshold: f64, num_perm: usize, fn_weight: f64) -> Banding {
        let threshold = threshold.clamp(0.0, 1.0);
        let w = fn_weight.clamp(0.0, 1.0);
        let mut best = (f64::INFINITY, Banding { bands: 1, rows: 1 });
        for bands in 1..=num_perm.max(1) {
            for rows in 1..=num_perm.max(1) / bands {
                let b = Banding { bands, rows };
                let fp = integrate(|s| b.collision_probability(s), 0.0, threshold);
                let fnr = integrate(|s| 1.0 - b.collision_probability(s), threshold, 1.0);
                let err = (1.0 - w) * fp + w * fnr;
                if err < best.0 - 1e-12 {
                    best = (err, b);
                }
            }
        }
        best.1
    }

    /// The probability that two documents of Jaccard similarity `s` share at least one band.
    pub fn collision_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The S-curve as text: one line per similarity from 0.05 to 1.00 in steps of 0.05, with
    /// the collision probability and a bar.
    pub fn collision_curve(&self) -> String {
        let mut out = format!(
            "bands {} x rows {}: P(candidate | Jaccard s) = 1 - (1 - s^{})^{}\n",
            self.bands, self.rows, self.rows, self.bands
        );
        for i in 1..=20 {
            let s = i as f64 / 20.0;
            let p = self.collision_probability(s);
            out.push_str(&format!(
                "{s:4.2} {p:6.4} {}\n",
                "#".repeat((p * 50.0).round() as usize)
            ));
        }
        out
    }
}

/// Simpson's rule over 200 intervals.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let n = 200;
    let h = (b - a) / n as f64;
    if h <= 0.0 {
        return 0.0;
    }
    let mut sum = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(a + i as f64 * h);
    }
    sum * h / 3.0
}

/// The key of each band of `signature`: xxh3-64 of the band's positions (little-endian), seeded
/// with the band number, so equal bands at different band numbers have different keys. A
/// signature shorter than `bands × rows` gives keys for its complete bands only.
pub fn band_keys(signature: &Signature, banding: Banding) -> Vec<u64> {
    let mut out = Vec::with_capacity(banding.bands);
    let mut buf = Vec::with_capacity(banding.rows * 4);
    for (i, band) in signature
        .0
        .chunks_exact(banding.rows.max(1))
        .take(banding.bands)
        .enumerate()
    {
        buf.clear();
        for v in band {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        out.push(xxhash_rust::xxh3::xxh3_64_with_seed(&buf, i as u64));
    }
    out
}

/// One band's table: a multimap from band key to `u32` values; see the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BandTable {
    /// `(high 32 bits of the key) << 32 | value`, or [`EMPTY`].
    slots: Vec<u64>,
    len: usize,
}

const EMPTY: u64 = u64::MAX;

impl BandTable {
    /// An empty slot.
    pub(crate) const EMPTY: u64 = EMPTY;

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held (8 a slot).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 8
    }

    /// The home slot of a 32-bit key fragment: multiply-shift range reduction, which works for
    /// any capacity, not only powers of two.
    #[inline]
    fn home(&self, fragment: u32) -> usize {
        ((u64::from(fragment) * self.slots.len() as u64) >> 32) as usize
    }

    /// Adds `value` under `key` (a key may hold several values).
    ///
    /// # Panics
    ///
    /// If `value` is `u32::MAX` (reserved).
    pub fn insert(&mut self, key: u64, value: u32) {
        assert!(value != u32::MAX, "u32::MAX is reserved");
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        self.place(((key >> 32) << 32) | u64::from(value));
        self.len += 1;
    }

    fn place(&mut self, entry: u64) {
        let mut slot = self.home((entry >> 32) as u32);
        while self.slots[slot] != EMPTY {
            slot += 1;
            if slot == self.slots.len() {
                slot = 0;
            }
        }
        self.slots[slot] = entry;
    }

    /// Calls `f` with every value stored under `key`, and with values under other keys that
    /// share its high 32 bits (about one key in four billion).
    pub fn candidates(&self, key: u64, mut f: impl FnMut(u32)) {
        if self.slots.is_empty() {
            return;
        }
        let fragment = (key >> 32) as u32;
        let mut slot = self.home(fragment);
        loop {
            let e = self.slots[slot];
            if e == EMPTY {
                return;
            }
            if (e >> 32) as u32 == fragment {
                f(e as u32);
            }
            slot += 1;
            if slot == self.slots.len() {
                slot = 0;
            }
        }
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() + self.slots.len() / 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; capacity]);
        for e in old.into_iter().filter(|&e| e != EMPTY) {
            self.place(e);
        }
    }

    /// The raw slots, for saving.
    pub(crate) fn slots(&self) -> &[u64] {
        &self.slots
    }

    /// A table from saved slots.
    pub(crate) fn from_slots(slots: Vec<u64>) -> BandTable {
        let len = slots.iter().filter(|&&e| e != EMPTY).count();
        BandTable { slots, len }
    }
}

/// Band tables for every band, holding the band keys of inserted documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BandIndex {
    banding: Banding,
    tables: Vec<BandTable>,
}

impl BandIndex {
    /// An empty index for `banding`.
    pub fn new(banding: Banding) -> BandIndex {
        BandIndex {
            banding,
            tables: vec![BandTable::default(); banding.bands],
        }
    }

    /// The banding.
    pub fn banding(&self) -> Banding {
        self.banding
    }

    /// Stores `value` under each of `keys` (from [`band_keys`]).
    pub fn insert(&mut self, keys: &[u64], value: u32) {
        for (table, &key) in self.tables.iter_mut().zip(keys) {
            table.insert(key, value);
        }
    }

    /// The values sharing at least one band key with `keys`, sorted and without repeats.
    pub fn candidates(&self, keys: &[u64]) -> Vec<u32> {
        let mut out = Vec::new();
        for (table, &key) in self.tables.iter().zip(keys) {
            table.candidates(key, |v| out.push(v));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Bytes held by all tables.
    pub fn heap_bytes(&self) -> usize {
        self.tables.iter().map(BandTable::heap_bytes).sum()
    }

    pub(crate) fn tables(&self) -> &[BandTable] {
        &self.tables
    }

    pub(crate) fn from_tables(banding: Banding, tables: Vec<BandTable>) -> BandIndex {
        BandIndex { banding, tables }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_banding() {
        let b = Banding::for_threshold(0.8, 128);
        assert!(b.bands * b.rows <= 128);
        let lo = Banding::for_threshold(0.5, 128);
        assert!(lo.rows < b.rows, "{lo:?} {b:?}");
        assert_eq!(b, Banding { bands: 9, rows: 13 });
        assert_eq!(
            Banding::for_threshold_weighted(0.8, 128, 0.8),
            Banding {
                bands: 12,
                rows: 10
            }
        );
        assert!(b.collision_curve().lines().count() == 21);
    }

    #[test]
    fn band_keys_differ_by_band() {
        let sig = Signature(vec![7; 8]);
        let keys = band_keys(&sig, Banding { bands: 2, rows: 4 });
        assert_eq!(keys.len(), 2);
        assert_ne!(keys[0], keys[1]);
        assert_eq!(band_keys(&sig, Banding { bands: 3, rows: 4 }).len(), 2);
    }

    #[test]
    fn table_multimap_and_growth() {
        let mut t = BandTable::default();
        for i in 0..10_000u32 {
            let key = u64::from(i % 5000).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            t.insert(key, i);
        }
        assert_eq!(t.len(), 10_000);
        let mut got = Vec::new();
        t.candidates(42u64.wrapping_mul(0x9E37_79B9_7F4A_7C15), |v| got.push(v));
        got.sort();
        assert_eq!(got, vec![42, 5042]);
        let mut none = Vec::new();
        t.candidates(0xDEAD_BEEF_0000_0000, |v| none.push(v));
        assert!(none.is_empty());
        assert!(t.heap_bytes() <= 10_000 * 8 * 2);
    }
}

//! MinHash signatures over 32-bit shingle hashes, and 4-bit sketches of them.
//!
//! ```
//! use scour::dedup::minhash::MinHasher;
//!
//! let hasher = MinHasher::new(128, 1);
//! let a: Vec<u32> = (0..1000).collect();
//! let b: Vec<u32> = (100..1100).collect(); // Jaccard 900/1100 = 0.82
//! let (sa, sb) = (hasher.signature(&a), hasher.signature(&b));
//! assert!((sa.jaccard(&sb) - 0.82).abs() < 0.1);
//! ```
//!
//! Each input `x` is first spread by MurmurHash3's 32-bit finalizer (a bijection, once per
//! input and block); permutation `i` then maps it to `h = a[i]·x + b[i]` (wrapping `u32`
//! arithmetic, `a[i]` odd, so a bijection), then `h ^ (h >> 16)` (also a bijection) so the low
//! bits depend on the high ones; the signature keeps the minimum per permutation. Two
//! signatures agree at a position with probability close to the Jaccard similarity of the
//! two input sets (exactly, for inputs that behave as random). Repeated inputs change nothing
//! (the minimum is idempotent).
//!
//! The kernel works on blocks of 32 permutations held in registers over the whole shingle list,
//! written so the compiler vectorizes it; on x86-64 an AVX2 copy of it is chosen at run time when
//! the CPU has AVX2 (no build flags needed). Cost: `num_perm` multiply-add-xorshift-min steps per
//! shingle.
//!
//! A [`Sketch`] keeps only the low 4 bits of each minimum (b-bit MinHash): 64 bytes for 128
//! permutations. Two sketch positions agree with probability `J + (1 - J) / 16`, which
//! [`Sketch::jaccard`] inverts.

use serde::{Deserialize, Serialize};

/// Permutations per kernel block.
const BLOCK: usize = 32;

/// Computes MinHash signatures; cheap to share across threads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinHasher {
    num_perm: usize,
    seed: u64,
    /// Multipliers (odd), padded to a multiple of [`BLOCK`].
    a: Vec<u32>,
    /// Increments, padded likewise.
    b: Vec<u32>,
}

/// A MinHash signature: the minimum permuted hash per permutation. A document without shingles
/// has every position at `u32::MAX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// The fraction of positions where the two signatures agree: an unbiased estimate of the
    /// Jaccard similarity of the two shingle sets. Signatures of different lengths compare over
    /// the shorter one.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / n as f64
    }

    /// The 4-bit sketch of this signature.
    pub fn sketch(&self) -> Sketch {
        let mut bytes = vec![0u8; self.0.len().div_ceil(2)];
        for (i, &v) in self.0.iter().enumerate() {
            bytes[i / 2] |= ((v & 0xF) as u8) << (4 * (i % 2));
        }
        Sketch(bytes)
    }
}

/// The low 4 bits of each position of a [`Signature`], two positions per byte.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sketch(pub Vec<u8>);

impl Sketch {
    /// The number of positions (twice the byte length; the last may be padding for an odd
    /// permutation count, which then agrees in both sketches, a negligible upward bias).
    pub fn positions(&self) -> usize {
        self.0.len() * 2
    }

    /// The estimated Jaccard similarity: the fraction `m` of agreeing positions corrected for
    /// chance agreement, `(m - 1/16) / (15/16)`, clamped to `[0, 1]`.
    pub fn jaccard(&self, other: &Sketch) -> f64 {
        sketch_jaccard(&self.0, &other.0)
    }
}

/// [`Sketch::jaccard`] on the sketches' bytes.
pub fn sketch_jaccard(a: &[u8], b: &[u8]) -> f64 {
    {
        let n = a.len().min(b.len());
        if n == 0 {
            return 0.0;
        }
        let mut same = 0usize;
        for (x, y) in a.iter().zip(b) {
            let d = x ^ y;
            same += usize::from(d & 0x0F == 0) + usize::from(d & 0xF0 == 0);
        }
        let m = same as f64 / (2 * n) as f64;
        ((m - 1.0 / 16.0) / (15.0 / 16.0)).clamp(0.0, 1.0)
    }
}

impl MinHasher {
    /// `num_perm` permutations (at least 1) drawn from `seed`. The same seed gives the same
    /// permutations on every platform.
    pub fn new(num_perm: usize, seed: u64) -> MinHasher {
        let num_perm = num_perm.max(1);
        let padded = num_perm.div_ceil(BLOCK) * BLOCK;
        let mut state = seed ^ 0x6A09_E667_F3BC_C908;
        let mut a = Vec::with_capacity(padded);
        let mut b = Vec::with_capacity(padded);
        for _ in 0..padded {
            let r = splitmix64(&mut state);
            a.push((r as u32) | 1);
            b.push((r >> 32) as u32);
        }
        MinHasher {
            num_perm,
            seed,
            a,
            b,
        }
    }

    /// The number of permutations.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// The seed the permutations were drawn from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The signature of a list of shingle hashes (order and repeats do not matter).
    pub fn signature(&self, shingles: &[u32]) -> Signature {
        let mut out = vec![u32::MAX; self.a.len()];
        self.signature_into(shingles, &mut out);
        out.truncate(self.num_perm);
        Signature(out)
    }

    /// Writes the minima into `out`, which must hold the padded permutation count
    /// (`num_perm` rounded up to a multiple of 32) and start at `u32::MAX`.
    fn signature_into(&self, shingles: &[u32], out: &mut [u32]) {
        for ((a, b), acc) in self
            .a
            .chunks_exact(BLOCK)
            .zip(self.b.chunks_exact(BLOCK))
            .zip(out.chunks_exact_mut(BLOCK))
        {
            let a: &[u32; BLOCK] = a.try_into().expect("block");
            let b: &[u32; BLOCK] = b.try_into().expect("block");
            let acc: &mut [u32; BLOCK] = acc.try_into().expect("block");
            block(shingles, a, b, acc);
        }
    }
}

/// One block of permutations over all shingles, with the best kernel the CPU has.
fn block(xs: &[u32], a: &[u32; BLOCK], b: &[u32; BLOCK], acc: &mut [u32; BLOCK]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { block_avx2(xs, a, b, acc) };
        }
    }
    block_portable(xs, a, b, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_avx2(xs: &[u32], a: &[u32; BLOCK], b: &[u32; BLOCK], acc: &mut [u32; BLOCK]) {
    block_portable(xs, a, b, acc)
}

#[inline(always)]
fn block_portable(xs: &[u32], a: &[u32; BLOCK], b: &[u32; BLOCK], acc: &mut [u32; BLOCK]) {
    let mut m = *acc;
    for &x in xs {
        let x = fmix32(x);
        for j in 0..BLOCK {
            let h = a[j].wrapping_mul(x).wrapping_add(b[j]);
            let h = h ^ (h >> 16);
            m[j] = m[j].min(h);
        }
    }
    *acc = m;
}

/// MurmurHash3's 32-bit finalizer, a bijection: spreads structured inputs (consecutive
/// integers) before the linear permutations, which would otherwise keep their structure.
#[inline(always)]
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mixed(range: std::ops::Range<u32>) -> Vec<u32> {
        range.map(|i| i.wrapping_mul(0x9E37_79B9)).collect()
    }

    #[test]
    fn identical_and_disjoint() {
        let h = MinHasher::new(128, 7);
        let a = h.signature(&mixed(0..500));
        assert_eq!(a.0.len(), 128);
        assert_eq!(a.jaccard(&h.signature(&mixed(0..500))), 1.0);
        // Order and repeats do not matter.
        let mut rev = mixed(0..500);
        rev.reverse();
        rev.extend(mixed(0..50));
        assert_eq!(h.signature(&rev), a);
        assert!(a.jaccard(&h.signature(&mixed(10_000..10_500))) < 0.1);
        assert_eq!(h.signature(&[]).0, vec![u32::MAX; 128]);
    }

    #[test]
    fn estimates_jaccard() {
        let h = MinHasher::new(256, 1);
        for (overlap, want) in [(900u32, 900.0 / 1100.0), (500, 500.0 / 1500.0)] {
            let a = h.signature(&mixed(0..1000));
            let b = h.signature(&mixed(1000 - overlap..2000 - overlap));
            assert!((a.jaccard(&b) - want).abs() < 0.08, "{}", a.jaccard(&b));
            assert!((a.sketch().jaccard(&b.sketch()) - want).abs() < 0.1);
        }
    }

    #[test]
    fn odd_counts_and_portable_kernel_agree() {
        let h = MinHasher::new(13, 3);
        let xs = mixed(0..300);
        let s = h.signature(&xs);
        assert_eq!(s.0.len(), 13);
        assert_eq!(s.sketch().0.len(), 7);
        let mut acc = [u32::MAX; BLOCK];
        block_portable(
            &xs,
            h.a[..BLOCK].try_into().unwrap(),
            h.b[..BLOCK].try_into().unwrap(),
            &mut acc,
        );
        assert_eq!(&acc[..13], &s.0[..]);
    }

    #[test]
    fn sketch_packing() {
        let s = Signature(vec![0x12, 0x3F, 0x40]);
        assert_eq!(s.sketch().0, vec![0xF2, 0x00]);
        assert_eq!(s.sketch().jaccard(&s.sketch()), 1.0);
    }
}

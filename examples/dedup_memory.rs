//! Bytes per document held by the deduplication index, on a synthetic corpus.
//!
//! ```text
//! cargo run --release --example dedup_memory -- [DOCS (default 1000000)] [DUPLICATE EVERY (default 10)]
//! ```
//!
//! Documents are 300 random characters drawn from the 3,500 most common Chinese characters
//! (a fixed seed); every `DUPLICATE EVERY`-th document is a near copy of an earlier one (three
//! characters changed, Jaccard about 0.9), so both kept documents and duplicates are exercised. Prints the index's
//! bytes by part per document, and the process's peak resident memory.

use scour::dedup::{Deduper, Outcome};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn doc(seed: u64, changes: u64) -> String {
    let mut r = Rng(seed);
    let mut chars: Vec<char> = (0..300)
        .map(|_| char::from_u32(0x4E00 + (r.next() % 3500) as u32).unwrap())
        .collect();
    let mut c = Rng(seed ^ changes.wrapping_mul(0xABCD));
    for _ in 0..changes {
        let at = (c.next() % 300) as usize;
        chars[at] = char::from_u32(0x4E00 + (c.next() % 3500) as u32).unwrap();
    }
    chars.into_iter().collect()
}

fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let n = args.first().copied().unwrap_or(1_000_000);
    let every = args.get(1).copied().unwrap_or(10).max(2);
    let mut d = Deduper::new();
    let start = std::time::Instant::now();
    let mut dups = 0u64;
    let mut bytes = 0u64;
    let mut i = 0u64;
    while i < n {
        let batch: Vec<String> = (i..(i + 8192).min(n))
            .map(|k| {
                if k % every == every - 1 {
                    // A near copy of an earlier original (never of another copy).
                    let source = k / 2;
                    doc(source - u64::from(source % every == every - 1), 3)
                } else {
                    doc(k, 0)
                }
            })
            .collect();
        bytes += batch.iter().map(|t| t.len() as u64).sum::<u64>();
        dups += d
            .push_batch(&batch)
            .iter()
            .filter(|x| matches!(x.outcome, Outcome::Duplicate { .. }))
            .count() as u64;
        i += batch.len() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    let m = d.memory();
    let per = |b: usize| b as f64 / n as f64;
    let banding = d.config().get_banding();
    println!(
        "{n} documents ({:.0} MB), {dups} duplicates, {} kept; {:.1} s ({:.0} MB/s)",
        bytes as f64 / 1e6,
        d.clusters(),
        secs,
        bytes as f64 / 1e6 / secs
    );
    println!(
        "settings: 128 permutations, {} bands x {} rows, threshold {}",
        banding.bands,
        banding.rows,
        d.config().get_threshold()
    );
    println!("| part | bytes | bytes/doc |");
    println!("|---|---:|---:|");
    for (name, b) in [
        ("LSH band tables", m.bands),
        ("sketches (4-bit, 64 B per kept doc)", m.sketches),
        ("cluster records", m.clusters),
        ("MinHash LSH index (the three above)", m.minhash_lsh()),
        ("exact-key table", m.exact),
        ("total", m.total()),
    ] {
        println!("| {name} | {b} | {:.1} |", per(b));
    }
    if let Some(p) = peak_rss() {
        println!(
            "peak resident memory: {:.1} MB ({:.0} B/doc)",
            p as f64 / 1e6,
            p as f64 / n as f64
        );
    }
}

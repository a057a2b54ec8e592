//! Generates the Han statistics the mojibake repairer scores with, from the Chinese corpora.
//!
//! ```text
//! xz -dkc ../shared/data/corpus/laws-zh.jsonl.xz > target/scour-data/laws-zh.jsonl
//! xz -dkc ../shared/data/corpus/classical-modern-zh.jsonl.xz > target/scour-data/classical-modern-zh.jsonl
//! cargo run --release --example gen_han_stats -- target/scour-data
//! ```
//!
//! Training text: every record of `classical-modern-zh.jsonl` and the even-numbered records of
//! `laws-zh.jsonl` (the odd-numbered ones and the OI-wiki revisions are held out for the
//! mojibake suite). Writes:
//!
//! - `src/mojibake/han_unigram.bin`: one byte per code point U+4E00..=U+9FFF, the character's
//!   frequency class: `round(log2(count + 1))`, capped at 255 (0 = never seen).
//! - `src/mojibake/han_bigram.bin`: a 2^22-bit set (512 KiB) of hashed Han bigrams seen at least
//!   twice (see `bigram_slot` in `src/mojibake.rs`, which must hash the same way).

use std::collections::HashMap;
use std::io::BufRead;

const BIGRAM_BITS: u32 = 22;

fn bigram_slot(a: char, b: char) -> usize {
    let key = ((a as u32) << 16) ^ (b as u32).wrapping_mul(0x9E37_79B1);
    (key.wrapping_mul(0x85EB_CA6B) >> (32 - BIGRAM_BITS)) as usize
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or("target/scour-data".into()),
    );
    let mut unigram = vec![0u64; 0x5200];
    let mut bigram: HashMap<(char, char), u32> = HashMap::new();
    for (file, keep) in [("classical-modern-zh.jsonl", 1usize), ("laws-zh.jsonl", 2)] {
        let reader = std::io::BufReader::new(std::fs::File::open(dir.join(file)).expect(file));
        for (i, line) in reader.lines().enumerate() {
            if i % keep != 0 {
                continue;
            }
            let line = line.unwrap();
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            let text = v["text"].as_str().unwrap_or("");
            let mut prev = ' ';
            for c in text.chars() {
                if is_han(c) {
                    unigram[c as usize - 0x4E00] += 1;
                    if is_han(prev) {
                        *bigram.entry((prev, c)).or_default() += 1;
                    }
                }
                prev = c;
            }
        }
    }
    let uni: Vec<u8> = unigram
        .iter()
        .map(|&n| ((n as f64 + 1.0).log2().round() as u64).min(255) as u8)
        .collect();
    let mut bits = vec![0u8; 1 << (BIGRAM_BITS - 3)];
    let mut kept = 0;
    for (&(a, b), &n) in &bigram {
        if n >= 2 {
            let slot = bigram_slot(a, b);
            bits[slot / 8] |= 1 << (slot % 8);
            kept += 1;
        }
    }
    std::fs::write("src/mojibake/han_unigram.bin", &uni).unwrap();
    std::fs::write("src/mojibake/han_bigram.bin", &bits).unwrap();
    let set = bits.iter().map(|b| b.count_ones()).sum::<u32>();
    eprintln!(
        "{} distinct bigrams, {kept} seen twice or more, {set} of {} bits set; {} Han characters seen",
        bigram.len(),
        1u32 << BIGRAM_BITS,
        unigram.iter().filter(|&&n| n > 0).count()
    );
}

//! Fingerprinting speed: raw text to MinHash signatures, including the matching key
//! (NFKC-equivalent normalization, case folding, punctuation dropped) and shingling, on one core.
//!
//! `cargo bench --bench dedup`. The Chinese input is the laws corpus
//! (`target/scour-data/corpus/laws-zh.jsonl`, from `../shared/data/unpack.sh target/scour-data`)
//! when present, else the bundled seed report.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scour::dedup::key::{tokenize, KeyConfig};
use scour::dedup::shingle::Shingler;
use scour::dedup::{DedupConfig, MinHasher};
use std::hint::black_box;

fn chinese_docs() -> (String, Vec<String>) {
    let laws = std::path::Path::new("target/scour-data/corpus/laws-zh.jsonl");
    if let Ok(body) = std::fs::read_to_string(laws) {
        let docs: Vec<String> = body
            .lines()
            .take(400)
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        return ("laws-zh (first 400 docs)".into(), docs);
    }
    let seed = std::fs::read_to_string("tests/data/seed.txt").unwrap();
    ("seed report".into(), vec![seed])
}

fn bench(c: &mut Criterion) {
    let (name, docs) = chinese_docs();
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut g = c.benchmark_group(format!("dedup/{name}"));
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);

    let fp = DedupConfig::new().fingerprinter().unwrap();
    g.bench_function(
        "fingerprint (key + shingles + 128-perm MinHash + bands)",
        |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(fp.fingerprint(d));
                }
            })
        },
    );

    let shingler = Shingler::new(5, KeyConfig::default());
    let hasher = MinHasher::new(128, 1);
    g.bench_function("signature (key + shingles + 128-perm MinHash)", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(hasher.signature(&shingler.shingles(d)));
            }
        })
    });

    g.bench_function("key + tokens only", |b| {
        let (mut key, mut tokens) = (String::new(), Vec::new());
        b.iter(|| {
            for d in &docs {
                tokenize(d, &KeyConfig::default(), &mut key, &mut tokens);
                black_box(tokens.len());
            }
        })
    });

    let shingles: Vec<Vec<u32>> = docs.iter().map(|d| shingler.shingles(d)).collect();
    g.bench_function("MinHash kernel only (128 perms)", |b| {
        b.iter(|| {
            for s in &shingles {
                black_box(hasher.signature(s));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

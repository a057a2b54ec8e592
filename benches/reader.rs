//! Throughput of the reader, stage by stage and end to end, on the seed and on the Chinese laws
//! corpus (`../shared/data/corpus/laws-zh.jsonl.xz`, unpacked into `target/` on first use); and
//! legacy decoding with detection: every 10th laws document in GBK and in Big5, and the
//! single-byte files of `../shared/data/encodings/` each repeated to 4 KB.
//!
//! `cargo bench --bench reader`; each figure is bytes of input per second on one core.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scour::normalize::{compose, Normalizer};
use scour::{decode, BoilerplateCutter, Cleaner, RepetitionCollapser};

const SEED: &[u8] = include_bytes!("../tests/data/seed.txt");

/// The laws corpus as one text per document, or `None` (with a message) if the data is absent.
fn laws() -> Option<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let packed = root.join("../shared/data/corpus/laws-zh.jsonl.xz");
    let unpacked: PathBuf = root.join("target/scour-data/corpus/laws-zh.jsonl");
    if !unpacked.exists() {
        if !packed.exists() {
            eprintln!("skipping the laws corpus: {} is absent", packed.display());
            return None;
        }
        std::fs::create_dir_all(unpacked.parent()?).ok()?;
        let out = std::process::Command::new("xz")
            .arg("-dkc")
            .arg(&packed)
            .output()
            .ok()?;
        std::fs::write(&unpacked, out.stdout).ok()?;
    }
    let text = std::fs::read_to_string(&unpacked).ok()?;
    Some(
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_owned))
            .collect(),
    )
}

fn stages_on_seed(c: &mut Criterion) {
    let mut group = c.benchmark_group("seed");
    group.throughput(Throughput::Bytes(SEED.len() as u64));
    let text = decode(SEED).unwrap().text;
    let normalized = Normalizer::new().normalize(&text).text.into_owned();
    let cutter = BoilerplateCutter::from_phrases(["侯卫东官场笔记"]).unwrap();
    group.bench_function("decode", |b| b.iter(|| decode(SEED).unwrap()));
    group.bench_function("normalize", |b| {
        b.iter(|| Normalizer::new().normalize(&text).edits.len())
    });
    group.bench_function("compose", |b| b.iter(|| compose(&normalized).edits.len()));
    group.bench_function("boilerplate", |b| {
        b.iter(|| cutter.cut(&normalized).edits.len())
    });
    group.bench_function("repetition", |b| {
        b.iter(|| RepetitionCollapser::new().collapse(&normalized).edits.len())
    });
    let cleaner = Cleaner::builder().boilerplate(cutter.clone()).build();
    group.bench_function("clean", |b| {
        b.iter(|| cleaner.clean(SEED).unwrap().text.len())
    });
    group.finish();
}

fn corpus(c: &mut Criterion) {
    let Some(docs) = laws() else { return };
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut group = c.benchmark_group("laws-zh");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(bytes as u64));
    let cleaner = Cleaner::new();
    group.bench_function(
        BenchmarkId::new("clean", format!("{} docs", docs.len())),
        |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| cleaner.clean(d.as_bytes()).unwrap().text.len())
                    .sum::<usize>()
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("decode", format!("{} docs", docs.len())),
        |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| decode(d.as_bytes()).unwrap().text.len())
                    .sum::<usize>()
            })
        },
    );
    group.finish();
}

/// The files of `encodings/` that decode to one character per byte (single-byte code pages
/// with some non-ASCII text), each repeated to 4 KB.
fn single_byte_documents() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/encodings");
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
        eprintln!(
            "skipping the single-byte documents: {} is absent",
            root.display()
        );
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| std::fs::read(root.join(line.split('\t').next()?)).ok())
        .filter(|f| {
            f.iter().any(|b| !b.is_ascii())
                && decode(f).is_ok_and(|d| d.text.chars().count() == f.len())
        })
        .map(|f| f.iter().copied().cycle().take(4096).collect())
        .collect()
}

fn legacy(c: &mut Criterion) {
    let mut sets: Vec<(&str, Vec<Vec<u8>>)> = Vec::new();
    if let Some(docs) = laws() {
        for encoding in [encoding_rs::GBK, encoding_rs::BIG5] {
            let encoded = docs
                .iter()
                .step_by(10)
                .map(|d| encoding.encode(d).0.into_owned())
                .collect();
            sets.push((encoding.name(), encoded));
        }
    }
    sets.push(("single-byte 4 KB", single_byte_documents()));
    let mut group = c.benchmark_group("legacy");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for (name, docs) in sets.iter().filter(|(_, docs)| !docs.is_empty()) {
        let bytes: usize = docs.iter().map(Vec::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(
            BenchmarkId::new(*name, format!("{} docs", docs.len())),
            |b| {
                b.iter(|| {
                    docs.iter()
                        .map(|d| decode(d).unwrap().text.len())
                        .sum::<usize>()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, stages_on_seed, corpus, legacy);
criterion_main!(benches);

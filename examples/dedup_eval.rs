//! Precision and recall of `scour::dedup` on labelled data.
//!
//! ```text
//! cargo run --release --example dedup_eval -- oiwiki target/scour-data/neardup/oiwiki-revisions.jsonl
//! cargo run --release --example dedup_eval -- built target/scour-data/corpus/laws-zh.jsonl \
//!     target/scour-data/corpus/classical-modern-zh.jsonl
//! ```
//!
//! `oiwiki`: revisions of one lineage are positives. A predicted pair across lineages is a false
//! positive unless the two blobs are equal. Recall is over the same-lineage pairs whose exact
//! character-5-gram Jaccard similarity is at least the threshold (computed within lineages only).
//!
//! `built`: the labelled set of `common/labelled.rs`, built from the given JSONL corpora: sources
//! of at least 1,000 characters that are not near duplicates of each other (exact 5-gram Jaccard
//! below 0.5), half of them with one to four edited variants. Pairwise precision and recall.
//! `--write SET.jsonl` also writes the set with its truth (`id`, `group`, `edits`, `text`).

#[path = "common/labelled.rs"]
mod labelled;

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;
use scour::dedup::{DedupConfig, Method};
use scour::jsonl::{Documents, Fields};
use serde::Deserialize;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("oiwiki") if args.len() == 2 => oiwiki(&args[1]),
        Some("built") if args.len() >= 2 => built(&args[1..]),
        _ => {
            eprintln!(
                "usage: dedup_eval oiwiki FILE | dedup_eval built [--write SET.jsonl] CORPUS.jsonl..."
            );
            std::process::exit(2);
        }
    }
}

fn configs() -> Vec<(&'static str, DedupConfig)> {
    vec![
        ("minhash (default)", DedupConfig::new()),
        (
            "minhash, fn weight 0.8 (12 x 10)",
            DedupConfig::new().fn_weight(0.8),
        ),
        ("minhash fineweb preset", DedupConfig::fineweb()),
        ("simhash k=3", DedupConfig::new().method(Method::SimHash)),
        ("exact", DedupConfig::new().method(Method::Exact)),
    ]
}

fn cluster_all(config: DedupConfig, texts: &[&str]) -> (Vec<u32>, f64) {
    let mut d = config.build().expect("the configurations are in range");
    let start = Instant::now();
    let clusters = d.push_batch(texts).into_iter().map(|x| x.cluster).collect();
    (clusters, start.elapsed().as_secs_f64())
}

#[derive(Deserialize)]
struct Revision {
    lineage: String,
    blob: String,
    text: String,
}

fn oiwiki(path: &str) {
    let revs: Vec<Revision> = std::fs::read_to_string(path)
        .expect("read the revisions file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a revision record"))
        .collect();
    let texts: Vec<&str> = revs.iter().map(|r| r.text.as_str()).collect();
    let mb = texts.iter().map(|t| t.len()).sum::<usize>() as f64 / 1e6;
    eprintln!("{} revisions, {mb:.1} MB", revs.len());

    // The positives: same-lineage pairs at or above the threshold, by exact 5-gram Jaccard.
    let threshold = DedupConfig::new().get_threshold();
    let mut lineages: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        lineages.entry(&r.lineage).or_default().push(i);
    }
    let mut groups: Vec<&Vec<usize>> = lineages.values().collect();
    groups.sort();
    let start = Instant::now();
    let positives: Vec<(usize, usize, f64)> = groups
        .par_iter()
        .flat_map_iter(|members| {
            let grams: Vec<Vec<u64>> = members
                .iter()
                .map(|&i| labelled::char_grams(&revs[i].text, 5))
                .collect();
            let mut out = Vec::new();
            for a in 0..members.len() {
                for b in a + 1..members.len() {
                    let j = labelled::jaccard(&grams[a], &grams[b]);
                    if j >= threshold {
                        out.push((members[a], members[b], j));
                    }
                }
            }
            out
        })
        .collect();
    eprintln!(
        "{} same-lineage pairs with exact char-5-gram Jaccard >= {threshold} ({:.0} s)",
        positives.len(),
        start.elapsed().as_secs_f64()
    );

    println!("| settings | predicted pairs | false positives | precision | recall | recall J 0.8-0.9 | J 0.9-0.95 | J 0.95-1 | time | MB/s |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, config) in configs() {
        let (clusters, secs) = cluster_all(config, &texts);
        let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, &c) in clusters.iter().enumerate() {
            members.entry(c).or_default().push(i);
        }
        let (mut predicted, mut false_pos) = (0u64, 0u64);
        for m in members.values() {
            for a in 0..m.len() {
                for b in a + 1..m.len() {
                    predicted += 1;
                    let (x, y) = (&revs[m[a]], &revs[m[b]]);
                    if x.lineage != y.lineage && x.blob != y.blob {
                        false_pos += 1;
                    }
                }
            }
        }
        let bands = [(0.0, 0.9), (0.9, 0.95), (0.95, 1.01)];
        let mut found = [0u64; 3];
        let mut total = [0u64; 3];
        for &(a, b, j) in &positives {
            let k = bands
                .iter()
                .position(|&(lo, hi)| j >= lo && j < hi)
                .unwrap_or(2);
            total[k] += 1;
            if clusters[a] == clusters[b] {
                found[k] += 1;
            }
        }
        if name == "minhash (default)" {
            // Why pairs were missed: is their Jaccard over scour's own shingles below the
            // threshold (the key and shingling see them as less similar), or are they split
            // at the edge of two clusters (each document verified against its own cluster's
            // kept document, as a chain of revisions drifts away from the first)?
            let shingler = DedupConfig::new().shingler();
            let ours = |i: usize| {
                let mut v: Vec<u64> = shingler
                    .shingles(&revs[i].text)
                    .into_iter()
                    .map(u64::from)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let missed: Vec<&(usize, usize, f64)> = positives
                .iter()
                .filter(|&&(a, b, _)| clusters[a] != clusters[b])
                .collect();
            let below = missed
                .par_iter()
                .filter(|&&&(a, b, _)| labelled::jaccard(&ours(a), &ours(b)) < threshold)
                .count();
            eprintln!(
                "default settings: {} positive pairs missed; {below} of them have a Jaccard \
                 below {threshold} over scour's shingles, {} are split between two clusters",
                missed.len(),
                missed.len() - below
            );
        }
        let recall = found.iter().sum::<u64>() as f64 / positives.len().max(1) as f64;
        let precision = if predicted == 0 {
            1.0
        } else {
            1.0 - false_pos as f64 / predicted as f64
        };
        let r = |k: usize| found[k] as f64 / total[k].max(1) as f64;
        println!(
            "| {name} | {predicted} | {false_pos} | {precision:.4} | {recall:.4} | {:.4} ({}) | {:.4} ({}) | {:.4} ({}) | {secs:.2} s | {:.0} |",
            r(0),
            total[0],
            r(1),
            total[1],
            r(2),
            total[2],
            mb / secs
        );
    }
}

fn built(args: &[String]) {
    let (write, paths) = match args {
        [flag, file, rest @ ..] if flag == "--write" => (Some(file.clone()), rest),
        _ => (None, args),
    };
    let mut texts = Vec::new();
    for p in paths {
        for d in Documents::open(p.as_ref(), &Fields::default()).expect("open corpus") {
            texts.push(d.expect("a record").text);
        }
    }
    // Keep the set a manageable size: every law, and classical chapters up to 4,000 in all.
    texts.truncate(8000);
    let sources = labelled::pick_sources(texts, 1000);
    let sources: Vec<String> = sources.into_iter().take(4000).collect();
    let set = labelled::build(&sources, sources.len() / 2, 20_251_125);
    let variants = set.iter().filter(|d| !d.edits.is_empty()).count();
    let mb = set.iter().map(|d| d.text.len()).sum::<usize>() as f64 / 1e6;
    eprintln!(
        "{} sources, {} documents ({variants} edited variants), {mb:.1} MB",
        sources.len(),
        set.len()
    );
    if let Some(file) = write {
        // The set with its truth, for benches/compare_dedup.py --truth.
        let mut out = String::new();
        for (i, d) in set.iter().enumerate() {
            out.push_str(
                &serde_json::json!({"id": i, "group": d.group, "edits": d.edits, "text": d.text})
                    .to_string(),
            );
            out.push('\n');
        }
        std::fs::write(&file, out).expect("write the set");
        eprintln!("wrote {file}");
    }
    let texts: Vec<&str> = set.iter().map(|d| d.text.as_str()).collect();
    let groups: Vec<u32> = set.iter().map(|d| d.group).collect();
    println!(
        "| settings | true pairs | predicted pairs | correct | precision | recall | time | MB/s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, config) in configs() {
        let (clusters, secs) = cluster_all(config, &texts);
        let s = labelled::score(&groups, &clusters);
        println!(
            "| {name} | {} | {} | {} | {:.4} | {:.4} | {secs:.2} s | {:.0} |",
            s.truth,
            s.predicted,
            s.both,
            s.precision(),
            s.recall(),
            mb / secs
        );
        if name.starts_with("minhash (default)") {
            // Recall by edit: is each variant in its source's cluster?
            let mut source_cluster: HashMap<u32, u32> = HashMap::new();
            for (d, &c) in set.iter().zip(&clusters) {
                if d.edits.is_empty() {
                    source_cluster.insert(d.group, c);
                }
            }
            let mut by_edit: HashMap<&str, (u32, u32)> = HashMap::new();
            for (d, &c) in set.iter().zip(&clusters) {
                for &e in &d.edits {
                    let entry = by_edit.entry(e).or_default();
                    entry.1 += 1;
                    if source_cluster.get(&d.group) == Some(&c) {
                        entry.0 += 1;
                    }
                }
            }
            let mut rows: Vec<_> = by_edit.into_iter().collect();
            rows.sort();
            for (e, (hit, n)) in rows {
                eprintln!("  variants with {e}: {hit}/{n} with their source");
            }
        }
    }
}

//! Learns boilerplate from a JSONL corpus (one `{"text": ...}` object per line), streaming: each
//! of the learner's three passes reads the file again and cleans each document (in parallel
//! chunks), so memory does not grow with the corpus. Prints the model, the throughput and the
//! peak memory.
//!
//! ```text
//! xz -dkc ../shared/data/corpus/classical-modern-zh.jsonl.xz > target/classical-modern-zh.jsonl
//! cargo run --release --example learn_corpus -- target/classical-modern-zh.jsonl [MODEL]
//! ```

use std::io::BufRead;
use std::time::Instant;

use rayon::prelude::*;
use scour::learn::BoilerplateLearner;
use scour::Cleaner;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: learn_corpus FILE.jsonl [MODEL]")?;
    let model_path = args.next();
    let bytes = std::fs::metadata(&path)?.len();
    let cleaner = Cleaner::new();
    let open = || -> std::io::BufReader<std::fs::File> {
        std::io::BufReader::new(std::fs::File::open(&path).expect("readable corpus"))
    };
    if std::env::var_os("LEARN_IN_MEMORY").is_some() {
        // The learner alone: documents cleaned once, held in memory, then learned from.
        let texts: Vec<String> = open()
            .lines()
            .map(|l| l.expect("readable corpus"))
            .collect::<Vec<_>>()
            .par_iter()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).expect("valid JSONL");
                let text = value["text"].as_str().unwrap_or_default();
                cleaner.clean(text.as_bytes()).expect("text").text
            })
            .collect();
        let text_bytes: usize = texts.iter().map(String::len).sum();
        let t = Instant::now();
        let model = BoilerplateLearner::new().learn(|| texts.iter());
        let secs = t.elapsed().as_secs_f64();
        println!(
            "learner alone: {} documents, {:.1} MB of cleaned text: {} spans in {:.2} s = {:.1} MB/s, {:.0} docs/s",
            model.documents,
            text_bytes as f64 / 1e6,
            model.entries.len(),
            secs,
            text_bytes as f64 / 1e6 / secs,
            model.documents as f64 / secs,
        );
        return Ok(());
    }
    let t = Instant::now();
    let model = BoilerplateLearner::new().learn(|| {
        // Lines in chunks of 256, parsed and cleaned in parallel, yielded in order.
        let cleaner = &cleaner;
        let mut lines = open().lines().map(|l| l.expect("readable corpus"));
        std::iter::from_fn(move || {
            let chunk: Vec<String> = lines.by_ref().take(256).collect();
            (!chunk.is_empty()).then(|| {
                chunk
                    .par_iter()
                    .map(|line| {
                        let value: serde_json::Value =
                            serde_json::from_str(line).expect("valid JSONL");
                        let text = value["text"].as_str().unwrap_or_default();
                        cleaner.clean(text.as_bytes()).expect("text").text
                    })
                    .collect::<Vec<String>>()
            })
        })
        .flatten()
    });
    let secs = t.elapsed().as_secs_f64();
    for e in &model.entries {
        println!(
            "{:?} {:?} in {} documents, {} occurrences",
            e.text, e.placement, e.doc_frequency, e.evidence.occurrences
        );
    }
    if let Some(p) = model_path {
        model.save(p)?;
    }
    // After the timing: how much the model would cut from the same documents.
    if !model.entries.is_empty() {
        let cutter = model.cutter()?;
        let (mut removed, mut cut_docs) = (0usize, 0usize);
        for line in open().lines() {
            let value: serde_json::Value = serde_json::from_str(&line?)?;
            let text = value["text"].as_str().unwrap_or_default();
            let text = cleaner.clean(text.as_bytes())?.text;
            let n: usize = cutter
                .cut(&text)
                .edits
                .iter()
                .map(|e| e.removed.chars().count())
                .sum();
            removed += n;
            cut_docs += usize::from(n > 0);
        }
        println!(
            "the model cuts {removed} of {} characters ({:.4}%) from {cut_docs} documents",
            model.chars,
            removed as f64 * 100.0 / model.chars.max(1) as f64
        );
    }
    println!(
        "{} documents, {:.1} MB of JSONL, {} characters: learned {} spans in {:.2} s = {:.1} MB/s, {:.0} docs/s (three passes, each reading, parsing and cleaning), peak memory {}",
        model.documents,
        bytes as f64 / 1e6,
        model.chars,
        model.entries.len(),
        secs,
        bytes as f64 / 1e6 / secs,
        model.documents as f64 / secs,
        peak_memory().map_or("unknown".into(), |m| format!("{:.1} MB", m as f64 / 1e6)),
    );
    Ok(())
}

/// Peak resident memory (VmHWM) in bytes, on Linux.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

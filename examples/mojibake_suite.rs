//! The CJK mojibake suite, in full: real Chinese, Japanese and Korean text garbled by the real
//! failure paths, repaired, and compared with the truth; then false edits on clean text.
//!
//! ```text
//! ../shared/data/unpack.sh target/scour-data
//! cargo run --release --example mojibake_suite -- target/scour-data ../shared/data/encodings
//! ```
//!
//! Text: the odd-numbered records of `laws-zh.jsonl` and every 20th revision of
//! `oiwiki-revisions.jsonl` (neither used to train the Han statistics), and the Japanese and
//! Korean UTF-8 files of `encodings/`. Each line with at least six non-ASCII characters gives
//! one snippet of up to 40 characters. Clean-text false edits are counted over the whole
//! held-out documents.

#[path = "../tests/support/mojibake_suite.rs"]
mod suite;

use std::io::BufRead;
use std::path::PathBuf;

use scour::mojibake::Repairer;
use suite::{judge, Outcome, Path};

/// Where `unpack.sh` put a file: under `corpus/` or `neardup/` of the folder (or in it).
fn unpacked(data: &std::path::Path, name: &str) -> PathBuf {
    ["corpus", "neardup", ""]
        .iter()
        .map(|sub| data.join(sub).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| data.join(name))
}

fn snippets(text: &str, every: usize, out: &mut Vec<String>) {
    for (i, line) in text.lines().enumerate() {
        if i % every != 0 {
            continue;
        }
        let line = line.trim();
        if line.chars().filter(|c| !c.is_ascii()).count() < 6 {
            continue;
        }
        out.push(line.chars().take(40).collect());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = PathBuf::from(args.first().map_or("target/scour-data", String::as_str));
    let encodings = PathBuf::from(
        args.get(1)
            .map_or("../shared/data/encodings", String::as_str),
    );
    let mut zh_docs = Vec::new();
    let laws = std::io::BufReader::new(
        std::fs::File::open(unpacked(&data, "laws-zh.jsonl")).expect("laws-zh.jsonl"),
    );
    for (i, line) in laws.lines().enumerate() {
        if i % 2 == 1 {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            zh_docs.push(v["text"].as_str().unwrap_or("").to_owned());
        }
    }
    if let Ok(f) = std::fs::File::open(unpacked(&data, "oiwiki-revisions.jsonl")) {
        for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
            if i % 20 == 0 {
                let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
                zh_docs.push(v["text"].as_str().unwrap_or("").to_owned());
            }
        }
    }
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    let mut zh = Vec::new();
    for doc in &zh_docs {
        snippets(doc, 25, &mut zh);
    }
    groups.push(("zh", zh));
    for (lang, files) in [
        (
            "ja",
            &[
                "uchardet/ja/utf-8.txt",
                "cpython-cjkencodings/euc_jp-utf8.txt",
                "cpython-cjkencodings/shift_jis-utf8.txt",
                "cpython-cjkencodings/euc_jisx0213-utf8.txt",
                "cpython-cjkencodings/iso2022_jp-utf8.txt",
            ][..],
        ),
        (
            "ko",
            &[
                "uchardet/ko/utf-8.txt",
                "cpython-cjkencodings/euc_kr-utf8.txt",
                "cpython-cjkencodings/cp949-utf8.txt",
                "cpython-cjkencodings/johab-utf8.txt",
                "cpython-cjkencodings/iso2022_kr-utf8.txt",
            ][..],
        ),
    ] {
        let mut v = Vec::new();
        for f in files {
            if let Ok(text) = std::fs::read_to_string(encodings.join(f)) {
                snippets(&text, 1, &mut v);
            }
        }
        groups.push((lang, v));
    }
    // `--write FILE`: every case as a JSON line (text, path, garbled, truth, scour's repair),
    // for `benches/compare_encoding.py`.
    let mut write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
        .map(|p| std::io::BufWriter::new(std::fs::File::create(p).expect("--write file")));
    let repairer = Repairer::new();
    println!("| text | path | cases | exact | exact but for U+FFFD | wrong |");
    println!("|---|---|---:|---:|---:|---:|");
    let (mut all, mut all_exact, mut all_lost) = (0, 0, 0);
    // Cases where the wrong decoder destroyed no byte (no U+FFFD in the garbled text): there
    // an exact repair is possible without guessing.
    let (mut intact, mut intact_exact) = (0, 0);
    let mut wrong_examples = Vec::new();
    for (lang, snips) in &groups {
        for path in Path::ALL {
            let (mut n, mut exact, mut lost) = (0, 0, 0);
            for s in snips {
                let Some(garbled) = path.garble(s) else {
                    continue;
                };
                if garbled == *s {
                    continue;
                }
                n += 1;
                let repaired = repairer.repair(&garbled).text;
                if let Some(w) = write.as_mut() {
                    use std::io::Write;
                    let line = serde_json::json!({
                        "text": lang,
                        "path": path.name(),
                        "garbled": garbled,
                        "truth": path.truth(s),
                        "original": s,
                        "scour": repaired,
                    });
                    writeln!(w, "{line}").unwrap();
                }
                if !garbled.contains('\u{FFFD}') {
                    intact += 1;
                    intact_exact += usize::from(repaired == path.truth(s));
                }
                match judge(&repaired, &path.truth(s)) {
                    Outcome::Exact => exact += 1,
                    Outcome::ExactButLost => lost += 1,
                    Outcome::Wrong => {
                        if wrong_examples.len() < 40 {
                            wrong_examples.push(format!(
                                "{lang} {}: {s:?} -> {garbled:?} -> {repaired:?}",
                                path.name()
                            ));
                        }
                    }
                }
            }
            if n == 0 {
                continue;
            }
            all += n;
            all_exact += exact;
            all_lost += lost;
            println!(
                "| {lang} | {} | {n} | {exact} ({:.1}%) | {lost} | {} |",
                path.name(),
                100.0 * exact as f64 / n as f64,
                n - exact - lost
            );
        }
    }
    println!();
    println!(
        "all: {all} cases, {all_exact} exact ({:.2}%), {} exact or exact but for U+FFFD ({:.2}%)",
        100.0 * all_exact as f64 / all as f64,
        all_exact + all_lost,
        100.0 * (all_exact + all_lost) as f64 / all as f64
    );
    println!(
        "where the wrong decoder destroyed no byte: {intact} cases, {intact_exact} exact ({:.2}%)",
        100.0 * intact_exact as f64 / intact.max(1) as f64
    );
    // Clean text: every changing edit is a false edit.
    let (mut chars, mut false_edits, mut suspicions) = (0usize, 0usize, 0usize);
    let mut false_examples = Vec::new();
    for doc in &zh_docs {
        chars += doc.chars().count();
        let r = repairer.repair(doc);
        for e in &r.edits {
            if e.removed != e.inserted {
                false_edits += 1;
                if false_examples.len() < 10 {
                    false_examples.push(format!(
                        "{:?} -> {:?} ({})",
                        e.removed, e.inserted, e.reason
                    ));
                }
            } else if e.kind == scour::EditKind::Mojibake {
                suspicions += 1;
            }
        }
    }
    println!(
        "clean text: {chars} characters, {false_edits} false edits ({:.3} per 100,000 characters), {suspicions} suspicions recorded",
        false_edits as f64 * 100_000.0 / chars as f64
    );
    // The whole Cleaner on whole clean corpora: every changing repair edit is a false edit.
    // (The classical corpus and the even laws records trained the Han statistics.)
    let cleaner = scour::Cleaner::new();
    for name in ["laws-zh.jsonl", "classical-modern-zh.jsonl"] {
        let Ok(f) = std::fs::File::open(unpacked(&data, name)) else {
            continue;
        };
        let (mut chars, mut false_edits, mut suspicions, mut lost) = (0usize, 0usize, 0, 0);
        for line in std::io::BufReader::new(f).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let text = v["text"].as_str().unwrap_or("");
            chars += text.chars().count();
            let cleaned = cleaner.clean(text.as_bytes()).unwrap();
            for e in cleaned
                .edits
                .iter()
                .filter(|e| e.stage == scour::Stage::Repair)
            {
                match (e.kind, e.removed == e.inserted) {
                    (scour::EditKind::LostData, _) => lost += 1,
                    (_, true) => suspicions += 1,
                    (_, false) => {
                        false_edits += 1;
                        if false_examples.len() < 20 {
                            false_examples.push(format!(
                                "{name}: {:?} -> {:?} ({})",
                                e.removed, e.inserted, e.reason
                            ));
                        }
                    }
                }
            }
        }
        println!(
            "Cleaner on {name}: {chars} characters, {false_edits} false repair edits ({:.3} per 100,000 characters), {suspicions} suspicions, {lost} lost-data flags",
            false_edits as f64 * 100_000.0 / chars.max(1) as f64
        );
    }
    if std::env::var_os("VERBOSE").is_some() {
        for w in wrong_examples {
            println!("wrong: {w}");
        }
        for f in false_examples {
            println!("false edit: {f}");
        }
    }
}

//! EUC-TW detection and decoding, measured on the corpora re-encoded by glibc's iconv.
//!
//! ```text
//! ../shared/data/unpack.sh target/scour-data
//! cargo run --release --example euc_tw_eval [-- target/scour-data/corpus]
//! ```
//!
//! Every 5th laws record and every 20th classical chapter is encoded as EUC-TW by `iconv -c`
//! (characters CNS 11643 lacks are left out), and the bytes are decoded again by `iconv` for the
//! truth. scour decodes them with detection, unforced. Printed per corpus: documents, how many
//! scour detects as EUC-TW and decodes to the truth (also for documents of at least 128 and
//! 1,024 high bytes), what the others were taken for, and MB/s (one thread, wall clock, the
//! decoding alone). The text is simplified Chinese, which EUC-TW holds in planes 1 to 7 and 15;
//! real EUC-TW text is traditional and mostly plane 1. Needs `iconv` with EUC-TW (glibc).

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

/// `iconv` with `args` on `input`: its output.
fn iconv(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("iconv")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("iconv (see the header)");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap().stdout;
    writer.join().unwrap().ok();
    out
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/scour-data/corpus".into());
    for (name, step) in [("laws-zh.jsonl", 5), ("classical-modern-zh.jsonl", 20)] {
        let file =
            std::fs::File::open(format!("{dir}/{name}")).expect("the corpora (see the header)");
        let mut docs: Vec<(Vec<u8>, String)> = Vec::new();
        for line in std::io::BufReader::new(file).lines().step_by(step) {
            let record: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let text = record["text"].as_str().unwrap_or("");
            let bytes = iconv(&["-c", "-f", "UTF-8", "-t", "EUC-TW"], text.as_bytes());
            if bytes.iter().filter(|b| !b.is_ascii()).count() < 16 {
                continue;
            }
            let truth = String::from_utf8(iconv(&["-f", "EUC-TW", "-t", "UTF-8"], &bytes)).unwrap();
            docs.push((bytes, truth));
        }
        let start = std::time::Instant::now();
        let results: Vec<(String, bool)> = docs
            .iter()
            .map(|(bytes, truth)| {
                let decoded = scour::decode(bytes).unwrap();
                (decoded.charset.name().to_owned(), decoded.text == *truth)
            })
            .collect();
        let seconds = start.elapsed().as_secs_f64();
        let total: usize = docs.iter().map(|d| d.0.len()).sum();
        println!(
            "{name}: {} documents, {:.1} MB of EUC-TW, {:.0} MB/s",
            docs.len(),
            total as f64 / 1e6,
            total as f64 / seconds / 1e6
        );
        for least in [16, 128, 1024] {
            let (mut n, mut right) = (0, 0);
            let mut taken_for: BTreeMap<&str, usize> = BTreeMap::new();
            for ((bytes, _), (charset, equal)) in docs.iter().zip(&results) {
                if bytes.iter().filter(|b| !b.is_ascii()).count() < least {
                    continue;
                }
                n += 1;
                if charset == "EUC-TW" && *equal {
                    right += 1;
                } else {
                    *taken_for.entry(charset).or_default() += 1;
                }
            }
            println!("  at least {least:>4} high bytes: {right} of {n} detected as EUC-TW and decoded to the truth; others taken for {taken_for:?}");
        }
    }
}

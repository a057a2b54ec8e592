//! Throughput of decoding and mojibake repair on one core, on the laws corpus.
//!
//! ```text
//! ../shared/data/unpack.sh target/scour-data
//! cargo run --release --example mojibake_speed [-- target/scour-data/corpus/laws-zh.jsonl [../shared/data/encodings]]
//! ```
//!
//! Prints MB/s (10^6 bytes of input per second of the thread's CPU time, the best of three runs,
//! one thread) for:
//! decoding clean UTF-8 with detection; the repair stage alone; the whole [`Cleaner`] with and
//! without the repair stage; and legacy decoding with detection, the corpus encoded as GBK,
//! Big5 and GB18030 (characters a charset lacks are left out of its copy), and the legacy files
//! of `encodings/`.

use std::io::BufRead;
use std::time::Instant;

use scour::mojibake::Repairer;
use scour::Cleaner;

/// This thread's CPU time in seconds (Linux: `/proc/thread-self/schedstat`), so that other
/// processes on a shared machine do not count; wall-clock time elsewhere.
fn cpu_seconds(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| start.elapsed().as_secs_f64(), |ns| ns as f64 / 1e9)
}

/// Best of three runs of `f` over `bytes` bytes, in MB/s of CPU time.
fn rate(bytes: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut best = f64::INFINITY;
    let mut sink = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let before = cpu_seconds(t);
        sink += f();
        best = best.min(cpu_seconds(t) - before);
    }
    std::hint::black_box(sink);
    bytes as f64 / best / 1e6
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/scour-data/corpus/laws-zh.jsonl".into());
    if std::env::var_os("ONLY_MANIFEST").is_some() {
        manifest_figures(&std::path::PathBuf::from(
            std::env::args()
                .nth(2)
                .unwrap_or_else(|| "../shared/data/encodings".into()),
        ));
        return;
    }
    let file = std::fs::File::open(&path).expect("laws-zh.jsonl (see the header)");
    let docs: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
            v["text"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    let total: usize = docs.iter().map(String::len).sum();
    println!(
        "laws-zh: {} documents, {:.1} MB of UTF-8",
        docs.len(),
        total as f64 / 1e6
    );
    // `ONLY_LEGACY=1` skips to the legacy figures (for profiling).
    let only_legacy = std::env::var_os("ONLY_LEGACY").is_some();
    if !only_legacy {
        clean_figures(&docs, total);
    }
    if std::env::var_os("ONLY_REPAIR").is_none() {
        legacy_figures(&docs);
        manifest_figures(&std::path::PathBuf::from(
            std::env::args()
                .nth(2)
                .unwrap_or_else(|| "../shared/data/encodings".into()),
        ));
    }
}

/// Every file of `encodings/` that is not UTF-8, UTF-16 or UTF-32 (small files in some forty
/// charsets, mostly European code pages), decoded with detection.
fn manifest_figures(root: &std::path::Path) {
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.tsv")) else {
        return;
    };
    let files: Vec<Vec<u8>> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let unicode = f[1].starts_with("utf") || f[1] == "us-ascii";
            (!unicode)
                .then(|| std::fs::read(root.join(f[0])).ok())
                .flatten()
        })
        .collect();
    let speed = decode_rate(&files);
    println!(
        "decode the {} legacy files of encodings/ with detection ({:.2} MB): {speed:.1} MB/s",
        files.len(),
        files.iter().map(Vec::len).sum::<usize>() as f64 / 1e6
    );
    // Single-byte documents of web-page sizes: each single-byte file of the set repeated to
    // the size, decoded with detection.
    // A file is single-byte when it decodes to one character per byte.
    let single: Vec<&Vec<u8>> = files
        .iter()
        .filter(|f| {
            f.iter().any(|b| !b.is_ascii())
                && scour::decode(f).is_ok_and(|d| d.text.chars().count() == f.len())
        })
        .collect();
    for size in [4 << 10, 32 << 10, 1 << 20] {
        let docs: Vec<Vec<u8>> = single
            .iter()
            .map(|f| f.iter().copied().cycle().take(size).collect())
            .collect();
        let speed = decode_rate(&docs);
        println!(
            "decode {} single-byte documents of {} KB with detection: {speed:.1} MB/s",
            docs.len(),
            size >> 10
        );
    }
}

/// [`rate`] of decoding `docs` with detection, the set decoded over and over until a run holds
/// 32 MB: the thread's CPU time is only updated every few milliseconds.
fn decode_rate(docs: &[Vec<u8>]) -> f64 {
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let rounds = (32 << 20) / bytes.max(1) + 1;
    rate(bytes * rounds, || {
        (0..rounds)
            .map(|_| {
                docs.iter()
                    .map(|d| scour::decode(d).map_or(0, |d| d.text.len()))
                    .sum::<usize>()
            })
            .sum()
    })
}

fn clean_figures(docs: &[String], total: usize) {
    let decode = rate(total, || {
        docs.iter()
            .map(|d| scour::decode(d.as_bytes()).unwrap().text.len())
            .sum()
    });
    println!("decode clean UTF-8 (detection included): {decode:.0} MB/s");
    let repairer = Repairer::new();
    let repair = rate(total, || {
        docs.iter().map(|d| repairer.repair(d).edits.len()).sum()
    });
    println!("repair stage alone on clean text:        {repair:.0} MB/s");
    if std::env::var_os("ONLY_REPAIR").is_some() {
        return;
    }
    let with = Cleaner::new();
    let without = Cleaner::builder().repair(None).build();
    let clean_with = rate(total, || {
        docs.iter()
            .map(|d| with.clean(d.as_bytes()).unwrap().text.len())
            .sum()
    });
    let clean_without = rate(total, || {
        docs.iter()
            .map(|d| without.clean(d.as_bytes()).unwrap().text.len())
            .sum()
    });
    println!("whole Cleaner, with repair:              {clean_with:.0} MB/s");
    println!("whole Cleaner, without repair:           {clean_without:.0} MB/s");
}

fn legacy_figures(docs: &[String]) {
    for encoding in [encoding_rs::GBK, encoding_rs::BIG5, encoding_rs::GB18030] {
        let encoded: Vec<Vec<u8>> = docs
            .iter()
            .map(|d| {
                let kept: String = d
                    .chars()
                    .filter(|c| {
                        let mut buf = [0u8; 4];
                        !encoding.encode(c.encode_utf8(&mut buf)).2
                    })
                    .collect();
                encoding.encode(&kept).0.into_owned()
            })
            .collect();
        let bytes: usize = encoded.iter().map(Vec::len).sum();
        let mut right = 0;
        let legacy = rate(bytes, || {
            right = encoded
                .iter()
                .filter(|b| {
                    let d = scour::decode(b).unwrap();
                    d.charset.name() == encoding.name()
                        || (encoding == encoding_rs::GB18030 && d.charset.name() == "GBK")
                        || b.is_ascii()
                })
                .count();
            right
        });
        println!(
            "decode {} with detection: {legacy:.0} MB/s ({:.1} MB; {right} of {} documents detected as {})",
            encoding.name(),
            bytes as f64 / 1e6,
            encoded.len(),
            encoding.name()
        );
    }
}

//! Measures scour's charset detection on `../shared/data/encodings/` (the manifest gives the
//! truth) for whole files and for short strings cut from them.
//!
//! ```text
//! cargo run --release --example encoding_eval [-- path/to/encodings] [--verbose]
//! ```
//!
//! A file counts as **correct** when scour's decoded text equals the true text: the UTF-8 twin
//! when the manifest names one, otherwise the bytes decoded with the manifest's charset. Many
//! charsets agree on a given text (ISO-8859-15 and windows-1252 on Danish without `€`), so text
//! equality is the fair test; the strict label agreement is printed beside it.
//!
//! Short strings: from each non-UTF-8 file with at least 64 characters, windows of 4, 8, 16 and
//! 32 characters are cut at 20 evenly spaced places (at character boundaries of the true text),
//! encoded back to the file's bytes, and detected alone. Correct again means the decoded text
//! equals the window.

use std::path::PathBuf;

use scour::Charset;

struct Row {
    path: String,
    label: String,
    twin: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    // `--tsv FILE`: one line per file and per short string with scour's result, for
    // `benches/compare_encoding.py`.
    let mut tsv = args
        .iter()
        .position(|a| a == "--tsv")
        .and_then(|i| args.get(i + 1))
        .map(|p| std::io::BufWriter::new(std::fs::File::create(p).expect("--tsv file")));
    let root = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--tsv"))
        .map(|(_, a)| a)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/encodings"));
    let manifest = std::fs::read_to_string(root.join("manifest.tsv")).expect("manifest.tsv");
    let rows: Vec<Row> = manifest
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                path: f[0].into(),
                label: f[1].into(),
                twin: f[5].into(),
            }
        })
        .collect();
    let (mut label_ok, mut text_ok, mut cjk_total, mut cjk_ok, mut artifacts) = (0, 0, 0, 0, 0);
    let lengths = [4usize, 8, 16, 32];
    let mut short_ok = [0usize; 4];
    let mut short_total = [0usize; 4];
    let mut short_by_charset: std::collections::BTreeMap<&str, [(usize, usize); 4]> =
        std::collections::BTreeMap::new();
    for row in &rows {
        let bytes = std::fs::read(root.join(&row.path)).expect("file");
        let truth_charset = Charset::for_label(&row.label).expect("label");
        let truth = truth_text(&root, row, truth_charset, &bytes);
        let got = scour::decode(&bytes);
        let (name, text) = match &got {
            Ok(d) => (d.charset.name().to_string(), d.text.clone()),
            Err(e) => (format!("error: {e}"), String::new()),
        };
        let l_ok = got.as_ref().is_ok_and(|d| d.charset == truth_charset);
        let t_ok = text == truth;
        if let Some(w) = tsv.as_mut() {
            use std::io::Write;
            writeln!(w, "file\t{}\t0\t0\t{}\t{}", row.path, u8::from(t_ok), name).unwrap();
        }
        label_ok += usize::from(l_ok);
        text_ok += usize::from(t_ok);
        let cjk = row.path.contains("/zh/")
            || row.path.contains("/ja/")
            || row.path.contains("/ko/")
            || row.path.starts_with("cpython")
            || row.path.contains("chinese")
            || row.path.contains("korean");
        if cjk {
            cjk_total += 1;
            cjk_ok += usize::from(t_ok);
        }
        // The reader's output: the normalizer repairs GB2312-table punctuation in Chinese text.
        let cleaned = scour::Cleaner::new()
            .clean(&bytes)
            .map(|c| c.text)
            .unwrap_or_default();
        let left = cleaned.contains('\u{2015}') && row.path.contains("zh")
            || cleaned.contains('\u{30FB}') && !row.path.contains("ja");
        artifacts += usize::from(left);
        if !t_ok || verbose {
            println!(
                "{} {:<45} truth {:<15} got {:<15} label {}",
                if t_ok { "ok  " } else { "FAIL" },
                row.path,
                truth_charset.name(),
                name,
                if l_ok { "same" } else { "differs" }
            );
        }
        // Short strings, from legacy-encoded files.
        if truth_charset == Charset::UTF_8 || row.path.ends_with(".be") || row.path.ends_with(".le")
        {
            continue;
        }
        let chars: Vec<(usize, char)> = truth.char_indices().collect();
        if chars.len() < 64 {
            continue;
        }
        for (k, &len) in lengths.iter().enumerate() {
            for i in 0..20 {
                let start = (chars.len() - len) * i / 20;
                let from = chars[start].0;
                let to = chars.get(start + len).map_or(truth.len(), |c| c.0);
                let window = &truth[from..to];
                let Some(encoded) = encode(truth_charset, window) else {
                    continue;
                };
                short_total[k] += 1;
                let got = scour::decode(&encoded);
                let ok = got.as_ref().is_ok_and(|d| d.text == window);
                if !ok
                    && std::env::var_os("SHOW_SHORT").is_some_and(|v| v == len.to_string().as_str())
                {
                    if let Ok(d) = &got {
                        println!(
                            "short {len} {} got {}: {window:?} -> {:?}",
                            truth_charset.name(),
                            d.charset.name(),
                            d.text
                        );
                    }
                }
                short_ok[k] += usize::from(ok);
                if let Some(w) = tsv.as_mut() {
                    use std::io::Write;
                    writeln!(
                        w,
                        "short\t{}\t{len}\t{start}\t{}\t-",
                        row.path,
                        u8::from(ok)
                    )
                    .unwrap();
                }
                let entry = short_by_charset
                    .entry(truth_charset.name())
                    .or_insert([(0usize, 0usize); 4]);
                entry[k].0 += usize::from(ok);
                entry[k].1 += 1;
            }
        }
    }
    let n = rows.len();
    println!();
    println!("files: {n}");
    println!(
        "correct (decoded text equals the truth): {text_ok} ({:.1}%)",
        pct(text_ok, n)
    );
    println!(
        "label equal to the manifest's:           {label_ok} ({:.1}%)",
        pct(label_ok, n)
    );
    println!("CJK files correct: {cjk_ok} of {cjk_total}");
    println!("files with U+2015/U+30FB artifacts after cleaning: {artifacts}");
    if verbose {
        print_by_charset(&short_by_charset);
    }
    for (k, len) in lengths.iter().enumerate() {
        println!(
            "short strings of {len:>2} chars: {} of {} ({:.1}%)",
            short_ok[k],
            short_total[k],
            pct(short_ok[k], short_total[k])
        );
    }
}

fn print_by_charset(by: &std::collections::BTreeMap<&str, [(usize, usize); 4]>) {
    println!();
    println!("short strings by charset (correct/total for 4, 8, 16, 32 chars):");
    for (name, counts) in by {
        let cells: Vec<String> = counts.iter().map(|(a, b)| format!("{a}/{b}")).collect();
        println!("  {name:<16} {}", cells.join("  "));
    }
}

fn pct(a: usize, b: usize) -> f64 {
    100.0 * a as f64 / b.max(1) as f64
}

fn truth_text(root: &std::path::Path, row: &Row, charset: Charset, bytes: &[u8]) -> String {
    let text = if row.twin.is_empty() {
        let d = scour::Decoder::new()
            .force(&row.label)
            .expect("label")
            .decode(bytes)
            .expect("decodes");
        assert_eq!(d.charset, charset);
        d.text
    } else {
        std::fs::read_to_string(root.join(&row.twin)).expect("twin")
    };
    text.strip_prefix('\u{FEFF}')
        .map(str::to_owned)
        .unwrap_or(text)
}

/// Encodes `text` back to `charset`, or `None` when scour has no encoder for it (or the window
/// starts inside an escape-shifted run, which alone has no meaning).
fn encode(charset: Charset, text: &str) -> Option<Vec<u8>> {
    match charset {
        Charset::Whatwg(e) => {
            let e = e.output_encoding();
            let (bytes, _, unmappable) = e.encode(text);
            (!unmappable).then(|| bytes.into_owned())
        }
        // Of scour's own codecs only the code pages have an encoder; the multi-byte ones are
        // left out of the short-string figures.
        Charset::Extra(codec) if codec.is_single_byte() => {
            text.chars().map(|c| codec.encode_single_byte(c)).collect()
        }
        _ => None,
    }
}

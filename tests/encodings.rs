//! Detection and decoding on the real files of `../shared/data/encodings/`.
//!
//! Fails when the shared data folder is absent, unless `SCOUR_SKIP_SHARED_DATA` is set.

#[path = "support/shared_data.rs"]
mod shared_data;

use std::path::PathBuf;

use scour::{Charset, Cleaner, Method};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/encodings");
    if dir.join("manifest.tsv").is_file() {
        Some(dir)
    } else {
        shared_data::absent(&format!("{} is absent", dir.display()));
        None
    }
}

/// Every legacy file of CPython's CJK codec tests decodes, undetected and unforced, to exactly its
/// `-utf8.txt` twin.
#[test]
fn cpython_cjk_files_decode_to_their_twins_without_a_label() {
    let Some(dir) = data_dir() else { return };
    let dir = dir.join("cpython-cjkencodings");
    let expected = [
        ("big5", "Big5"),
        ("big5hkscs", "Big5"),
        ("cp949", "EUC-KR"),
        ("euc_jisx0213", "EUC-JISX0213"),
        ("euc_jp", "EUC-JP"),
        ("euc_kr", "EUC-KR-makeup"),
        ("gb18030", "gb18030"),
        ("gb2312", "GBK"),
        ("gbk", "GBK"),
        ("hz", "HZ-GB-2312"),
        ("iso2022_jp", "ISO-2022-JP"),
        ("iso2022_kr", "ISO-2022-KR"),
        ("johab", "Johab"),
        ("shift_jis", "Shift_JIS"),
        ("shift_jisx0213", "Shift_JISX0213"),
    ];
    let mut wrong = Vec::new();
    for (name, charset) in expected {
        let bytes = std::fs::read(dir.join(format!("{name}.txt"))).unwrap();
        let twin = std::fs::read_to_string(dir.join(format!("{name}-utf8.txt"))).unwrap();
        let decoded = scour::decode(&bytes).unwrap();
        if decoded.text != twin || decoded.charset.name() != charset || decoded.malformed() != 0 {
            wrong.push(format!(
                "{name}: got {} ({} malformed), text {}",
                decoded.charset.name(),
                decoded.malformed(),
                if decoded.text == twin {
                    "equal"
                } else {
                    "differs"
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

struct Row {
    path: String,
    label: String,
    language: String,
    twin: String,
}

fn manifest(dir: &std::path::Path) -> Vec<Row> {
    std::fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                path: f[0].into(),
                label: f[1].into(),
                language: f[2].into(),
                twin: f[5].into(),
            }
        })
        .collect()
}

/// The true text: the UTF-8 twin, or the bytes decoded with the manifest's charset.
fn truth(dir: &std::path::Path, row: &Row, bytes: &[u8]) -> String {
    let text = if row.twin.is_empty() {
        scour::Decoder::new()
            .force(&row.label)
            .unwrap()
            .decode(bytes)
            .unwrap()
            .text
    } else {
        std::fs::read_to_string(dir.join(&row.twin)).unwrap()
    };
    text.strip_prefix('\u{FEFF}')
        .map(str::to_owned)
        .unwrap_or(text)
}

/// Every Chinese, Japanese and Korean file of the manifest decodes to its true text, and the
/// reader's output holds no GB2312-table punctuation (U+2015, U+30FB) in Chinese or Korean.
#[test]
fn every_cjk_file_of_the_manifest_is_correct() {
    let Some(dir) = data_dir() else { return };
    let mut wrong = Vec::new();
    let mut seen = 0;
    for row in manifest(&dir) {
        if !matches!(row.language.as_str(), "zh" | "ja" | "ko") {
            continue;
        }
        seen += 1;
        let bytes = std::fs::read(dir.join(&row.path)).unwrap();
        let want = truth(&dir, &row, &bytes);
        let decoded = scour::decode(&bytes).unwrap();
        if decoded.text != want {
            wrong.push(format!("{} read as {}", row.path, decoded.charset.name()));
        }
        let cleaned = Cleaner::new().clean(&bytes).unwrap().text;
        if row.language != "ja" && (cleaned.contains('\u{2015}') || cleaned.contains('\u{30FB}')) {
            wrong.push(format!("{}: U+2015 or U+30FB left", row.path));
        }
    }
    assert_eq!(seen, 46);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The whole manifest: at least 148 of 164 files decode to their true text (the measured figure;
/// the misses are European ISO-8859 variants that differ in a few letters).
#[test]
fn manifest_accuracy_floor() {
    let Some(dir) = data_dir() else { return };
    let rows = manifest(&dir);
    let mut correct = 0;
    for row in &rows {
        let bytes = std::fs::read(dir.join(&row.path)).unwrap();
        let want = truth(&dir, row, &bytes);
        correct += usize::from(scour::decode(&bytes).is_ok_and(|d| d.text == want));
    }
    assert_eq!(rows.len(), 164);
    assert!(correct >= 163, "{correct} of 164 correct");
}

/// UTF-16 without a byte-order mark and with few NULs (Japanese) is recognised by the side its
/// NULs are on.
#[test]
fn cjk_utf16_without_bom() {
    let Some(dir) = data_dir() else { return };
    let mut texts = Vec::new();
    for (file, charset) in [("utf-16le.txt", "UTF-16LE"), ("utf-16be.txt", "UTF-16BE")] {
        let bytes = std::fs::read(dir.join("uchardet/ja").join(file)).unwrap();
        let decoded = scour::decode(&bytes).unwrap();
        assert_eq!(decoded.charset.name(), charset);
        assert_eq!(decoded.method, Method::NulLayout);
        assert_eq!(decoded.malformed(), 0);
        assert!(decoded
            .text
            .starts_with("UTF-16 (UCS/Unicode Transformation Format 16) とは、"));
        texts.push(decoded.text);
    }
    assert_eq!(texts[0], texts[1]);
    assert_eq!(Charset::for_label("utf-16le").unwrap().name(), "UTF-16LE");
}

/// EUC-TW, which neither chardetng nor encoding_rs knows: a paragraph of traditional Chinese
/// (with a character of CNS 11643 plane 2 and one of plane 3) is detected and decoded exactly,
/// and the label forces it.
#[test]
fn euc_tw_is_detected_and_decoded() {
    let bytes = include_bytes!("data/euc-tw.txt");
    let want = include_str!("data/euc-tw-utf8.txt");
    let decoded = scour::decode(bytes).unwrap();
    assert_eq!(decoded.charset.name(), "EUC-TW");
    assert_eq!(decoded.text, want);
    let forced = scour::Decoder::new()
        .force("euc-tw")
        .unwrap()
        .decode(bytes)
        .unwrap();
    assert_eq!((forced.text.as_str(), forced.malformed()), (want, 0));
}

//! The CJK mojibake suite in small: real sentences (from the laws corpus) garbled by the real
//! failure paths of `tests/support/mojibake_suite.rs`, repaired, and compared with the truth.
//! The full measurement is `examples/mojibake_suite.rs`.

#[path = "support/mojibake_suite.rs"]
mod suite;

use scour::mojibake::Repairer;
use scour::{Cleaner, EditKind, Stage};
use suite::Path;

const LINES: [&str; 4] = [
    "（二）营业执照；",
    "第三十八条 违反本条例规定的，处以五千元以上五万元以下的罚款。",
    "国家鼓励和支持文化产业发展。",
    "县级以上人民政府应当加强对土地利用总体规划实施的监督检查。",
];

fn repair(garbled: &str) -> String {
    Repairer::new().repair(garbled).text.into_owned()
}

/// The single-byte paths lose nothing: every sentence comes back exactly.
#[test]
fn single_byte_paths_are_repaired_exactly() {
    for line in LINES {
        for path in [
            Path::Utf8AsWindows1252,
            Path::Utf8AsLatin1,
            Path::GbkAsWindows1252,
            Path::GbkAsLatin1,
            Path::DoubleWindows1252,
            Path::Windows1252Lossy,
        ] {
            let garbled = path.garble(line).unwrap();
            assert_ne!(garbled, line);
            let repaired = repair(&garbled);
            assert_eq!(repaired, path.truth(line), "{}: {garbled:?}", path.name());
        }
    }
}

/// UTF-8 read as GBK: the GBK decoder destroys a byte wherever a pair is not in its table; the
/// character it belonged to becomes U+FFFD, the rest is exact.
#[test]
fn utf8_read_as_gbk() {
    let cases = [
        ("（二）营业执照；", "（二）营业执照；"),
        // The full stop's last byte had no partner at the end.
        (
            "国家鼓励和支持文化产业发展。",
            "国家鼓励和支持文化产业发展\u{FFFD}",
        ),
    ];
    for (line, expected) in cases {
        let garbled = Path::Utf8AsGbk.garble(line).unwrap();
        assert_eq!(Path::Utf8AsGbk.truth(line), expected);
        assert_eq!(repair(&garbled), expected, "{garbled:?}");
    }
    for line in LINES {
        let garbled = Path::Utf8AsGbk.garble(line).unwrap();
        assert_eq!(repair(&garbled), Path::Utf8AsGbk.truth(line), "{garbled:?}");
    }
}

/// UTF-8 read as Big5 loses most: Big5 refuses the trail bytes 0x80-0xA0 that UTF-8 is full
/// of, taking a lead byte and its refused partner with each U+FFFD. Framing the stretch as
/// UTF-8 tells which characters lost a byte, and keeps the whole ones between them.
#[test]
fn utf8_read_as_big5() {
    let cases = [
        ("上海市教育", "上海\u{FFFD}\u{FFFD}\u{FFFD}"),
        (
            "# 上海口岸服务条例",
            "# 上海\u{FFFD}\u{FFFD}\u{FFFD}务\u{FFFD}\u{FFFD}",
        ),
        ("安全管理制度，", "安\u{FFFD}管\u{FFFD}\u{FFFD}度\u{FFFD}"),
    ];
    for (line, expected) in cases {
        let garbled = Path::Utf8AsBig5.garble(line).unwrap();
        assert_eq!(Path::Utf8AsBig5.truth(line), expected);
        assert_eq!(repair(&garbled), expected, "{garbled:?}");
    }
    for line in LINES {
        let garbled = Path::Utf8AsBig5.garble(line).unwrap();
        assert_eq!(
            repair(&garbled),
            Path::Utf8AsBig5.truth(line),
            "{garbled:?}"
        );
    }
}

/// UTF-8 read as Shift_JIS loses more: each destroyed stretch becomes one U+FFFD.
#[test]
fn utf8_read_as_shift_jis() {
    let line = "国家鼓励和支持文化产业发展。";
    let garbled = Path::Utf8AsShiftJis.garble(line).unwrap();
    assert_eq!(
        Path::Utf8AsShiftJis.truth(line),
        "国家鼓励和支持文化产业发展\u{FFFD}"
    );
    assert_eq!(repair(&garbled), "国家鼓励和支持文化产业发展\u{FFFD}");
}

/// The Cleaner runs the repair stage: the edit is recorded with its stage, kind and text.
#[test]
fn cleaner_repairs_and_records() {
    let garbled = Path::Utf8AsWindows1252.garble("中文编码").unwrap();
    let cleaned = Cleaner::new().clean(garbled.as_bytes()).unwrap();
    assert_eq!(cleaned.text, "中文编码\n");
    let edit = &cleaned.edits[0];
    assert_eq!(
        (
            edit.stage,
            edit.kind,
            edit.removed.as_str(),
            edit.inserted.as_str()
        ),
        (
            Stage::Repair,
            EditKind::Mojibake,
            garbled.as_str(),
            "中文编码"
        )
    );
    // And leaves clean text alone.
    let clean = Cleaner::new()
        .clean("中文编码“引号”——破折号".as_bytes())
        .unwrap();
    assert!(clean.edits.iter().all(|e| e.stage != Stage::Repair));
}

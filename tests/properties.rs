//! Properties of the reader on arbitrary input: it never panics, it is idempotent, and its edit
//! record accounts for every change.

use proptest::prelude::*;
use scour::edit::replay;
use scour::{decode, BoilerplateCutter, Cleaner, Stage};

/// Text built from the pieces scraped Chinese text is made of, so that the rules fire often:
/// Han, kana, Hangul, ASCII, full-width forms, CJK punctuation and quotes, the GB2312-table
/// artifacts, every kind of space and line break, controls, zero-width characters, combining
/// marks, and repeated blocks.
fn scraped_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("各位代表".to_string()),
        Just("柳州市政府工作报告".to_string()),
        Just("テレビ・ゲーム".to_string()),
        Just("한국어 문장".to_string()),
        Just("Hello, world.".to_string()),
        Just("ＰＭ２．５".to_string()),
        Just("，。！？：；（）《》".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("――".to_string()),
        Just("・".to_string()),
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just("\u{3000}".to_string()),
        Just("\n".to_string()),
        Just("\n\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\u{2028}".to_string()),
        Just("\u{0}\u{7}\u{85}".to_string()),
        Just("\u{200B}\u{200D}\u{FEFF}".to_string()),
        Just("e\u{301}".to_string()),
        Just("\u{301}".to_string()),
        Just("侯卫东官场笔记".to_string()),
        Just("过去一年，面对错综复杂的发展环境，我们全力保持经济社会平稳健康发展。\n".to_string()),
        "[a-z ]{0,12}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| {
        let text = pieces.concat();
        // Sometimes a document repeats itself.
        if text.len() % 3 == 0 {
            format!("{text}\n{text}")
        } else {
            text
        }
    })
}

fn cleaner() -> Cleaner {
    Cleaner::builder()
        .boilerplate(BoilerplateCutter::from_phrases(["侯卫东官场笔记", "Hello"]).unwrap())
        .build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = cleaner().clean(&bytes);
    }

    #[test]
    fn idempotent_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(once) = cleaner().clean(&bytes) {
            let twice = cleaner().clean(once.text.as_bytes()).unwrap();
            prop_assert_eq!(&twice.text, &once.text);
        }
    }

    #[test]
    fn idempotent_on_scraped_text(text in scraped_text()) {
        // Pieces with NUL bytes can make a short text NUL-heavy, hence binary.
        let Ok(once) = cleaner().clean(text.as_bytes()) else { return Ok(()) };
        let twice = cleaner().clean(once.text.as_bytes()).unwrap();
        prop_assert_eq!(&twice.text, &once.text);
        // Clean text is not changed again; only flags (lost data, a suspicion) may recur.
        let changes: Vec<_> = twice.edits.iter().filter(|e| e.changes_text()).collect();
        prop_assert!(changes.is_empty(), "edits on clean text: {:?}", changes);
    }

    #[test]
    fn edit_record_replays_to_the_output(text in scraped_text()) {
        let Ok(cleaned) = cleaner().clean(text.as_bytes()) else { return Ok(()) };
        let decoded = decode(text.as_bytes()).unwrap().text;
        prop_assert_eq!(replay(&decoded, &cleaned.edits), Some(cleaned.text.clone()));
        // Every removed character is in the record: characters in = characters out, minus those
        // removed, plus those inserted.
        // (Decode edits describe bytes, not text, and are left out.)
        let text_edits = || cleaned.edits.iter().filter(|e| e.stage != Stage::Decode);
        let removed: usize = text_edits().map(|e| e.removed.chars().count()).sum();
        let inserted: usize = text_edits().map(|e| e.inserted.chars().count()).sum();
        prop_assert_eq!(
            decoded.chars().count() + inserted - removed,
            cleaned.text.chars().count()
        );
    }

    #[test]
    fn edit_record_replays_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(cleaned) = cleaner().clean(&bytes) {
            let decoded = decode(&bytes).unwrap().text;
            prop_assert_eq!(replay(&decoded, &cleaned.edits), Some(cleaned.text.clone()));
        }
    }
}

/// Bytes as legacy-encoded text is made of: letters, spaces and bytes above 0x7F, no controls,
/// so that the legacy detection paths (the double-byte and single-byte fast paths, the full
/// way) all run.
fn legacy_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => 0x80u8..=0xFF,
            3 => 0x61u8..=0x7A,
            1 => 0x41u8..=0x5A,
            1 => Just(b' '),
            1 => Just(b'.'),
        ],
        0..3000,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever detection chooses, decoding is the same as forcing that charset.
    #[test]
    fn detected_text_is_the_forced_charsets_text(bytes in legacy_bytes()) {
        if let Ok(detected) = decode(&bytes) {
            let forced = scour::Decoder::new()
                .force(detected.charset.name())
                .unwrap()
                .decode(&bytes)
                .unwrap();
            prop_assert_eq!(forced.text, detected.text);
        }
    }
}

/// Found by `idempotent_on_scraped_text`: mending the GB2312-table middle dot after `Â` makes
/// `Â·`, the mojibake of `·`, which the second repair pass must see in the same cleaning.
#[test]
fn a_mended_middle_dot_is_repaired_in_the_same_cleaning() {
    let once = cleaner().clean("Â・各位代表".as_bytes()).unwrap();
    assert_eq!(once.text, "·各位代表\n");
    let twice = cleaner().clean(once.text.as_bytes()).unwrap();
    assert_eq!(twice.text, once.text);
}

/// Found by `idempotent_on_bytes`: the second repair pass decoded a compatibility ideograph
/// (U+FA38) after composition had run; the tidy step composes again.
#[test]
fn what_the_second_repair_brings_back_is_composed() {
    let bytes = [
        0, 123, 128, 123, 1, 9, 32, 136, 171, 192, 192, 156, 224, 65, 12, 239, 168, 184, 222, 128,
        32, 165, 9, 32,
    ];
    let once = cleaner().clean(&bytes).unwrap();
    assert_eq!(once.text, "{Ђ{\t €«ААњаA\n\u{5668}ހ Ґ\n");
    let twice = cleaner().clean(once.text.as_bytes()).unwrap();
    assert_eq!(twice.text, once.text);
}

//! Bad input: it never panics and never loses data silently.

use scour::edit::replay;
use scour::{decode, Cleaner, EditKind, Error, Method, Stage};

#[test]
fn empty_and_blank_inputs_become_empty_text() {
    for input in [&b""[..], b"\n\n", b" \t \r\n\xE3\x80\x80\n"] {
        let cleaned = Cleaner::new().clean(input).unwrap();
        assert_eq!(cleaned.text, "", "{input:?}");
    }
}

#[test]
fn a_huge_line_is_cleaned_whole() {
    // 12 MB on one line (no piece repeats another), with a stray space and a GB2312-table dash
    // in every piece.
    let text: String = (0..12_000)
        .map(|i| format!("第{i}项{}扩大开放。 “八个一”――", "柳州".repeat(160 + i % 7)))
        .collect();
    let cleaned = Cleaner::new().clean(text.as_bytes()).unwrap();
    let expected = format!("{}\n", text.replace("。 “", "。“").replace('―', "—"));
    assert!(cleaned.text.len() > 11_000_000);
    assert!(
        cleaned.text == expected,
        "the huge line differs from the expected text"
    );
    assert_eq!(cleaned.text.lines().count(), 1);
}

#[test]
fn truncated_and_invalid_utf8_is_repaired_and_recorded() {
    let mut bytes = "第一条 为了规范数据处理活动，保障数据安全。"
        .repeat(20)
        .into_bytes();
    bytes.insert(10, 0xFF);
    bytes.extend_from_slice(&"中".as_bytes()[..2]);
    let cleaned = Cleaner::new().clean(&bytes).unwrap();
    assert_eq!(cleaned.method, Method::MostlyUtf8);
    let decode_edits: Vec<_> = cleaned
        .edits
        .iter()
        .filter(|e| e.stage == Stage::Decode)
        .collect();
    assert_eq!(decode_edits.len(), 2);
    assert_eq!(
        (decode_edits[0].offset, decode_edits[0].removed.as_str()),
        (10, "\\xFF")
    );
    assert_eq!(decode_edits[1].removed, "\\xE4\\xB8");
    assert!(decode_edits
        .iter()
        .all(|e| e.kind == EditKind::Decode && e.inserted == "\u{FFFD}"));
    assert_eq!(cleaned.text.matches('\u{FFFD}').count(), 2);
}

#[test]
fn binary_input_is_a_typed_error_with_its_place() {
    let mut elf = b"\x7FELF\x02\x01\x01\0".to_vec();
    elf.extend(std::iter::repeat_n(0u8, 100));
    assert!(matches!(
        Cleaner::new().clean(&elf),
        Err(Error::Binary { offset: 0, .. })
    ));
    let mut noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
    noise[10] = 0;
    match Cleaner::new().clean(&noise) {
        Err(Error::Binary { offset, reason }) => {
            assert_eq!(offset, 0, "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stray_nul_bytes_in_text_are_removed_and_recorded() {
    let mut bytes = "这是一段正常的文本内容，其中夹杂了少量空字节。"
        .repeat(10)
        .into_bytes();
    bytes.insert(9, 0);
    let cleaned = Cleaner::new().clean(&bytes).unwrap();
    assert!(!cleaned.text.contains('\0'));
    let control: Vec<_> = cleaned
        .edits
        .iter()
        .filter(|e| e.kind == EditKind::Control)
        .collect();
    assert_eq!(control.len(), 1);
    assert_eq!((control[0].offset, control[0].removed.as_str()), (9, "\0"));
}

#[test]
fn every_edit_replays_on_a_messy_document() {
    let messy = "\u{FEFF}标题\r\n\r\n\r\n第一条　为了规范 “数据” 处理――\u{200B}活动。  \r\nＡＢＣ１２３\u{7}\r\n\r\n";
    let cleaned = Cleaner::new().clean(messy.as_bytes()).unwrap();
    assert_eq!(
        cleaned.text,
        "标题\n\n第一条　为了规范“数据”处理——活动。\nABC123\n"
    );
    let decoded = decode(messy.as_bytes()).unwrap().text;
    assert_eq!(
        replay(&decoded, &cleaned.edits).as_deref(),
        Some(&*cleaned.text)
    );
}

/// Walking a folder reads regular files and links to files; a dangling link, a link to a
/// directory and a FIFO are each reported in place, never skipped silently or read (a FIFO
/// would block the run).
#[cfg(unix)]
#[test]
fn walking_reports_what_it_does_not_read() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("a.txt"), "正文").unwrap();
    symlink(root.join("a.txt"), root.join("b-link.txt")).unwrap();
    symlink(root.join("missing.txt"), root.join("c-dangling.txt")).unwrap();
    symlink(root.join("sub"), root.join("d-dir-link")).unwrap();
    let fifo = root.join("e-fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let found: Vec<String> = scour::input::walk(std::slice::from_ref(&root))
        .into_iter()
        .map(|r| match r {
            Ok(file) => format!("ok {}", file.relative.display()),
            Err(e) => format!(
                "err {}",
                e.to_string().replace(&root.display().to_string(), "IN")
            ),
        })
        .collect();
    assert_eq!(
        found,
        [
            "ok a.txt",
            "ok b-link.txt",
            "err IN/c-dangling.txt: No such file or directory (os error 2)",
            "err IN/d-dir-link: symbolic link to a directory, not followed (name the target to read it)",
            "err IN/e-fifo: not a regular file (a FIFO, socket or device); not read",
        ]
    );
    // Named directly, a FIFO is refused the same way rather than opened.
    let direct = scour::input::walk(&[fifo]);
    assert!(
        matches!(&direct[..], [Err(e)] if e.to_string().ends_with("not a regular file (a FIFO, socket or device); not read"))
    );
}

/// UTF-16 without a byte-order mark, cut short by one byte, is still UTF-16: the text is kept
/// and the dangling byte is a recorded decode edit, not a reason to call the file binary.
#[test]
fn truncated_utf16_without_a_bom_is_decoded_and_the_cut_recorded() {
    let mut bytes: Vec<u8> = "Hello, 世界! plain text\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.pop();
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded.charset.name(), "UTF-16LE");
    assert_eq!(decoded.method, Method::NulLayout);
    assert_eq!(decoded.text, "Hello, 世界! plain text\u{FFFD}");
    assert_eq!(decoded.edits.len(), 1);
    assert_eq!(decoded.edits[0].kind, EditKind::Decode);
    assert_eq!(decoded.edits[0].offset, bytes.len() - 1);
}

//! `scour learn` and the learning flags of `scour clean`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scour() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scour"))
}

/// A fresh directory under target/ for one test.
fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/learn-cli-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `n` pages of one site, one file each; the title is glued onto each heading.
fn write_site(dir: &Path, n: usize) {
    for i in 0..n {
        let a = char::from_u32(0x4E00 + (i as u32 * 37) % 20000).unwrap();
        let b = char::from_u32(0x4E00 + (i as u32 * 91 + 7) % 20000).unwrap();
        let c = char::from_u32(0x4E00 + (i as u32 * 53 + 11) % 20000).unwrap();
        let page = format!(
            "{a}{b}记第{i}章 {c}{b}侯卫东官场笔记\n{c}{a}说了一些话，第{i}次{b}。\n本站所有小说均来源于网络\n"
        );
        std::fs::write(dir.join(format!("page{i:03}.txt")), page).unwrap();
    }
}

#[test]
fn learn_then_clean_with_the_model_or_by_default() {
    let dir = workdir("site");
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    write_site(&pages, 60);
    // A file that is not text is reported and skipped, not fatal to the others.
    std::fs::write(pages.join("zz.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();

    let model = dir.join("model.json");
    let out = scour()
        .arg("learn")
        .arg(&pages)
        .arg("-o")
        .arg(&model)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("zz.png"), "{stderr}");
    assert!(
        stderr.contains("2 spans learned from 60 documents"),
        "{stderr}"
    );
    let json = std::fs::read_to_string(&model).unwrap();
    assert!(json.contains("\"text\": \"侯卫东官场笔记\""), "{json}");
    assert!(json.contains("\"placement\": \"line_end\""), "{json}");
    std::fs::remove_file(pages.join("zz.png")).unwrap();

    let expected =
        "\u{4e00}\u{4e07}记第0章\u{4e0b}\u{4e07}\n\u{4e0b}\u{4e00}说了一些话，第0次\u{4e07}。\n";
    let with_model = dir.join("with-model");
    let status = scour()
        .args(["clean", "-q", "--model"])
        .arg(&model)
        .arg(&pages)
        .arg("-o")
        .arg(&with_model)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(with_model.join("page000.txt")).unwrap(),
        expected
    );

    // Sixty files are enough to learn from by default; the result is the same.
    let learned = dir.join("learned");
    let saved = dir.join("saved.json");
    let status = scour()
        .args(["clean", "-q"])
        .arg(&pages)
        .arg("-o")
        .arg(&learned)
        .arg("--save-model")
        .arg(&saved)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(learned.join("page000.txt")).unwrap(),
        expected
    );
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), json);

    // --no-learn keeps the site's text.
    let kept = dir.join("kept");
    let status = scour()
        .args(["clean", "-q", "--no-learn"])
        .arg(&pages)
        .arg("-o")
        .arg(&kept)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(std::fs::read_to_string(kept.join("page000.txt"))
        .unwrap()
        .contains("侯卫东官场笔记"));
}

#[test]
fn fewer_than_fifty_files_are_not_learned_from() {
    let dir = workdir("few");
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    write_site(&pages, 49);
    let out = dir.join("out");
    let status = scour()
        .args(["clean", "-q"])
        .arg(&pages)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(std::fs::read_to_string(out.join("page000.txt"))
        .unwrap()
        .contains("侯卫东官场笔记"));
}

#[test]
fn a_broken_model_is_an_error_naming_the_file() {
    let dir = workdir("broken");
    let model = dir.join("model.json");
    std::fs::write(&model, "{ not json").unwrap();
    std::fs::write(dir.join("a.txt"), "文本\n").unwrap();
    let out = scour()
        .args(["clean", "--model"])
        .arg(&model)
        .arg(dir.join("a.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("model.json") && stderr.contains("bad model"),
        "{stderr}"
    );
}

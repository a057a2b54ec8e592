//! The seed: a real scraped page (eight copies of the 2017 Liuzhou government work report, a
//! novel's title glued onto a heading in each copy, GB2312-table punctuation, stray spaces) must
//! come out as exactly one clean copy. The expected files were written from the rules of the
//! reader: the first copy, with U+2015 → U+2014, U+30FB → U+00B7, the seven stray spaces removed,
//! and (with the phrase list) the title removed.

use std::process::Command;

use scour::edit::replay;
use scour::script::is_cjk;
use scour::{decode, BoilerplateCutter, Cleaner, EditKind, Stage};

const SEED: &[u8] = include_bytes!("data/seed.txt");
const EXPECTED: &str = include_str!("data/seed-expected.txt");
const EXPECTED_WITH_TITLE: &str = include_str!("data/seed-expected-with-title.txt");

fn phrase_cleaner() -> Cleaner {
    Cleaner::builder()
        .boilerplate(BoilerplateCutter::from_phrase_file("tests/data/seed-phrases.txt").unwrap())
        .build()
}

#[test]
fn seed_becomes_one_clean_copy() {
    let cleaned = phrase_cleaner().clean(SEED).unwrap();
    assert_eq!(cleaned.text, EXPECTED);
    let lines: Vec<&str> = cleaned.text.lines().collect();
    assert_eq!(lines.len(), 74);
    assert_eq!(lines[0], "2017年柳州市政府工作报告");
    assert_eq!(lines[3], "2016年工作回顾");
    assert!(!cleaned.text.contains(['\u{2015}', '\u{30FB}', '侯']));
    assert!(cleaned.text.contains("Ⅲ类") && cleaned.text.contains("（PM2.5）"));
    assert!(cleaned.text.ends_with("胜利召开！\n") && !cleaned.text.ends_with("\n\n"));
    let chars: Vec<char> = cleaned.text.chars().collect();
    for w in chars.windows(3) {
        assert!(
            !(w[1] == ' ' && is_cjk(w[0]) && is_cjk(w[2])),
            "space in {w:?}"
        );
    }
    assert_eq!(cleaned.charset.name(), "UTF-8");
}

#[test]
fn seed_without_phrase_list_keeps_the_title() {
    let cleaned = Cleaner::new().clean(SEED).unwrap();
    assert_eq!(cleaned.text, EXPECTED_WITH_TITLE);
}

#[test]
fn seed_edit_record_accounts_for_every_change() {
    let cleaned = phrase_cleaner().clean(SEED).unwrap();
    let decoded = decode(SEED).unwrap().text;
    assert_eq!(replay(&decoded, &cleaned.edits).as_deref(), Some(EXPECTED));
    let count = |kind| cleaned.edits.iter().filter(|e| e.kind == kind).count();
    // 30 dash runs and 3 middle dots in each of 8 copies, merged per run.
    assert_eq!(
        cleaned
            .edits
            .iter()
            .filter(|e| e.kind == EditKind::Punctuation)
            .map(|e| e.removed.chars().count())
            .sum::<usize>(),
        8 * (30 + 3)
    );
    assert_eq!(count(EditKind::Boilerplate), 8);
    let removed_after_boilerplate: usize = cleaned
        .edits
        .iter()
        .filter(|e| e.stage >= Stage::Repetition)
        .map(|e| e.removed.chars().count())
        .sum();
    // Seven copies of the cleaned first copy, and the blank line before each: some inside a
    // removed run, the rest tidied away once the runs are gone.
    assert_eq!(removed_after_boilerplate, 7 * EXPECTED.chars().count() + 7);
}

fn scour() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scour"))
}

#[test]
fn cli_cleans_a_folder_reports_and_goes_on_past_a_bad_file() {
    let dir = std::env::temp_dir().join(format!("scour-cli-{}", std::process::id()));
    let input = dir.join("in");
    let out = dir.join("out");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(input.join("sub/seed.txt"), SEED).unwrap();
    std::fs::write(input.join("a-binary.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(input.join("empty.txt"), b"").unwrap();
    let report = dir.join("report.jsonl");
    let status = scour()
        .args([
            "clean",
            "--boilerplate",
            "tests/data/seed-phrases.txt",
            "-q",
            "--report",
        ])
        .arg(&report)
        .arg("--out-dir")
        .arg(&out)
        .arg(&input)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "a failed file makes the run fail");
    assert_eq!(
        std::fs::read_to_string(out.join("sub/seed.txt")).unwrap(),
        EXPECTED
    );
    assert_eq!(std::fs::read_to_string(out.join("empty.txt")).unwrap(), "");
    assert!(!out.join("a-binary.png").exists());
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["path"].as_str().unwrap().ends_with("a-binary.png"));
    assert_eq!(
        lines[0]["error"].as_str().unwrap(),
        format!(
            "{}: input is not text: PNG signature (at byte 0)",
            input.join("a-binary.png").display()
        )
    );
    assert_eq!(lines[2]["encoding"], "UTF-8");
    assert_eq!(lines[2]["bytes_in"], SEED.len());
    assert_eq!(lines[2]["bytes_out"], EXPECTED.len());
    assert_eq!(lines[2]["edits"].as_array().unwrap().len(), {
        phrase_cleaner().clean(SEED).unwrap().edits.len()
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_prints_to_standard_output_without_out_dir() {
    let output = scour()
        .args([
            "clean",
            "-q",
            "tests/data/seed.txt",
            "--boilerplate",
            "tests/data/seed-phrases.txt",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), EXPECTED);
}

#[test]
fn cli_output_does_not_depend_on_thread_count() {
    let run = |threads: &str| {
        scour()
            .args([
                "clean",
                "-q",
                "-j",
                threads,
                "tests/data",
                "--report",
                "/dev/stdout",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("2"));
}

/// No output is opened over an input, and no two inputs are written to one output path: the
/// run stops before writing anything, naming the paths, with status 2.
#[test]
fn cli_refuses_to_write_over_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (rel, text) in [
        ("g/a.txt", "中文\n"),
        ("c1/x.txt", "一\n"),
        ("c2/x.txt", "二\n"),
    ] {
        std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
        std::fs::write(root.join(rel), text).unwrap();
    }
    let run = |args: &[&str]| {
        let out = scour().current_dir(root).args(args).output().unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    assert_eq!(
        run(&["clean", "--no-learn", "g", "-o", "g"]),
        (
            Some(2),
            "scour: g/a.txt would be written over itself (the output directory g holds the inputs)\n"
                .to_owned()
        )
    );
    assert_eq!(
        run(&["clean", "--no-learn", "c1/x.txt", "c2/x.txt", "-o", "out"]),
        (
            Some(2),
            "scour: c1/x.txt and c2/x.txt would both be written to out/x.txt; give them different output directories\n"
                .to_owned()
        )
    );
    assert_eq!(
        run(&["clean", "--no-learn", "g", "--report", "g/a.txt"]),
        (
            Some(2),
            "scour: --report g/a.txt is also an input (g/a.txt); writing it would destroy that input\n"
                .to_owned()
        )
    );
    assert_eq!(
        run(&["learn", "g", "-o", "./g/a.txt"]),
        (
            Some(2),
            "scour: -o ./g/a.txt is also an input (g/a.txt); writing it would destroy that input\n"
                .to_owned()
        )
    );
    assert!(!root.join("out").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("g/a.txt")).unwrap(),
        "中文\n"
    );
}

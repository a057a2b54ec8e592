//! `scour dedup` refusing what would lose or garble data: outputs over inputs, nonsense settings,
//! unusable indexes, write errors; and the JSONL and plain-text details it reports (byte-order
//! marks, CRLF, blank lines, repeated ids, malformed bytes).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn scour() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scour"))
}

/// Runs `scour dedup ARGS`; returns the exit code and standard error.
fn dedup(args: &[&dyn AsRef<std::ffi::OsStr>]) -> (Option<i32>, String) {
    let out = scour()
        .arg("dedup")
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

/// The options that name a file `scour dedup` writes.
const OUTPUT_FLAGS: [&str; 5] = [
    "-o",
    "--clusters",
    "--decisions",
    "--paragraphs",
    "--index-out",
];

/// `scour dedup INPUT FLAG PATH`, with `-o KEPT` too when `flag` is another output.
fn dedup_with_output(
    input: &Path,
    flag: &str,
    path: &dyn AsRef<std::ffi::OsStr>,
    kept: &Path,
) -> (Option<i32>, String) {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&input, &flag, path];
    if flag != "-o" {
        args.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &kept]);
    }
    dedup(&args)
}

/// Standard error without the summary line (its timings vary).
fn reports(stderr: &str) -> &str {
    &stderr[..stderr.find("scour dedup: ").unwrap_or(stderr.len())]
}

/// The summary line.
fn summary(stderr: &str) -> &str {
    &stderr[stderr.find("scour dedup: ").expect(stderr)..]
}

fn record(id: &str, text: &str) -> String {
    format!("{}\n", serde_json::json!({ "id": id, "text": text }))
}

const A: &str = "The committee met on Tuesday to review the budget for the new library building.";
const B: &str = "Heavy rain is expected across the northern valleys for most of the coming week.";
const C: &str = "Our bakery opens at seven and sells rye bread, croissants and apple pie daily.";

/// A directory with `in.jsonl` holding three documents, the first two exact duplicates.
fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        [record("a", A), record("a2", A), record("b", B)].concat(),
    )
    .unwrap();
    (dir, input)
}

#[test]
fn outputs_over_inputs_are_refused_before_anything_is_written() {
    let (dir, input) = corpus();
    let before = std::fs::read(&input).unwrap();
    let kept = dir.path().join("kept.jsonl");
    let i = input.display();
    for flag in OUTPUT_FLAGS {
        let (code, stderr) = dedup_with_output(&input, flag, &input, &kept);
        assert_eq!(code, Some(2), "{flag}: {stderr}");
        assert_eq!(
            stderr,
            format!(
                "scour: {flag} {i} is also an input ({i}); writing it would destroy that input\n"
            )
        );
        assert_eq!(std::fs::read(&input).unwrap(), before, "{flag}");
        assert!(!kept.exists(), "{flag}: -o was opened");
    }
    // The same file named another way is still the input.
    let other_name = dir.path().join(".").join("in.jsonl");
    let (code, stderr) = dedup(&[&input, &"-o", &other_name]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(std::fs::read(&input).unwrap(), before);

    // Two outputs at one path.
    let (code, stderr) = dedup(&[&input, &"-o", &kept, &"--clusters", &kept]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        format!(
            "scour: -o {k} and --clusters {k} are the same file; give them different paths\n",
            k = kept.display()
        )
    );
    assert!(!kept.exists());
}

#[test]
fn the_index_may_be_updated_in_place_but_not_overwritten_by_other_outputs() {
    let (dir, input) = corpus();
    let index = dir.path().join("seen.idx");
    let kept = dir.path().join("kept.jsonl");
    let (code, stderr) = dedup(&[&input, &"-o", &kept, &"--index-out", &index]);
    assert_eq!(code, Some(0), "{stderr}");
    let saved = std::fs::read(&index).unwrap();
    // -o (or --clusters…) over the index being read: refused, index untouched.
    for flag in ["-o", "--clusters"] {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&input, &"--index-in", &index, &flag, &index];
        if flag != "-o" {
            args.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &kept]);
        }
        let (code, stderr) = dedup(&args);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(
            stderr,
            format!(
                "scour: {flag} {x} is also an input ({x}); writing it would destroy that input\n",
                x = index.display()
            )
        );
        assert_eq!(std::fs::read(&index).unwrap(), saved);
    }
    // In place: the second shard (one new document, one seen before) is deduplicated against
    // the first, and the index grows.
    let shard2 = dir.path().join("two.jsonl");
    std::fs::write(&shard2, [record("c", C), record("b-again", B)].concat()).unwrap();
    let (code, stderr) = dedup(&[
        &shard2,
        &"-o",
        &kept,
        &"--index-in",
        &index,
        &"--index-out",
        &index,
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), record("c", C));
    assert!(
        summary(&stderr).starts_with("scour dedup: 2 docs, "),
        "{stderr}"
    );
    assert!(summary(&stderr).contains("; 1 duplicates (1 exact, 0 near); 3 kept; "));
    // Seen by a third run: all five documents are in it.
    let (code, stderr) = dedup(&[&shard2, &"-o", &kept, &"--index-in", &index]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "");
    assert!(summary(&stderr).contains("; 2 duplicates (2 exact, 0 near); 3 kept; "));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn unusable_indexes_are_errors_naming_the_file() {
    let (dir, input) = corpus();
    let index = dir.path().join("seen.idx");
    let kept = dir.path().join("kept.jsonl");
    let (code, _) = dedup(&[&input, &"-o", &kept, &"--index-out", &index]);
    assert_eq!(code, Some(0));
    std::fs::remove_file(&kept).unwrap();
    let bytes = std::fs::read(&index).unwrap();
    let len = bytes.len();
    let bad = dir.path().join("bad.idx");
    let b = bad.display();
    let mut flipped = bytes.clone();
    flipped[len / 2] ^= 1;
    let mut magic = bytes.clone();
    magic[0] = b'X';
    for (contents, message) in [
        (
            bytes[..len / 2].to_vec(),
            format!("cut short: {} bytes, the header says {len}", len / 2),
        ),
        (
            bytes[..20].to_vec(),
            "cut short: 20 bytes, the header alone is 28".into(),
        ),
        (Vec::new(), "empty file".into()),
        (
            bytes[..5].to_vec(),
            "cut short: 5 bytes, the header alone is 28".into(),
        ),
        (flipped, "checksum mismatch: the file is corrupt".into()),
        (magic, "no SCOURIDX signature".into()),
    ] {
        std::fs::write(&bad, contents).unwrap();
        let (code, stderr) = dedup(&[&input, &"-o", &kept, &"--index-in", &bad]);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(
            stderr,
            format!("scour: {b}: not a usable scour index: {message}\n")
        );
        assert!(!kept.exists());
    }
    // Settings given with an index must be the index's.
    let (code, stderr) = dedup(&[
        &input,
        &"-o",
        &kept,
        &"--index-in",
        &index,
        &"--num-perm",
        &"64",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "scour: {}: not a usable scour index: made with other settings: num_perm 128 (64), \
             banding 9 x 13 (",
            index.display()
        )),
        "{stderr}"
    );
    // The index's own settings, given explicitly, are fine.
    let (code, stderr) = dedup(&[
        &input,
        &"-o",
        &kept,
        &"--index-in",
        &index,
        &"--num-perm",
        &"128",
        &"--keep",
        &"first",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn settings_out_of_range_are_usage_errors_naming_the_option() {
    let (dir, input) = corpus();
    let kept = dir.path().join("kept.jsonl");
    for (args, message) in [
        (
            &["--threshold", "nan"][..],
            "--threshold NaN: must be in (0, 1]",
        ),
        (&["--threshold", "0"], "--threshold 0: must be in (0, 1]"),
        (&["--threshold=-0.5"], "--threshold -0.5: must be in (0, 1]"),
        (
            &["--threshold", "1.5"],
            "--threshold 1.5: must be in (0, 1]",
        ),
        (&["--fn-weight", "5"], "--fn-weight 5: must be in [0, 1]"),
        (&["--ngram", "0"], "--ngram 0: must be from 1 to 64"),
        (
            &["--ngram", "1000000"],
            "--ngram 1000000: must be from 1 to 64",
        ),
        (&["--num-perm", "0"], "--num-perm 0: must be from 1 to 1024"),
        (
            &["--num-perm", "100000000000"],
            "--num-perm 100000000000: must be from 1 to 1024",
        ),
        (
            &["--bands", "0", "--rows", "8"],
            "--bands 0: must be from 1 to 1024",
        ),
        (
            &["--bands", "8", "--rows", "0"],
            "--rows 0: must be from 1 to 1024",
        ),
        (
            &["--bands", "100000000000", "--rows", "100000000000"],
            "--bands 100000000000: must be from 1 to 1024",
        ),
        (
            &["--bands", "100", "--rows", "100"],
            "--bands 100 x rows 100 = 10000 permutations: bands x rows must be at most 1024",
        ),
        (
            &["--num-perm", "64", "--bands", "16", "--rows", "8"],
            "--bands 16 x --rows 8 = 128 permutations, more than --num-perm 64",
        ),
        (
            &["--method", "simhash", "--max-distance", "64"],
            "--max-distance 64: must be from 0 to 63",
        ),
        (
            &["--preset", "nemo", "--max-distance", "4000000000"],
            "--max-distance 4000000000: must be from 0 to 63",
        ),
    ] {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&input, &"-o", &kept];
        all.extend(args.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let (code, stderr) = dedup(&all);
        assert_eq!(
            (code, stderr.as_str()),
            (Some(2), format!("scour: {message}\n").as_str()),
            "{args:?}"
        );
        assert!(!kept.exists(), "{args:?}");
    }
    // At the limits, a run goes through.
    let (code, stderr) = dedup(&[
        &input,
        &"-o",
        &kept,
        &"--num-perm",
        &"1024",
        &"--bands",
        &"32",
        &"--rows",
        &"32",
        &"--threshold",
        &"1",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn malformed_bytes_in_plain_text_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    // Mostly UTF-8, with a cut sequence and a stray byte: decoded as UTF-8, two replacements.
    let mut cut = "中文文本，被截断的网页内容。\n".repeat(20).into_bytes();
    cut.extend_from_slice(b"\xE4\xB8 tail \xFF\n");
    std::fs::write(docs.join("a-cut.txt"), &cut).unwrap();
    std::fs::write(
        docs.join("b-fine.txt"),
        "另一份完整的文件，内容不同，没有坏字节。",
    )
    .unwrap();
    let kept = dir.path().join("kept.jsonl");
    let (code, stderr) = dedup(&[&docs, &"-o", &kept]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        reports(&stderr),
        format!(
            "scour: warning: {}: 2 malformed byte sequences replaced by U+FFFD\n",
            docs.join("a-cut.txt").display()
        )
    );
    assert!(
        summary(&stderr).contains(
            "; 0 errors (0 lines written unchanged); \
             1 files with malformed bytes (2 sequences replaced by U+FFFD); index "
        ),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&kept).unwrap();
    assert_eq!(written.matches('\u{FFFD}').count(), 2);
}

#[test]
fn jsonl_bom_crlf_and_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let (a, b) = (record("a", A), record("b", B));
    let body = format!(
        "\u{FEFF}{}\r\n\r\n   \r\n{}\r\n\n",
        a.trim_end(),
        b.trim_end()
    );
    std::fs::write(&input, body).unwrap();
    let kept = dir.path().join("kept.jsonl");
    let (code, stderr) = dedup(&[&input, &"-o", &kept]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports(&stderr), "");
    assert!(
        summary(&stderr).starts_with("scour dedup: 2 docs, "),
        "{stderr}"
    );
    assert!(
        summary(&stderr)
            .contains("; 0 errors (0 lines written unchanged); 3 blank lines skipped; index "),
        "{stderr}"
    );
    // Records written with the mark and the CRs removed.
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), format!("{a}{b}"));
}

#[test]
fn repeated_ids_are_warned_about_and_qualified_in_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.jsonl");
    let two = dir.path().join("two.jsonl");
    std::fs::write(
        &one,
        [record("x", A), record("y", B), record("x", A)].concat(),
    )
    .unwrap();
    std::fs::write(&two, record("y", C)).unwrap();
    let kept = dir.path().join("kept.jsonl");
    let clusters = dir.path().join("clusters.jsonl");
    let decisions = dir.path().join("decisions.jsonl");
    let (code, stderr) = dedup(&[
        &one,
        &two,
        &"-o",
        &kept,
        &"--clusters",
        &clusters,
        &"--decisions",
        &decisions,
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let (o, t) = (one.display(), two.display());
    assert_eq!(
        reports(&stderr),
        format!(
            "scour: warning: {o}:3: id \"x\" was already used at {o}:1; named \"x@{o}:3\" in the outputs\n\
             scour: warning: {t}:1: id \"y\" was already used at {o}:2; named \"y@{t}:1\" in the outputs\n\
             scour: warning: cluster 0 (kept document 0) holds 2 of 4 documents, over 1%\n"
        )
    );
    assert!(summary(&stderr).contains("; 2 duplicate ids (named ID@FILE:LINE); index "));
    // Kept records are written as read; the names qualify only the outputs that name documents.
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        [record("x", A), record("y", B), record("y", C)].concat()
    );
    assert_eq!(
        std::fs::read_to_string(&clusters).unwrap(),
        format!(
            "{}\n",
            serde_json::json!({"cluster": 0, "kept": "x", "members": [
                {"id": "x", "similarity": 1.0}, {"id": format!("x@{o}:3"), "similarity": 1.0}]})
        )
    );
    let ids: Vec<String> = std::fs::read_to_string(&decisions)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "\"x\"".to_string(),
            "\"y\"".into(),
            format!("\"x@{o}:3\""),
            format!("\"y@{t}:1\"")
        ]
    );

    // Past 20 warnings, repeats are only counted.
    let many = dir.path().join("many.jsonl");
    let body: String = (0..25)
        .map(|i| record("same", &format!("{C} Number {i} of {}.", i * 7919)))
        .collect();
    std::fs::write(&many, body).unwrap();
    let (code, stderr) = dedup(&[&many, &"-o", &kept, &"--decisions", &decisions]);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<&str> = reports(&stderr).lines().collect();
    assert_eq!(lines.len(), 21, "{stderr}");
    assert_eq!(
        lines[20],
        "scour: warning: further duplicate ids are only counted in the summary"
    );
    assert!(summary(&stderr).contains("; 24 duplicate ids (named ID@FILE:LINE); "));
}

#[test]
fn write_errors_name_the_file() {
    let (dir, input) = corpus();
    let kept = dir.path().join("kept.jsonl");
    // Missing directories, found before any output is created.
    let missing_dir = dir.path().join("no-such-dir");
    let missing = missing_dir.join("out.jsonl");
    for flag in OUTPUT_FLAGS {
        let (code, stderr) = dedup_with_output(&input, flag, &missing, &kept);
        assert_eq!(code, Some(2), "{flag}");
        assert_eq!(
            stderr,
            format!(
                "scour: {flag} {}: the directory {} does not exist\n",
                missing.display(),
                missing_dir.display()
            )
        );
        assert!(!kept.exists(), "{flag}");
    }
    // A full disk, on each kind of output.
    if Path::new("/dev/full").exists() {
        for flag in ["-o", "--clusters", "--decisions"] {
            let (code, stderr) = dedup_with_output(&input, flag, &"/dev/full", &kept);
            assert_eq!(code, Some(2), "{flag}");
            assert_eq!(
                reports(&stderr),
                "scour: /dev/full: No space left on device (os error 28)\n",
                "{flag}"
            );
        }
    }
}

#[test]
fn a_closed_pipe_is_an_error_naming_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    // About 2 MB of distinct documents: more than a pipe and the output buffer hold, so the
    // run must write after the reader is gone, whenever that happens.
    let body: String = (0..20_000)
        .map(|i| record(&i.to_string(), &format!("{A} Item {i}, code {}.", i * 7919)))
        .collect();
    std::fs::write(&input, body).unwrap();
    let mut child = scour()
        .args(["dedup", "--method", "exact", "-o", "/dev/stdout"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "scour: /dev/stdout: Broken pipe (os error 32)\n"
    );
}

//! The mojibake repairer against ftfy's test cases (`../shared/data/mojibake/ftfy-test-cases/`,
//! Apache-2.0, read in place).
//!
//! Each case has an `original`, the `fixed` text ftfy's `fix_text` should give and, where it
//! differs, the `fixed-encoding` text ftfy's `fix_encoding` should give. `fix_text` also does
//! what is not mojibake repair (straight quotes for curly ones, ligatures and full-width letters
//! folded, HTML entities and terminal escapes removed); scour's normalizer decides those on its
//! own terms (it keeps curly quotes and Chinese punctuation). So the repair stage is compared
//! with `fixed-encoding` when a case has one and with `fixed` otherwise, which is what ftfy's own
//! test suite does for `fix_encoding`.
//!
//! Fails when the shared data folder is absent, unless `SCOUR_SKIP_SHARED_DATA` is set.

#[path = "support/shared_data.rs"]
mod shared_data;

use std::path::PathBuf;

use scour::mojibake::Repairer;

struct Case {
    file: String,
    label: String,
    original: String,
    expected: String,
    pass: bool,
}

fn cases() -> Option<Vec<Case>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mojibake/ftfy-test-cases");
    if !dir.is_dir() {
        shared_data::absent(&format!("{} is absent", dir.display()));
        return None;
    }
    let mut out = Vec::new();
    for file in [
        "in-the-wild.json",
        "synthetic.json",
        "negative.json",
        "language-names.json",
        "known-failures.json",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        for v in list {
            let s = |k: &str| v[k].as_str().map(str::to_owned);
            out.push(Case {
                file: file.into(),
                label: s("label").unwrap_or_default(),
                original: s("original").unwrap(),
                expected: s("fixed-encoding").or_else(|| s("fixed")).unwrap(),
                pass: s("expect").as_deref() == Some("pass"),
            });
        }
    }
    Some(out)
}

#[test]
fn ftfy_cases_expected_to_pass() {
    let Some(cases) = cases() else { return };
    let repairer = Repairer::new();
    let mut passed = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    for case in cases.iter().filter(|c| c.pass) {
        total += 1;
        let got = repairer.repair(&case.original);
        if got.text == case.expected {
            passed += 1;
            // Every change is recorded: the edits turn the original into the output.
            assert_eq!(
                scour::edit::apply(&case.original, &got.edits).as_deref(),
                Some(&*got.text),
                "{}",
                case.label
            );
        } else {
            failures.push(format!(
                "{} / {}:\n  original {:?}\n  expected {:?}\n  got      {:?}",
                case.file, case.label, case.original, case.expected, got.text
            ));
        }
    }
    eprintln!("{passed} of {total} ftfy cases pass");
    for f in &failures {
        eprintln!("{f}");
    }
    assert_eq!(total, 151);
    assert!(passed >= 150, "{passed} of {total} pass");
}

#[test]
fn ftfy_negative_cases_are_unchanged() {
    let Some(cases) = cases() else { return };
    let repairer = Repairer::new();
    let negatives: Vec<&Case> = cases.iter().filter(|c| c.file == "negative.json").collect();
    assert_eq!(negatives.len(), 31);
    let changed: Vec<String> = negatives
        .iter()
        .filter(|c| {
            repairer.repair(&c.original).text != c.original.as_str() && c.expected == c.original
        })
        .map(|c| format!("{:?}", c.original))
        .collect();
    assert!(changed.is_empty(), "changed: {changed:#?}");
}

//! Properties of the deduplication stage on arbitrary text: no panics, a stable key, pure and
//! serializable fingerprints, and decisions that do not depend on batching.

use proptest::prelude::*;
use scour::dedup::key::{matching_key, KeyConfig};
use scour::dedup::{DedupConfig, Deduper, Fingerprint, Method};

fn text() -> impl Strategy<Value = String> {
    // Mixed scripts, full-width forms, combining marks, controls and line ends.
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9 ,.!?\n\r\t]{0,12}",
            "[\u{4e00}-\u{4e40}，。、：；！？「」　]{0,12}",
            "[\u{ff01}-\u{ff5e}\u{3040}-\u{30ff}\u{ac00}-\u{ac20}\u{0300}-\u{0310}\u{0e01}-\u{0e2f}]{0,8}",
            any::<char>().prop_map(String::from),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn key_is_idempotent(t in text()) {
        let k = matching_key(&t, &KeyConfig::default());
        prop_assert_eq!(matching_key(&k, &KeyConfig::default()), k);
    }

    #[test]
    fn fingerprints_are_pure_and_serializable(t in text()) {
        for method in [Method::MinHash, Method::SimHash, Method::Exact] {
            let f = DedupConfig::new().ngram(2).method(method).fingerprinter().unwrap();
            let a = f.fingerprint(&t);
            prop_assert_eq!(&a, &f.fingerprint(&t));
            let json = serde_json::to_string(&a).unwrap();
            let back: Fingerprint = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, a);
        }
    }

    #[test]
    fn batches_decide_like_single_pushes(texts in prop::collection::vec(text(), 0..12)) {
        let mut with: Vec<String> = texts.clone();
        // Repeat some documents so duplicates occur.
        with.extend(texts.iter().step_by(2).cloned());
        let mut one = DedupConfig::new().ngram(2).build().unwrap();
        let singles: Vec<_> = with.iter().map(|t| one.push(t)).collect();
        let mut batch = DedupConfig::new().ngram(2).build().unwrap();
        prop_assert_eq!(batch.push_batch(&with), singles);
        // A repeated text is never kept twice.
        let mut d = Deduper::new();
        for t in &with {
            d.push(t);
        }
        let distinct: std::collections::HashSet<&String> = with.iter().collect();
        prop_assert!(d.clusters() <= distinct.len());
    }
}

//! Measures learned boilerplate on the spam corpus (real laws and classical chapters with site
//! spam inserted, truth recorded; see `tests/support/spam_corpus.rs`) and on a control corpus of
//! laws with nothing inserted.
//!
//! ```text
//! cargo run --release --example learn_eval -- [LAWS BOOKS CONTROL]
//! ```
//!
//! Defaults: 200 laws, 200 classical chapters, 300 control laws. Needs `../shared/data` and `xz`.

#[path = "../tests/support/spam_corpus.rs"]
mod spam_corpus;

use std::time::Instant;

use scour::learn::BoilerplateLearner;
use scour::Cleaner;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let laws = args.first().copied().unwrap_or(200);
    let books = args.get(1).copied().unwrap_or(200);
    let control = args.get(2).copied().unwrap_or(300);

    // LEARN_EVAL_STYLE=mid-sentence or numbered-nav (or both, comma-separated) inserts the spam
    // in harder ways; see `spam_corpus::Style`.
    let style_var = std::env::var("LEARN_EVAL_STYLE").unwrap_or_default();
    let style = spam_corpus::Style {
        phrase_mid_sentence: style_var.contains("mid-sentence"),
        numbered_nav: style_var.contains("numbered-nav"),
    };
    println!("style: {style:?}");
    let corpus = spam_corpus::spam_corpus_with(laws, books, style)?;
    // With LEARN_EVAL_WRITE=DIR, the spam corpus is also written there, one file per document
    // (the seed raw, as `seed.txt`), for the command line: `scour learn DIR -o MODEL`.
    if let Some(dir) = std::env::var_os("LEARN_EVAL_WRITE") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir)?;
        for (i, doc) in corpus.docs.iter().enumerate() {
            if i == corpus.seed {
                std::fs::copy(
                    spam_corpus::root().join("tests/data/seed.txt"),
                    dir.join("seed.txt"),
                )?;
            } else {
                std::fs::write(dir.join(format!("{i:04}.txt")), &doc.text)?;
            }
        }
    }
    let chars: usize = corpus.docs.iter().map(|d| d.text.chars().count()).sum();
    println!(
        "spam corpus: {} documents ({} dropped), {} characters, {} inserted spans",
        corpus.docs.len(),
        corpus.dropped,
        chars,
        corpus.docs.iter().map(|d| d.inserted.len()).sum::<usize>()
    );
    let learner = BoilerplateLearner::new();
    let t = Instant::now();
    let model = learner.learn(|| corpus.docs.iter().map(|d| d.text.as_str()));
    println!("learned in {:.2} s:", t.elapsed().as_secs_f64());
    for e in &model.entries {
        println!(
            "  {:?} {:?} df {} occ {} left {:.1} right {:.1} after-sentence {:.2}",
            e.text,
            e.placement,
            e.doc_frequency,
            e.evidence.occurrences,
            e.evidence.left_variety,
            e.evidence.right_variety,
            e.evidence.after_sentence
        );
    }
    let cutter = model.cutter()?;
    let score = spam_corpus::score(&cutter, &corpus.docs);
    println!(
        "spam corpus: inserted {} chars, removed {} chars, of them inserted {}: precision {:.4}, recall {:.4}",
        score.inserted,
        score.removed,
        score.removed_inserted,
        score.precision(),
        score.recall()
    );
    // Errors in detail: what was removed that was not inserted, and what inserted text stayed.
    let mut shown = 0;
    for doc in &corpus.docs {
        for edit in cutter.cut(&doc.text).edits {
            let inside = doc
                .inserted
                .iter()
                .any(|&(s, e)| s <= edit.offset && edit.offset + edit.removed.len() <= e);
            if !inside && shown < 20 {
                shown += 1;
                println!("  wrong cut: {:?}", edit.removed);
            }
        }
    }

    let seed_raw = std::fs::read(spam_corpus::root().join("tests/data/seed.txt"))?;
    let expected =
        std::fs::read_to_string(spam_corpus::root().join("tests/data/seed-expected.txt"))?;
    let seed_clean = Cleaner::builder()
        .boilerplate(cutter)
        .build()
        .clean(&seed_raw)?
        .text;
    println!(
        "seed cleaned with the learned model equals seed-expected.txt: {}",
        seed_clean == expected
    );

    let control = spam_corpus::control_corpus(control)?;
    let t = Instant::now();
    let control_model = learner.learn(|| control.iter());
    let learned = t.elapsed().as_secs_f64();
    let (removed, total) = spam_corpus::removed_share(&control_model.cutter()?, &control);
    println!(
        "control: {} laws, {} characters, learned {} entries in {:.2} s, removed {} characters ({:.4}%)",
        control.len(),
        total,
        control_model.entries.len(),
        learned,
        removed,
        removed as f64 * 100.0 / total as f64
    );
    for e in &control_model.entries {
        println!("  {:?} {:?} df {}", e.text, e.placement, e.doc_frequency);
    }
    Ok(())
}

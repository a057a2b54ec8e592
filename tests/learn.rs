//! Learned boilerplate end to end: the spam corpus's precision and recall, the control corpus,
//! the seed, the model file, and determinism.

#[path = "support/shared_data.rs"]
mod shared_data;
#[path = "support/spam_corpus.rs"]
mod spam_corpus;

use scour::boilerplate::Placement;
use scour::edit::{replay, Stage};
use scour::learn::{BoilerplateLearner, BoilerplateModel};
use scour::{Cleaner, EditKind};

/// Pages of one site: varied text, the site's title glued onto each heading, a footer line.
fn site_pages(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let a = char::from_u32(0x4E00 + (i as u32 * 37) % 20000).unwrap();
            let b = char::from_u32(0x4E00 + (i as u32 * 91 + 7) % 20000).unwrap();
            let c = char::from_u32(0x4E00 + (i as u32 * 53 + 11) % 20000).unwrap();
            format!(
                "{a}{b}记第{i}章 {c}{b}侯卫东官场笔记\n{c}{a}说了一些话，第{i}次{b}。\n\n{b}{c}又说{a}。\n本站所有小说均来源于网络\n"
            )
        })
        .collect()
}

#[test]
fn learns_a_sites_title_and_footer_and_cuts_them_with_evidence() {
    let pages = site_pages(80);
    let model = BoilerplateLearner::new().learn(|| pages.iter());
    let learned = learned_entries(&model);
    assert_eq!(
        learned,
        [
            ("侯卫东官场笔记", Placement::LineEnd, 80),
            ("本站所有小说均来源于网络", Placement::WholeLine, 80),
        ]
    );
    // Each is the only member of its family of lines.
    let families: Vec<Option<f64>> = model.entries.iter().map(|e| e.evidence.family).collect();
    assert_eq!(families, [Some(1.0), Some(1.0)]);
    let cleaner = cleaner_with(&model);
    let page =
        "2016年工作回顾侯卫东官场笔记\n侯卫东官场笔记不在行尾不算\n本站所有小说均来源于网络\n";
    let cleaned = cleaner.clean(page.as_bytes()).unwrap();
    assert_eq!(cleaned.text, "2016年工作回顾\n侯卫东官场笔记不在行尾不算\n");
    let cuts: Vec<(&str, &str)> = cleaned
        .edits
        .iter()
        .filter(|e| e.kind == EditKind::Boilerplate)
        .map(|e| (e.removed.as_str(), e.reason.as_ref()))
        .collect();
    assert_eq!(
        cuts,
        [
            (
                "侯卫东官场笔记",
                "learned boilerplate (line end): in 80 of 80 documents, context variety 80.0 left, 1.0 right"
            ),
            (
                "本站所有小说均来源于网络\n",
                "learned boilerplate (whole line): in 80 of 80 documents, context variety 1.0 left, 1.0 right"
            ),
        ]
    );
    assert_eq!(replay(page, &cleaned.edits).unwrap(), cleaned.text);
}

#[test]
fn too_few_documents_learn_nothing() {
    let pages = site_pages(49);
    let model = BoilerplateLearner::new().learn(|| pages.iter());
    assert_eq!(model.documents, 49);
    assert!(model.entries.is_empty());
    assert!(model.cutter().unwrap().is_empty());
    let none: Vec<String> = Vec::new();
    assert_eq!(BoilerplateLearner::new().learn(|| none.iter()).documents, 0);
}

#[test]
fn genre_formulas_at_line_starts_are_not_learned() {
    // Every document opens its lines with the same formulas, with varied continuations.
    let docs: Vec<String> = (0..100)
        .map(|i| {
            let a = char::from_u32(0x4E00 + (i * 37) % 20000).unwrap();
            let b = char::from_u32(0x4E00 + (i * 91 + 7) % 20000).unwrap();
            format!("各位代表：\n第一条 为了{a}{b}，制定本条例。\n第二条 本条例所称{b}{a}。\n各位代表，{a}{b}。\n")
        })
        .collect();
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    assert_eq!(model.entries, []);
}

#[test]
fn the_model_file_round_trips_and_is_editable() {
    let pages = site_pages(60);
    let mut model = BoilerplateLearner::new().learn(|| pages.iter());
    let dir = std::env::temp_dir().join(format!("scour-learn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.json");
    model.save(&path).unwrap();
    assert_eq!(BoilerplateModel::load(&path).unwrap(), model);

    // A person vetoes the title and adds a phrase.
    model.veto.push("侯卫东官场笔记".into());
    model.phrases.push("点击下一页继续阅读".into());
    let json = model.to_json();
    assert!(json.contains("\"veto\""));
    let edited = BoilerplateModel::from_json(&json).unwrap();
    let cutter = edited.cutter().unwrap();
    let texts: Vec<&str> = cutter.patterns().iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["本站所有小说均来源于网络", "点击下一页继续阅读"]);

    // A model without the optional lists still loads; a broken one is a typed error naming the
    // file.
    let minimal = r#"{"documents": 3, "chars": 9, "entries": []}"#;
    assert_eq!(BoilerplateModel::from_json(minimal).unwrap().documents, 3);
    // An entry written before `family` was counted.
    let older = r#"{"documents": 3, "chars": 9, "entries": [{"text": "侯卫东官场笔记",
        "placement": "line_end", "doc_frequency": 3, "evidence": {"occurrences": 3,
        "whole_line": 0.0, "at_edge": 0.0, "line_start": 0.0, "line_end": 1.0,
        "after_sentence": 0.0, "left_variety": 3.0, "right_variety": 1.0}}]}"#;
    let older = BoilerplateModel::from_json(older).unwrap();
    assert_eq!(older.entries[0].evidence.family, None);
    assert!(!older.to_json().contains("family"));
    std::fs::write(&path, "{\"documents\": ").unwrap();
    let err = BoilerplateModel::load(&path).unwrap_err().to_string();
    assert!(
        err.contains("model.json") && err.contains("bad model"),
        "{err}"
    );
    let err = BoilerplateModel::load(dir.join("absent.json")).unwrap_err();
    assert!(matches!(err, scour::Error::Io { .. }));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_model_does_not_depend_on_the_thread_count() {
    let pages = site_pages(300);
    let learn = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| BoilerplateLearner::new().learn(|| pages.iter()).to_json())
    };
    assert_eq!(learn(1), learn(3));
}

/// The acceptance figures: on the spam corpus (200 laws, 200 classical chapters and the seed,
/// spam inserted with the truth recorded) recall >= 0.95 and precision >= 0.99; the seed comes
/// out as `seed-expected.txt`; on 300 laws with nothing inserted at most 0.05% of the characters
/// are removed.
#[test]
fn spam_corpus_precision_recall_seed_and_control() {
    let corpus = match spam_corpus::spam_corpus(200, 200) {
        Ok(corpus) => corpus,
        Err(why) => {
            shared_data::absent(&why);
            return;
        }
    };
    assert_eq!(corpus.docs.len(), 401);
    assert_eq!(corpus.dropped, 0);
    let model = BoilerplateLearner::new().learn(|| corpus.docs.iter().map(|d| d.text.as_str()));
    let cutter = model.cutter().unwrap();
    let score = spam_corpus::score(&cutter, &corpus.docs);
    assert!(score.inserted > 20_000, "{score:?}");
    assert!(score.recall() >= 0.95, "{score:?}");
    assert!(score.precision() >= 0.99, "{score:?}");

    // The seed, raw (eight copies, the title glued onto a heading in each), cleaned with the
    // learned model and no phrase list.
    let seed = std::fs::read(spam_corpus::root().join("tests/data/seed.txt")).unwrap();
    let expected =
        std::fs::read_to_string(spam_corpus::root().join("tests/data/seed-expected.txt")).unwrap();
    let cleaned = Cleaner::builder()
        .boilerplate(cutter)
        .build()
        .clean(&seed)
        .unwrap();
    assert_eq!(cleaned.text, expected);
    assert!(cleaned
        .edits
        .iter()
        .any(|e| e.stage == Stage::Boilerplate && e.removed == spam_corpus::TITLE));

    let control = spam_corpus::control_corpus(300).unwrap();
    assert_eq!(control.len(), 300);
    let control_model = BoilerplateLearner::new().learn(|| control.iter());
    let (removed, total) = spam_corpus::removed_share(&control_model.cutter().unwrap(), &control);
    assert!(
        removed as f64 <= 0.0005 * total as f64,
        "{removed} of {total} characters removed: {:?}",
        control_model.entries
    );
}

/// A thousand real laws, nothing inserted: nothing is learned. (Before the line-end family rule,
/// `促进条例`, the ending of 2% of the law titles, was learned here.)
#[test]
fn a_thousand_laws_learn_nothing() {
    let control = match spam_corpus::control_corpus(1000) {
        Ok(control) => control,
        Err(why) => {
            shared_data::absent(&why);
            return;
        }
    };
    assert_eq!(control.len(), 1000);
    let model = BoilerplateLearner::new().learn(|| control.iter());
    assert_eq!(model.documents, 1000);
    assert_eq!(model.entries, []);
}

#[test]
fn huge_lines_and_empty_documents_do_not_disturb_learning() {
    let mut docs = site_pages(80);
    docs.push(String::new());
    docs.push("\n\n\n".into());
    docs.push("侯".repeat(1 << 20) + "\n");
    docs.push("x".repeat(3) + "\n");
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    assert_eq!(model.documents, 84);
    let learned: Vec<&str> = model.entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(learned, ["侯卫东官场笔记", "本站所有小说均来源于网络"]);
}

/// The passes run by hand, each per-document result sent through JSON as a cluster would ship
/// it, give the same model as `learn`.
#[test]
fn the_passes_run_as_map_and_reduce_give_the_same_model() {
    use scour::learn::{CandidateMatcher, CountMinSketch, SpanEvidence};
    use std::collections::HashMap;

    fn ship<T: serde::Serialize + serde::de::DeserializeOwned>(t: T) -> T {
        serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap()
    }

    let pages = site_pages(90);
    let learner = BoilerplateLearner::new();
    let c = learner.config();
    let mut sketch = CountMinSketch::new(c.sketch_width_log2, c.sketch_depth);
    for page in &pages {
        for key in ship(learner.doc_keys(page)) {
            sketch.add(key);
        }
    }
    let sketch = ship(sketch);
    let threshold = learner.threshold(pages.len() as u64);
    let mut segments: HashMap<String, u32> = HashMap::new();
    for page in &pages {
        for s in ship(learner.doc_segments(page, &sketch, threshold)) {
            *segments.entry(s).or_default() += 1;
        }
    }
    let candidates = learner.candidates(&segments, threshold);
    let matcher = CandidateMatcher::new(&candidates);
    let mut evidence = vec![SpanEvidence::default(); candidates.len()];
    for page in &pages {
        for (i, e) in ship(learner.doc_evidence(page, &matcher, &sketch, threshold)) {
            evidence[i].merge(e);
        }
    }
    let chars = pages.iter().map(|p| p.chars().count() as u64).sum();
    let by_hand = learner.decide(pages.len() as u64, chars, &candidates, &evidence, &sketch);
    assert_eq!(by_hand, learner.learn(|| pages.iter()));
    assert_eq!(by_hand.entries.len(), 2);
}

/// Each rule that keeps genre language out, next to a site title that must still be learned.
///
/// The title is glued onto headings whose own text varies, as on a real site; a quarter of
/// them end with the same genre word (`条例`), which must not be learned with the title.
#[test]
fn genre_language_is_not_learned_next_to_a_site_title() {
    let docs: Vec<String> = (0..120u32)
        .map(|i| {
            let h = |k: u32| char::from_u32(0x4E00 + (i * 7919 + k * 104_729) % 20000).unwrap();
            let n = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][i as usize % 10];
            let genre = ["条例", "", "", ""][i as usize % 4];
            format!(
                // A heading with the site's title glued on.
                "{}{}{}{genre}侯卫东官场笔记\n\
                 // A clause opener after a sentence: ends with a comma.
                 {}{}{}{}。情节严重的，{}{}{}。\n\
                 // A line-final formula with sentence punctuation.
                 {}{}{}{}，且听下回分解。\n\
                 // A count before a line-final formula.
                 {}{}第{n}十次会议通过\n\
                 // A piece of a bracketed title at a line end.
                 {}{}实施《{}{}法》办法\n\
                 // Markup around a heading.
                 <strong>{}{}{}</strong>\n\
                 正文{}{}{}{}。\n",
                h(1),
                h(2),
                h(3),
                h(4),
                h(5),
                h(6),
                h(7),
                h(8),
                h(9),
                h(10),
                h(11),
                h(12),
                h(13),
                h(14),
                h(15),
                h(16),
                h(17),
                h(18),
                h(19),
                h(20),
                h(21),
                h(22),
                h(23),
                h(24),
                h(25),
                h(26),
                h(27),
            )
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(|l| format!("{}\n", l.trim_start()))
            .collect()
        })
        .collect();
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    let learned: Vec<(&str, Placement)> = model
        .entries
        .iter()
        .map(|e| (e.text.as_str(), e.placement))
        .collect();
    assert_eq!(learned, [("侯卫东官场笔记", Placement::LineEnd)]);
}

/// Law titles end with genre words (`促进条例`, `管理条例`, `实施办法`) after varied text, the way
/// a site's title ends headings; they are families of line endings and are not learned. (In
/// `laws-zh`, `促进条例` ends lines in 114 documents, `…条例` in 2,056.) The
/// site's title, glued onto the chapter headings of a third of the documents, is learned, and
/// cut alone from a law title it is glued onto.
#[test]
fn title_endings_of_a_genre_are_not_learned() {
    const ENDINGS: [&str; 8] = [
        "促进条例",
        "管理条例",
        "保护条例",
        "实施办法",
        "管理办法",
        "若干规定",
        "管理规定",
        "暂行规定",
    ];
    let docs: Vec<String> = (0..400u32)
        .map(|i| {
            let h = |k: u32| char::from_u32(0x4E00 + (i * 7919 + k * 104_729) % 20000).unwrap();
            let ending = ENDINGS[i as usize % ENDINGS.len()];
            let site = if i % 3 == 0 { "侯卫东官场笔记" } else { "" };
            format!(
                "{}{}省{}{}{ending}\n第一章 {}{}{site}\n第一条 为了{}{}，制定本条例。\n第二条 {}{}{}。\n",
                h(1),
                h(10),
                h(11),
                h(2),
                h(3),
                h(4),
                h(5),
                h(6),
                h(7),
                h(8),
                h(9),
            )
        })
        .collect();
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    let learned = learned_entries(&model);
    assert_eq!(learned, [("侯卫东官场笔记", Placement::LineEnd, 134)]);
    let cleaner = cleaner_with(&model);
    let page = "湖南省科技进步促进条例侯卫东官场笔记\n湖南省科技进步促进条例\n";
    assert_eq!(
        cleaner.clean(page.as_bytes()).unwrap().text,
        "湖南省科技进步促进条例\n湖南省科技进步促进条例\n"
    );
}

/// A site's title glued after a heading's markup (`<strong>…</strong>侯卫东官场笔记`): the markup
/// is not the title's context, the heading's text is, so the title is learned.
#[test]
fn a_title_glued_after_markup_is_learned() {
    let docs: Vec<String> = (0..80u32)
        .map(|i| {
            let h = |k: u32| char::from_u32(0x4E00 + (i * 7919 + k * 104_729) % 20000).unwrap();
            format!(
                "<strong>第{i}回 {}{}</strong>侯卫东官场笔记\n{}{}说了一些话。\n<strong>{}{}</strong>\n",
                h(1),
                h(2),
                h(3),
                h(4),
                h(5),
                h(6),
            )
        })
        .collect();
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    let learned = learned_entries(&model);
    assert_eq!(learned, [("侯卫东官场笔记", Placement::LineEnd, 80)]);
    let cleaner = cleaner_with(&model);
    let page = "<strong>第一回宴桃园</strong>侯卫东官场笔记\n";
    assert_eq!(
        cleaner.clean(page.as_bytes()).unwrap().text,
        "<strong>第一回宴桃园</strong>\n"
    );
}

/// Broken and odd markup around spans does not disturb learning: tags cut in half, empty tags,
/// brackets that never close, multi-byte text inside tags.
#[test]
fn odd_markup_does_not_disturb_learning() {
    let docs: Vec<String> = (0..70u32)
        .map(|i| {
            let h = |k: u32| char::from_u32(0x4E00 + (i * 7919 + k * 104_729) % 20000).unwrap();
            format!(
                "{}{}</>侯卫东官场笔记\n<>\n{}<<b>>\n>{}<\n<标题 {}>本站所有小说均来源于网络\n{}{}<br/>侯卫东官场笔记\n",
                h(1),
                h(2),
                h(3),
                h(4),
                h(5),
                h(6),
                h(7),
            )
        })
        .collect();
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    let learned = learned_entries(&model);
    // The title always follows the same markup in each line (`</>`, not a tag, and `<br/>`), so
    // the two units are learned with it, as a constant neighbour would be.
    assert_eq!(
        learned,
        [
            ("</>侯卫东官场笔记", Placement::LineEnd, 70),
            ("<br/>侯卫东官场笔记", Placement::LineEnd, 70),
        ]
    );
    let cleaner = cleaner_with(&model);
    let page = "第一回</>侯卫东官场笔记\n第二回<br/>侯卫东官场笔记\n<>\n";
    assert_eq!(
        cleaner.clean(page.as_bytes()).unwrap().text,
        "第一回\n第二回\n<>\n"
    );
}

/// A piece of a web address shared by many links (`/article/details/`) varies on both sides and
/// occurs about once per document, like a phrase dropped at random; but it cuts the addresses in
/// two, so it is not learned. (Found in OI-wiki articles, which cite CSDN posts.)
#[test]
fn pieces_of_web_addresses_are_not_learned() {
    let docs: Vec<String> = (0..120u32)
        .map(|i| {
            let h = |k: u32| char::from_u32(0x4E00 + (i * 7919 + k * 104_729) % 20000).unwrap();
            let user: String = (0..6)
                .map(|k| char::from(b'a' + ((i * 31 + k * 17) % 26) as u8))
                .collect();
            format!(
                "{}{}{}。\n参见 https://blog.csdn.net/{user}/article/details/{} 的{}{}。\n",
                h(1),
                h(2),
                h(3),
                80_000_000 + i * 7919,
                h(4),
                h(5),
            )
        })
        .collect();
    let model = BoilerplateLearner::new().learn(|| docs.iter());
    assert_eq!(model.entries, []);
}

/// The model's entries as (text, placement, document frequency), for exact comparison.
fn learned_entries(model: &BoilerplateModel) -> Vec<(&str, Placement, u64)> {
    model
        .entries
        .iter()
        .map(|e| (e.text.as_str(), e.placement, e.doc_frequency))
        .collect()
}

/// A cleaner that cuts what `model` learned.
fn cleaner_with(model: &BoilerplateModel) -> Cleaner {
    Cleaner::builder()
        .boilerplate(model.cutter().unwrap())
        .build()
}

//! The learned-boilerplate test corpus: real documents with site spam inserted the way pirate
//! sites insert it, and the truth recorded. Shared by `tests/learn.rs` and
//! `examples/learn_eval.rs` (included with `#[path]`).
//!
//! Everything is deterministic: documents are picked and spam is placed by a fixed-seed
//! SplitMix64 generator.

#![allow(dead_code)]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Command;

use scour::boilerplate::BoilerplateCutter;
use scour::edit::Stage;
use scour::Cleaner;

/// The site's title, glued onto headings.
pub const TITLE: &str = "侯卫东官场笔记";
/// The site's footer line.
pub const FOOTER: &str = "本站所有小说均来源于网络，版权归原作者所有，如有侵权请联系删除";
/// The site's navigation line.
pub const NAV: &str = "← 上一篇 | 返回目录 | 下一篇 →";
/// Spam phrases dropped into paragraphs after a sentence.
pub const PHRASES: [&str; 2] = [
    "（天才一秒记住本站地址：www.biquge.la）",
    "手机用户请浏览m.biquge.la阅读，更优质的阅读体验。",
];

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/corpus/NAME.jsonl.xz` unpacked into `target/learn-data/NAME.jsonl`, or `None`
/// (with the reason) when the shared data is absent.
pub fn unpacked(name: &str) -> Result<PathBuf, String> {
    let packed = root().join(format!("../shared/data/corpus/{name}.jsonl.xz"));
    if !packed.exists() {
        return Err(format!("{} is absent", packed.display()));
    }
    static UNPACKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = UNPACKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("target/learn-data");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let out = dir.join(format!("{name}.jsonl"));
    let fresh = out.metadata().is_ok_and(|m| m.len() > 0);
    if !fresh {
        let tmp = dir.join(format!("{name}.jsonl.{}.part", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        let status = Command::new("xz")
            .arg("-dc")
            .arg(&packed)
            .stdout(file)
            .status()
            .map_err(|e| format!("cannot run xz: {e}"))?;
        if !status.success() {
            return Err(format!("xz failed on {}", packed.display()));
        }
        std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Picks about `want` texts from a JSONL file, each line with probability `p`, skipping texts
/// shorter than 300 characters.
pub fn pick(path: &Path, p: f64, want: usize, rng: &mut Rng) -> Vec<String> {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("unpacked corpus"));
    let mut out = Vec::new();
    for line in file.lines() {
        let line = line.expect("readable corpus");
        if rng.unit() >= p {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&line).expect("valid JSONL");
        let text = value["text"].as_str().unwrap_or_default();
        if text.chars().count() >= 300 {
            out.push(text.to_owned());
            if out.len() == want {
                break;
            }
        }
    }
    out
}

/// One document of the corpus: the text the learner sees and the byte ranges of it that the
/// site inserted.
pub struct Doc {
    pub text: String,
    pub inserted: Vec<(usize, usize)>,
}

fn is_heading(line: &str, index: usize) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    t.starts_with('#')
        || (t.starts_with("<strong>") && t.ends_with("</strong>"))
        || (index == 0 && t.chars().count() <= 40 && !t.ends_with(['。', '！', '？', '：']))
}

/// How the spam is inserted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Drop the phrase at a random character inside a paragraph, not after a sentence.
    pub phrase_mid_sentence: bool,
    /// Navigation lines name the neighbouring chapters (`上一篇：第12章`), so they vary.
    pub numbered_nav: bool,
}

/// Inserts the site's spam into a cleaned text: the title after each heading with probability
/// 1/2, a spam phrase after a sentence inside a paragraph (probability 0.6), the navigation line
/// at the top (0.3) or bottom (0.4), the footer at the bottom (0.9).
pub fn spam(text: &str, rng: &mut Rng, style: Style) -> Doc {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + 256);
    let mut inserted = Vec::new();
    let push_line = |out: &mut String, inserted: &mut Vec<(usize, usize)>, line: &str| {
        let start = out.len();
        out.push_str(line);
        out.push('\n');
        inserted.push((start, out.len()));
    };
    let nav = rng.unit();
    let nav_line = if style.numbered_nav {
        let n = 2 + rng.below(500);
        format!(
            "← 上一篇：第{}章 | 返回目录 | 下一篇：第{}章 →",
            n - 1,
            n + 1
        )
    } else {
        NAV.to_owned()
    };
    if nav < 0.3 {
        push_line(&mut out, &mut inserted, &nav_line);
    }
    // The paragraph line (and the sentence end in it) that gets a phrase.
    let phrase_at = if rng.unit() < 0.6 {
        let paragraphs: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                let l = lines[i];
                l.matches('。').count() >= 2 && !is_heading(l, i)
            })
            .collect();
        if paragraphs.is_empty() {
            None
        } else {
            let i = paragraphs[rng.below(paragraphs.len())];
            let ends: Vec<usize> = if style.phrase_mid_sentence {
                lines[i]
                    .char_indices()
                    .map(|(b, _)| b)
                    .filter(|&b| b > 0)
                    .collect()
            } else {
                lines[i]
                    .match_indices('。')
                    .map(|(b, _)| b + '。'.len_utf8())
                    .filter(|&b| b < lines[i].len())
                    .collect()
            };
            if ends.is_empty() {
                None
            } else {
                Some((
                    i,
                    ends[rng.below(ends.len())],
                    PHRASES[rng.below(PHRASES.len())],
                ))
            }
        }
    } else {
        None
    };
    for (i, line) in lines.iter().enumerate() {
        match phrase_at {
            Some((at, byte, phrase)) if at == i => {
                out.push_str(&line[..byte]);
                let start = out.len();
                out.push_str(phrase);
                inserted.push((start, out.len()));
                out.push_str(&line[byte..]);
            }
            _ => out.push_str(line),
        }
        if is_heading(line, i) && rng.unit() < 0.5 {
            let start = out.len();
            out.push_str(TITLE);
            inserted.push((start, out.len()));
        }
        out.push('\n');
    }
    if (0.3..0.7).contains(&nav) {
        push_line(&mut out, &mut inserted, &nav_line);
    }
    if rng.unit() < 0.9 {
        push_line(&mut out, &mut inserted, FOOTER);
    }
    Doc {
        text: out,
        inserted,
    }
}

/// The spam corpus: laws and classical chapters, spammed, plus the seed (whose title is the
/// site's).
pub struct Corpus {
    pub docs: Vec<Doc>,
    /// The index in `docs` of the seed.
    pub seed: usize,
    /// Documents dropped because cleaning the spammed text changed it (so the truth would not
    /// line up).
    pub dropped: usize,
}

/// Builds the spam corpus from `laws` laws and `books` classical chapters, or says why not (the
/// shared data is absent).
pub fn spam_corpus(laws: usize, books: usize) -> Result<Corpus, String> {
    spam_corpus_with(laws, books, Style::default())
}

/// [`spam_corpus`] with spam inserted in another style.
pub fn spam_corpus_with(laws: usize, books: usize, style: Style) -> Result<Corpus, String> {
    let laws_path = unpacked("laws-zh")?;
    let books_path = unpacked("classical-modern-zh")?;
    let cleaner = Cleaner::new();
    let mut rng = Rng::new(0x5C0_0A11);
    let mut sources = pick(&laws_path, laws as f64 * 1.5 / 3504.0, laws, &mut rng);
    sources.extend(pick(
        &books_path,
        books as f64 * 1.5 / 12206.0,
        books,
        &mut rng,
    ));
    let mut docs = Vec::new();
    let mut dropped = 0;
    for source in sources {
        let base = cleaner.clean(source.as_bytes()).expect("text").text;
        let doc = spam(&base, &mut rng, style);
        let again = cleaner.clean(doc.text.as_bytes()).expect("text").text;
        if again == doc.text {
            docs.push(doc);
        } else {
            dropped += 1;
        }
    }
    // The seed, as the learner sees it: cleaned, its eight copies collapsed to one.
    let seed_text = cleaner
        .clean(&std::fs::read(root().join("tests/data/seed.txt")).expect("seed"))
        .expect("text")
        .text;
    let inserted = seed_text
        .match_indices(TITLE)
        .map(|(b, t)| (b, b + t.len()))
        .collect();
    docs.push(Doc {
        text: seed_text,
        inserted,
    });
    let seed = docs.len() - 1;
    Ok(Corpus {
        docs,
        seed,
        dropped,
    })
}

/// The control corpus: `laws` laws not in the spam corpus's sample, cleaned, nothing inserted.
pub fn control_corpus(laws: usize) -> Result<Vec<String>, String> {
    let laws_path = unpacked("laws-zh")?;
    let cleaner = Cleaner::new();
    // A different generator: an independent sample of the laws.
    let mut rng = Rng::new(0xC0_47_80_11);
    Ok(pick(&laws_path, laws as f64 * 1.5 / 3504.0, laws, &mut rng)
        .into_iter()
        .map(|s| cleaner.clean(s.as_bytes()).expect("text").text)
        .collect())
}

/// Precision and recall of a cutter against the truth, in non-whitespace characters.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub inserted: usize,
    pub removed: usize,
    pub removed_inserted: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.removed == 0 {
            1.0
        } else {
            self.removed_inserted as f64 / self.removed as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.inserted == 0 {
            1.0
        } else {
            self.removed_inserted as f64 / self.inserted as f64
        }
    }
}

fn count_non_space(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

/// Scores the boilerplate stage's cuts on each document.
pub fn score(cutter: &BoilerplateCutter, docs: &[Doc]) -> Score {
    let mut score = Score::default();
    for doc in docs {
        score.inserted += doc
            .inserted
            .iter()
            .map(|&(s, e)| count_non_space(&doc.text[s..e]))
            .sum::<usize>();
        for edit in cutter.cut(&doc.text).edits {
            assert_eq!(edit.stage, Stage::Boilerplate);
            for (i, c) in edit.removed.char_indices() {
                if c.is_whitespace() {
                    continue;
                }
                let at = edit.offset + i;
                score.removed += 1;
                if doc.inserted.iter().any(|&(s, e)| s <= at && at < e) {
                    score.removed_inserted += 1;
                }
            }
        }
    }
    score
}

/// The share of characters (all of them) a cutter removes from texts.
pub fn removed_share(cutter: &BoilerplateCutter, texts: &[String]) -> (usize, usize) {
    let mut removed = 0;
    let mut total = 0;
    for t in texts {
        total += t.chars().count();
        removed += cutter
            .cut(t)
            .edits
            .iter()
            .map(|e| e.removed.chars().count())
            .sum::<usize>();
    }
    (removed, total)
}

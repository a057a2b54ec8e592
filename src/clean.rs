//! The reader end to end: bytes in, clean text and the edit record out.
//!
//! A [`Cleaner`] runs the stages in order: [`decode`](mod@crate::decode) →
//! [`repair`](crate::mojibake::Repairer) → [`normalize`](crate::normalize::Normalizer) → [`compose`] →
//! [`boilerplate`](crate::boilerplate) → [`repetition`](crate::repetition) → tidy. Each stage is
//! a module usable alone; the cleaner only wires them together and concatenates their edits, so
//! [`replay`](crate::edit::replay) of [`Cleaned::edits`] on the decoded text gives
//! [`Cleaned::text`] back. The repair stage runs a second time after repetition (its edits
//! form a second [`Stage::Repair`] group), because the stages between can join pieces into
//! something that reads as mojibake.
//!
//! # Example
//!
//! ```
//! use scour::{BoilerplateCutter, Cleaner};
//!
//! let cleaner = Cleaner::builder()
//!     .boilerplate(BoilerplateCutter::from_phrases(["侯卫东官场笔记"]).unwrap())
//!     .build();
//! let cleaned = cleaner.clean("2016年工作回顾侯卫东官场笔记\r\n――经济发展稳中有进。 “八个一”".as_bytes()).unwrap();
//! assert_eq!(cleaned.text, "2016年工作回顾\n——经济发展稳中有进。“八个一”\n");
//! assert_eq!(cleaned.charset.name(), "UTF-8");
//! ```

use std::borrow::Cow;

use crate::boilerplate::BoilerplateCutter;
use crate::decode::{Charset, Decoder, Method};
use crate::edit::{Edit, EditKind, Rewritten, Stage};
use crate::error::Result;
use crate::mojibake::Repairer;
use crate::normalize::{compose, Normalizer};
use crate::repetition::RepetitionCollapser;

/// The configuration of a [`Cleaner`], built step by step.
#[derive(Clone, Debug, Default)]
pub struct CleanerConfig {
    decoder: Decoder,
    repairer: Option<Repairer>,
    normalizer: Normalizer,
    boilerplate: BoilerplateCutter,
    repetition: Option<RepetitionCollapser>,
}

impl CleanerConfig {
    /// The default configuration: detect the encoding, repair mojibake, normalize, no
    /// boilerplate, collapse repetition.
    pub fn new() -> CleanerConfig {
        CleanerConfig {
            decoder: Decoder::new(),
            repairer: Some(Repairer::new()),
            normalizer: Normalizer::new(),
            boilerplate: BoilerplateCutter::default(),
            repetition: Some(RepetitionCollapser::new()),
        }
    }

    /// Use this decoder (to force an encoding or give a hint).
    pub fn decoder(mut self, decoder: Decoder) -> CleanerConfig {
        self.decoder = decoder;
        self
    }

    /// Repair mojibake with this repairer, or not at all (`None`).
    pub fn repair(mut self, repairer: Option<Repairer>) -> CleanerConfig {
        self.repairer = repairer;
        self
    }

    /// Use this normalizer (to turn rules off).
    pub fn normalizer(mut self, normalizer: Normalizer) -> CleanerConfig {
        self.normalizer = normalizer;
        self
    }

    /// Cut this boilerplate.
    pub fn boilerplate(mut self, cutter: BoilerplateCutter) -> CleanerConfig {
        self.boilerplate = cutter;
        self
    }

    /// Collapse repeated copies with this rule, or not at all (`None`).
    pub fn repetition(mut self, collapser: Option<RepetitionCollapser>) -> CleanerConfig {
        self.repetition = collapser;
        self
    }

    /// The cleaner.
    pub fn build(self) -> Cleaner {
        Cleaner { config: self }
    }
}

/// Cleans documents; see the [module docs](self). Cheap to share across threads.
#[derive(Clone, Debug)]
pub struct Cleaner {
    config: CleanerConfig,
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner::new()
    }
}

/// A cleaned document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleaned {
    /// The canonical text: UTF-8, NFC, `\n` line ends, exactly one trailing `\n` (or empty).
    pub text: String,
    /// The charset the input was decoded with.
    pub charset: Charset,
    /// How the charset was chosen.
    pub method: Method,
    /// Every edit, grouped by stage in pipeline order (repair may come twice); see
    /// [`crate::edit`].
    pub edits: Vec<Edit>,
}

impl Cleaned {
    /// The number of edits of each kind, for the kinds that occur.
    pub fn edit_counts(&self) -> Vec<(EditKind, usize)> {
        EditKind::ALL
            .iter()
            .map(|&k| (k, self.edits.iter().filter(|e| e.kind == k).count()))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

impl Cleaner {
    /// A cleaner with the default configuration.
    pub fn new() -> Cleaner {
        CleanerConfig::new().build()
    }

    /// Starts a configuration.
    pub fn builder() -> CleanerConfig {
        CleanerConfig::new()
    }

    /// Cleans one document given as bytes in any encoding.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Binary`] if the bytes are not text.
    pub fn clean(&self, bytes: &[u8]) -> Result<Cleaned> {
        let decoded = self.config.decoder.decode(bytes)?;
        let mut edits = decoded.edits;
        let text = self.clean_text(decoded.text, &mut edits);
        Ok(Cleaned {
            text,
            charset: decoded.charset,
            method: decoded.method,
            edits,
        })
    }

    /// Runs the text stages (everything after decoding) on `text`, appending their edits.
    pub fn clean_text(&self, text: String, edits: &mut Vec<Edit>) -> String {
        let c = &self.config;
        let text = match &c.repairer {
            Some(repairer) => step(text, edits, |t| repairer.repair(t)),
            None => text,
        };
        let after_repair = edits.len();
        let text = step(text, edits, |t| c.normalizer.normalize(t));
        let text = step(text, edits, compose);
        let before_cuts = edits.len();
        let text = step(text, edits, |t| c.boilerplate.cut(t));
        let text = match &c.repetition {
            Some(collapser) => step(text, edits, |t| collapser.collapse(t)),
            None => text,
        };
        // Repair again when the stages since changed the text: removing controls, composing,
        // mending punctuation and cutting can join pieces into a sequence that reads as
        // mojibake (`Â・` becomes `Â·`, the mojibake of `·`), which a second cleaning would
        // repair; repairing here keeps cleaning idempotent.
        // Only edits that delete or rewrite characters inside a line can join pieces.
        let joined = edits[after_repair..].iter().any(|e| {
            matches!(
                e.kind,
                EditKind::Control
                    | EditKind::Unicode
                    | EditKind::Punctuation
                    | EditKind::Boilerplate
                    | EditKind::Repetition
            )
        });
        let text = match &c.repairer {
            Some(repairer) if joined => step(text, edits, |t| repairer.repair(t)),
            _ => text,
        };
        if edits.len() == before_cuts {
            return text;
        }
        // The second repair pass can bring back what normalizing and composing take out (a
        // compatibility ideograph decoded from repaired bytes): both run again.
        let first_tidy = edits.len();
        let text = step(text, edits, |t| c.normalizer.normalize(t));
        let text = step(text, edits, compose);
        for edit in &mut edits[first_tidy..] {
            edit.stage = Stage::Tidy;
        }
        text
    }
}

/// Runs one text stage, keeping the text when the stage borrowed it back unchanged.
fn step(text: String, edits: &mut Vec<Edit>, stage: impl FnOnce(&str) -> Rewritten<'_>) -> String {
    let out = stage(&text);
    edits.extend(out.edits);
    match out.text {
        Cow::Borrowed(_) => text,
        Cow::Owned(changed) => changed,
    }
}

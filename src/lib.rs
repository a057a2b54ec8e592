//! scour turns scraped, dirty text into clean canonical text, and records every edit.
//!
//! ```
//! let cleaned = scour::Cleaner::new().clean("――中国 ・ 东盟\r\n".as_bytes()).unwrap();
//! assert_eq!(cleaned.text, "——中国·东盟\n");
//! ```
//!
//! The reader is a pipeline of stages, each a module with a small public type usable alone, and
//! the [edit record](edit) the one currency between them:
//!
//! | stage | module | type |
//! |---|---|---|
//! | bytes → text | [`decode`](mod@decode) | [`Decoder`] |
//! | characters and whitespace | [`normalize`] | [`Normalizer`], [`normalize::compose`] |
//! | known boilerplate | [`boilerplate`] | [`BoilerplateCutter`] |
//! | learned boilerplate | [`learn`] | [`BoilerplateLearner`], [`BoilerplateModel`] |
//! | repeated copies | [`repetition`] | [`RepetitionCollapser`] |
//! | all of them | [`clean`] | [`Cleaner`] |
//! | duplicates across documents | [`dedup`] | [`Deduper`] |

#![warn(missing_docs)]

pub mod boilerplate;
pub mod clean;
pub mod codecs;
pub mod decode;
pub mod dedup;
pub mod detect;
pub mod edit;
pub mod error;
pub mod input;
pub mod jsonl;
pub mod learn;
pub mod mojibake;
pub mod normalize;
pub mod repetition;
pub mod script;

pub use boilerplate::{BoilerplateCutter, Pattern, Placement};
pub use clean::{Cleaned, Cleaner, CleanerConfig};
pub use decode::{decode, Charset, Decoded, Decoder, Method};
pub use dedup::{DedupConfig, Deduper};
pub use edit::{Edit, EditKind, Stage};
pub use error::{Error, Result};
pub use learn::{BoilerplateLearner, BoilerplateModel, LearnerConfig};
pub use normalize::Normalizer;
pub use repetition::RepetitionCollapser;

//! Matching keys: the text that fingerprints are computed on, and its tokens.
//!
//! ```
//! use scour::dedup::key::{matching_key, KeyConfig};
//!
//! // Full-width letters, case, punctuation and spacing do not matter; the words stay apart.
//! assert_eq!(matching_key("Ｈｅｌｌｏ,  World！ 中文。", &KeyConfig::default()), "hello world中文");
//! ```
//!
//! The key is never emitted: it only decides what counts as the same text. It is built in one
//! pass over the characters:
//!
//! - **Compatibility normalization.** Every character is replaced by its Unicode compatibility
//!   decomposition (NFKD). Two texts have equal NFKD exactly when they have equal NFKC, so the key
//!   draws the same line as NFKC while skipping the recomposition step. CJK ideographs in the
//!   main blocks and ASCII have no decomposition and take a fast path.
//! - **Case folding**: Unicode full case folding. [`char::to_lowercase`] does it, except for the
//!   few characters it leaves alone that still have a fold once the decomposition is applied:
//!   `ß` and `ẞ` fold to `ss`, final `ς` to `σ`, and the combining iota subscript U+0345 to `ι`.
//!   As in Unicode's NFKC_Casefold, default-ignorable characters (soft hyphen, zero-width space
//!   and joiners, bidi controls, variation selectors, the BOM, Hangul fillers, tags) are removed
//!   without ending a word, so `co\u{ad}operate` and `cooperate` match.
//! - **Tokens.** A character of a script written without spaces
//!   ([`is_unspaced_script`]: Han, kana, Thai, …) is a token by itself. Any other run of letters,
//!   digits and combining marks is a *word* token (Latin, Cyrillic, Hangul, …). Whitespace ends a
//!   word and is dropped.
//! - **Punctuation and symbols** end a word and are dropped, unless
//!   [`KeyConfig::keep_punctuation`] is set, in which case each becomes a one-character token.
//!
//! The key text is the tokens in order, with one space between two adjacent word tokens (so
//! `"ab cd"` and `"abc d"` differ) and nothing elsewhere.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::script::{is_cjk_punctuation, is_unspaced_script};

/// How the matching key is made. The default is NFKC-equivalent, case-folded, punctuation and
/// whitespace dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyConfig {
    /// Apply the compatibility decomposition (full-width → ASCII, ligatures split, …).
    pub nfkc: bool,
    /// Lowercase every character.
    pub casefold: bool,
    /// Keep punctuation and symbols as one-character tokens instead of dropping them.
    pub keep_punctuation: bool,
}

impl Default for KeyConfig {
    fn default() -> Self {
        KeyConfig {
            nfkc: true,
            casefold: true,
            keep_punctuation: false,
        }
    }
}

/// The matching key of `text`; see the [module docs](self).
pub fn matching_key(text: &str, config: &KeyConfig) -> String {
    let mut key = String::new();
    let mut tokens = Vec::new();
    tokenize(text, config, &mut key, &mut tokens);
    key
}

/// Writes the matching key of `text` into `key` and the 64-bit hash of each token, in order, into
/// `tokens` (both are cleared first). Equal tokens have equal hashes.
///
/// Cost: one pass over the characters; a table lookup per non-ASCII character outside the main
/// CJK ideograph blocks; one xxh3 call per word token.
pub fn tokenize(text: &str, config: &KeyConfig, key: &mut String, tokens: &mut Vec<u64>) {
    key.clear();
    tokens.clear();
    key.reserve(text.len());
    let mut t = Tokenizer {
        key,
        tokens,
        word_start: None,
        last_was_word: false,
        config,
    };
    for c in text.chars() {
        // Full-width ASCII decomposes to ASCII: map it directly.
        let c = if config.nfkc && matches!(c as u32, 0xFF01..=0xFF5E) {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        } else {
            c
        };
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                t.word_char(if config.casefold {
                    c.to_ascii_lowercase()
                } else {
                    c
                });
            } else {
                t.end_word();
                if config.keep_punctuation && c.is_ascii_punctuation() {
                    t.char_token(c);
                }
            }
        } else if is_plain_ideograph(c) {
            t.char_token(c);
        } else if !config.keep_punctuation && is_cjk_punctuation(c) && !is_unspaced_script(c) {
            // Dropped whatever its decomposition (which, if any, is punctuation too).
            t.end_word();
        } else if config.casefold && is_default_ignorable(c) {
            // Removed, as in NFKC_Casefold: not even a word break.
        } else if config.nfkc {
            decompose_compatible(c, |d| t.other(d));
        } else {
            t.other(c);
        }
    }
    t.end_word();
}

/// Unicode's Default_Ignorable_Code_Point characters (DerivedCoreProperties.txt, Unicode 15).
#[inline]
fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Ideographs of the main CJK blocks: no decomposition, no case, each one a token.
#[inline]
fn is_plain_ideograph(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

struct Tokenizer<'a> {
    key: &'a mut String,
    tokens: &'a mut Vec<u64>,
    /// Where the word being read starts in `key`.
    word_start: Option<usize>,
    /// Whether the last token was a word (so the next word needs a separating space).
    last_was_word: bool,
    config: &'a KeyConfig,
}

impl Tokenizer<'_> {
    #[inline]
    fn word_char(&mut self, c: char) {
        if self.word_start.is_none() {
            if self.last_was_word {
                self.key.push(' ');
            }
            self.word_start = Some(self.key.len());
        }
        self.key.push(c);
    }

    #[inline]
    fn end_word(&mut self) {
        if let Some(start) = self.word_start.take() {
            self.tokens
                .push(xxhash_rust::xxh3::xxh3_64(&self.key.as_bytes()[start..]));
            self.last_was_word = true;
        }
    }

    #[inline]
    fn char_token(&mut self, c: char) {
        self.end_word();
        self.key.push(c);
        self.tokens.push(char_hash(c));
        self.last_was_word = false;
    }

    /// A non-ASCII character after decomposition.
    fn other(&mut self, c: char) {
        if is_unspaced_script(c) {
            self.char_token(c);
        } else if c.is_alphanumeric() || is_combining_mark(c) {
            if self.config.casefold {
                // The full case folds that lowercasing misses (see the module docs).
                match c {
                    '\u{DF}' | '\u{1E9E}' => {
                        self.word_char('s');
                        self.word_char('s');
                    }
                    '\u{3C2}' => self.word_char('\u{3C3}'),
                    '\u{345}' => self.word_char('\u{3B9}'),
                    _ => {
                        for l in c.to_lowercase() {
                            self.word_char(l);
                        }
                    }
                }
            } else {
                self.word_char(c);
            }
        } else if c.is_whitespace() {
            self.end_word();
        } else {
            self.end_word();
            if self.config.keep_punctuation {
                self.char_token(c);
            }
        }
    }
}

/// The hash of a one-character token: a 64-bit finalizer (from MurmurHash3) of the code point,
/// which is a bijection, so distinct characters never collide.
#[inline]
pub(crate) fn char_hash(c: char) -> u64 {
    let mut h = (c as u64) ^ 0x5CA1_AB1E_0000_0000;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        matching_key(s, &KeyConfig::default())
    }

    #[test]
    fn width_case_punctuation() {
        assert_eq!(key("Ｈｅｌｌｏ,  World！ 中文。"), "hello world中文");
        assert_eq!(key("ＡＢＣ１２３"), "abc123");
        assert_eq!(key("“第一条”　本法，依据宪法。"), "第一条本法依据宪法");
        assert_eq!(key(""), "");
        assert_eq!(key(" ,.;!? "), "");
    }

    #[test]
    fn words_stay_apart() {
        assert_ne!(key("ab cd"), key("abc d"));
        assert_eq!(key("ab,cd"), key("ab  cd"));
        assert_eq!(key("한국어 텍스트"), key("한국어, 텍스트!"));
    }

    #[test]
    fn canonical_equivalents_share_a_key() {
        // é precomposed and decomposed; ﬁ ligature; compatibility ideograph.
        assert_eq!(key("caf\u{e9}"), key("cafe\u{301}"));
        assert_eq!(key("\u{fb01}le"), key("file"));
        assert_eq!(key("\u{2f00}"), key("\u{4e00}"));
    }

    #[test]
    fn full_case_folding_and_ignorables() {
        assert_eq!(key("Straße STRAẞE strasse"), "strasse strasse strasse");
        assert_eq!(key("ΣΊΣΥΦΟΣ σίσυφος"), key("σίσυφοσ σίσυφοσ"));
        // ᾳ is α with the iota subscript; it folds to αι, as does ᾼ.
        assert_eq!(key("\u{1FB3}"), key("\u{1FBC}"));
        assert_eq!(key("\u{1FB3}"), key("\u{3B1}\u{3B9}"));
        // Soft hyphen, zero-width space, BOM: removed without a word break.
        assert_eq!(key("co\u{AD}op\u{200B}er\u{FEFF}ate"), "cooperate");
        // A variation selector after a Han character adds nothing.
        assert_eq!(key("葛\u{E0100}城\u{FE00}"), "葛城");
        let mut k = String::new();
        let mut t = Vec::new();
        tokenize("葛\u{E0100}城", &KeyConfig::default(), &mut k, &mut t);
        assert_eq!(t.len(), 2);
        // Without case folding, neither applies.
        let c = KeyConfig {
            casefold: false,
            ..KeyConfig::default()
        };
        assert_eq!(matching_key("ß\u{AD}", &c), "ß");
    }

    #[test]
    fn tokens() {
        let mut k = String::new();
        let mut t = Vec::new();
        tokenize("中文 text, 中", &KeyConfig::default(), &mut k, &mut t);
        assert_eq!(k, "中文text中");
        assert_eq!(t.len(), 4);
        assert_eq!(t[0], t[3]);
        assert_eq!(t[2], xxhash_rust::xxh3::xxh3_64(b"text"));
    }

    #[test]
    fn keep_punctuation() {
        let c = KeyConfig {
            keep_punctuation: true,
            ..KeyConfig::default()
        };
        assert_eq!(matching_key("a, b。", &c), "a,b。");
        let c = KeyConfig {
            casefold: false,
            nfkc: false,
            ..KeyConfig::default()
        };
        assert_eq!(matching_key("Ａb", &c), "Ａb");
    }
}

//! Choosing the legacy charset of bytes that are not UTF-8, with a confidence and a runner-up.
//!
//! ```
//! use scour::detect::{detect, Hints};
//! use scour::Charset;
//!
//! // "한국어 위키백과" in Johab: EUC-KR cannot decode it, so Johab wins.
//! let johab = b"\xd0\x65\x8a\x82\xb4\xe1 \xb6\xe1\xc7\xa1\xa4\x82\x89\xc1";
//! let found = detect(johab, &Hints::default());
//! assert_eq!(found.charset, Charset::for_label("johab").unwrap());
//! ```
//!
//! # How
//!
//! 0. Without hints, a fast path for plain CJK text: the common double-byte charsets (GBK,
//!    Big5, Shift_JIS, EUC-JP, EUC-KR, and EUC-TW) decode the sample strictly; when exactly one
//!    reads it without error and plausibly, and every other is clearly worse, it is taken
//!    without chardetng, whose letter statistics are the slow part of detection. When no double-byte
//!    charset reads the sample plausibly, a fast path for single-byte text
//!    (`detect::byte_pairs`, private): every single-byte code page is scored at once from the
//!    sample's byte-pair counts, with the rules below plus the share of vowels and of capitals
//!    among Cyrillic and Greek letters; a clear winner is taken, readings that come near each
//!    other are weighed as in steps 1 to 3 among themselves (chardetng reading only the first
//!    kilobyte), and Hangul-like runs of high bytes go the full way.
//! 1. chardetng proposes the Web encoding it finds most likely (given a top-level domain, or one
//!    derived from a language hint).
//! 2. Each candidate (that proposal, the CJK encodings, and the DOS, Mac and ISO code pages the
//!    Web set leaves out) decodes a sample of the bytes ([`SAMPLE_BYTES`]). Its *cost* is the
//!    malformed sequences plus a per-character implausibility ([`text_cost`]): controls, private
//!    use, box drawing inside words, a symbol between two letters, an upper-case letter after a
//!    lower-case one, two scripts inside one word.
//!    To the cost is added the share of the Latin and Cyrillic letters that no single language's
//!    alphabet covers (a wrong code page swaps Polish `ł ż ń` for a mix such as `ù ı ñ`).
//! 3. chardetng's proposal gets a head start ([`PROPOSAL_MARGIN`] per character, a third of it
//!    for a single-byte proposal, since chardetng confuses sibling code pages), a declared or
//!    HTTP charset that decodes the sample cleanly a larger one; the cheapest candidate wins. The
//!    confidence is the gap to the runner-up. A plausible double-byte proposal is accepted
//!    without trying the alternatives; a single-byte one is always checked against them.
//! 4. GBK with four-byte sequences is reported as gb18030; EUC-KR with KS X 1001 make-up
//!    sequences as EUC-KR-makeup.
//!
//! Cost: on the fast paths, a few strict decodes and one pass over the sample (single-byte
//! documents of 4 KB detect and decode at about 50 MB/s on one core). Otherwise one chardetng
//! pass over the sample (chardetng reads about 10 to 20 MB/s of non-Latin text on one core, the
//! larger part of the cost on small files), and one decode plus one scan per candidate (about
//! twenty-five). Candidates are scored in two rounds: all of them on the first
//! [`HEAD_BYTES`] of the sample, stopping each as soon as it is certainly far behind the best so
//! far (the points of a prefix bound the cost per character from below); then the few within
//! [`ROUND_TWO_GAP`] of the best again on the whole sample. Single-byte charsets are read through
//! a 256-entry table, without decoding. The sample is capped, so on large inputs detection is a
//! fixed cost (a few milliseconds).

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, GB18030, GBK, ISO_8859_10, ISO_8859_13, ISO_8859_14, ISO_8859_15,
    ISO_8859_16, ISO_8859_2, ISO_8859_3, ISO_8859_4, SHIFT_JIS, WINDOWS_1250, WINDOWS_1252,
};

use crate::codecs::Codec;
use crate::decode::{Charset, Method};
use crate::script::{is_hangul, is_kana};

mod byte_pairs;

/// How many bytes each candidate decodes.
pub const SAMPLE_BYTES: usize = crate::decode::Decoder::DETECT_BYTES;
/// The head start, in cost points per non-ASCII character, of chardetng's proposal.
pub const PROPOSAL_MARGIN: f64 = 0.15;
/// The head start of a declared or HTTP charset that decodes the sample without error.
pub const HINT_MARGIN: f64 = 1.0;

/// The cost per character under which chardetng's clean proposal is accepted without trying
/// the alternatives.
pub const PLAUSIBLE: f64 = 0.5;

/// What the caller knows about the bytes besides the bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// The charset an HTTP `Content-Type` header named.
    pub http: Option<Charset>,
    /// The charset the document declared (`<meta charset>`, an XML declaration, a mail header).
    pub declared: Option<Charset>,
    /// The top-level domain, lower case ASCII without the dot (`cn`, `tw`, `jp`, …).
    pub tld: Option<Vec<u8>>,
    /// A language code (`zh`, `zh-tw`, `ja`, `ko`, `ru`, …).
    pub language: Option<String>,
}

/// The result of detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The charset chosen.
    pub charset: Charset,
    /// How it was chosen.
    pub method: Method,
    /// 0 to 100: how clearly the choice beat the runner-up (100 for a byte-order mark, a forced
    /// label or valid UTF-8 with non-ASCII text).
    pub confidence: u8,
    /// The next best charset, when one was considered.
    pub runner_up: Option<Charset>,
}

/// The charsets tried beside chardetng's proposal.
fn alternatives() -> [Charset; 26] {
    use Charset::{Extra, Whatwg};
    [
        Whatwg(GBK),
        Whatwg(BIG5),
        Whatwg(SHIFT_JIS),
        Whatwg(EUC_JP),
        Whatwg(EUC_KR),
        Extra(Codec::Johab),
        Extra(Codec::EucTw),
        Whatwg(WINDOWS_1252),
        Whatwg(WINDOWS_1250),
        Whatwg(ISO_8859_2),
        Whatwg(ISO_8859_3),
        Whatwg(ISO_8859_4),
        Whatwg(ISO_8859_10),
        Whatwg(ISO_8859_13),
        Whatwg(ISO_8859_14),
        Whatwg(ISO_8859_15),
        Whatwg(ISO_8859_16),
        Extra(Codec::Cp852),
        Extra(Codec::Cp855),
        Extra(Codec::MacLatin2),
        Extra(Codec::Cp437),
        Whatwg(encoding_rs::X_MAC_CYRILLIC),
        Whatwg(encoding_rs::WINDOWS_1251),
        Whatwg(encoding_rs::KOI8_R),
        Whatwg(encoding_rs::IBM866),
        Whatwg(encoding_rs::ISO_8859_5),
    ]
}

fn is_double_byte(charset: Charset) -> bool {
    match charset {
        Charset::Whatwg(e) => [GBK, GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR].contains(&e),
        Charset::Extra(c) => !c.is_single_byte(),
        _ => false,
    }
}

/// The JIS X 0213 codecs extend Shift_JIS and EUC-JP and fill nearly every byte pair: they are
/// tried only when chardetng proposes their base.
fn extensions(proposal: Charset) -> Option<Charset> {
    match proposal {
        Charset::Whatwg(e) if e == SHIFT_JIS => Some(Charset::Extra(Codec::ShiftJisx0213)),
        Charset::Whatwg(e) if e == EUC_JP => Some(Charset::Extra(Codec::EucJisx0213)),
        _ => None,
    }
}

/// Detects the charset of `bytes`, which are assumed not to be UTF-8, UTF-16 or UTF-32 (the
/// [`Decoder`](crate::Decoder) rules those out first). Never fails: some single-byte charset
/// decodes anything.
pub fn detect(bytes: &[u8], hints: &Hints) -> Detection {
    if let Some(found) = detect_escapes(bytes) {
        return found;
    }
    let sample = cut_at_boundary(&bytes[..bytes.len().min(SAMPLE_BYTES)], bytes.len());
    if *hints == Hints::default() {
        match clear_double_byte(bytes) {
            DoubleByte::Clear(found) => return found,
            // Text that a double-byte charset reads plausibly goes the full way.
            DoubleByte::Plausible => {}
            DoubleByte::Implausible => {
                if let Some(found) = byte_pairs::clear_single_byte(sample) {
                    return found;
                }
            }
        }
    }
    let tld = hints.tld.clone().or_else(|| {
        hints
            .language
            .as_deref()
            .and_then(language_tld)
            .map(Vec::from)
    });
    // Every candidate is scored on the head of the sample; the few that come near the best
    // there are scored again on the whole sample (see `ROUND_TWO`). chardetng reads the head.
    let head = head_of(sample);
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(head, head.len() == bytes.len());
    let proposal = Charset::Whatwg(detector.guess(tld.as_deref(), chardetng::Utf8Detection::Deny));

    let mut scored: Vec<Scored> = Vec::with_capacity(32);
    let head_non_ascii = head.iter().filter(|b| !b.is_ascii()).count();
    let consider = |scored: &mut Vec<Scored>, charset: Charset, margin: f64| {
        let charset = refine(charset, bytes);
        if scored.iter().any(|s| s.charset == charset) {
            return;
        }
        // A candidate far behind the best so far is dropped as soon as that is certain; the
        // Japanese bases are scored fully, since their cost decides whether to try JIS X 0213.
        let exempt = charset == Charset::Whatwg(SHIFT_JIS) || charset == Charset::Whatwg(EUC_JP);
        let bound = scored
            .iter()
            .filter(|s| s.complete)
            .map(|s| s.cost)
            .min_by(f64::total_cmp)
            .filter(|_| !exempt)
            .map(|best| (best + ROUND_TWO_GAP, head_non_ascii));
        scored.push(Scored::new(charset, head, margin, bound));
    };
    for hint in [hints.http, hints.declared].into_iter().flatten() {
        if is_ascii_compatible(hint) {
            consider(&mut scored, hint, HINT_MARGIN);
        }
    }
    // chardetng tells scripts and double-byte charsets apart well, sibling code pages less so:
    // a single-byte proposal gets a smaller head start.
    let margin = if is_double_byte(proposal) {
        PROPOSAL_MARGIN
    } else {
        PROPOSAL_MARGIN / 3.0
    };
    consider(&mut scored, proposal, margin);
    // KS X 1001 make-up sequences are unmistakable; chardetng does not know them.
    if has_makeup_sequence(sample) {
        consider(&mut scored, Charset::Extra(Codec::EucKrMakeup), HINT_MARGIN);
    }
    // A clean, plausible double-byte proposal stands (the alternatives could only read the
    // same ideographs another way); a merely passable one is checked against the others
    // (Korean that GBK reads as common ideographs).
    // A single-byte proposal is always checked against the other code pages: chardetng
    // confuses siblings (ISO-8859-15 and windows-1252, ISO-8859-16 and -2) whose letters the
    // alphabet test of [`incoherence`] tells apart.
    let proposal_plausible = scored.iter().any(|s| {
        s.charset == refine(proposal, bytes)
            && is_double_byte(s.charset)
            && s.cost + PROPOSAL_MARGIN < PLAUSIBLE
            && s.malformed == 0
    });
    if let Some(lang) = hints.language.as_deref() {
        for charset in language_charsets(lang) {
            consider(&mut scored, charset, PROPOSAL_MARGIN / 2.0);
        }
    }
    // EUC-TW reads almost any pair of high bytes as a common ideograph of plane 1: a short
    // sample is only read so when it holds a sequence of the other planes. chardetng does not
    // know EUC-TW (and reads it as GBK or Big5): it is tried beside a plausible proposal too.
    let euc_tw_possible = head_non_ascii >= EUC_TW_MIN_BYTES || has_euc_tw_four_byte(sample);
    if proposal_plausible && euc_tw_possible {
        consider(&mut scored, Charset::Extra(Codec::EucTw), 0.0);
    }
    if !proposal_plausible {
        if let Some(extension) = extensions(proposal) {
            consider(&mut scored, extension, 0.0);
        }
        for charset in alternatives() {
            if charset != Charset::Extra(Codec::EucTw) || euc_tw_possible {
                consider(&mut scored, charset, 0.0);
            }
        }
        // A Japanese base that nearly fits: try its JIS X 0213 extension.
        for base in [SHIFT_JIS, EUC_JP] {
            let near = scored
                .iter()
                .any(|s| s.charset == Charset::Whatwg(base) && s.cost < 5.0);
            if let (true, Some(extension)) = (near, extensions(Charset::Whatwg(base))) {
                consider(&mut scored, extension, 0.0);
            }
        }
    }
    // Stable: on a tie the earlier (hinted, proposed) candidate stays first.
    scored.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    if head.len() < sample.len() {
        // The others keep their cost on the head, so that a runner-up is still named.
        let best = scored[0].cost;
        let close = scored
            .iter()
            .take(ROUND_TWO)
            .take_while(|s| s.cost <= best + ROUND_TWO_GAP)
            .count();
        for s in &mut scored[..close] {
            *s = Scored::new(s.charset, sample, s.margin, None);
        }
        scored[..close].sort_by(|a, b| a.cost.total_cmp(&b.cost));
    }
    if std::env::var_os("SCOUR_DEBUG_DETECT").is_some() {
        let list: Vec<String> = scored
            .iter()
            .take(5)
            .map(|s| format!("{}={:.3}", s.charset.name(), s.cost))
            .collect();
        eprintln!("detect: proposal {} | {}", proposal.name(), list.join(" "));
    }
    let (best_cost, best) = (scored[0].cost, scored[0].charset);
    let runner_up = scored.get(1).map(|s| (s.cost, s.charset));
    let confidence = match runner_up {
        Some((second, _)) => confidence((second - best_cost).max(0.0)),
        None => 100,
    };
    Detection {
        charset: refine(best, bytes),
        method: Method::Guessed,
        confidence,
        runner_up: runner_up.map(|(_, c)| refine(c, bytes)),
    }
}

/// The confidence, 50 to 100, of a lead of `gap` per character over the runner-up.
fn confidence(gap: f64) -> u8 {
    let gap = gap.min(1e6);
    (50.0 + 50.0 * (gap / (gap + 0.5))).round() as u8
}

/// The bytes at the head of the sample on which every candidate is scored, at least (see
/// [`HEAD_NON_ASCII`]).
pub const HEAD_BYTES: usize = 8 * 1024;
/// The non-ASCII bytes the head must hold, when the sample has them: a page that opens with
/// kilobytes of ASCII markup is judged on its text.
pub const HEAD_NON_ASCII: usize = 1024;

/// The head of `sample`: at least [`HEAD_BYTES`], and on to its [`HEAD_NON_ASCII`]th non-ASCII
/// byte, cut back to an ASCII byte.
fn head_of(sample: &[u8]) -> &[u8] {
    if sample.len() <= HEAD_BYTES {
        return sample;
    }
    let mut seen = 0;
    let mut end = sample.len();
    for (at, &b) in sample.iter().enumerate() {
        seen += usize::from(!b.is_ascii());
        if seen >= HEAD_NON_ASCII {
            end = at + 1;
            break;
        }
    }
    let end = end.max(HEAD_BYTES);
    cut_at_boundary(&sample[..end.min(sample.len())], sample.len())
}

/// How many candidates, at most, are scored again on the whole sample.
pub const ROUND_TWO: usize = 3;
/// How far behind the best on the head (in cost per character) a candidate may be and still be
/// scored on the whole sample: a reading that far behind on 8 KB does not catch up.
pub const ROUND_TWO_GAP: f64 = 0.5;

/// A candidate charset and its cost on a sample.
#[derive(Clone, Copy)]
struct Scored {
    /// Cost per non-ASCII character, less the head start.
    cost: f64,
    charset: Charset,
    /// Malformed sequences in the sample.
    malformed: usize,
    /// The head start the candidate was given.
    margin: f64,
    /// False when scoring stopped early: `cost` is then only a lower bound.
    complete: bool,
}

impl Scored {
    /// Scores `charset` on `sample`. With a `bound` (a cost, and the number of non-ASCII bytes
    /// in `sample`), scoring stops as soon as the cost is sure to exceed it; the cost is then a
    /// lower bound (above the bound) and `complete` is false.
    fn new(charset: Charset, sample: &[u8], margin: f64, bound: Option<(f64, usize)>) -> Scored {
        // Every non-ASCII character holds at least one byte above 0x7F, so the points so far
        // over those bytes bound the final cost per character from below (the incoherence term
        // only adds).
        let points_bound = |malformed: usize| {
            let head_start = if malformed == 0 { margin } else { 0.0 };
            bound.map_or(f64::INFINITY, |(b, high)| {
                (b + head_start) * high.max(1) as f64 - malformed as f64 * 20.0
            })
        };
        // A single-byte charset is read straight from its byte table: the same characters as
        // decoding, without building the text.
        let scored = match single_byte_table(charset) {
            Some(table) => {
                let chars = || sample.iter().map(|&b| table[usize::from(b)]);
                let malformed = chars()
                    .filter(|&c| c == char::REPLACEMENT_CHARACTER)
                    .count();
                cost_of_chars(chars(), points_bound(malformed))
                    .map(|cost| (cost, incoherence(chars())))
                    .ok_or(malformed)
                    .map(|(cost, incoherence)| (cost, malformed, incoherence))
            }
            None => {
                let (text, malformed) = decode_sample(charset, sample);
                cost_of_chars(text.chars(), points_bound(malformed))
                    .map(|cost| (cost, malformed, incoherence(text.chars())))
                    .ok_or(malformed)
            }
        };
        match scored {
            Ok((cost, malformed, incoherence)) => {
                let errors = malformed as f64 * 20.0;
                let per_char = (cost.points + errors) / cost.non_ascii.max(1) as f64
                    + COHERENCE_WEIGHT * incoherence;
                let head_start = if malformed == 0 { margin } else { 0.0 };
                Scored {
                    cost: per_char - head_start,
                    charset,
                    malformed,
                    margin,
                    complete: true,
                }
            }
            Err(malformed) => Scored {
                cost: bound.map_or(f64::INFINITY, |(b, _)| b).next_up(),
                charset,
                malformed,
                margin,
                complete: false,
            },
        }
    }
}

/// The character each byte decodes to in a single-byte charset (U+FFFD for a byte the charset
/// leaves undefined, which decoding counts as malformed), or `None` for a multi-byte charset.
fn single_byte_table(charset: Charset) -> Option<&'static [char; 256]> {
    single_byte_tables()
        .iter()
        .find(|(c, _)| *c == charset)
        .map(|(_, t)| t)
}

/// Every single-byte charset scour knows, with its byte table: the Windows code pages first,
/// the most common on the Web, so that of two charsets that read a text alike the Windows one
/// is named.
fn single_byte_tables() -> &'static [(Charset, [char; 256])] {
    static TABLES: std::sync::OnceLock<Vec<(Charset, [char; 256])>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        use encoding_rs::*;
        let whatwg = [
            WINDOWS_1252,
            WINDOWS_1250,
            WINDOWS_1251,
            WINDOWS_1253,
            WINDOWS_1254,
            WINDOWS_1255,
            WINDOWS_1256,
            WINDOWS_1257,
            WINDOWS_1258,
            WINDOWS_874,
            ISO_8859_2,
            ISO_8859_3,
            ISO_8859_4,
            ISO_8859_5,
            ISO_8859_6,
            ISO_8859_7,
            ISO_8859_8,
            ISO_8859_8_I,
            ISO_8859_10,
            ISO_8859_13,
            ISO_8859_14,
            ISO_8859_15,
            ISO_8859_16,
            KOI8_R,
            KOI8_U,
            IBM866,
            MACINTOSH,
            X_MAC_CYRILLIC,
        ]
        .map(Charset::Whatwg);
        let extra =
            [Codec::Cp437, Codec::Cp852, Codec::Cp855, Codec::MacLatin2].map(Charset::Extra);
        whatwg
            .into_iter()
            .chain(extra)
            .map(|charset| {
                let mut table = ['\0'; 256];
                for (b, slot) in table.iter_mut().enumerate() {
                    let (text, malformed) = decode_sample(charset, &[b as u8]);
                    let mut chars = text.chars();
                    *slot = match (chars.next(), chars.next(), malformed) {
                        (Some(c), None, 0) => c,
                        _ => char::REPLACEMENT_CHARACTER,
                    };
                }
                (charset, table)
            })
            .collect()
    })
}

/// The weight of [`incoherence`] in a candidate's per-character cost.
const COHERENCE_WEIGHT: f64 = 2.0;

/// The non-ASCII lower-case letters of the languages written in a Latin or Cyrillic code page.
/// Vietnamese is left out: its letters cover most of Latin-1, so it would excuse any mix.
const ALPHABETS: &[&str] = &[
    "æøåéó",                              // Danish, Norwegian
    "äöüßé",                              // German
    "áéíóúñü",                            // Spanish
    "äöåšž",                              // Finnish
    "àâæçéèêëîïôœùûüÿ",                   // French
    "áéíóú",                              // Irish
    "àèéìíîòóùú",                         // Italian
    "áâãàçéêíóôõúü",                      // Portuguese
    "åäöé",                               // Swedish
    "áðéíóúýþæö",                         // Icelandic
    "àçéèíïòóúüŀ",                        // Catalan
    "éëïöèü",                             // Dutch
    "áčďéěíňóřšťúůýž",                    // Czech
    "áäčďéíĺľňóôŕšťúýž",                  // Slovak
    "ąćęłńóśźż",                          // Polish
    "áéíóöőúüű",                          // Hungarian
    "čćđšž",                              // Croatian, Slovene, Bosnian
    "ăâîșțşţ",                            // Romanian (comma and cedilla forms)
    "äöõüšž",                             // Estonian
    "ąčęėįšųūž",                          // Lithuanian
    "āčēģīķļņšūžōŗ",                      // Latvian
    "ĉĝĥĵŝŭ",                             // Esperanto
    "âêîôûŵŷẁẃẅỳýäëïöü",                  // Welsh
    "áéíóúḃċḋḟġṁṗṡṫ",                     // Irish in the old orthography
    "ċġħżàèìòù",                          // Maltese
    "çğıöşüâî",                           // Turkish
    "абвгдежзийклмнопрстуфхцчшщъыьэюяё",  // Russian
    "абвгдежзийклмнопрстуфхцчшщьюяєіїґ'", // Ukrainian
    "абвгдежзийклмнопрстуфхцчшщъьюя",     // Bulgarian
    "абвгдђежзијклљмнњопрстћуфхцчџшѓќѕ",  // Serbian, Macedonian
    "абвгдежзйклмнопрстуўфхцчшыьэюяёі",   // Belarusian
];

/// The share of a text's Latin and Cyrillic non-ASCII letters that the best-fitting alphabet of
/// [`ALPHABETS`] leaves out: 0 when one language accounts for all of them. A wrong code page
/// swaps a language's letters for a mix of several (`ù ı ñ ú æ` for Polish `ł ż ń ś ę`).
fn incoherence(text: impl Iterator<Item = char>) -> f64 {
    // Letters are counted first, so that each distinct letter is spread over its alphabets (up
    // to a dozen) once.
    let mut letters = [0u32; ALPHABET_SLOTS];
    for c in text {
        if let Some(i) = alphabet_index(c) {
            letters[i] += 1;
        }
    }
    incoherence_of_slots(letters.iter().copied().enumerate().filter(|&(_, n)| n > 0))
}

/// [`incoherence`] of a text given as distinct characters with their number of occurrences.
fn incoherence_of_counts(counts: impl Iterator<Item = (char, u32)>) -> f64 {
    incoherence_of_slots(counts.filter_map(|(c, n)| alphabet_index(c).map(|i| (i, n))))
}

/// [`incoherence`] of letters given as distinct slots of [`alphabet_index`] with their counts.
fn incoherence_of_slots(slots: impl Iterator<Item = (usize, u32)>) -> f64 {
    let table = alphabet_table();
    let mut covered = [0u64; 64];
    let mut total = 0u64;
    for (slot, count) in slots {
        total += u64::from(count);
        let mut mask = table[slot];
        while mask != 0 {
            covered[mask.trailing_zeros() as usize] += u64::from(count);
            mask &= mask - 1;
        }
    }
    if total == 0 {
        return 0.0;
    }
    let best = covered[..ALPHABETS.len()]
        .iter()
        .max()
        .copied()
        .unwrap_or(0);
    (total - best) as f64 / total as f64
}

/// The number of slots of [`alphabet_index`].
const ALPHABET_SLOTS: usize = 0x2F0;

/// The slot of a letter [`incoherence`] counts: the non-ASCII letters of Latin-1, Latin
/// Extended-A and -B, basic Cyrillic and Latin Extended Additional.
fn alphabet_index(c: char) -> Option<usize> {
    match c as u32 {
        0xD7 | 0xF7 => None,
        u @ 0xC0..=0x24F => Some(u as usize - 0xC0),
        u @ 0x400..=0x45F => Some(u as usize - 0x400 + 0x190),
        u @ 0x1E00..=0x1EFF => Some(u as usize - 0x1E00 + 0x1F0),
        _ => None,
    }
}

/// Per slot of [`alphabet_index`], the alphabets of [`ALPHABETS`] (bit i) holding the letter in
/// either case: built once, so the test costs a look-up per letter.
fn alphabet_table() -> &'static [u64] {
    static TABLE: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![0u64; ALPHABET_SLOTS];
        for (k, alphabet) in ALPHABETS.iter().enumerate() {
            for lower in alphabet.chars() {
                for c in std::iter::once(lower).chain(lower.to_uppercase()) {
                    if let Some(i) = alphabet_index(c) {
                        table[i] |= 1 << k;
                    }
                }
            }
        }
        table
    })
}

/// The per-character cost under which the fast path of [`clear_double_byte`] accepts a charset.
const FAST_PLAUSIBLE: f64 = 0.3;
/// How much cheaper per character the fast path's choice must be than every other candidate:
/// this much on short samples ...
const FAST_GAP: f64 = 1.0;
/// ... and on longer ones as much as adds up to this many points (0.5 per character on 256
/// characters), but never less than a quarter of [`FAST_GAP`].
const FAST_GAP_POINTS: f64 = 128.0;
/// The non-ASCII characters the fast path needs before it trusts a cost.
const FAST_MIN_CHARS: usize = 64;

/// What [`clear_double_byte`] found.
#[derive(Debug, PartialEq)]
enum DoubleByte {
    /// One double-byte charset is clearly right.
    Clear(Detection),
    /// Some double-byte charset reads the sample plausibly (under [`PLAUSIBLE`]), without
    /// error or with a few malformed sequences, but not clearly.
    Plausible,
    /// No double-byte charset reads the sample plausibly.
    Implausible,
}

/// The fast path for plain CJK text: when exactly one of the common double-byte charsets (and
/// EUC-TW) decodes the sample without an error and plausibly, and every other one fails or is
/// clearly worse, that charset is taken without chardetng (whose letter statistics cost far
/// more than a few strict decodes; a strict decode stops at its first error). Anything less
/// clear-cut (Korean that GBK also reads as common ideographs, Japanese that a damaged byte
/// leaves to GBK, short samples, hints) goes the full way.
fn clear_double_byte(bytes: &[u8]) -> DoubleByte {
    let sample = cut_at_boundary(&bytes[..bytes.len().min(SAMPLE_BYTES)], bytes.len());
    let candidates = [GBK, BIG5, SHIFT_JIS, EUC_JP, EUC_KR]
        .map(Charset::Whatwg)
        .into_iter()
        .chain([Charset::Extra(Codec::EucTw)]);
    // The readings whose first 2 KB decode without error, with their cost per character there
    // and the characters it was charged over.
    let head = cut_at_boundary(&sample[..sample.len().min(2048)], sample.len());
    let mut readings: Vec<(Charset, String, f64, usize)> = Vec::with_capacity(6);
    for charset in candidates.clone() {
        if let Some((text, _)) = decode_tolerantly(charset, head, 0) {
            let cost = text_cost(&text);
            let per_char = cost.points / cost.non_ascii.max(1) as f64;
            readings.push((charset, text, per_char, cost.non_ascii));
        }
    }
    // A reading already far behind on the head is not decoded further: that spares the wrong
    // readings that decode without error (Big5 read as GBK, Shift_JIS or EUC-KR).
    let best_head = readings
        .iter()
        .filter(|r| r.3 >= FAST_MIN_CHARS)
        .map(|r| r.2)
        .fold(f64::INFINITY, f64::min);
    let cutoff = (FAST_PLAUSIBLE + 2.0 * FAST_GAP).min(best_head + FAST_GAP);
    // (cost per character, charset, characters read, kana among them)
    let mut scored: Vec<(f64, Charset, usize, usize)> = Vec::with_capacity(6);
    for (charset, head_text, head_per_char, head_chars) in readings {
        if head_chars >= FAST_MIN_CHARS && head_per_char >= cutoff {
            scored.push((head_per_char, charset, head_chars, 0));
            continue;
        }
        // The rest of the sample, after the head. A head that ends on an ASCII byte ends
        // between characters in every candidate (their lead bytes are all above 0x7F).
        let text = if head.len() == sample.len() {
            head_text
        } else if head.last().is_some_and(u8::is_ascii) {
            match decode_tolerantly(charset, &sample[head.len()..], 0) {
                Some((rest, _)) => head_text + &rest,
                None => continue,
            }
        } else {
            match decode_tolerantly(charset, sample, 0) {
                Some((text, _)) => text,
                None => continue,
            }
        };
        let cost = text_cost(&text);
        let per_char = cost.points / cost.non_ascii.max(1) as f64;
        if cost.non_ascii < FAST_MIN_CHARS {
            // Too few characters to call a reading clear, enough to call it implausible.
            if per_char < PLAUSIBLE {
                return DoubleByte::Plausible;
            }
            continue;
        }
        scored.push((per_char, charset, cost.non_ascii, kana_count(&text)));
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    if std::env::var_os("SCOUR_DEBUG_DETECT").is_some() {
        let list: Vec<String> = scored
            .iter()
            .map(|(c, s, _, _)| format!("{}={c:.3}", s.name()))
            .collect();
        eprintln!("detect fast path: {}", list.join(" "));
    }
    // Not clear: plausible when a reading without error is, or a damaged one (a few malformed
    // sequences, each charged as a U+FFFD): damaged Shift_JIS must not fall to the single-byte
    // fast path.
    let unclear = |best_cost: f64| {
        // Judged on the first 4 KB: the damaged readings decode slowly.
        let head = cut_at_boundary(&sample[..sample.len().min(4096)], sample.len());
        let tolerance = 1 + head.iter().filter(|b| !b.is_ascii()).count() / 64;
        let damaged_plausible = || {
            candidates.clone().any(|charset| {
                decode_tolerantly(charset, head, tolerance).is_some_and(|(text, _)| {
                    // As lenient as the single-byte path is with its own readings.
                    let cost = text_cost(&text);
                    (cost.points / cost.non_ascii.max(1) as f64) < byte_pairs::PLAUSIBLE
                })
            })
        };
        if best_cost < PLAUSIBLE || damaged_plausible() {
            DoubleByte::Plausible
        } else {
            DoubleByte::Implausible
        }
    };
    // Japanese: GBK, EUC-KR and EUC-TW read EUC-JP's kana alike, and its kanji as plausible
    // ideographs. When a Japanese reading holds kana for one character in twenty, the others
    // that hold kana are Japanese read wrongly and leave the contest. (EUC-JP with three-byte
    // sequences is left to the full way, which weighs JIS X 0213 against JIS X 0212.)
    let japanese = |c: Charset| c == Charset::Whatwg(SHIFT_JIS) || c == Charset::Whatwg(EUC_JP);
    let kana_rich = scored.iter().any(|&(_, charset, chars, kana)| {
        japanese(charset)
            && kana * 20 >= chars
            && !(charset == Charset::Whatwg(EUC_JP) && sample.contains(&0x8F))
    });
    if kana_rich {
        scored.retain(|&(_, charset, _, kana)| japanese(charset) || kana == 0);
    }
    let Some(&(best_cost, best, chars, best_kana)) = scored.first() else {
        return unclear(f64::INFINITY);
    };
    // Kana in a Chinese or Korean reading that no Japanese reading explains: damaged Japanese.
    // The full way decides.
    if !japanese(best) && best_kana > 0 {
        return unclear(best_cost);
    }
    let runner_up = scored.get(1).map(|&(cost, charset, _, _)| (cost, charset));
    let gap = (FAST_GAP / 4.0).max(FAST_GAP.min(FAST_GAP_POINTS / chars as f64));
    if best_cost >= FAST_PLAUSIBLE || runner_up.is_some_and(|(c, _)| c < best_cost + gap) {
        return unclear(best_cost);
    }
    let confidence = match runner_up {
        Some((second, _)) => confidence(second - best_cost),
        None => 95,
    };
    DoubleByte::Clear(Detection {
        charset: refine(best, bytes),
        method: Method::Guessed,
        confidence,
        runner_up: runner_up.map(|(_, c)| refine(c, bytes)),
    })
}

/// The hiragana and katakana letters (U+3041–U+30F6) of `text`, counted from the UTF-8 bytes:
/// `E3 81 81` to `E3 83 B6`.
fn kana_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xE3, bytes)
        .filter(|&at| match (bytes.get(at + 1), bytes.get(at + 2)) {
            (Some(0x81), Some(&c)) => c >= 0x81,
            (Some(0x82), Some(_)) => true,
            (Some(0x83), Some(&c)) => c <= 0xB6,
            _ => false,
        })
        .count()
}

/// `sample` decoded by `charset` with at most `max_malformed` malformed sequences (each a
/// U+FFFD): the text and their number, or `None` as soon as there are more. A sequence cut
/// short by the end of the sample is left out, not malformed: input is often cut mid-character.
fn decode_tolerantly(
    charset: Charset,
    sample: &[u8],
    max_malformed: usize,
) -> Option<(String, usize)> {
    match charset {
        Charset::Whatwg(encoding) => decode_whatwg(encoding, sample, false, max_malformed),
        Charset::Extra(codec) => codec.decode_tolerantly(sample, max_malformed),
        Charset::Utf32Le | Charset::Utf32Be => None,
    }
}

/// `bytes` decoded by a WHATWG encoding, each malformed sequence a U+FFFD: the text and their
/// number, or `None` once they exceed `max_malformed`. Unless `last`, a sequence cut short by
/// the end is left out instead of malformed.
fn decode_whatwg(
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
    last: bool,
    max_malformed: usize,
) -> Option<(String, usize)> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len())?;
    let mut text = String::with_capacity(capacity);
    let (mut malformed, mut read_total) = (0, 0);
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut text, last);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Some((text, malformed)),
            encoding_rs::DecoderResult::OutputFull => text.reserve(bytes.len() + 16),
            encoding_rs::DecoderResult::Malformed(..) => {
                malformed += 1;
                if malformed > max_malformed {
                    return None;
                }
                text.push('\u{FFFD}');
            }
        }
    }
}

/// Seven-bit encodings announced by escape sequences: ISO-2022-JP, ISO-2022-KR, HZ-GB-2312.
/// Only for input that is all ASCII (otherwise these cannot be the encoding).
pub(crate) fn detect_escapes(bytes: &[u8]) -> Option<Detection> {
    if !bytes.is_ascii() {
        return None;
    }
    let found = |charset| {
        Some(Detection {
            charset,
            method: Method::Guessed,
            confidence: 95,
            runner_up: Some(Charset::UTF_8),
        })
    };
    if memchr::memchr(0x1B, bytes).is_some() {
        if memchr::memmem::find(bytes, b"\x1b$)C").is_some() {
            return found(Charset::Extra(Codec::Iso2022Kr));
        }
        for escape in [&b"\x1b$B"[..], b"\x1b$@", b"\x1b(J", b"\x1b(I"] {
            if memchr::memmem::find(bytes, escape).is_some() {
                return found(Charset::Whatwg(encoding_rs::ISO_2022_JP));
            }
        }
    }
    // HZ: a `~{ … ~}` pair with GB2312-range bytes between.
    let open = memchr::memmem::find(bytes, b"~{")?;
    let close = memchr::memmem::find(&bytes[open..], b"~}")? + open;
    let inner = &bytes[open + 2..close];
    if inner.len() >= 2
        && inner.len().is_multiple_of(2)
        && inner.iter().all(|b| (0x21..=0x7E).contains(b))
        && Codec::Hz.decode_to_string(bytes).1 == 0
    {
        return found(Charset::Extra(Codec::Hz));
    }
    None
}

/// Reports GBK with four-byte sequences as gb18030, and EUC-KR with make-up sequences as
/// EUC-KR-makeup.
fn refine(charset: Charset, bytes: &[u8]) -> Charset {
    match charset {
        Charset::Whatwg(e) if e == GBK && has_gb18030_four_byte(bytes) => Charset::Whatwg(GB18030),
        Charset::Whatwg(e) if e == EUC_KR && has_makeup_sequence(bytes) => {
            Charset::Extra(Codec::EucKrMakeup)
        }
        other => other,
    }
}

/// The high bytes a sample needs before EUC-TW is tried without one of its four-byte sequences.
pub const EUC_TW_MIN_BYTES: usize = 128;

/// True when `bytes` hold an EUC-TW sequence of planes 2 to 7 or 15 (`8E A2`–`8E A7` or `8E
/// AF`, then two GR bytes).
fn has_euc_tw_four_byte(bytes: &[u8]) -> bool {
    let gr = |b: Option<&u8>| b.is_some_and(|b| (0xA1..=0xFE).contains(b));
    memchr::memchr_iter(0x8E, bytes).any(|at| {
        matches!(bytes.get(at + 1), Some(0xA2..=0xA7 | 0xAF))
            && gr(bytes.get(at + 2))
            && gr(bytes.get(at + 3))
    })
}

fn has_gb18030_four_byte(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        if (0x30..=0x39).contains(&bytes[i + 1]) {
            return true;
        }
        i += 2;
    }
    false
}

fn has_makeup_sequence(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"\xa4\xd4\xa4")
        .any(|at| matches!(bytes.get(at + 4..at + 8), Some([0xA4, _, 0xA4, _])))
}

/// Cuts a sample of a longer input back to the last ASCII byte, so that a multi-byte character
/// cut in two at the sample's end does not count as malformed.
fn cut_at_boundary(sample: &[u8], total: usize) -> &[u8] {
    if sample.len() == total {
        return sample;
    }
    match sample.iter().rposition(|b| b.is_ascii()) {
        Some(p) if p > sample.len() / 2 => &sample[..=p],
        _ => sample,
    }
}

fn is_ascii_compatible(charset: Charset) -> bool {
    match charset {
        Charset::Whatwg(e) => e.is_ascii_compatible(),
        Charset::Utf32Le | Charset::Utf32Be => false,
        Charset::Extra(_) => true,
    }
}

/// Decodes a sample with `charset`: the text and the number of malformed sequences.
pub(crate) fn decode_sample(charset: Charset, bytes: &[u8]) -> (String, usize) {
    match charset {
        Charset::Whatwg(e) => decode_whatwg(e, bytes, true, usize::MAX)
            .unwrap_or_else(|| (String::new(), bytes.len())),
        Charset::Extra(codec) => codec.decode_to_string(bytes),
        Charset::Utf32Le | Charset::Utf32Be => (String::new(), bytes.len()),
    }
}

/// A top-level domain that steers chardetng toward a language's encodings.
fn language_tld(language: &str) -> Option<&'static [u8]> {
    let l = language.to_ascii_lowercase();
    Some(match l.as_str() {
        "zh-tw" | "zh-hk" | "zh-hant" | "zh-mo" => b"tw",
        _ if l.starts_with("zh") => b"cn",
        _ if l.starts_with("ja") => b"jp",
        _ if l.starts_with("ko") => b"kr",
        _ if l.starts_with("ru") || l.starts_with("uk") || l.starts_with("bg") => b"ru",
        _ if l.starts_with("el") => b"gr",
        _ if l.starts_with("he") => b"il",
        _ if l.starts_with("ar") => b"sa",
        _ if l.starts_with("th") => b"th",
        _ if l.starts_with("tr") => b"tr",
        _ if l.starts_with("vi") => b"vn",
        _ if l.starts_with("cs") => b"cz",
        _ if l.starts_with("pl") => b"pl",
        _ if l.starts_with("hu") => b"hu",
        _ => return None,
    })
}

/// Charsets a language hint favours.
fn language_charsets(language: &str) -> Vec<Charset> {
    let l = language.to_ascii_lowercase();
    let w = Charset::Whatwg;
    if l == "zh-tw" || l == "zh-hk" || l == "zh-hant" {
        vec![w(BIG5)]
    } else if l.starts_with("zh") {
        vec![w(GBK)]
    } else if l.starts_with("ja") {
        vec![w(SHIFT_JIS), w(EUC_JP)]
    } else if l.starts_with("ko") {
        vec![w(EUC_KR)]
    } else {
        Vec::new()
    }
}

/// The implausibility of decoded text: cost points and the number of non-ASCII characters they
/// were charged over.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// The total of the points.
    pub points: f64,
    /// Non-ASCII characters seen.
    pub non_ascii: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Hebrew,
    Arabic,
    Thai,
    Cjk,
    Other,
}

/// The script of a letter, or `None` for a non-letter.
fn letter_script(c: char) -> Option<Script> {
    if c.is_ascii_alphabetic() {
        return Some(Script::Latin);
    }
    // The letters of the code pages without the slow Unicode property look-up.
    match c as u32 {
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => return Some(Script::Latin),
        0x386 | 0x388..=0x38A | 0x38C | 0x38E..=0x3A1 | 0x3A3..=0x3CE => {
            return Some(Script::Greek)
        }
        0x400..=0x45F => return Some(Script::Cyrillic),
        0x5D0..=0x5EA => return Some(Script::Hebrew),
        0x621..=0x63A | 0x641..=0x64A => return Some(Script::Arabic),
        0xE01..=0xE30 => return Some(Script::Thai),
        // Signs and symbols: Latin-1's upper half but `ª µ º`, general punctuation, arrows,
        // mathematical and technical signs, box drawing, shapes, dingbats.
        0x80..=0xA9 | 0xAB..=0xB4 | 0xB6..=0xB9 | 0xBB..=0xBF | 0x2000..=0x206F => return None,
        0x2190..=0x245F | 0x2500..=0x2BFF => return None,
        _ => {}
    }
    if !c.is_alphabetic() {
        return None;
    }
    Some(match c as u32 {
        0x00C0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFEFF => Script::Arabic,
        0x0E00..=0x0E7F => Script::Thai,
        0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000.. => {
            Script::Cjk
        }
        _ => Script::Other,
    })
}

/// The properties of a character that the cost functions read, packed in a byte: its letter
/// script ([`letter_script`], 0 for none, else the script's index plus one), case, and whether
/// it is numeric or white space. Precomputed below U+A000 (every code page's letters and the
/// ideographs), so that scoring twenty-five candidates costs one look-up per character instead
/// of several Unicode property searches.
#[derive(Clone, Copy)]
struct Props(u8);

impl Props {
    const SCRIPT: u8 = 0x0F;
    const UPPER: u8 = 1 << 4;
    const LOWER: u8 = 1 << 5;
    const NUMERIC: u8 = 1 << 6;
    const SPACE: u8 = 1 << 7;
    /// The characters whose properties are in the table.
    const TABLE_LEN: usize = 0xA000;

    fn compute(c: char) -> Props {
        let mut bits = letter_script(c).map_or(0, |s| s as u8 + 1);
        for (yes, bit) in [
            (c.is_uppercase(), Self::UPPER),
            (c.is_lowercase(), Self::LOWER),
            (c.is_numeric(), Self::NUMERIC),
            (c.is_whitespace(), Self::SPACE),
        ] {
            if yes {
                bits |= bit;
            }
        }
        Props(bits)
    }

    #[inline]
    fn of(c: char) -> Props {
        static TABLE: std::sync::OnceLock<Box<[Props]>> = std::sync::OnceLock::new();
        let u = c as usize;
        if u < Self::TABLE_LEN {
            TABLE.get_or_init(|| {
                (0..Self::TABLE_LEN as u32)
                    .map(|u| char::from_u32(u).map_or(Props(0), Props::compute))
                    .collect()
            })[u]
        } else if (0xFF00..=0xFFEF).contains(&u) {
            // Half-width and full-width forms: the punctuation of CJK text.
            static FORMS: std::sync::OnceLock<Box<[Props]>> = std::sync::OnceLock::new();
            FORMS.get_or_init(|| {
                (0xFF00..=0xFFEF)
                    .map(|u| char::from_u32(u).map_or(Props(0), Props::compute))
                    .collect()
            })[u - 0xFF00]
        } else if (0xAC00..=0xD7A3).contains(&u) {
            // Hangul syllables: caseless letters.
            Props(Script::Cjk as u8 + 1)
        } else if (0xE000..=0xF8FF).contains(&u) || u == 0xFFFD {
            // Private use and the replacement character: neither letters nor digits nor space.
            Props(0)
        } else {
            Props::compute(c)
        }
    }

    #[inline]
    fn script(self) -> Option<Script> {
        const SCRIPTS: [Script; 8] = [
            Script::Latin,
            Script::Greek,
            Script::Cyrillic,
            Script::Hebrew,
            Script::Arabic,
            Script::Thai,
            Script::Cjk,
            Script::Other,
        ];
        match self.0 & Self::SCRIPT {
            0 => None,
            n => Some(SCRIPTS[usize::from(n - 1)]),
        }
    }

    #[inline]
    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// Scores how implausible `text` is as natural text (lower is better); see the module docs.
pub fn text_cost(text: &str) -> Cost {
    cost_of_chars(text.chars(), f64::INFINITY).unwrap_or_default()
}

/// [`text_cost`] of a sequence of characters, or `None` as soon as its points exceed
/// `give_up_above`.
fn cost_of_chars(mut text: impl Iterator<Item = char>, give_up_above: f64) -> Option<Cost> {
    let mut cost = Cost::default();
    let mut prev = ' ';
    let mut prev_props = Props::of(prev);
    // Consecutive accented Latin letters: European words rarely hold three in a row, CJK text
    // read as a Latin code page always does.
    let mut latin_run = 0;
    // The last non-space character was an ideograph: words of ideographs between spaces are
    // Korean read as a Chinese charset (Chinese does not space its words).
    let mut han_before_space = false;
    let is_ideograph = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
    let Some(mut c) = text.next() else {
        return Some(cost);
    };
    let mut props = Props::of(c);
    loop {
        // Each character's properties are looked up once, as the next one.
        let following = text.next();
        let next = following.unwrap_or(' ');
        let next_props = Props::of(next);
        if c.is_ascii() {
            if c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C') {
                cost.points += 4.0;
            }
            if c != ' ' {
                han_before_space = false;
            }
            latin_run = 0;
        } else {
            cost.non_ascii += 1;
            cost.points += char_cost((prev, prev_props), (c, props), (next, next_props));
            if prev == ' ' && han_before_space && is_ideograph(c) {
                cost.points += 1.0;
            }
            han_before_space = is_ideograph(c);
            // Ideographs, kana and Hangul end a Latin run.
            let cjk = matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7A3);
            let script = props.script();
            if !cjk
                && (script == Some(Script::Latin)
                    || script.is_none() && !props.has(Props::NUMERIC) && !props.has(Props::SPACE))
            {
                latin_run += 1;
                if latin_run >= 3 {
                    cost.points += 3.0;
                }
            } else {
                latin_run = 0;
            }
        }
        if cost.points > give_up_above {
            return None;
        }
        let Some(following) = following else {
            return Some(cost);
        };
        (prev, prev_props) = (c, props);
        (c, props) = (following, next_props);
    }
}

/// The cost of one non-ASCII character `c` between `prev` and `next`, with their properties.
fn char_cost(
    (prev, prev_props): (char, Props),
    (c, props): (char, Props),
    (next, next_props): (char, Props),
) -> f64 {
    let u = c as u32;
    // The letters of the code pages (below U+2500) are none of the special cases that follow:
    // they go straight to the letter rules.
    let code_page_letter = u < 0x2500 && props.script().is_some();
    match u {
        _ if code_page_letter => {}
        0xFFFD => return 20.0,
        0x80..=0x9F => return 20.0,
        0xE000..=0xF8FF => return 8.0,
        0x2500..=0x25FF => return 6.0,
        0xFF61..=0xFF9F => return 1.0,
        _ => {}
    }
    if !code_page_letter
        && ((0x4E00..=0x9FFF).contains(&u) || (0xAC00..=0xD7A3).contains(&u) || is_kana(c))
    {
        // A common ideograph costs nothing; a rare one (beyond the first levels of GB2312,
        // Big5 and JIS X 0208) is what a misread byte pair most often yields. CJK glued to
        // Latin letters is what Latin text read as a double-byte charset yields.
        let mut points = if (0x4E00..=0x9FFF).contains(&u) && !is_common_han(c) {
            1.5
        } else {
            0.0
        };
        points += 2.0
            * f64::from(
                u8::from(prev.is_ascii_alphabetic()) + u8::from(next.is_ascii_alphabetic()),
            );
        return points;
    }
    let prev_letter = prev_props.script();
    let next_letter = next_props.script();
    if let Some(script) = props.script() {
        let mut points = 0.0;
        if let Some(p) = prev_letter {
            if p != script && !(p == Script::Cjk || script == Script::Cjk) {
                points += 8.0;
            }
        }
        if props.has(Props::UPPER) && prev_props.has(Props::LOWER) && script != Script::Cjk {
            points += 4.0;
        }
        if script == Script::Cjk {
            if (0xF900..=0xFAFF).contains(&u) || u >= 0x20000 || (0x3400..=0x4DBF).contains(&u) {
                points += 2.0;
            }
        } else if matches!(script, Script::Other) {
            points += 2.0;
        }
        // Letters with a fixed place in the word: Hebrew final forms and Greek final sigma end
        // a word; Russian ь ъ ы never start one.
        let final_form = matches!(u, 0x5DA | 0x5DD | 0x5DF | 0x5E3 | 0x5E5 | 0x3C2);
        if final_form && next_letter == Some(script) {
            points += 3.0;
        }
        if matches!(u, 0x44A | 0x44B | 0x44C | 0x42A | 0x42B | 0x42C) && prev_letter.is_none() {
            points += 2.0;
        }
        // A letter between digits is a dash or a sign of another code page (`2016–7E16`).
        if script != Script::Cjk && prev.is_ascii_digit() && next.is_ascii_digit() {
            points += 4.0;
        }
        return points;
    }
    if is_hangul(c) || is_kana(c) {
        return 0.5;
    }
    // Combining marks belong after letters.
    if (0x0300..=0x036F).contains(&u) {
        return if prev_letter.is_some() { 0.5 } else { 4.0 };
    }
    if props.has(Props::SPACE) {
        return 0.5;
    }
    // Punctuation and symbols: cheap between words, dear inside one. A right single quotation
    // mark inside a word is an apostrophe; a middle dot is Catalan's `l·l`.
    let inside_word = prev_letter.is_some() && next_letter.is_some();
    match c {
        // An apostrophe between letters (`l’œuf`, `don’t`) is ordinary.
        '\u{2019}' if prev_letter.is_some() && next_letter.is_some() => 0.0,
        '\u{2019}' | '\u{00B7}' | '\u{2010}' | '\u{2011}' => 0.5,
        _ if (0x3000..=0x303F).contains(&u) || (0xFF01..=0xFF60).contains(&u) => 0.3,
        _ if inside_word => 6.0,
        // Symbols that never open a word, in front of one: upper-case letters of another code
        // page (Mac Cyrillic read as windows-1251 gives `†ÂÒÏ` for `Весь`).
        // The generic currency sign is next to unused in text: it is the `€` of ISO-8859-15
        // (or another code page's letter) read as Latin-1 or windows-1252.
        '¤' => 8.0,
        '…' | '•' | '†' | '‡' | '€' | '‰' | '™' | '¦' | '§' | '¬' | '°' | '±' | '¶'
            if next_letter.is_some() =>
        {
            4.0
        }
        _ => 1.0,
    }
}

/// True for the ideographs of GB2312 level 1, Big5 level 1 and JIS X 0208 level 1: the few
/// thousand characters that make up nearly all running Chinese and Japanese text.
pub fn is_common_han(c: char) -> bool {
    static COMMON: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let bits = COMMON.get_or_init(|| {
        let mut bits = vec![0u64; (0xA000 - 0x4E00) / 64 + 1];
        let mut mark = |encoding: &'static encoding_rs::Encoding,
                        pairs: &mut dyn Iterator<Item = [u8; 2]>| {
            for pair in pairs {
                if let Some(s) = encoding.decode_without_bom_handling_and_without_replacement(&pair)
                {
                    for ch in s.chars() {
                        let u = ch as usize;
                        if (0x4E00..0xA000).contains(&u) {
                            bits[(u - 0x4E00) / 64] |= 1 << ((u - 0x4E00) % 64);
                        }
                    }
                }
            }
        };
        // GB2312 level 1: rows 16-55.
        mark(
            GBK,
            &mut (0xB0..=0xD7u8).flat_map(|a| (0xA1..=0xFEu8).map(move |b| [a, b])),
        );
        // Big5 level 1: 0xA440-0xC67E.
        mark(
            BIG5,
            &mut (0xA4..=0xC6u8)
                .flat_map(|a| (0x40..=0x7Eu8).chain(0xA1..=0xFE).map(move |b| [a, b])),
        );
        // JIS X 0208 level 1: rows 16-47 (EUC-JP 0xB0A1-0xCFD3).
        mark(
            EUC_JP,
            &mut (0xB0..=0xCFu8).flat_map(|a| (0xA1..=0xFEu8).map(move |b| [a, b])),
        );
        bits
    });
    let u = c as usize;
    (0x4E00..0xA000).contains(&u) && bits[(u - 0x4E00) / 64] & (1 << ((u - 0x4E00) % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_property_table_agrees_with_the_unicode_properties() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(Props::of(c).0, Props::compute(c).0, "{c:?}");
        }
    }

    #[test]
    fn byte_tables_read_as_decoding_does() {
        let bytes: Vec<u8> = (0..=255).collect();
        for charset in alternatives().into_iter().filter(|c| !is_double_byte(*c)) {
            let table = single_byte_table(charset).expect("a single-byte charset");
            let (text, malformed) = decode_sample(charset, &bytes);
            let read: String = bytes.iter().map(|&b| table[usize::from(b)]).collect();
            assert_eq!(read, text, "{}", charset.name());
            let undefined = read.chars().filter(|&c| c == '\u{FFFD}').count();
            assert_eq!(undefined, malformed, "{}", charset.name());
        }
    }

    #[test]
    fn long_samples_are_decided_on_the_whole_sample() {
        // 40 KB of Russian in windows-1251: every candidate is scored on the first 8 KB, the
        // close ones again on the whole sample.
        let line = "Съешь же ещё этих мягких французских булок да выпей чаю. ";
        let text = line.repeat(40 * 1024 / line.chars().count());
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        assert!(bytes.len() > HEAD_BYTES * 4);
        let found = detect(&bytes, &Hints::default());
        assert_eq!(found.charset.name(), "windows-1251");
        assert!(found.runner_up.is_some());
    }

    #[test]
    fn a_long_ascii_opening_does_not_hide_the_text() {
        // 20 KB of ASCII markup, then Russian in windows-1251: the head reaches the text.
        let markup = "<script>var x = 1; // ascii only</script>\n".repeat(500);
        let line = "Съешь же ещё этих мягких французских булок да выпей чаю. ";
        let russian = line.repeat(100);
        let (text, _, _) = encoding_rs::WINDOWS_1251.encode(&russian);
        let mut bytes = markup.into_bytes();
        bytes.extend_from_slice(&text);
        assert!(bytes.iter().take(HEAD_BYTES * 2).all(u8::is_ascii));
        let found = detect(&bytes, &Hints::default());
        assert_eq!(found.charset.name(), "windows-1251");
    }

    #[test]
    fn one_alphabet_is_coherent_a_mix_is_not() {
        assert_eq!(incoherence("Zażółć gęślą jaźń, Łódź".chars()), 0.0);
        assert_eq!(incoherence("plain ASCII".chars()), 0.0);
        // Polish ISO-8859-13 read as windows-1254: Turkish, Spanish, French letters at once.
        assert!(incoherence("złoży ńśę".chars()) < incoherence("zùoıy ñúæ".chars()));
        assert_eq!(incoherence("zùoıy ñúæ".chars()), 0.6);
    }

    #[test]
    fn japanese_that_gbk_reads_goes_the_full_way() {
        let text =
            "きょうは あさから あめが ふっていたので、わたしは いえで ほんを よんで いました。\
            ひるごろに ともだちから でんわが あって、ごごは いっしょに えいがを みに いく \
            ことに なりました。えいがかんは えきの ちかくに あって、あるいて じゅっぷんほど \
            です。かえりに カフェで コーヒーを のみながら、えいがの はなしを しました。";
        let (mut bytes, _, _) = EUC_JP.encode(text);
        // One byte damaged (the second of `ほ`): EUC-JP no longer decodes strictly, GBK (which
        // has the same kana) does.
        let at = bytes.windows(2).position(|w| w == b"\xa4\xdb").unwrap() + 1;
        bytes.to_mut()[at] = 0x80;
        assert!(GBK
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .is_some());
        assert_eq!(clear_double_byte(&bytes), DoubleByte::Plausible);
        assert_eq!(
            (
                kana_count("の開発です"),
                kana_count("中文。、「」"),
                kana_count("・")
            ),
            (3, 0, 0)
        );
    }

    #[test]
    fn damaged_shift_jis_is_not_left_to_the_single_byte_path() {
        let text = "カメラ レンズ バッテリー ケーブル モニター キーボード マウス スピーカー \
            プリンター スキャナー ルーター タブレット イヤホン";
        let text = text.repeat(2);
        let (mut bytes, _, _) = SHIFT_JIS.encode(&text);
        // One byte no double-byte charset reads: every strict decode fails there.
        bytes.to_mut()[40] = 0xFF;
        assert_eq!(clear_double_byte(&bytes), DoubleByte::Plausible);
        let found = detect(&bytes, &Hints::default());
        assert_eq!(found.charset, Charset::Whatwg(SHIFT_JIS));
    }

    #[test]
    fn kana_rich_euc_jp_takes_the_fast_path() {
        // GBK reads EUC-JP's kana alike and its kanji as plausible hanzi: without the kana
        // rule the two readings come too near for the fast path.
        let text = "昨日の夕方、私たちは古い公園を長い時間歩きながら、本の話をしたり、川の上で町の\
            明かりがゆっくりと灯るのを眺めたりしました。その後、雨が降り出したので、家に帰って\
            お茶を飲みました。週末には友達と映画を見に行く予定です。駅の近くの映画館まで歩いて\
            十分ほどかかります。";
        let text = text.repeat(3);
        let (bytes, _, _) = EUC_JP.encode(&text);
        let DoubleByte::Clear(found) = clear_double_byte(&bytes) else {
            panic!("EUC-JP not clear")
        };
        assert_eq!(found.charset, Charset::Whatwg(EUC_JP));
    }

    #[test]
    fn plain_cjk_takes_the_fast_path() {
        let text = "第七条 本市各级妇女联合会代表和维护各族各界妇女的利益，发挥社会监督职能，\
            支持、协助各级妇女儿童工作委员会维护妇女的权益，有权向有关部门提出意见和建议；\
            有权支持受侵害的妇女向人民法院提起诉讼。";
        let (gbk, _, _) = GBK.encode(text);
        let DoubleByte::Clear(found) = clear_double_byte(&gbk) else {
            panic!("GBK not clear")
        };
        assert_eq!(
            (found.charset, found.runner_up),
            (Charset::Whatwg(GBK), None)
        );
        // Big5 lacks a few of these characters; its encoder writes them as `&#…;`.
        let (big5, _, _) = BIG5.encode(text);
        let DoubleByte::Clear(found) = clear_double_byte(&big5) else {
            panic!("Big5 not clear")
        };
        assert_eq!(
            (found.charset, found.runner_up),
            (Charset::Whatwg(BIG5), Some(Charset::Whatwg(GBK)))
        );
        assert!(found.confidence >= 90, "{found:?}");
        // Level-1 ideographs alone also read cleanly as EUC-KR and EUC-JP: the full way.
        let level_one = "中华人民共和国各级人民代表大会".repeat(8);
        let (plain, _, _) = GBK.encode(&level_one);
        assert_eq!(clear_double_byte(&plain), DoubleByte::Plausible);
        // Too short to be sure: the full way.
        let (short, _, _) = GBK.encode("中文编码");
        assert_eq!(clear_double_byte(&short), DoubleByte::Plausible);
    }

    #[test]
    fn sibling_code_pages_are_told_apart_by_their_letters() {
        // Romanian in ISO-8859-16 (comma-below ș ț, „”), which chardetng takes for ISO-8859-2.
        let text = "Danemarca este un stat suveran din Europa de Nord, având și două țări „constituente” de peste mări.";
        let (bytes, _, unmappable) = ISO_8859_16.encode(text);
        assert!(!unmappable);
        let found = detect(&bytes, &Hints::default());
        let (decoded, _) = decode_sample(found.charset, &bytes);
        assert_eq!(decoded, text);
    }

    #[test]
    fn escapes_name_the_seven_bit_encodings() {
        let kr = detect_escapes(b"\x1b$)C\x0eGQ19\x0f").unwrap();
        assert_eq!(kr.charset.name(), "ISO-2022-KR");
        let hz = detect_escapes(b"hello ~{VPND~} world").unwrap();
        assert_eq!(hz.charset.name(), "HZ-GB-2312");
        let jp = detect_escapes(b"\x1b$B$3$s$K$A$O\x1b(B").unwrap();
        assert_eq!(jp.charset.name(), "ISO-2022-JP");
        assert_eq!(detect_escapes(b"plain ascii ~ text"), None);
    }

    #[test]
    fn gbk_with_four_byte_sequences_is_gb18030() {
        // "中" in GBK then U+00E9 as a GB18030 four-byte sequence (81 30 86 30).
        let bytes = b"\xd6\xd0\xce\xc4\x81\x30\x86\x30\xd6\xd0\xce\xc4";
        assert_eq!(refine(Charset::Whatwg(GBK), bytes).name(), "gb18030");
        assert_eq!(refine(Charset::Whatwg(GBK), b"\xd6\xd0").name(), "GBK");
    }

    #[test]
    fn cost_prefers_words_over_symbols_inside_words() {
        let good = text_cost("Mám dost třetího tisíciletí");
        let bad = text_cost("MĂĄm dost tĹ™etĂ\u{AD}ho tisĂ\u{AD}ciletĂ\u{AD}");
        assert!(good.points / (good.non_ascii as f64) < 1.0);
        assert!(bad.points / (bad.non_ascii as f64) > 3.0);
    }

    #[test]
    fn hints_win_when_they_decode_cleanly() {
        // Ambiguous short bytes: a declared Big5 label decides.
        let bytes = b"\xa4\xa4\xa4\xe5";
        let hints = Hints {
            declared: Some(Charset::Whatwg(BIG5)),
            ..Hints::default()
        };
        let found = detect(bytes, &hints);
        assert_eq!(found.charset.name(), "Big5");
    }
}

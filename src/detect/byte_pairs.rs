//! The fast path for single-byte text: every single-byte code page scored at once from the
//! sample's byte-pair counts.
//!
//! The full way costs a chardetng pass over the sample and a decode and a scan per candidate,
//! about half a millisecond for 4 KB of Greek or Cyrillic. Here the sample is read once, into
//! counts of its bytes and of its pairs of neighbouring bytes that hold a byte above 0x7F
//! (ASCII bytes counted by class: lower-case letter, upper-case letter, digit, space, other).
//! Each code page's cost is then a sum over the distinct pairs, from a table built once per
//! code page with the rules of `char_cost` cut down to what a pair of neighbours can see, plus
//! two rules that need no language statistics: Cyrillic and Greek text has vowels (about 40% of
//! its letters; Hebrew or Greek read as a Cyrillic code page has half as many), and is mostly
//! lower case (KOI8-R and windows-1251 swap the cases).
//!
//! - A code page that reads every byte, plausibly, and ahead of every code page that reads the
//!   sample differently by [`GAP`] per character and [`GAP_POINTS`] in all, is taken. Of code
//!   pages that read the sample alike (Latin-1 letters in windows-1252 and ISO-8859-15), the
//!   first of [`single_byte_tables`] is named: the Windows one.
//! - Readings nearer than that are weighed as on the full way, among themselves: the full cost
//!   on the whole sample, chardetng's proposal (from the first [`NEAR_HEAD_BYTES`]) with its
//!   head start, and the code pages outside the usual alternatives only when proposed.
//! - Samples with fewer than [`MIN_CHARS`] bytes above 0x7F, or whose high bytes come in runs of
//!   even length (Hangul), go the full way; so does text that a double-byte charset reads
//!   plausibly, even with a few malformed sequences (checked before this path is tried).
//!
//! Cost: one pass over the sample (about a nanosecond a byte), then per code page one look-up
//! per distinct pair (a few hundred in 4 KB of text).

use std::cell::RefCell;
use std::sync::OnceLock;

use super::{
    alternatives, confidence, incoherence_of_counts, single_byte_tables, Detection, Props, Scored,
    Script, COHERENCE_WEIGHT, PROPOSAL_MARGIN,
};
use crate::decode::{Charset, Method};

/// The non-ASCII characters the sample must hold before this path trusts a cost.
pub const MIN_CHARS: usize = 16;
/// The cost per character under which a reading counts as plausible.
pub const PLAUSIBLE: f64 = 1.0;
/// How much cheaper per character the chosen reading must be than every reading that differs.
pub const GAP: f64 = 0.1;
/// How much cheaper in all it must be.
pub const GAP_POINTS: f64 = 6.0;
/// The bytes chardetng reads when readings are near: enough for its letter statistics.
pub const NEAR_HEAD_BYTES: usize = 1024;

/// The representative of each ASCII class: lower-case letter, upper-case letter, digit, white
/// space, anything else. The cost rules see ASCII only through these classes.
const ASCII_CLASSES: [char; 5] = ['a', 'A', '0', ' ', '.'];
/// The symbols a byte is counted as: the 128 bytes above 0x7F, then the ASCII classes.
const SYMBOLS: usize = 128 + ASCII_CLASSES.len();

/// The symbol of each byte.
const fn symbol_of_byte() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte >= 0x80 {
            byte - 0x80
        } else if byte.is_ascii_lowercase() {
            128
        } else if byte.is_ascii_uppercase() {
            129
        } else if byte.is_ascii_digit() {
            130
        } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0C) {
            131
        } else {
            132
        };
        b += 1;
    }
    table
}
const SYMBOL: [u8; 256] = symbol_of_byte();

/// How often each byte and each pair of neighbouring symbols with a byte above 0x7F occur in a
/// sample.
struct Profile {
    bytes: [u32; 256],
    /// `(first * SYMBOLS + second, count)` for each distinct pair.
    pairs: Vec<(u32, u32)>,
    /// Bytes above 0x7F.
    non_ascii: usize,
    /// Runs of bytes above 0x7F, and those of them of even length.
    runs: usize,
    even_runs: usize,
}

impl Profile {
    fn of(sample: &[u8]) -> Profile {
        thread_local! {
            // Counts by pair, zero between uses: only the touched slots are cleared.
            static SCRATCH: RefCell<Vec<u32>> = RefCell::new(vec![0; SYMBOLS * SYMBOLS]);
        }
        let mut bytes = [0u32; 256];
        let mut touched: Vec<u32> = Vec::with_capacity(512);
        SCRATCH.with_borrow_mut(|counts| {
            // The sample starts and ends as if after and before a space.
            let mut prev = SYMBOL[usize::from(b' ')];
            let (mut run, mut runs, mut even_runs) = (0, 0, 0);
            for &b in sample.iter().chain(std::iter::once(&b' ')) {
                bytes[usize::from(b)] += 1;
                if b >= 0x80 {
                    run += 1;
                } else if run > 0 {
                    runs += 1;
                    even_runs += usize::from(run % 2 == 0);
                    run = 0;
                }
                let symbol = SYMBOL[usize::from(b)];
                if prev < 128 || symbol < 128 {
                    let slot = usize::from(prev) * SYMBOLS + usize::from(symbol);
                    if counts[slot] == 0 {
                        touched.push(slot as u32);
                    }
                    counts[slot] += 1;
                }
                prev = symbol;
            }
            bytes[usize::from(b' ')] -= 1;
            let pairs = touched
                .iter()
                .map(|&slot| {
                    let n = std::mem::take(&mut counts[slot as usize]);
                    (slot, n)
                })
                .collect();
            let non_ascii = bytes[0x80..].iter().map(|&n| n as usize).sum();
            Profile {
                bytes,
                pairs,
                non_ascii,
                runs,
                even_runs,
            }
        })
    }
}

/// A code page's costs by symbol pair, and by byte for the costs that need no neighbour.
struct Model {
    pairs: Box<[f32]>,
    bytes: [f32; 128],
}

/// The models of [`single_byte_tables`], in its order.
fn models() -> &'static [Model] {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        single_byte_tables()
            .iter()
            .map(|(_, table)| {
                let symbol_char = |s: usize| {
                    if s < 128 {
                        table[s + 0x80]
                    } else {
                        ASCII_CLASSES[s - 128]
                    }
                };
                let chars: Vec<(char, Props)> = (0..SYMBOLS)
                    .map(|s| {
                        let c = symbol_char(s);
                        (c, Props::of(c))
                    })
                    .collect();
                let mut pairs = vec![0f32; SYMBOLS * SYMBOLS].into_boxed_slice();
                for (a, &first) in chars.iter().enumerate() {
                    for (b, &second) in chars.iter().enumerate() {
                        pairs[a * SYMBOLS + b] = pair_points(first, second);
                    }
                }
                let mut bytes = [0f32; 128];
                for (s, slot) in bytes.iter_mut().enumerate() {
                    *slot = char_points(chars[s]);
                }
                Model { pairs, bytes }
            })
            .collect()
    })
}

/// True for the characters that extend a run of accented Latin letters (see `cost_of_chars`):
/// Latin letters and symbols, above ASCII.
fn extends_latin_run((c, props): (char, Props)) -> bool {
    // The apostrophe too, in `cost_of_chars`; here `l’œuf` should cost nothing.
    !c.is_ascii()
        && c != '\u{2019}'
        && match props.script() {
            Some(script) => script == Script::Latin,
            None => !props.has(Props::NUMERIC) && !props.has(Props::SPACE),
        }
}

/// The cost of a non-ASCII character that needs no neighbour: undefined bytes, controls, signs
/// that text hardly holds, letters of no code-page script.
fn char_points((c, props): (char, Props)) -> f32 {
    let u = c as u32;
    if let Some(script) = props.script() {
        return if script == Script::Other { 2.0 } else { 0.0 };
    }
    match u {
        0xFFFD | 0x80..=0x9F => 20.0,
        0xE000..=0xF8FF => 8.0,
        0x2500..=0x25FF => 6.0,
        0xFF61..=0xFF9F => 1.0,
        0x0300..=0x036F => 0.5,
        _ if props.has(Props::SPACE) => 0.5,
        _ => match c {
            '\u{2019}' | '\u{00B7}' | '\u{2010}' | '\u{2011}' => 0.5,
            '¤' => 8.0,
            _ => 1.0,
        },
    }
}

/// The cost of two neighbours, `first` then `second`, beyond [`char_points`] of each.
fn pair_points(first: (char, Props), second: (char, Props)) -> f32 {
    let (a, a_props) = first;
    let (b, b_props) = second;
    let (a_script, b_script) = (a_props.script(), b_props.script());
    let mut points = 0.0;
    // The second character's look back.
    if !b.is_ascii() {
        match b_script {
            Some(script) => {
                if a_script.is_some_and(|p| p != script) {
                    points += 8.0;
                }
                if b_props.has(Props::UPPER) && a_props.has(Props::LOWER) {
                    points += 4.0;
                }
                if matches!(b, 'ъ' | 'ы' | 'ь' | 'Ъ' | 'Ы' | 'Ь') && a_script.is_none() {
                    points += 2.0;
                }
                // Half of "a letter between digits".
                if a.is_ascii_digit() {
                    points += 2.0;
                }
            }
            // A combining mark costs 0.5 (`char_points`), 4 after anything but a letter.
            None if (0x0300..=0x036F).contains(&(b as u32)) && a_script.is_none() => points += 3.5,
            None if is_word_breaking_sign(b) && a_script.is_some() => points += 2.5,
            // An apostrophe costs 0.5 (`char_points`), nothing between two letters.
            None if b == '\u{2019}' && a_script.is_some() => points -= 0.25,
            None => {}
        }
    }
    // The first character's look ahead.
    if !a.is_ascii() {
        match a_script {
            Some(script) => {
                let final_form = matches!(a as u32, 0x5DA | 0x5DD | 0x5DF | 0x5E3 | 0x5E5 | 0x3C2);
                if final_form && b_script == Some(script) {
                    points += 3.0;
                }
                if b.is_ascii_digit() {
                    points += 2.0;
                }
            }
            None if b_script.is_some() => {
                if matches!(
                    a,
                    '•' | '†' | '‡' | '€' | '‰' | '™' | '¦' | '§' | '¬' | '°' | '±' | '¶'
                ) {
                    points += 3.0;
                } else if is_word_breaking_sign(a) {
                    points += 2.5;
                } else if a == '\u{2019}' {
                    points -= 0.25;
                }
            }
            None => {}
        }
    }
    // From the third accented Latin letter in a row, `cost_of_chars` charges 3 a letter; two in a
    // row are common in European text (`l’œuf`, `pää`), so here they cost a quarter of it.
    if extends_latin_run(first) && extends_latin_run(second) {
        points += 0.75;
    }
    points
}

/// Signs that cost more beside a letter than between words (`cost_of_chars` charges 6 inside a
/// word): everything but letters, ASCII, spaces, combining marks, the quotation marks, dashes
/// and inverted marks that open or close words, CJK punctuation and the currency sign (charged
/// in full by [`char_points`]).
fn is_word_breaking_sign(c: char) -> bool {
    let u = c as u32;
    let props = Props::of(c);
    !(c.is_ascii()
        || props.script().is_some()
        || matches!(
            c,
            '«' | '»'
                | '‹'
                | '›'
                | '„'
                | '‚'
                | '“'
                | '”'
                | '‘'
                | '–'
                | '—'
                | '¡'
                | '¿'
                | '…'
        )
        || props.has(Props::SPACE)
        || (0x0300..=0x036F).contains(&u)
        || (0x3000..=0x303F).contains(&u)
        || (0xFF01..=0xFF60).contains(&u)
        || matches!(c, '\u{2019}' | '\u{00B7}' | '\u{2010}' | '\u{2011}' | '¤')
        || matches!(u, 0xFFFD | 0x80..=0x9F | 0xE000..=0xF8FF | 0x2500..=0x25FF))
}

/// The Cyrillic or Greek letters [`vowel_shortfall`] and [`capitals_excess`] need to judge.
const MIN_LETTERS: u32 = 16;

/// The weight of [`vowel_shortfall`] in a reading's cost per character.
const VOWEL_WEIGHT: f64 = 5.0;
/// The least share of vowels among the Cyrillic or Greek letters of running text: about 0.4 in
/// Russian, Bulgarian and Greek; 0.2 in Hebrew, Arabic or Greek read as a Cyrillic code page.
const MIN_VOWEL_SHARE: f64 = 0.33;

/// How far the share of vowels among the Cyrillic letters of a text, and among its Greek
/// letters, falls short of [`MIN_VOWEL_SHARE`] (the larger shortfall; 0 with fewer than
/// [`MIN_LETTERS`] letters of either). A code page of another script read as Cyrillic or Greek yields letters
/// in a plausible case pattern but without the vowels every word needs.
fn vowel_shortfall(counts: impl Iterator<Item = (char, u32)>) -> f64 {
    const CYRILLIC_VOWELS: &str = "аеёиоуыэюяєіїАЕЁИОУЫЭЮЯЄІЇ";
    const GREEK_VOWELS: &str = "αεηιουωάέήίόύώϊϋΐΰΑΕΗΙΟΥΩΆΈΉΊΌΎΏΪΫ";
    // (letters, vowels) of Cyrillic, then of Greek.
    let mut tally = [(0u32, 0u32); 2];
    for (c, n) in counts {
        let (k, vowels) = match c {
            '\u{400}'..='\u{45F}' => (0, CYRILLIC_VOWELS),
            '\u{386}'..='\u{3CE}' => (1, GREEK_VOWELS),
            _ => continue,
        };
        tally[k].0 += n;
        if vowels.contains(c) {
            tally[k].1 += n;
        }
    }
    tally
        .iter()
        .filter(|(letters, _)| *letters >= MIN_LETTERS)
        .map(|&(letters, vowels)| {
            (MIN_VOWEL_SHARE - f64::from(vowels) / f64::from(letters)).max(0.0)
        })
        .fold(0.0, f64::max)
}

/// The weight of [`capitals_excess`] in a reading's cost per character: a tie-breaker, lighter
/// than the vowels (a heading in capitals read through a sibling code page comes out in lower
/// case, and without its vowels).
const CAPITALS_WEIGHT: f64 = 0.25;

/// How far the share of capitals among a text's Cyrillic and Greek letters exceeds one half (0
/// with fewer than [`MIN_LETTERS`] of them): running text is mostly lower case, while a sibling
/// code page (KOI8-R and windows-1251) swaps the cases.
fn capitals_excess(counts: impl Iterator<Item = (char, u32)>) -> f64 {
    let (mut letters, mut capitals) = (0u32, 0u32);
    for (c, n) in counts {
        if matches!(c, '\u{386}'..='\u{3CE}' | '\u{400}'..='\u{45F}') {
            letters += n;
            if c.is_uppercase() {
                capitals += n;
            }
        }
    }
    if letters < MIN_LETTERS {
        return 0.0;
    }
    (f64::from(capitals) / f64::from(letters) - 0.5).max(0.0)
}

/// A single-byte code page's reading of a sample.
#[derive(Clone, Copy, Debug)]
struct Reading {
    /// Index in [`single_byte_tables`].
    index: usize,
    /// Cost per non-ASCII character.
    cost: f64,
    /// Whether some byte of the sample is undefined in the code page.
    undefined: bool,
}

/// Scores every single-byte code page on `sample`; see the module docs. Returns the charset
/// when one is clearly right, else `None`. `chardetng` is asked, on the sample's head, only to
/// choose among readings that come within [`GAP`] of each other.
pub(super) fn clear_single_byte(sample: &[u8]) -> Option<Detection> {
    let profile = Profile::of(sample);
    // Runs of bytes above 0x7F of even length nearly always are Hangul: the full way weighs the
    // double-byte readings.
    if profile.non_ascii < MIN_CHARS
        || (profile.runs >= 8 && profile.even_runs * 10 >= profile.runs * 9)
    {
        return None;
    }
    let tables = single_byte_tables();
    let present: Vec<usize> = (0x80..256).filter(|&b| profile.bytes[b] > 0).collect();
    let present = || present.iter().copied();
    let readings: Vec<Reading> = models()
        .iter()
        .zip(tables)
        .enumerate()
        .map(|(index, (model, (_, table)))| {
            let mut points = 0f64;
            for b in present() {
                points += f64::from(profile.bytes[b]) * f64::from(model.bytes[b - 0x80]);
            }
            for &(slot, n) in &profile.pairs {
                points += f64::from(n) * f64::from(model.pairs[slot as usize]);
            }
            let counts = || present().map(|b| (table[b], profile.bytes[b]));
            Reading {
                index,
                cost: points / profile.non_ascii as f64
                    + COHERENCE_WEIGHT * incoherence_of_counts(counts())
                    + VOWEL_WEIGHT * vowel_shortfall(counts())
                    + CAPITALS_WEIGHT * capitals_excess(counts()),
                undefined: counts().any(|(c, _)| {
                    c == char::REPLACEMENT_CHARACTER || ('\u{80}'..='\u{9F}').contains(&c)
                }),
            }
        })
        .collect();
    let reads_alike =
        |a: &Reading, b: &Reading| present().all(|x| tables[a.index].1[x] == tables[b.index].1[x]);
    // The cheapest reading that differs from `chosen`.
    let runner_up = |chosen: &Reading| {
        readings
            .iter()
            .filter(|r| !reads_alike(r, chosen))
            .min_by(|a, b| a.cost.total_cmp(&b.cost))
    };
    let found = |chosen: &Reading| {
        let second = runner_up(chosen);
        let gap = second.map_or(f64::INFINITY, |r| r.cost - chosen.cost);
        Detection {
            charset: tables[chosen.index].0,
            method: Method::Guessed,
            confidence: confidence(gap.max(0.0)),
            runner_up: second.map(|r| tables[r.index].0),
        }
    };
    // Of equal costs the earlier code page is taken (`min_by` keeps the first).
    let best = readings
        .iter()
        .filter(|r| !r.undefined)
        .min_by(|a, b| a.cost.total_cmp(&b.cost))?;
    if std::env::var_os("SCOUR_DEBUG_DETECT").is_some() {
        let mut list = readings.clone();
        list.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        let list: Vec<String> = list
            .iter()
            .take(6)
            .map(|r| format!("{}={:.3}", tables[r.index].0.name(), r.cost))
            .collect();
        eprintln!("detect single-byte path: {}", list.join(" "));
    }
    if best.cost >= PLAUSIBLE {
        return None;
    }
    // On a short sample a lead per character is worth less: it must add up to `GAP_POINTS`.
    let min_gap = GAP.max(GAP_POINTS / profile.non_ascii as f64);
    if runner_up(best).is_none_or(|r| r.cost >= best.cost + min_gap) {
        return Some(found(best));
    }
    // Readings within `min_gap` of the best are weighed as on the full way, among themselves:
    // by the full cost on the whole sample, chardetng's proposal (on a shorter head) with its
    // head start. A proposal that is no single-byte code page goes the full way.
    let head = super::cut_at_boundary(&sample[..sample.len().min(NEAR_HEAD_BYTES)], sample.len());
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, head.len() == sample.len());
    let proposal = Charset::Whatwg(detector.guess(None, chardetng::Utf8Detection::Deny));
    if std::env::var_os("SCOUR_DEBUG_DETECT").is_some() {
        eprintln!(
            "detect single-byte path: near readings, chardetng proposes {}",
            proposal.name()
        );
    }
    let proposed = readings.iter().find(|r| tables[r.index].0 == proposal)?;
    // As on the full way, the code pages outside the alternatives (Greek, Hebrew, Arabic, Thai,
    // Baltic, Turkish, Vietnamese) stand only when proposed.
    let alternatives = alternatives();
    let mut near: Vec<&Reading> = vec![proposed];
    for r in &readings {
        if !r.undefined
            && r.cost < best.cost + min_gap
            && alternatives.contains(&tables[r.index].0)
            && !near.iter().any(|n| reads_alike(n, r))
        {
            near.push(r);
        }
    }
    let mut scored: Vec<(Scored, &Reading)> = near
        .iter()
        .map(|&r| {
            let margin = if std::ptr::eq(r, proposed) {
                PROPOSAL_MARGIN / 3.0
            } else {
                0.0
            };
            (Scored::new(tables[r.index].0, sample, margin, None), r)
        })
        .collect();
    // A tie goes to the cheaper reading here (it weighs vowels and case), then to the proposal.
    scored.sort_by(|a, b| (a.0.cost.total_cmp(&b.0.cost)).then(a.1.cost.total_cmp(&b.1.cost)));
    let (chosen, chosen_reading) = scored[0];
    if chosen_reading.undefined {
        return None;
    }
    let (gap, second) = match scored.get(1) {
        Some((s, r)) => (s.cost - chosen.cost, Some(*r)),
        None => {
            let second = runner_up(chosen_reading);
            (
                second.map_or(f64::INFINITY, |r| r.cost - chosen_reading.cost),
                second,
            )
        }
    };
    Some(Detection {
        charset: chosen.charset,
        method: Method::Guessed,
        confidence: confidence(gap.max(0.0)),
        runner_up: second.map(|r| tables[r.index].0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{Encoding, EUC_KR, GBK, ISO_8859_8, KOI8_R, WINDOWS_1252, WINDOWS_1253};

    const RUSSIAN: &str = "Вчера вечером мы долго гуляли по старому парку, разговаривали о книгах \
        и смотрели, как над рекой медленно загораются огни города. Потом пошёл дождь, и мы \
        вернулись домой пить чай.";
    const GREEK: &str = "Χθες το απόγευμα περπατήσαμε για πολλή ώρα στο παλιό πάρκο, μιλήσαμε \
        για βιβλία και κοιτάξαμε τα φώτα της πόλης να ανάβουν αργά πάνω από το ποτάμι.";
    const HEBREW: &str = "אתמול בערב טיילנו הרבה זמן בפארק הישן, דיברנו על ספרים והסתכלנו איך \
        האורות של העיר נדלקים לאט מעל הנהר. אחר כך התחיל לרדת גשם וחזרנו הביתה לשתות תה.";

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn charset(sample: &[u8]) -> Option<Charset> {
        clear_single_byte(sample).map(|found| found.charset)
    }

    #[test]
    fn cyrillic_greek_and_hebrew_are_read_in_their_code_pages() {
        assert_eq!(
            charset(&encode(KOI8_R, RUSSIAN)),
            Some(Charset::Whatwg(KOI8_R))
        );
        assert_eq!(
            charset(&encode(encoding_rs::WINDOWS_1251, RUSSIAN)),
            Some(Charset::Whatwg(encoding_rs::WINDOWS_1251))
        );
        assert_eq!(
            charset(&encode(WINDOWS_1253, GREEK)),
            Some(Charset::Whatwg(WINDOWS_1253))
        );
        // ISO-8859-8 and windows-1255 read these letters alike: the Windows page is named.
        assert_eq!(
            charset(&encode(ISO_8859_8, HEBREW)),
            Some(Charset::Whatwg(encoding_rs::WINDOWS_1255))
        );
    }

    #[test]
    fn latin_1_letters_are_named_windows_1252() {
        let french = "Élève à l’école, il préférait déjà les récréations où l’on jouait dehors \
            près de la rivière, même en hiver.";
        let bytes = encode(WINDOWS_1252, french);
        assert_eq!(charset(&bytes), Some(Charset::Whatwg(WINDOWS_1252)));
    }

    #[test]
    fn ideographs_hangul_and_short_samples_go_the_full_way() {
        let chinese = "第七条 本市各级妇女联合会代表和维护各族各界妇女的利益，发挥社会监督职能，\
            支持、协助各级妇女儿童工作委员会维护妇女的权益。";
        assert_eq!(charset(&encode(GBK, chinese)), None);
        let korean = "어제 저녁 우리는 오래된 공원을 오랫동안 걸으며 책에 대해 이야기하고 \
            강 위로 도시의 불빛이 천천히 켜지는 것을 바라보았다.";
        assert_eq!(charset(&encode(EUC_KR, korean)), None);
        assert_eq!(charset(&encode(WINDOWS_1252, "Un café déjà prêt.")), None);
    }

    #[test]
    fn readings_without_vowels_fall_short() {
        let counts = |text: &str| {
            let mut counts: Vec<(char, u32)> = Vec::new();
            for c in text.chars() {
                match counts.iter_mut().find(|(d, _)| *d == c) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((c, 1)),
                }
            }
            counts
        };
        assert_eq!(vowel_shortfall(counts(RUSSIAN).into_iter()), 0.0);
        assert_eq!(vowel_shortfall(counts(GREEK).into_iter()), 0.0);
        // Greek bytes read as Mac Cyrillic: `Χθες το` becomes `Чиеу фп`.
        let greek = encode(WINDOWS_1253, GREEK);
        let (misread, _, _) = encoding_rs::X_MAC_CYRILLIC.decode(&greek);
        assert!(
            vowel_shortfall(counts(&misread).into_iter()) > 0.1,
            "{misread}"
        );
        // Capitals: mostly lower case is ordinary, all capitals is not.
        assert_eq!(capitals_excess(counts(RUSSIAN).into_iter()), 0.0);
        let shouted = RUSSIAN.to_uppercase();
        assert!(capitals_excess(counts(&shouted).into_iter()) > 0.49);
    }

    #[test]
    fn an_apostrophe_between_letters_costs_nothing() {
        let with = |c: char| (c, Props::of(c));
        let apostrophe = with('\u{2019}');
        let total = char_points(apostrophe)
            + pair_points(with('l'), apostrophe)
            + pair_points(apostrophe, with('œ'));
        assert_eq!(total, 0.0);
        // A sign inside a word costs 6, as in `cost_of_chars`.
        let sign = with('³');
        let inside =
            char_points(sign) + pair_points(with('a'), sign) + pair_points(sign, with('b'));
        assert_eq!(inside, 6.0);
    }
}

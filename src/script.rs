//! Character classes shared by the stages: which characters are Han, kana, Hangul, CJK
//! punctuation, and which scripts are written without spaces.
//!
//! These are plain range tests on code points, chosen for the questions the stages ask (may a
//! space between these two characters go? is this dash in Chinese text?), not a full Unicode
//! script property table.

/// A Han ideograph: the CJK Unified Ideographs blocks and extensions, compatibility ideographs,
/// and the ideographic iteration mark `々` and zero `〇`.
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3005 | 0x3007 | 0x3021..=0x3029 | 0x3038..=0x303B
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F
        | 0x30000..=0x323AF)
}

/// Hiragana or katakana, including the half-width katakana and the prolonged sound mark, but not
/// the combining voiced sound marks U+3099 and U+309A.
#[inline]
pub fn is_kana(c: char) -> bool {
    matches!(c as u32,
        0x3041..=0x3096 | 0x309B..=0x309F | 0x30A0..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F
        | 0x1B000..=0x1B16F)
}

/// A Hangul syllable or jamo.
#[inline]
pub fn is_hangul(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xAC00..=0xD7AF | 0xD7B0..=0xD7FF
        | 0xFFA0..=0xFFDC)
}

/// CJK punctuation: the CJK Symbols and Punctuation block (but not U+3000, the ideographic
/// space), the full-width punctuation of the Halfwidth and Fullwidth Forms block, the CJK
/// compatibility and vertical forms, and the dashes, ellipsis and middle dot that Chinese text
/// uses (`——`, `……`, `·`).
#[inline]
pub fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32,
        0x3001..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x303D
        | 0x30FB
        | 0xFE10..=0xFE1F | 0xFE30..=0xFE4F | 0xFE50..=0xFE6F
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
        | 0x2014 | 0x2015 | 0x2026 | 0x00B7)
}

/// True for the scripts written without spaces between words, whose text scour shingles by
/// characters: Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan. Hangul is *not* one of them:
/// Korean separates words with spaces.
#[inline]
pub fn is_unspaced_script(c: char) -> bool {
    is_han(c)
        || is_kana(c)
        || matches!(c as u32,
            0x0E00..=0x0E7F   // Thai
            | 0x0E80..=0x0EFF // Lao
            | 0x0F00..=0x0FFF // Tibetan
            | 0x1000..=0x109F // Myanmar
            | 0x1780..=0x17FF // Khmer
            | 0x19E0..=0x19FF)
}

/// Chinese or Japanese writing, whose neighbouring ASCII spaces are stray: Han, kana or CJK
/// punctuation.
#[inline]
pub fn is_cjk(c: char) -> bool {
    is_han(c) || is_kana(c) || is_cjk_punctuation(c)
}

/// Curly quotes, which open or close CJK text as often as Latin text.
#[inline]
pub fn is_curly_quote(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_han('柳') && is_han('〇') && !is_han('。'));
        assert!(is_kana('か') && is_kana('ー') && !is_kana('・'));
        assert!(is_hangul('한') && !is_unspaced_script('한'));
        assert!(is_cjk_punctuation('，') && !is_cjk_punctuation('“'));
        assert!(!is_cjk_punctuation('\u{3000}'));
        assert!(is_cjk('《') && !is_cjk('A'));
    }
}

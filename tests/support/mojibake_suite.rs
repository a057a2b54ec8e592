//! The CJK mojibake suite: real text garbled by the real failure paths, with the truth kept.
//! Shared by `examples/mojibake_suite.rs` (the full measurement) and `tests/mojibake_cjk.rs`
//! (included by `#[path]`).

#![allow(dead_code)]

use encoding_rs::{BIG5, GBK, SHIFT_JIS, WINDOWS_1252};

/// A way text gets garbled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// UTF-8 bytes decoded as GBK.
    Utf8AsGbk,
    /// UTF-8 bytes decoded as Big5.
    Utf8AsBig5,
    /// UTF-8 bytes decoded as Shift_JIS.
    Utf8AsShiftJis,
    /// UTF-8 bytes decoded as windows-1252.
    Utf8AsWindows1252,
    /// UTF-8 bytes decoded as Latin-1 (ISO-8859-1 proper: 0x80..0x9F become C1 controls).
    Utf8AsLatin1,
    /// GBK bytes decoded as windows-1252.
    GbkAsWindows1252,
    /// GBK bytes decoded as Latin-1.
    GbkAsLatin1,
    /// UTF-8 read as windows-1252, written as UTF-8, read as windows-1252 again.
    DoubleWindows1252,
    /// UTF-8 read as windows-1252, one byte then replaced by `?` (a lossy hop).
    Windows1252Lossy,
}

impl Path {
    /// Every path.
    pub const ALL: [Path; 9] = [
        Path::Utf8AsGbk,
        Path::Utf8AsBig5,
        Path::Utf8AsShiftJis,
        Path::Utf8AsWindows1252,
        Path::Utf8AsLatin1,
        Path::GbkAsWindows1252,
        Path::GbkAsLatin1,
        Path::DoubleWindows1252,
        Path::Windows1252Lossy,
    ];

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Path::Utf8AsGbk => "UTF-8 as GBK",
            Path::Utf8AsBig5 => "UTF-8 as Big5",
            Path::Utf8AsShiftJis => "UTF-8 as Shift_JIS",
            Path::Utf8AsWindows1252 => "UTF-8 as windows-1252",
            Path::Utf8AsLatin1 => "UTF-8 as Latin-1",
            Path::GbkAsWindows1252 => "GBK as windows-1252",
            Path::GbkAsLatin1 => "GBK as Latin-1",
            Path::DoubleWindows1252 => "UTF-8 as windows-1252, twice",
            Path::Windows1252Lossy => "UTF-8 as windows-1252, a byte lost",
        }
    }

    /// Garbles `text`, or `None` when the path does not apply (GBK cannot encode the text).
    pub fn garble(self, text: &str) -> Option<String> {
        let latin1 = |bytes: &[u8]| bytes.iter().map(|&b| char::from(b)).collect::<String>();
        let w1252 = |bytes: &[u8]| {
            WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned()
        };
        let gbk = || {
            let (bytes, _, unmappable) = GBK.encode(text);
            (!unmappable).then(|| bytes.into_owned())
        };
        Some(match self {
            Path::Utf8AsGbk => GBK
                .decode_without_bom_handling(text.as_bytes())
                .0
                .into_owned(),
            Path::Utf8AsBig5 => BIG5
                .decode_without_bom_handling(text.as_bytes())
                .0
                .into_owned(),
            Path::Utf8AsShiftJis => SHIFT_JIS
                .decode_without_bom_handling(text.as_bytes())
                .0
                .into_owned(),
            Path::Utf8AsWindows1252 => w1252(text.as_bytes()),
            Path::Utf8AsLatin1 => latin1(text.as_bytes()),
            Path::GbkAsWindows1252 => w1252(&gbk()?),
            Path::GbkAsLatin1 => latin1(&gbk()?),
            Path::DoubleWindows1252 => w1252(w1252(text.as_bytes()).as_bytes()),
            Path::Windows1252Lossy => {
                let (at, c) = lossy_target(text)?;
                let mut bytes = text.as_bytes().to_vec();
                bytes[at + c.len_utf8() - 1] = b'?';
                w1252(&bytes)
            }
        })
    }

    /// The best any repair can give, without guessing: the text itself, with each character
    /// that lost a byte on the way as U+FFFD (one per character). Bytes are lost by the lossy
    /// path (one replaced by `?`) and by the double-byte decoders, which turn a byte pair that
    /// is not in their table into U+FFFD.
    pub fn truth(self, text: &str) -> String {
        match self {
            Path::Windows1252Lossy => match lossy_target(text) {
                Some((at, c)) => format!("{}\u{FFFD}{}", &text[..at], &text[at + c.len_utf8()..]),
                None => text.to_owned(),
            },
            Path::Utf8AsGbk => mark_destroyed(GBK, text),
            Path::Utf8AsBig5 => mark_destroyed(BIG5, text),
            Path::Utf8AsShiftJis => mark_destroyed(SHIFT_JIS, text),
            _ => text.to_owned(),
        }
    }
}

/// `text` with each character that `encoding`'s decoder, reading the UTF-8 bytes, swallowed
/// (wholly or in part) into a malformed sequence replaced by U+FFFD.
fn mark_destroyed(encoding: &'static encoding_rs::Encoding, text: &str) -> String {
    let bytes = text.as_bytes();
    let mut lost = vec![false; bytes.len()];
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 + 16);
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => break,
            encoding_rs::DecoderResult::OutputFull => out.reserve(bytes.len() + 16),
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                let end = read_total - usize::from(after);
                let start = end.saturating_sub(usize::from(bad));
                lost[start..end].iter_mut().for_each(|l| *l = true);
            }
        }
    }
    text.char_indices()
        .map(|(i, c)| {
            if lost[i..i + c.len_utf8()].contains(&true) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The multi-byte character in the middle of `text` that the lossy path damages.
fn lossy_target(text: &str) -> Option<(usize, char)> {
    let wide: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| c.len_utf8() > 1)
        .collect();
    wide.get(wide.len() / 2).copied()
}

/// Judges a repair: `Exact` when it equals the truth; `ExactButLost` when it equals it except
/// that some characters are U+FFFD (each U+FFFD run stands for one to two characters of the
/// truth and everything else matches in order); otherwise `Wrong`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Equal to the truth.
    Exact,
    /// Equal except for characters honestly marked lost.
    ExactButLost,
    /// Anything else.
    Wrong,
}

/// Compares `repaired` with `truth`; see [`Outcome`].
pub fn judge(repaired: &str, truth: &str) -> Outcome {
    if repaired == truth {
        return Outcome::Exact;
    }
    let r: Vec<char> = repaired.chars().collect();
    let t: Vec<char> = truth.chars().collect();
    if matches_with_losses(&r, &t) {
        Outcome::ExactButLost
    } else {
        Outcome::Wrong
    }
}

/// Whether `r` matches `t` where each U+FFFD of `r` may stand for one or two characters of `t`
/// (or for a U+FFFD of `t`). Dynamic programming over suffixes: `ok[i][j]` says whether
/// `r[i..]` matches `t[j..]`.
fn matches_with_losses(r: &[char], t: &[char]) -> bool {
    let mut ok = vec![vec![false; t.len() + 1]; r.len() + 1];
    ok[r.len()][t.len()] = true;
    for i in (0..r.len()).rev() {
        for j in (0..=t.len()).rev() {
            ok[i][j] = if r[i] == '\u{FFFD}' {
                (1..=2).any(|k| j + k <= t.len() && ok[i + 1][j + k])
            } else {
                j < t.len() && r[i] == t[j] && ok[i + 1][j + 1]
            };
        }
    }
    ok[0][0]
}

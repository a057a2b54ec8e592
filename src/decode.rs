//! Bytes to text: encoding detection and decoding ([`Stage::Decode`]).
//!
//! The order of evidence, strongest first:
//!
//! 1. A byte-order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE) wins, even over a forced label, as in
//!    the WHATWG Encoding Standard. The mark itself is recorded as a removed byte sequence.
//! 2. A forced encoding ([`Decoder::force`]).
//! 3. Binary signatures (PNG, JPEG, GIF, PDF, ZIP, gzip, ELF, …) give [`Error::Binary`].
//! 4. NUL bytes: the layout of UTF-16 or UTF-32 without a BOM, or else [`Error::Binary`].
//! 5. Valid UTF-8, checked with SIMD (chosen at run time for the CPU), takes the fast path: one
//!    validation and one copy.
//! 6. Mostly valid UTF-8 (at least [`Decoder::UTF8_VALID_RATIO`] valid multi-byte sequences per
//!    malformed one, or a sequence cut short at the end) is decoded as UTF-8 with the malformed
//!    sequences replaced, so that a truncated scrape is not mistaken for GBK.
//! 7. Otherwise [`detect`](crate::detect::detect) chooses among the legacy encodings
//!    (chardetng's proposal and about twenty-five others, scored), reading at most the first
//!    [`Decoder::DETECT_BYTES`] bytes.
//!
//! A malformed sequence becomes U+FFFD and a [`Stage::Decode`] edit with its offset and bytes;
//! nothing is replaced silently.
//!
//! # Example
//!
//! ```
//! use scour::decode::{decode, Method};
//!
//! // "中文编码" in GBK, with no label.
//! let gbk = b"\xd6\xd0\xce\xc4\xb1\xe0\xc2\xeb\xca\xc7\xd2\xbb\xb8\xf6\xce\xca\xcc\xe2";
//! let decoded = decode(gbk).unwrap();
//! assert_eq!(decoded.text, "中文编码是一个问题");
//! assert_eq!(decoded.charset.name(), "GBK");
//! assert_eq!(decoded.method, Method::Guessed);
//! ```

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::codecs::Codec;
use crate::detect::{Detection, Hints};
use crate::edit::{escape_bytes, Edit, EditKind, EditLog, Stage};
use crate::error::{Error, Result};

/// A character encoding scour can decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Charset {
    /// An encoding of the WHATWG Encoding Standard, decoded by `encoding_rs`.
    Whatwg(&'static Encoding),
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
    /// An encoding decoded by scour's own [`codecs`](crate::codecs) (HZ, ISO-2022-KR, Johab,
    /// JIS X 0213, DOS and Mac code pages).
    Extra(Codec),
}

impl Charset {
    /// UTF-8.
    pub const UTF_8: Charset = Charset::Whatwg(UTF_8);

    /// The charset for a label: any WHATWG label (`gb2312`, `latin1`, `shift_jis`, …, mapped as
    /// the Encoding Standard maps them), or `utf-32le`/`utf-32be`/`utf-32`.
    pub fn for_label(label: &str) -> Option<Charset> {
        let lower = label.trim().to_ascii_lowercase();
        match lower.as_str() {
            "utf-32le" | "utf-32" | "utf32" | "utf-32-le" => return Some(Charset::Utf32Le),
            "utf-32be" | "utf-32-be" => return Some(Charset::Utf32Be),
            _ => {}
        }
        if let Some(codec) = Codec::for_label(&lower) {
            return Some(Charset::Extra(codec));
        }
        Encoding::for_label(lower.as_bytes())
            .or_else(|| Encoding::for_label(lower.replace('_', "-").as_bytes()))
            .or_else(|| python_alias(&lower).and_then(|l| Encoding::for_label(l.as_bytes())))
            .map(Charset::Whatwg)
    }

    /// The canonical name (`UTF-8`, `GBK`, `Shift_JIS`, `UTF-32LE`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Charset::Whatwg(e) => e.name(),
            Charset::Utf32Le => "UTF-32LE",
            Charset::Utf32Be => "UTF-32BE",
            Charset::Extra(codec) => codec.name(),
        }
    }
}

/// Python codec names that differ from every WHATWG label by more than `_` for `-`.
fn python_alias(label: &str) -> Option<&'static str> {
    Some(match label.replace('_', "-").as_str() {
        "mac-cyrillic" => "x-mac-cyrillic",
        "mac-roman" => "macintosh",
        "latin-1" | "iso8859-1" => "latin1",
        "cp949" | "uhc" => "windows-949",
        "cp932" | "ms932" => "windows-31j",
        "cp936" => "gbk",
        "big5hkscs" => "big5-hkscs",
        "utf-16-le" => "utf-16le",
        "utf-16-be" => "utf-16be",
        "euc-kr" => "euc-kr",
        "iso2022-jp" => "iso-2022-jp",
        _ => return None,
    })
}

/// How the charset was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A byte-order mark.
    Bom,
    /// The caller forced it.
    Forced,
    /// The input is valid UTF-8 (or empty).
    Utf8,
    /// The input is UTF-8 with a few malformed sequences.
    MostlyUtf8,
    /// The layout of NUL bytes shows UTF-16 or UTF-32 without a byte-order mark.
    NulLayout,
    /// Guessed from byte statistics among the legacy encodings.
    Guessed,
}

/// Decoded text with the charset, how it was chosen, and the decode edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, UTF-8.
    pub text: String,
    /// The charset the bytes were decoded with.
    pub charset: Charset,
    /// How the charset was chosen.
    pub method: Method,
    /// 0 to 100: how clearly the charset beat the runner-up (see [`Detection`]).
    pub confidence: u8,
    /// The next most likely charset, when detection weighed one.
    pub runner_up: Option<Charset>,
    /// The byte-order mark and every malformed sequence ([`Stage::Decode`] edits, offsets into
    /// the input bytes).
    pub edits: Vec<Edit>,
}

impl Decoded {
    /// The number of malformed byte sequences replaced by U+FFFD.
    pub fn malformed(&self) -> usize {
        self.edits
            .iter()
            .filter(|e| e.kind == EditKind::Decode)
            .count()
    }
}

/// Decodes bytes to text; see the [module docs](self) for the rules.
#[derive(Clone, Debug, Default)]
pub struct Decoder {
    forced: Option<Charset>,
    hints: Hints,
}

/// Decodes `bytes` with the default [`Decoder`].
pub fn decode(bytes: &[u8]) -> Result<Decoded> {
    Decoder::new().decode(bytes)
}

impl Decoder {
    /// How many valid multi-byte UTF-8 sequences per malformed one make a text UTF-8 with errors
    /// rather than a legacy encoding.
    pub const UTF8_VALID_RATIO: usize = 8;
    /// How many bytes legacy detection reads, at most.
    pub const DETECT_BYTES: usize = 64 * 1024;

    /// A decoder that detects the encoding.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decode with the encoding named by `label` instead of detecting one (a byte-order mark
    /// still wins). Fails if the label is unknown.
    pub fn force(mut self, label: &str) -> Result<Decoder> {
        self.forced =
            Some(Charset::for_label(label).ok_or_else(|| Error::UnknownEncoding(label.into()))?);
        Ok(self)
    }

    /// A hint for the detector: the top-level domain the text came from (`cn`, `tw`, `jp`, …).
    pub fn tld(mut self, tld: &str) -> Decoder {
        let tld = tld.trim_start_matches('.').to_ascii_lowercase();
        // chardetng panics on a label with non-ASCII, a period or upper case: pass only clean
        // labels, and no hint otherwise.
        self.hints.tld = (!tld.is_empty()
            && tld.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| tld.into_bytes());
        self
    }

    /// A hint: the charset the document declares (`<meta charset>`, an XML declaration). Used
    /// when the bytes decode with it without error and it is not clearly worse than the best
    /// guess; declarations are often wrong, so it is not forced. Fails if the label is unknown.
    pub fn declared(mut self, label: &str) -> Result<Decoder> {
        self.hints.declared =
            Some(Charset::for_label(label).ok_or_else(|| Error::UnknownEncoding(label.into()))?);
        Ok(self)
    }

    /// A hint: the charset of an HTTP `Content-Type` header, weighed like
    /// [`declared`](Decoder::declared) and before it. Fails if the label is unknown.
    pub fn http_charset(mut self, label: &str) -> Result<Decoder> {
        self.hints.http =
            Some(Charset::for_label(label).ok_or_else(|| Error::UnknownEncoding(label.into()))?);
        Ok(self)
    }

    /// A hint: the language of the text (`zh`, `zh-TW`, `ja`, `ko`, `ru`, …), which favours its
    /// encodings.
    pub fn language(mut self, language: &str) -> Decoder {
        let language = language.trim().to_ascii_lowercase();
        self.hints.language = (!language.is_empty()).then_some(language);
        self
    }

    /// Detects the charset of `bytes` without decoding all of them.
    ///
    /// # Errors
    ///
    /// [`Error::Binary`] when the bytes are not text in any encoding scour knows.
    pub fn detect(&self, bytes: &[u8]) -> Result<Detection> {
        let sure = |charset, method| Detection {
            charset,
            method,
            confidence: 100,
            runner_up: None,
        };
        if let Some((charset, _)) = sniff_bom(bytes) {
            return Ok(sure(charset, Method::Bom));
        }
        if let Some(charset) = self.forced {
            return Ok(sure(charset, Method::Forced));
        }
        check_signature(bytes)?;
        if memchr::memchr(0, bytes).is_some() {
            if let Some(charset) = nul_layout(bytes)? {
                return Ok(sure(charset, Method::NulLayout));
            }
        }
        if simdutf8::basic::from_utf8(bytes).is_ok() {
            if let Some(found) = crate::detect::detect_escapes(bytes) {
                return Ok(found);
            }
            // Pure ASCII reads the same in every ASCII-compatible charset.
            let ascii = bytes.is_ascii();
            return Ok(Detection {
                charset: Charset::UTF_8,
                method: Method::Utf8,
                confidence: if ascii { 90 } else { 100 },
                runner_up: ascii.then_some(Charset::Whatwg(encoding_rs::WINDOWS_1252)),
            });
        }
        if mostly_utf8(bytes) {
            return Ok(Detection {
                charset: Charset::UTF_8,
                method: Method::MostlyUtf8,
                confidence: 90,
                runner_up: None,
            });
        }
        if let Some(charset) = utf16_without_nul(bytes) {
            return Ok(Detection {
                charset,
                method: Method::NulLayout,
                confidence: 80,
                runner_up: None,
            });
        }
        check_controls(bytes)?;
        Ok(crate::detect::detect(bytes, &self.hints))
    }

    /// Decodes `bytes`.
    ///
    /// # Errors
    ///
    /// [`Error::Binary`] when the bytes are not text in any encoding scour knows.
    pub fn decode(&self, bytes: &[u8]) -> Result<Decoded> {
        if let Some((charset, bom_len)) = sniff_bom(bytes) {
            let mut log = EditLog::new(Stage::Decode);
            log.remove(
                EditKind::Control,
                0,
                &escape_bytes(&bytes[..bom_len]),
                "byte-order mark",
            );
            return Ok(decode_with(
                charset,
                &bytes[bom_len..],
                bom_len,
                log,
                Method::Bom,
            ));
        }
        let found = self.detect(bytes)?;
        if found.method == Method::Utf8 && found.charset == Charset::UTF_8 {
            // The fast path: one more SIMD validation (cheap next to the copy) and one copy.
            let text = simdutf8::basic::from_utf8(bytes)
                .map(str::to_owned)
                .unwrap_or_default();
            return Ok(Decoded {
                text,
                charset: Charset::UTF_8,
                method: Method::Utf8,
                confidence: found.confidence,
                runner_up: found.runner_up,
                edits: Vec::new(),
            });
        }
        let mut decoded = decode_with(
            found.charset,
            bytes,
            0,
            EditLog::new(Stage::Decode),
            found.method,
        );
        decoded.confidence = found.confidence;
        decoded.runner_up = found.runner_up;
        Ok(decoded)
    }
}

/// A byte-order mark at the start of `bytes`: the charset and the mark's length.
fn sniff_bom(bytes: &[u8]) -> Option<(Charset, usize)> {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Some((Charset::UTF_8, 3)),
        [0xFF, 0xFE, 0, 0, ..] => Some((Charset::Utf32Le, 4)),
        [0, 0, 0xFE, 0xFF, ..] => Some((Charset::Utf32Be, 4)),
        [0xFF, 0xFE, ..] => Some((Charset::Whatwg(UTF_16LE), 2)),
        [0xFE, 0xFF, ..] => Some((Charset::Whatwg(UTF_16BE), 2)),
        _ => None,
    }
}

/// Known binary file signatures.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG signature"),
    (b"\xFF\xD8\xFF", "JPEG signature"),
    (b"GIF87a", "GIF signature"),
    (b"GIF89a", "GIF signature"),
    (b"%PDF-", "PDF signature"),
    (b"PK\x03\x04", "ZIP signature"),
    (b"\x1F\x8B", "gzip signature"),
    (b"\xFD7zXZ\x00", "xz signature"),
    (b"\x28\xB5\x2F\xFD", "zstd signature"),
    (b"BZh", "bzip2 signature"),
    (b"7z\xBC\xAF\x27\x1C", "7z signature"),
    (b"\x7FELF", "ELF signature"),
    (b"\x00asm", "WebAssembly signature"),
    (b"RIFF", "RIFF signature"),
    (b"OggS", "Ogg signature"),
    (b"\x00\x00\x01\x00", "ICO signature"),
];

fn check_signature(bytes: &[u8]) -> Result<()> {
    for &(sig, reason) in SIGNATURES {
        // "BZh" and "RIFF" are also plain words: require a binary byte soon after.
        if bytes.starts_with(sig)
            && (sig.len() >= 4 && sig != b"RIFF" || bytes.iter().take(64).any(|&b| b < 0x09))
        {
            return Err(Error::Binary {
                reason: reason.to_owned(),
                offset: 0,
            });
        }
    }
    Ok(())
}

/// Input with NUL bytes: UTF-16 or UTF-32 if the NULs sit where ASCII or BMP text puts them,
/// otherwise binary.
fn nul_layout(bytes: &[u8]) -> Result<Option<Charset>> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let mut zeros = [0usize; 4];
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            zeros[i % 4] += 1;
        }
    }
    let quads = sample.len() / 4;
    let total: usize = zeros.iter().sum();
    if quads > 0 && bytes.len().is_multiple_of(4) {
        // UTF-32: the two high bytes of every code unit are zero.
        if zeros[2] >= quads * 9 / 10 && zeros[3] >= quads * 9 / 10 && zeros[1] < quads {
            return Ok(Some(Charset::Utf32Le));
        }
        if zeros[0] >= quads * 9 / 10 && zeros[1] >= quads * 9 / 10 && zeros[2] < quads {
            return Ok(Some(Charset::Utf32Be));
        }
    }
    let pairs = sample.len() / 2;
    let (even, odd) = (zeros[0] + zeros[2], zeros[1] + zeros[3]);
    if pairs > 0 {
        // ASCII-heavy UTF-16: a zero in most high bytes and almost none in the low bytes. An odd
        // length is a file cut short; its last byte is decoded as malformed and recorded.
        if odd * 10 >= pairs * 3 && even * 20 <= odd {
            return Ok(Some(Charset::Whatwg(UTF_16LE)));
        }
        if even * 10 >= pairs * 3 && odd * 20 <= even {
            return Ok(Some(Charset::Whatwg(UTF_16BE)));
        }
    }
    // CJK UTF-16 has few NULs (only its ASCII characters make them), but all on one side.
    if bytes.len().is_multiple_of(2) {
        if even == 0 && odd > 0 && plausible_utf16(bytes, UTF_16LE) {
            return Ok(Some(Charset::Whatwg(UTF_16LE)));
        }
        if odd == 0 && even > 0 && plausible_utf16(bytes, UTF_16BE) {
            return Ok(Some(Charset::Whatwg(UTF_16BE)));
        }
    }
    // Stray NULs in text (padding, a scraper's artifact) are rare: one byte in twenty at most.
    // They are left to the normalizer, which removes and records them.
    if total * 20 <= sample.len() {
        return Ok(None);
    }
    let first = memchr::memchr(0, bytes).unwrap_or(0);
    Err(Error::Binary {
        reason: format!(
            "{total} NUL bytes in the first {} bytes, not laid out as UTF-16 or UTF-32",
            sample.len()
        ),
        offset: first,
    })
}

/// True if `bytes` (a sample) decode as `encoding` (UTF-16) without error into text: at least
/// 95% of the characters letters, digits, spaces, punctuation of the text's scripts, and no C0
/// controls other than whitespace.
fn plausible_utf16(bytes: &[u8], encoding: &'static Encoding) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024) & !1];
    let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(sample) else {
        return false;
    };
    let (mut total, mut good) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        let ok = match c {
            '\t' | '\n' | '\r' => true,
            _ if c.is_control() => return false,
            _ => {
                c.is_alphanumeric()
                    || c.is_whitespace()
                    || c.is_ascii_punctuation()
                    || crate::script::is_cjk_punctuation(c)
                    || crate::script::is_cjk(c)
            }
        };
        good += usize::from(ok);
    }
    total > 0 && good * 100 >= total * 95
}

/// UTF-16 without a byte-order mark and without any NUL: only CJK text can be that (it has no
/// ASCII). Accepted when it decodes cleanly to CJK text that uses the ideographic comma or full
/// stop, which a legacy encoding read as UTF-16 almost never yields (their bytes are controls).
fn utf16_without_nul(bytes: &[u8]) -> Option<Charset> {
    if !bytes.len().is_multiple_of(2) || bytes.len() < 8 {
        return None;
    }
    // (characters, CJK characters, commas and full stops) of a decoded sample.
    let tally = |text: &str| {
        let (mut total, mut cjk, mut stops) = (0usize, 0usize, 0usize);
        for c in text.chars() {
            total += 1;
            cjk += usize::from(crate::script::is_cjk(c) || crate::script::is_cjk_punctuation(c));
            stops += usize::from(matches!(c, '、' | '。' | '，'));
        }
        (total, cjk, stops)
    };
    let sample = &bytes[..bytes.len().min(64 * 1024) & !1];
    for encoding in [UTF_16LE, UTF_16BE] {
        // Without one ideographic comma, full stop or full-width comma in the sample's bytes
        // it cannot pass (a byte search, thousands of times faster than decoding).
        let stops: [&[u8]; 3] = if encoding == UTF_16LE {
            [b"\x01\x30", b"\x02\x30", b"\x0c\xff"]
        } else {
            [b"\x30\x01", b"\x30\x02", b"\xff\x0c"]
        };
        if !stops
            .iter()
            .any(|s| memchr::memmem::find(sample, s).is_some())
        {
            continue;
        }
        // Legacy bytes read as UTF-16 usually fail, or give anything but CJK, in the first
        // 4 KB already: that is checked before the whole sample is.
        let mut head = &bytes[..bytes.len().min(4096) & !1];
        // Not in the middle of a surrogate pair.
        if let [.., a, b] = head {
            let unit = if encoding == UTF_16LE {
                [*b, *a]
            } else {
                [*a, *b]
            };
            if (0xD8..=0xDB).contains(&unit[0]) {
                head = &head[..head.len() - 2];
            }
        }
        let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(head) else {
            continue;
        };
        let (total, cjk, _) = tally(&text);
        if cjk * 100 < total * 90 {
            continue;
        }
        let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(sample)
        else {
            continue;
        };
        let (total, cjk, stops) = tally(&text);
        if cjk * 100 >= total * 95 && stops * 100 >= total {
            return Some(Charset::Whatwg(encoding));
        }
    }
    None
}

/// Legacy-encoded text has few C0 controls other than whitespace and ESC; binary data has many.
fn check_controls(bytes: &[u8]) -> Result<()> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    if controls * 10 > sample.len() {
        let first = sample
            .iter()
            .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
            .unwrap_or(0);
        return Err(Error::Binary {
            reason: format!(
                "{controls} control bytes in the first {} bytes",
                sample.len()
            ),
            offset: first,
        });
    }
    Ok(())
}

/// Invalid UTF-8 that is still best read as UTF-8: a sequence cut short at the very end, or
/// malformed sequences rare next to valid multi-byte ones.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut malformed = 0usize;
    let mut truncated_at_end = false;
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
        if !chunk.invalid().is_empty() {
            malformed += 1;
            // Legacy text is malformed UTF-8 every few bytes: once the malformed sequences
            // outnumber the valid ones many times over, stop (the rest of a large legacy file
            // would cost a chunk per byte pair).
            if malformed >= 64 && malformed > valid_multibyte * 4 {
                return false;
            }
            // An invalid tail that is a prefix of a valid sequence: the text was cut.
            let end = chunk.invalid().as_ptr() as usize + chunk.invalid().len();
            truncated_at_end = end == bytes.as_ptr() as usize + bytes.len()
                && chunk.invalid().len() < 4
                && chunk.invalid()[0] >= 0xC2;
        }
    }
    (malformed == 1 && truncated_at_end && valid_multibyte > 0)
        || valid_multibyte >= malformed * Decoder::UTF8_VALID_RATIO
}

/// Decodes `bytes` (which start at `base` in the input) with `charset`, recording malformed
/// sequences in `log`.
fn decode_with(
    charset: Charset,
    bytes: &[u8],
    base: usize,
    mut log: EditLog,
    method: Method,
) -> Decoded {
    let text = match charset {
        Charset::Whatwg(encoding) => decode_whatwg(encoding, bytes, base, &mut log),
        Charset::Utf32Le => decode_utf32(bytes, base, false, &mut log),
        Charset::Utf32Be => decode_utf32(bytes, base, true, &mut log),
        Charset::Extra(codec) => codec.decode_logged(bytes, base, &mut log),
    };
    Decoded {
        text,
        charset,
        method,
        confidence: 100,
        runner_up: None,
        edits: log.into_edits(),
    }
}

fn decode_whatwg(
    encoding: &'static Encoding,
    bytes: &[u8],
    base: usize,
    log: &mut EditLog,
) -> String {
    if encoding == UTF_8 {
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            return text.to_owned();
        }
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.reserve(bytes.len() - read_total + 16),
            DecoderResult::Malformed(bad, after) => {
                let end = read_total - after as usize;
                let start = end - bad as usize;
                log.replace(
                    EditKind::Decode,
                    base + start,
                    &escape_bytes(&bytes[start..end]),
                    "\u{FFFD}",
                    malformed_reason(encoding),
                );
                if out.capacity() - out.len() < 3 {
                    out.reserve(16);
                }
                out.push('\u{FFFD}');
            }
        }
    }
    out
}

fn malformed_reason(encoding: &'static Encoding) -> &'static str {
    match encoding.name() {
        "UTF-8" => "malformed UTF-8 sequence",
        "GBK" | "gb18030" => "malformed GBK/GB18030 sequence",
        "Big5" => "malformed Big5 sequence",
        "Shift_JIS" => "malformed Shift_JIS sequence",
        "EUC-JP" => "malformed EUC-JP sequence",
        "EUC-KR" => "malformed EUC-KR sequence",
        "UTF-16LE" | "UTF-16BE" => "malformed UTF-16 sequence",
        _ => "malformed byte sequence",
    }
}

fn decode_utf32(bytes: &[u8], base: usize, big_endian: bool, log: &mut EditLog) -> String {
    let mut out = String::with_capacity(bytes.len() / 2);
    let chunks = bytes.chunks_exact(4);
    let tail = chunks.remainder();
    for (i, unit) in chunks.enumerate() {
        let unit4 = [unit[0], unit[1], unit[2], unit[3]];
        let value = if big_endian {
            u32::from_be_bytes(unit4)
        } else {
            u32::from_le_bytes(unit4)
        };
        match char::from_u32(value) {
            Some(c) => out.push(c),
            None => {
                log.replace(
                    EditKind::Decode,
                    base + i * 4,
                    &escape_bytes(unit),
                    "\u{FFFD}",
                    "malformed UTF-32 code unit",
                );
                out.push('\u{FFFD}');
            }
        }
    }
    if !tail.is_empty() {
        log.replace(
            EditKind::Decode,
            base + bytes.len() - tail.len(),
            &escape_bytes(tail),
            "\u{FFFD}",
            "UTF-32 code unit cut short at the end",
        );
        out.push('\u{FFFD}');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_and_is_recorded() {
        let d = decode(b"\xEF\xBB\xBFabc").unwrap();
        assert_eq!((d.text.as_str(), d.method), ("abc", Method::Bom));
        assert_eq!(d.edits[0].removed, "\\xEF\\xBB\\xBF");
        let d = decode(b"\xFF\xFEa\x00b\x00").unwrap();
        assert_eq!((d.text.as_str(), d.charset.name()), ("ab", "UTF-16LE"));
        let forced = Decoder::new().force("gbk").unwrap();
        assert_eq!(forced.decode(b"\xEF\xBB\xBFok").unwrap().text, "ok");
    }

    #[test]
    fn utf16_without_bom() {
        let le: Vec<u8> = "hello, world"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode(&le).unwrap();
        assert_eq!(
            (d.text.as_str(), d.method),
            ("hello, world", Method::NulLayout)
        );
        let be: Vec<u8> = "hello, world"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(decode(&be).unwrap().charset.name(), "UTF-16BE");
    }

    #[test]
    fn utf16_without_nul_is_judged_whole_even_past_a_split_pair() {
        // CJK text in UTF-16LE without a zero byte, whose 2,048th code unit starts a surrogate
        // pair (U+20001): the 4 KB head check must not cut the pair in two.
        let mut text: String = "中文编码，是个问题。".chars().cycle().take(2047).collect();
        text.push('\u{20001}');
        text.push_str(&"中文编码，是个问题。".repeat(20));
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert!(!le.contains(&0) && (0xD8..=0xDB).contains(&le[4095]));
        assert_eq!(utf16_without_nul(&le), Some(Charset::Whatwg(UTF_16LE)));
        let d = decode(&le).unwrap();
        assert_eq!((d.charset.name(), d.text == text), ("UTF-16LE", true));
    }

    #[test]
    fn truncated_utf8_is_utf8_with_a_recorded_replacement() {
        let mut bytes = "中文文本".as_bytes().to_vec();
        bytes.extend_from_slice(&"中".as_bytes()[..2]);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "中文文本\u{FFFD}");
        assert_eq!(d.method, Method::MostlyUtf8);
        assert_eq!(d.edits.len(), 1);
        assert_eq!(
            (d.edits[0].offset, d.edits[0].removed.as_str()),
            (12, "\\xE4\\xB8")
        );
    }

    #[test]
    fn binary_inputs_are_errors() {
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(Error::Binary { .. })
        ));
        assert!(matches!(
            decode(&[0u8, 1, 2, 3, 0, 0, 7, 0, 0, 9, 0, 0, 255, 0]),
            Err(Error::Binary { .. })
        ));
    }

    #[test]
    fn forced_label_and_unknown_label() {
        let d = Decoder::new()
            .force("latin1")
            .unwrap()
            .decode(b"caf\xe9")
            .unwrap();
        assert_eq!(
            (d.text.as_str(), d.charset.name()),
            ("café", "windows-1252")
        );
        assert!(matches!(
            Decoder::new().force("no-such-charset"),
            Err(Error::UnknownEncoding(_))
        ));
    }

    #[test]
    fn malformed_legacy_bytes_are_recorded() {
        let d = Decoder::new()
            .force("shift_jis")
            .unwrap()
            .decode(b"a\x81")
            .unwrap();
        assert_eq!(d.malformed(), 1);
        assert!(d.text.contains('\u{FFFD}'));
        assert_eq!(d.edits[0].offset, 1);
    }
}

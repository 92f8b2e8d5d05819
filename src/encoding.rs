//! Text encodings of SQL files (SPEC §9 "Encodings"): UTF-8, or GBK for
//! the legacy files a config names with `[files] encoding = "gbk"`.
//!
//! A file that cannot be read in its encoding is not an error that stops a
//! run: it is read lossily (every bad sequence becomes U+FFFD, every other
//! byte keeps its offset up to the first bad one) so the other findings of
//! the file and the other files are still reported, and it carries an
//! [`EncodingProblem`] that makes it one finding and keeps it from being
//! rewritten.

use std::borrow::Cow;

/// How a file's bytes map to its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextEncoding {
    #[default]
    Utf8,
    /// GBK (decoded as GB18030, its superset, and written back as GBK).
    Gbk,
}

impl TextEncoding {
    /// The names `[files] encoding` accepts.
    pub const NAMES: [&'static str; 3] = ["utf-8", "gbk", "gb18030"];

    pub fn parse(name: &str) -> Option<TextEncoding> {
        match name.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "gbk" | "gb18030" | "gb2312" => Some(TextEncoding::Gbk),
            _ => None,
        }
    }

    /// The bytes of `text` in this encoding. `None` when a character has no
    /// GBK form (never for text decoded from GBK plus ASCII edits).
    pub fn encode<'a>(self, text: &'a str) -> Option<Cow<'a, [u8]>> {
        match self {
            TextEncoding::Utf8 => Some(Cow::Borrowed(text.as_bytes())),
            TextEncoding::Gbk => {
                // Verified: the bytes must read back as exactly this text.
                let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
                let back = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(&bytes);
                (!unmappable && back.as_deref() == Some(text)).then_some(bytes)
            }
        }
    }
}

/// The first byte a file's encoding cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingProblem {
    /// Byte offset of the bad byte, in the file and in the lossy text.
    pub offset: usize,
    /// The bad byte.
    pub byte: u8,
    /// The whole file decodes as GBK (and encodes back to the same bytes).
    pub looks_like_gbk: bool,
}

/// A file's text as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
    pub problem: Option<EncodingProblem>,
}

/// Reads bytes as UTF-8; a file that is not UTF-8 is read as GBK when the
/// config says legacy files are GBK and it round-trips byte for byte, else
/// lossily with its problem.
pub fn decode(bytes: Vec<u8>, legacy: TextEncoding) -> Decoded {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Decoded { text, encoding: TextEncoding::Utf8, problem: None },
        Err(e) => e.into_bytes(),
    };
    let gbk = gbk_round_trip(&bytes);
    if legacy == TextEncoding::Gbk
        && let Some(text) = gbk.clone()
    {
        return Decoded { text, encoding: TextEncoding::Gbk, problem: None };
    }
    let offset = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
    let problem = EncodingProblem { offset, byte: bytes[offset], looks_like_gbk: gbk.is_some() };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Decoded { text, encoding: TextEncoding::Utf8, problem: Some(problem) }
}

/// The GBK reading of `bytes`, if every byte decodes and the text encodes
/// back to exactly these bytes.
fn gbk_round_trip(bytes: &[u8]) -> Option<String> {
    let text = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes)?;
    let (back, _, unmappable) = encoding_rs::GBK.encode(&text);
    (!unmappable && back.as_ref() == bytes).then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GBK_COMMENT: &[u8] = b"-- \xd6\xd0\xce\xc4\xd7\xa2\xca\xcd\nSELECT 1;\n"; // "-- 中文注释"

    #[test]
    fn utf8_is_read_as_is() {
        let d = decode("-- 中文\n".as_bytes().to_vec(), TextEncoding::Gbk);
        assert_eq!((d.text.as_str(), d.encoding, d.problem), ("-- 中文\n", TextEncoding::Utf8, None));
    }

    #[test]
    fn gbk_without_config_is_a_problem_at_the_first_bad_byte() {
        let d = decode(GBK_COMMENT.to_vec(), TextEncoding::Utf8);
        let p = d.problem.unwrap();
        assert_eq!((p.offset, p.byte, p.looks_like_gbk), (3, 0xd6, true));
        assert!(d.text.starts_with("-- \u{fffd}") && d.text.ends_with("SELECT 1;\n"));
    }

    #[test]
    fn gbk_with_config_round_trips_byte_for_byte() {
        let d = decode(GBK_COMMENT.to_vec(), TextEncoding::Gbk);
        assert_eq!((d.text.as_str(), d.encoding, d.problem), ("-- 中文注释\nSELECT 1;\n", TextEncoding::Gbk, None));
        let edited = d.text.replace("SELECT 1;", "SELECT 2;");
        let bytes = TextEncoding::Gbk.encode(&edited).unwrap();
        assert_eq!(
            bytes.as_ref(),
            &GBK_COMMENT.iter().map(|&b| if b == b'1' { b'2' } else { b }).collect::<Vec<_>>()[..]
        );
    }

    #[test]
    fn bytes_that_are_neither_are_not_gbk() {
        let d = decode(b"SELECT 1; -- \xff\xff\n".to_vec(), TextEncoding::Gbk);
        let p = d.problem.unwrap();
        assert_eq!((p.offset, p.looks_like_gbk), (13, false));
    }
}

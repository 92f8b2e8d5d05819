//! Between mcaccess's byte offsets and paths and LSP's positions and URIs.

use crate::source::SourceFile;
use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How a position's character counts: UTF-16 code units (LSP's default)
/// or bytes (UTF-8, when the client offers it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The position of a byte offset.
pub fn position(file: &SourceFile, offset: usize, encoding: Encoding) -> Position {
    let offset = file.text.floor_char_boundary(offset.min(file.text.len()));
    let line = file.line_index(offset);
    let start = file.line_start(line);
    let character = match encoding {
        Encoding::Utf8 => offset - start,
        Encoding::Utf16 => file.utf16_between(start, offset),
    };
    Position { line: line as u32, character: character as u32 }
}

pub fn range(file: &SourceFile, span: &std::ops::Range<usize>, encoding: Encoding) -> Range {
    Range { start: position(file, span.start, encoding), end: position(file, span.end, encoding) }
}

/// The byte offset of a position (clamped to its line and the text).
pub fn offset(file: &SourceFile, p: Position, encoding: Encoding) -> usize {
    let line = p.line as usize;
    if line >= file.line_count() {
        return file.text.len();
    }
    let start = file.line_start(line);
    let end = file.line_start(line + 1).min(file.text.len());
    let text = &file.text[start..end];
    let mut units = 0usize;
    for (i, c) in text.char_indices() {
        if units >= p.character as usize || c == '\n' || c == '\r' {
            return start + i;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    end
}

/// The path of a `file:` URI.
pub fn path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let mut bytes = Vec::with_capacity(rest.len());
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = raw.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (raw[i], hex) {
            (b'%', Some(b)) => {
                bytes.push(b);
                i += 3;
            }
            (b, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

/// The `file:` URI of an absolute path.
pub fn uri(path: &Path) -> Option<Uri> {
    let mut out = String::from("file://");
    for b in path.to_str()?.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_utf16_and_utf8() {
        let f = SourceFile::new("t.sql", "ab\r\n名前 x\n😀y".to_string());
        let x = f.text.find('x').unwrap();
        assert_eq!(position(&f, x, Encoding::Utf16), Position { line: 1, character: 3 });
        assert_eq!(position(&f, x, Encoding::Utf8), Position { line: 1, character: 7 });
        let y = f.text.find('y').unwrap();
        assert_eq!(position(&f, y, Encoding::Utf16), Position { line: 2, character: 2 });
        for (at, enc) in [(x, Encoding::Utf16), (x, Encoding::Utf8), (y, Encoding::Utf16)] {
            assert_eq!(offset(&f, position(&f, at, enc), enc), at);
        }
        // Past the end of a line: its end, before the line break.
        assert_eq!(offset(&f, Position { line: 0, character: 99 }, Encoding::Utf16), 2);
        assert_eq!(offset(&f, Position { line: 9, character: 0 }, Encoding::Utf16), f.text.len());
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/repo/数据 dir/a b.sql");
        let u = uri(p).unwrap();
        assert_eq!(u.as_str(), "file:///repo/%E6%95%B0%E6%8D%AE%20dir/a%20b.sql");
        assert_eq!(path(&u).unwrap(), p);
        assert_eq!(path(&Uri::from_str("untitled:Untitled-1").unwrap()), None);
    }
}

//! Secrets written into the SQL — AccessKey pairs in `oss://` and
//! `tablestore://` URLs, `user=`/`password=` in JDBC URLs — and the one place
//! that masks them in everything mcaccess prints: report snippets, messages,
//! diffs.
//!
//! Secrets are found in the text itself, not in parsed statements, so a
//! statement the scanner cannot read (an unclosed `(`), a comment quoting a
//! LOCATION, or a file whose lexer failed still has its secrets masked.

use crate::location;
use std::borrow::Cow;
use std::ops::Range;

/// The secrets of one file: their byte ranges and their text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    ranges: Vec<Range<usize>>,
    values: Vec<String>,
}

/// The mask a secret is shown as.
pub const MASK: char = '*';

impl Secrets {
    /// Every credential in `text`: each `scheme://` URL (up to a quote or
    /// white space) is read as a location, and the parts it names as
    /// credentials are secrets, unless they are variables (`${ak}`).
    pub fn find(text: &str) -> Secrets {
        let mut out = Secrets::default();
        let bytes = text.as_bytes();
        let mut from = 0;
        // memchr's SIMD search: this runs over every byte of every file. Its
        // searcher is built once: built at each call, it cost more than
        // the search (4,978 calls, 4.2 M instructions at 2,000 files).
        static URL: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new("://"));
        while let Some(p) = URL.find(&bytes[from..]).map(|p| p + from) {
            // The scheme: ASCII letters, digits, `:+.-` before `://`.
            let scheme = text.as_bytes()[..p]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'+' | b'.' | b'-'))
                .count();
            let start = p - scheme;
            let end = bytes[p..]
                .iter()
                .position(|b| matches!(b, b'\'' | b'"' | b'`' | b' ' | b'\t' | b'\r' | b'\n'))
                .map_or(text.len(), |n| p + n);
            // Credentials come before an `@` or after a `?` (JDBC): a URL
            // with neither holds none, and most hold neither.
            let url = &text[start..end];
            let credentials = if memchr::memchr2(b'@', b'?', url.as_bytes()).is_some() {
                location::parse(url).credentials()
            } else {
                vec![]
            };
            for r in credentials {
                let r = start + r.start..start + r.end;
                if !r.is_empty() && !location::is_templated(&text[r.clone()]) {
                    // The pair, and the id and the secret on their own.
                    let value = &text[r.clone()];
                    out.values.push(value.to_string());
                    out.values.extend(value.split(':').filter(|p| p.len() >= 4 && *p != value).map(str::to_string));
                    out.ranges.push(r);
                }
            }
            from = end.max(p + 3);
        }
        // Longest first (a pair before its parts), each once: a file
        // repeating one credential thousands of times has one value.
        out.values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        out.values.dedup();
        out.ranges = merged(std::mem::take(&mut out.ranges));
        out
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Byte ranges of the secrets, in text order.
    pub fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }

    /// `text[range]` with every character a secret byte is in shown as
    /// [`MASK`]s, one a byte (same length, so offsets stay valid). `range`
    /// must lie on character boundaries. The secrets in it are found by
    /// binary search (they are sorted and apart): asking each secret made
    /// a file of thousands of them take time in the square of its size.
    pub fn mask_slice<'a>(&self, text: &'a str, range: Range<usize>) -> Cow<'a, str> {
        let first = self.ranges.partition_point(|r| r.end <= range.start);
        let mut hits = self.ranges[first..].iter().take_while(|r| r.start < range.end).peekable();
        if hits.peek().is_none() {
            return Cow::Borrowed(&text[range]);
        }
        let mut out = String::with_capacity(range.len());
        let mut at = range.start;
        for r in hits {
            let start = text.floor_char_boundary(r.start.max(range.start)).max(at);
            let end = text.ceil_char_boundary(r.end.min(range.end));
            out.push_str(&text[at..start]);
            out.extend(std::iter::repeat_n(MASK, end - start));
            at = end;
        }
        out.push_str(&text[at..range.end]);
        Cow::Owned(out)
    }

    /// The whole text, masked.
    pub fn mask_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.mask_slice(text, 0..text.len())
    }

    /// A message, help or label that may quote the SQL: every secret value
    /// in it is masked.
    pub fn mask_message<'a>(&self, message: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(message);
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = Cow::Owned(out.replace(v.as_str(), &MASK.to_string().repeat(v.len())));
            }
        }
        out
    }
}

/// Byte ranges sorted by start, overlapping ones joined (ranges that only
/// touch stay apart: each is a credential of its own).
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_anywhere_and_masks_them() {
        let text = "-- was LOCATION 'oss://LTAIab:s3cr3t@oss-cn-hangzhou.aliyuncs.com/b/'\nCREATE EXTERNAL TABLE t (a int LOCATION \"jdbc:mysql://h:3306/db?user=u1&password=p4ss\";";
        let s = Secrets::find(text);
        let found: Vec<&str> = s.ranges().iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, vec!["LTAIab:s3cr3t", "u1", "p4ss"]);
        let masked = s.mask_text(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("s3cr3t") && !masked.contains("p4ss") && masked.contains("oss://*************@"));
        assert_eq!(s.mask_message("after 'oss://LTAIab:s3cr3t@x'"), "after 'oss://*************@x'");
    }

    #[test]
    fn variables_are_not_secrets() {
        assert!(Secrets::find("LOCATION 'oss://${ak}:${sk}@oss-cn-hangzhou.aliyuncs.com/b/'").is_empty());
        assert!(Secrets::find("no urls here").is_empty());
        // Found by the property tests: a character of several bytes right
        // before the scheme.
        let s = Secrets::find("中oss://ak12:sk34@oss-cn-hangzhou.aliyuncs.com/b/");
        assert_eq!(s.ranges().to_vec(), vec![9..18]);
    }

    /// Every character with a secret byte in it masked, character by
    /// character against every secret (the plain way).
    fn plain(ranges: &[Range<usize>], text: &str, range: Range<usize>) -> String {
        let mut out = String::new();
        for (i, c) in text[range.clone()].char_indices() {
            let at = range.start + i;
            if ranges.iter().any(|r| r.start < at + c.len_utf8() && at < r.end) {
                out.extend(std::iter::repeat_n(MASK, c.len_utf8()));
            } else {
                out.push(c);
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn masks_what_the_plain_way_masks(
            chars in proptest::collection::vec(proptest::sample::select(vec!['a', '中', '😀', ':']), 0..80),
            cuts in proptest::collection::vec((0usize..320, 0usize..12), 0..8),
            from in 0usize..320,
            to in 0usize..320,
        ) {
            let text: String = chars.into_iter().collect();
            let ranges: Vec<Range<usize>> = cuts.into_iter().map(|(s, n)| s.min(text.len())..(s + n).min(text.len())).filter(|r| !r.is_empty()).collect();
            let s = Secrets { ranges: merged(ranges.clone()), values: vec![] };
            let (a, b) = (text.floor_char_boundary(from.min(to)), text.floor_char_boundary(from.max(to)));
            proptest::prop_assert_eq!(s.mask_slice(&text, a..b).into_owned(), plain(&ranges, &text, a..b));
        }
    }

    #[test]
    fn a_credential_repeated_is_one_value() {
        let url = "LOCATION 'jdbc:mysql://h:3306/db?user=ab12&password=cd34'\n";
        let s = Secrets::find(&url.repeat(50));
        assert_eq!(s.ranges().len(), 100);
        assert_eq!(s.values, ["ab12", "cd34"]);
    }
}

//! Onboarding an existing repository: `init` infers `mcaccess.toml` from
//! the SQL, `annotate` writes the `@access` lines, `check --add-allow` a
//! baseline of `@allow` lines.

pub mod annotate;
pub mod baseline;
pub mod init;

use crate::Analysis;

/// Where the line holding `offset` starts (after a BOM on the first line).
pub(crate) fn line_start(a: &Analysis, offset: usize) -> usize {
    let file = &a.source;
    match file.start_of_line(offset) {
        0 if file.text.starts_with('\u{feff}') => '\u{feff}'.len_utf8(),
        start => start,
    }
}

/// The ending of the line holding `offset`.
pub(crate) fn ending(a: &Analysis, offset: usize) -> &'static str {
    let rest = &a.source.text[offset..];
    match rest.find('\n') {
        Some(n) if rest[..n].ends_with('\r') => "\r\n",
        Some(_) => "\n",
        None => a.source.newline(),
    }
}

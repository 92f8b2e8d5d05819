//! Layout-following edits over a file's line index.

use super::Edit;
use crate::resolve::DUAL_SIGNATURE_FLAG;
use crate::scan::{KeywordCase, Literal, Property, PropertyList, ROLEARN_KEY};
use crate::source::SourceFile;

/// Edits that follow the file's layout: indentation, line endings, list
/// style, trailing comments. Every edit is a byte-range replacement.
pub(super) struct Layout<'a> {
    file: &'a SourceFile,
    text: &'a str,
    newline: &'static str,
}

impl<'a> Layout<'a> {
    pub(super) fn new(file: &'a SourceFile) -> Self {
        Layout { file, text: &file.text, newline: file.newline() }
    }

    pub(super) fn file(&self) -> &'a SourceFile {
        self.file
    }

    /// Where the text of the line holding `offset` starts: after its line
    /// break, or after the BOM on the first line (the one place the BOM is
    /// handled: nothing is ever inserted before it or removed with it).
    fn line_start(&self, offset: usize) -> usize {
        match self.file.start_of_line(offset) {
            0 if self.text.starts_with('\u{feff}') => '\u{feff}'.len_utf8().min(offset),
            start => start,
        }
    }

    /// The spaces and tabs that start the line holding `offset`.
    pub(super) fn indent_of_line(&self, offset: usize) -> &'a str {
        let line = &self.text[self.line_start(offset)..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    }

    /// Whether only spaces and tabs stand between the line start and `offset`.
    pub(super) fn first_on_line(&self, offset: usize) -> bool {
        self.text[self.line_start(offset)..offset].bytes().all(|b| b == b' ' || b == b'\t')
    }

    /// If only whitespace and at most a line comment follow `pos` on its
    /// line, the offset of that line's end (before `\r\n`/`\n`).
    fn trivia_to_eol(&self, pos: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = pos;
        loop {
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
                i += 1;
            }
            let rest = &self.text[i..];
            if rest.starts_with("/*") {
                // A block comment that closes on this line is trivia too.
                match rest.find("*/") {
                    Some(end) if !rest[..end].contains('\n') => i += end + 2,
                    _ => return None,
                }
            // A lone `\r` is not a line end (the lexer ends lines at `\n`).
            } else if rest.starts_with("--") || rest.starts_with("\r\n") || rest.starts_with('\n') || rest.is_empty() {
                let nl = rest.find('\n').map_or(self.text.len(), |n| i + n);
                return Some(if nl > pos && bytes.get(nl.wrapping_sub(1)) == Some(&b'\r') && nl < self.text.len() {
                    nl - 1
                } else {
                    nl
                });
            } else {
                return None;
            }
        }
    }

    /// The line ending of the line holding `pos` (a file may mix LF and
    /// CRLF: an inserted line takes the ending of the line it follows); the
    /// file's own ending on a last line without one.
    fn newline_of(&self, pos: usize) -> &'static str {
        match self.text[pos..].find('\n') {
            Some(n) if pos + n > 0 && self.text.as_bytes()[pos + n - 1] == b'\r' => "\r\n",
            Some(_) => "\n",
            None => self.newline,
        }
    }

    /// The length of the line break at `pos` (0, 1 or 2).
    fn newline_len(&self, pos: usize) -> usize {
        let rest = &self.text[pos..];
        if rest.starts_with("\r\n") {
            2
        } else if rest.starts_with('\n') {
            1
        } else {
            0
        }
    }

    pub(super) fn entry(&self, quote: char, arn: &str) -> String {
        // Joined, not `format!`ted: this runs for every external statement.
        let mut buf = [0; 4];
        let q: &str = quote.encode_utf8(&mut buf);
        [q, ROLEARN_KEY, q, "=", q, arn, q].concat()
    }

    /// The rolearn value replaced, keeping its quote character.
    pub(super) fn replace_value(&self, value: &Literal, arn: &str) -> Edit {
        let quote = self.text[value.span.clone()].chars().next().unwrap_or('\'');
        let mut buf = [0; 4];
        let q: &str = quote.encode_utf8(&mut buf);
        Edit { range: value.span.clone(), text: [q, arn, q].concat() }
    }

    /// `ROW FORMAT SERDE '<serde>' WITH SERDEPROPERTIES (…)` before STORED
    /// AS at `start`: on lines of their own when STORED AS starts its line.
    pub(super) fn insert_serde_before(&self, start: usize, serde: &str, case: KeywordCase, arn: &str) -> Edit {
        let (serde_kw, with_kw, entry) =
            (case.apply("ROW FORMAT SERDE"), case.apply("WITH SERDEPROPERTIES"), self.entry('\'', arn));
        let text = if self.first_on_line(start) {
            let (indent, nl) = (self.indent_of_line(start), self.newline_of(start));
            format!("{serde_kw} '{serde}'{nl}{indent}{with_kw} ({entry}){nl}{indent}")
        } else {
            format!("{serde_kw} '{serde}' {with_kw} ({entry}) ")
        };
        Edit { range: start..start, text }
    }

    /// `WITH SERDEPROPERTIES (…)` right after a handler or SerDe literal: on a
    /// new line when the literal ends its line, else inline.
    pub(super) fn insert_clause_after(&self, lit: &Literal, case: KeywordCase, arn: &str, stmt_end: usize) -> Edit {
        let clause = format!("{} ({})", case.apply("WITH SERDEPROPERTIES"), self.entry('\'', arn));
        match self.trivia_to_eol(lit.span.end) {
            // Only inside the statement: a comment after its last token is
            // not part of it.
            Some(eol) if eol < stmt_end => {
                let indent = self.indent_of_line(lit.span.start);
                Edit { range: eol..eol, text: format!("{}{indent}{clause}", self.newline_of(eol)) }
            }
            _ => Edit { range: lit.span.end..lit.span.end, text: format!(" {clause}") },
        }
    }

    /// Appends the rolearn entry to a list, following its layout.
    pub(super) fn append_entry(&self, list: &PropertyList, arn: &str) -> Vec<Edit> {
        let Some(last) = list.entries.last() else {
            let at = list.open + 1;
            return vec![Edit { range: at..at, text: self.entry('\'', arn) }];
        };
        let quote = self.text[last.key.span.clone()].chars().next().unwrap_or('\'');
        let entry = self.entry(quote, arn);
        let multiline = self.text[list.open..last.key.span.start].contains('\n');
        if !multiline {
            // Reuse the spacing after the previous comma, else one space.
            let space = match list.entries.len() {
                n if n >= 2 => {
                    let prev = &list.entries[n - 2];
                    let after_comma = prev.comma.map_or(prev.value.span.end, |c| c + 1);
                    let gap = &self.text[after_comma..last.key.span.start];
                    if gap.chars().all(|c| c == ' ' || c == '\t') { gap.to_string() } else { " ".to_string() }
                }
                _ => " ".to_string(),
            };
            let at = last.value.span.end;
            return vec![Edit { range: at..at, text: format!(",{space}{entry}") }];
        }
        if let Some(comma) = list.entries.len().checked_sub(2).and_then(|i| list.entries[i].comma)
            && self.first_on_line(comma)
        {
            return vec![self.comma_first_entry(list, comma, last, &entry)];
        }
        let indent = if self.first_on_line(last.key.span.start) {
            self.indent_of_line(last.key.span.start).to_string()
        } else {
            " ".repeat(self.text[..last.key.span.start].rsplit('\n').next().map_or(0, |l| l.chars().count()))
        };
        let at = last.value.span.end;
        match self.trivia_to_eol(at) {
            // `)` is on a later line: comma after the value, entry at the end
            // of the line (after any trailing comment).
            Some(eol) if eol < list.close => vec![
                Edit { range: at..at, text: ",".to_string() },
                Edit { range: eol..eol, text: format!("{}{indent}{entry}", self.newline_of(eol)) },
            ],
            _ => vec![Edit { range: at..at, text: format!(",{}{indent}{entry}", self.newline_of(at)) }],
        }
    }

    /// The new entry of a comma-first list (`, 'k'='v'` on each line): its
    /// own line after the last entry's, starting with a comma like the
    /// others, with the same indentation and spacing.
    fn comma_first_entry(&self, list: &PropertyList, comma: usize, last: &Property, entry: &str) -> Edit {
        let indent = self.indent_of_line(comma);
        let gap = &self.text[comma + 1..last.key.span.start];
        let gap = if gap.chars().all(|c| c == ' ' || c == '\t') { gap } else { " " };
        let at = last.value.span.end;
        let line = format!("{indent},{gap}{entry}");
        match self.trivia_to_eol(at) {
            Some(eol) if eol < list.close => Edit { range: eol..eol, text: format!("{}{line}", self.newline_of(eol)) },
            _ => Edit { range: at..at, text: format!("{}{line}", self.newline_of(at)) },
        }
    }

    /// Removes entry `i` of a list, or the whole clause when it is the only
    /// one.
    pub(super) fn remove_entry(&self, list: &PropertyList, i: usize) -> Vec<Edit> {
        let entry = &list.entries[i];
        if list.entries.len() == 1 {
            return vec![self.remove(list.start, list.close + 1, usize::MAX)];
        }
        if let Some(own) = entry.comma.filter(|_| i + 1 < list.entries.len()) {
            // Not the last entry: it goes with its own comma.
            return vec![self.remove(entry.key.span.start, own + 1, list.close)];
        }
        // The last entry goes with the comma before it (comments in between stay).
        let comma = list.entries[i - 1].comma.expect("a later entry follows a comma");
        let entry_edit = self.remove(entry.key.span.start, entry.value.span.end, list.close);
        if entry_edit.range.start <= comma + 1 {
            vec![Edit { range: comma..entry_edit.range.end, text: String::new() }]
        } else {
            vec![Edit { range: comma..comma + 1, text: String::new() }, entry_edit]
        }
    }

    /// Deletes `start..end` without leaving a hole or joining lines that
    /// must stay apart: a span alone on its line (trailing comment included)
    /// takes the whole line; a span that starts a line keeps the line's
    /// indentation and takes the spaces after it; otherwise it takes the
    /// spaces before it. Never a line break before it: the previous line may
    /// end in a `--` comment that would swallow what follows.
    fn remove(&self, start: usize, end: usize, limit: usize) -> Edit {
        let line_start = self.line_start(start);
        let range = if self.first_on_line(start) {
            match self.trivia_to_eol(end) {
                Some(eol) if eol < limit && eol < self.text.len() => line_start..eol + self.newline_len(eol),
                _ => {
                    let rest = &self.text[end..];
                    let after = end + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
                    self.join_semicolon(line_start, after).unwrap_or(start)..after
                }
            }
        } else {
            self.text[..start].trim_end_matches([' ', '\t']).len()..end
        };
        Edit { range, text: String::new() }
    }

    /// When what is removed from the start of a line leaves only the
    /// statement's `;` there, the `;` joins the line before — unless that
    /// line holds a `--` (its comment would swallow the `;`) or is blank.
    fn join_semicolon(&self, line_start: usize, after: usize) -> Option<usize> {
        if self.file.start_of_line(line_start) == 0 || !self.text[after..].starts_with(';') {
            return None;
        }
        let prev_start = self.line_start(line_start - 1);
        let prev = &self.text[prev_start..line_start];
        (!prev.contains("--") && !prev.trim().is_empty())
            .then(|| self.text[..line_start].trim_end_matches(['\r', '\n', ' ', '\t']).len())
    }

    pub(super) fn set_flag(&self, at: usize, case: KeywordCase) -> Edit {
        let pos = if self.first_on_line(at) { self.line_start(at) } else { at };
        // The new line follows the line before it, and takes its ending.
        let nl = if pos > 0 { self.newline_of(pos - 1) } else { self.newline_of(pos) };
        Edit { range: pos..pos, text: format!("{} {DUAL_SIGNATURE_FLAG}=true;{nl}", case.apply("SET")) }
    }
}

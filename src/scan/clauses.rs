//! Reading the clauses of an external statement: STORED BY / AS, ROW
//! FORMAT, SERDEPROPERTIES, TBLPROPERTIES, PROPERTIES, LOCATION, USING —
//! each with its byte range — and the syntax errors (MCA015) on the way.

use super::lexer::{Token, TokenKind, unquote};
use super::recognise::{is_kw, is_punct, read_name};
use super::syntax::{Clauses, Format, KeywordCase, Literal, Property, PropertyList, StoredAs};
use crate::diagnostic::SyntaxError;
use std::ops::Range;

/// Walks a statement's tokens after its name, filling in its clauses.
pub(super) struct ClauseReader<'a> {
    pub(super) text: &'a str,
    pub(super) sig: &'a [Token],
    pub(super) clauses: Clauses,
    /// The case of the first storage keyword, for inserted text.
    pub(super) case: Option<KeywordCase>,
}

fn syntax(span: Range<usize>, message: impl Into<String>) -> SyntaxError {
    SyntaxError::new(span, message)
}

impl ClauseReader<'_> {
    fn kw(&self, i: usize, k: &str) -> bool {
        is_kw(self.text, self.sig.get(i), k)
    }

    fn punct(&self, i: usize, c: u8) -> bool {
        is_punct(self.text, self.sig.get(i), c)
    }

    fn show(&self, i: usize) -> String {
        match self.sig.get(i) {
            Some(t) => format!("`{}`", truncate(&self.text[t.range()], 40)),
            None => "the end of the statement".to_string(),
        }
    }

    fn at(&self, i: usize) -> Range<usize> {
        match self.sig.get(i) {
            Some(t) => t.range(),
            None => {
                let end = self.sig.last().map_or(0, |t| t.end);
                end..end
            }
        }
    }

    fn literal(&self, i: usize, after: &str) -> Result<Literal, SyntaxError> {
        match self.sig.get(i) {
            Some(t) if t.kind == TokenKind::String => {
                Ok(Literal { span: t.range(), value: unquote(&self.text[t.range()]) })
            }
            _ => Err(syntax(self.at(i), format!("expected a quoted string after {after}, found {}", self.show(i)))
                .label("expected '…'")
                .help(format!("write {after} '<value>'"))),
        }
    }

    fn note_case(&mut self, i: usize) {
        if self.case.is_none() {
            let word = &self.text[self.sig[i].range()];
            self.case = Some(if word.bytes().all(|b| b.is_ascii_lowercase()) {
                KeywordCase::Lower
            } else {
                KeywordCase::Upper
            });
        }
    }

    /// Fills a clause's slot; a clause given twice is an error at `at`.
    fn once<T>(slot: &mut Option<T>, value: T, at: Range<usize>, what: &str) -> Result<(), SyntaxError> {
        if slot.is_some() {
            return Err(syntax(at, format!("{what} is given twice")).label("second one").help("keep one of them"));
        }
        *slot = Some(value);
        Ok(())
    }

    /// Walks the statement after its name, at parenthesis depth 0, one
    /// clause at a time; returns at the first thing it cannot read.
    pub(super) fn read(&mut self, mut i: usize) -> Result<(), SyntaxError> {
        while let Some(t) = self.sig.get(i).copied() {
            i = if t.kind == TokenKind::Semicolon {
                break;
            } else if self.punct(i, b'(') {
                self.skip_group(i)?
            } else if self.punct(i, b')') {
                return Err(syntax(t.range(), "unbalanced parentheses: `)` without a matching `(`")
                    .label("nothing to close")
                    .help("remove this `)` or add the missing `(`"));
            } else if self.kw(i, "STORED") {
                self.stored(i)?
            } else if self.kw(i, "ROW") && self.kw(i + 1, "FORMAT") {
                self.row_format(i)?
            } else if (self.kw(i, "WITH") && self.kw(i + 1, "SERDEPROPERTIES")) || self.kw(i, "SERDEPROPERTIES") {
                self.serde_properties(i)?
            } else if self.kw(i, "TBLPROPERTIES") || self.kw(i, "PROPERTIES") {
                self.table_properties(i)?
            } else if self.kw(i, "LOCATION") {
                let lit = self.literal(i + 1, "LOCATION")?;
                let at = self.at(i);
                Self::once(&mut self.clauses.location, lit, at, "LOCATION")?;
                i + 2
            } else if self.kw(i, "USING") {
                let lit = self.literal(i + 1, "USING")?;
                let at = self.at(i);
                Self::once(&mut self.clauses.using, lit, at, "USING")?;
                i + 2
            } else {
                i + 1
            };
        }
        Ok(())
    }

    /// `STORED BY '<handler>'`, `STORED AS <format>` or `STORED AS
    /// INPUTFORMAT '…' OUTPUTFORMAT '…'` at `i`; returns the index after it.
    fn stored(&mut self, i: usize) -> Result<usize, SyntaxError> {
        self.note_case(i);
        if self.kw(i + 1, "BY") {
            let lit = self.literal(i + 2, "STORED BY")?;
            let at = self.at(i);
            Self::once(&mut self.clauses.stored_by, lit, at, "STORED BY")?;
            return Ok(i + 3);
        }
        if !self.kw(i + 1, "AS") {
            return Err(syntax(self.at(i + 1), format!("expected BY or AS after STORED, found {}", self.show(i + 1)))
                .help("write STORED BY '<handler>' or STORED AS <format>"));
        }
        let keyword = self.sig[i].range();
        let (format, next) = if self.kw(i + 2, "INPUTFORMAT") {
            self.literal(i + 3, "INPUTFORMAT")?;
            if !self.kw(i + 4, "OUTPUTFORMAT") {
                return Err(syntax(self.at(i + 4), format!("expected OUTPUTFORMAT, found {}", self.show(i + 4)))
                    .help("write STORED AS INPUTFORMAT '<class>' OUTPUTFORMAT '<class>'"));
            }
            self.literal(i + 5, "OUTPUTFORMAT")?;
            (Format::InputOutput, i + 6)
        } else {
            let (name, next) = read_name(self.text, self.sig, i + 2);
            let Some(name) = name else {
                return Err(syntax(
                    self.at(i + 2),
                    format!("expected a file format after STORED AS, found {}", self.show(i + 2)),
                )
                .help("write STORED AS <format>, e.g. STORED AS PARQUET"));
            };
            (Format::Named(name), next)
        };
        let at = self.at(next.saturating_sub(1));
        Self::once(&mut self.clauses.stored_as, StoredAs { keyword, format }, at, "STORED AS")?;
        Ok(next)
    }

    /// `ROW FORMAT SERDE '<class>'` or `ROW FORMAT DELIMITED …` at `i`.
    fn row_format(&mut self, i: usize) -> Result<usize, SyntaxError> {
        self.note_case(i);
        if !self.kw(i + 2, "SERDE") {
            self.clauses.row_format_delimited = Some(self.sig[i].range());
            return Ok(i + 2);
        }
        let lit = self.literal(i + 3, "ROW FORMAT SERDE")?;
        let at = self.at(i);
        Self::once(&mut self.clauses.row_format_serde, lit, at, "ROW FORMAT SERDE")?;
        Ok(i + 4)
    }

    /// `[WITH] SERDEPROPERTIES (…)` at `i`.
    fn serde_properties(&mut self, i: usize) -> Result<usize, SyntaxError> {
        let open = if self.kw(i, "WITH") { i + 2 } else { i + 1 };
        let (list, next) = self.property_list(self.sig[i].start, open, "SERDEPROPERTIES")?;
        let at = self.at(i);
        Self::once(&mut self.clauses.serde_properties, list, at, "WITH SERDEPROPERTIES")?;
        Ok(next)
    }

    /// `TBLPROPERTIES (…)` or UNLOAD's `PROPERTIES (…)` at `i`.
    fn table_properties(&mut self, i: usize) -> Result<usize, SyntaxError> {
        let what = if self.kw(i, "TBLPROPERTIES") { "TBLPROPERTIES" } else { "PROPERTIES" };
        let (list, next) = self.property_list(self.sig[i].start, i + 1, what)?;
        let at = self.at(i);
        let slot =
            if what == "TBLPROPERTIES" { &mut self.clauses.tbl_properties } else { &mut self.clauses.properties };
        Self::once(slot, list, at, what)?;
        Ok(next)
    }

    /// Skips a balanced `( … )` group starting at `i`; returns the index after
    /// its `)`. A loop with a counter: deep nesting cannot overflow the stack.
    fn skip_group(&self, i: usize) -> Result<usize, SyntaxError> {
        let mut depth = 0usize;
        let mut opens = Vec::new();
        let mut j = i;
        while j < self.sig.len() {
            if self.punct(j, b'(') {
                depth += 1;
                opens.push(j);
            } else if self.punct(j, b')') {
                depth -= 1;
                opens.pop();
                if depth == 0 {
                    return Ok(j + 1);
                }
            } else if self.sig[j].kind == TokenKind::Semicolon {
                break;
            }
            j += 1;
        }
        let open = *opens.last().unwrap_or(&i);
        Err(syntax(self.sig[open].range(), "unbalanced parentheses: this `(` is never closed")
            .label("opened here")
            .help("add the missing `)` before the end of the statement"))
    }

    /// Reads `( 'k'='v', … )` with `(` expected at `open`.
    fn property_list(&mut self, start: usize, open: usize, what: &str) -> Result<(PropertyList, usize), SyntaxError> {
        if !self.punct(open, b'(') {
            return Err(syntax(self.at(open), format!("expected `(` after {what}, found {}", self.show(open)))
                .help(format!("write {what} ('key'='value', …)")));
        }
        let mut entries: Vec<Property> = Vec::new();
        let mut i = open + 1;
        if self.punct(i, b')') {
            return Ok((PropertyList { start, open: self.sig[open].start, close: self.sig[i].start, entries }, i + 1));
        }
        loop {
            let key = match self.sig.get(i) {
                Some(t) if t.kind == TokenKind::String => {
                    Literal { span: t.range(), value: unquote(&self.text[t.range()]) }
                }
                Some(t) if self.punct(i, b')') && !entries.is_empty() => {
                    return Err(syntax(t.range(), format!("trailing comma in {what}"))
                        .label("expected another 'key'='value' before `)`")
                        .help("remove the last comma"));
                }
                Some(t) if t.kind == TokenKind::Semicolon => return Err(self.unclosed(open, what)),
                None => return Err(self.unclosed(open, what)),
                Some(_) => {
                    let d = syntax(
                        self.at(i),
                        format!("expected a quoted property name in {what}, found {}", self.show(i)),
                    )
                    .label("expected 'key'");
                    return Err(self.template_help(i, d, "write 'key'='value' with the key in quotes"));
                }
            };
            if !self.punct(i + 1, b'=') {
                return Err(syntax(
                    self.at(i + 1),
                    format!("expected `=` after the property name, found {}", self.show(i + 1)),
                )
                .help("write 'key'='value'"));
            }
            let value = match self.sig.get(i + 2) {
                Some(t) if matches!(t.kind, TokenKind::String) => {
                    Literal { span: t.range(), value: unquote(&self.text[t.range()]) }
                }
                _ => {
                    return Err(syntax(self.at(i + 2), format!("expected a quoted value, found {}", self.show(i + 2)))
                        .help("write 'key'='value' with the value in quotes"));
                }
            };
            i += 3;
            if self.punct(i, b',') {
                entries.push(Property { key, value, comma: Some(self.sig[i].start) });
                i += 1;
            } else if self.punct(i, b')') {
                entries.push(Property { key, value, comma: None });
                let list = PropertyList { start, open: self.sig[open].start, close: self.sig[i].start, entries };
                return Ok((list, i + 1));
            } else if matches!(self.sig.get(i), Some(t) if t.kind == TokenKind::String) {
                let gap = value.span.end..value.span.end + 1;
                return Err(syntax(gap, format!("missing comma between properties in {what}"))
                    .label("expected `,` here")
                    .help(format!("add a comma after {}", truncate(&self.text[value.span.clone()], 60))));
            } else if matches!(self.sig.get(i), None | Some(Token { kind: TokenKind::Semicolon, .. })) {
                return Err(self.unclosed(open, what));
            } else {
                let d = syntax(self.at(i), format!("expected `,` or `)` after a property, found {}", self.show(i)))
                    .label("expected `,` or `)`");
                return Err(self.template_help(i, d, "separate properties with commas and close the list with `)`"));
            }
        }
    }

    /// Documentation templates (`[optional]`, `<placeholder>`, `...`) get a
    /// help that says so.
    fn template_help(&self, i: usize, d: SyntaxError, otherwise: &str) -> SyntaxError {
        if self.punct(i, b'[') || self.punct(i, b'<') || self.punct(i, b'.') {
            d.help("this looks like a documentation template: replace the [optional], <placeholder> and ... parts with real values")
        } else {
            d.help(otherwise.to_string())
        }
    }

    fn unclosed(&self, open: usize, what: &str) -> SyntaxError {
        syntax(self.sig[open].range(), format!("unbalanced parentheses: the {what} list is never closed"))
            .label("opened here")
            .help("add the missing `)` after the last 'key'='value'")
    }
}

/// Up to `max` characters of SQL text for a message, secrets masked first
/// (a cut could leave part of a secret that no later masking recognises).
fn truncate(s: &str, max: usize) -> String {
    let s = crate::redact::Secrets::find(s).mask_text(s).into_owned();
    if s.chars().count() <= max { s } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

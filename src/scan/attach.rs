//! Splitting the tokens into statements at top-level `;`, parsing
//! annotation comments on the way, and attaching each `@access`/`@allow` to
//! the statement after it (`@maxcompute` to the rest of the file).

use super::lexer::{self, Token, TokenKind};
use super::recognise::{column_list_next, first_words, insert_targets_read, recognise};
use super::syntax::ScanProblem;
use super::syntax::{AnnotationComment, MaxComputeContext, ScannedFile};
use crate::annotation::{self, Annotation, CommentKind};
use crate::diagnostic::SyntaxError;
use std::sync::Arc;

/// The diagnostic for a lexer error. A string that runs across lines before
/// the error is the likelier culprit: a missing closing quote there shifts
/// every quote after it, so the lexer fails only at the file's last quote.
/// It points at where that string starts: the first string that runs
/// across a `;` and a line end (statements ended inside it), else the first
/// string that runs across lines.
fn unterminated(text: &str, multiline_string: Option<Token>, e: &lexer::LexError) -> SyntaxError {
    if let (Some(t), "string") = (multiline_string, e.what) {
        let quote = &text[t.start..t.start + 1];
        let runs_to = text[..t.end].matches('\n').count() + 1;
        return SyntaxError::new(t.start..t.start + 1, "unterminated string")
            .label(format!("this string runs on to line {runs_to}"))
            .help(format!("close it with {quote} on its own line: every quote after it is paired wrongly"));
    }
    let end = (e.at + 1).min(text.len());
    SyntaxError::new(e.at..end, format!("unterminated {}", e.what))
        .label(format!("this {} is never closed", e.what))
        .help(format!("close it with {}; inside a string, write a quote as '' or \\'", e.closer))
}

/// The string most likely to miss its closing quote, in a file the lexer
/// could not read to its end: the first that runs across a `;` and a line
/// end, else the first that runs across lines. Looked for only then, in a
/// second pass: on every string of every file, the search cost 5 % of
/// `check`.
fn suspect_string(text: &str) -> Option<Token> {
    let mut multiline = None;
    for t in lexer::Lexer::new(text).map_while(Result::ok).filter(|t| t.kind == TokenKind::String) {
        let body = &text.as_bytes()[t.range()];
        if let Some(nl) = memchr::memrchr(b'\n', body) {
            if body[..nl].contains(&b';') {
                return Some(t);
            }
            multiline = multiline.or(Some(t));
        }
    }
    multiline
}

/// Column lists and queries are skimmed, except in the test that checks
/// that skimming changes nothing.
#[cfg(not(test))]
fn skims() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    pub(super) static NO_SKIM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn skims() -> bool {
    !NO_SKIM.get()
}

thread_local! {
    /// The token buffer, kept for the thread's next file: it grows to the
    /// longest statement once, not for every file.
    static SIG: std::cell::Cell<Vec<Token>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Drop for Scanner<'_> {
    fn drop(&mut self) {
        let mut sig = std::mem::take(&mut self.sig);
        // A buffer grown by one huge statement is not kept.
        if sig.capacity() <= 1 << 16 {
            sig.clear();
            SIG.set(sig);
        }
    }
}

/// A part of a statement that is skimmed, not read token by token: most
/// of the bytes of most files. `sig_len` and `from` are the statement's
/// tokens before it and the byte it starts at, to read it again whole
/// where a skim cannot end the statement as reading would.
enum Skim {
    /// A table's column list: nothing reads it but for its parentheses and
    /// comments (see [`lexer::Lexer::next_in_group`]). `depth` counts the
    /// parentheses open.
    Group { depth: usize, sig_len: usize, from: usize },
    /// The rest of a query, up to its next INSERT: nothing reads a query
    /// but for its first words and the tables it writes (see
    /// [`lexer::Lexer::next_in_query`]).
    Query { sig_len: usize, from: usize },
}

pub(super) struct Scanner<'a> {
    text: &'a str,
    out: &'a mut ScannedFile,
    pending_access: Option<usize>,
    /// An unreadable `@access` is waiting for its statement.
    pending_broken: bool,
    /// The running `@maxcompute` values.
    maxcompute: Arc<MaxComputeContext>,
    /// Reused buffer of a statement's significant tokens.
    sig: Vec<Token>,
    /// What is being skimmed, if anything.
    skim: Option<Skim>,
    /// The statement is a query (it starts with SELECT, FROM, WITH or
    /// INSERT).
    query: bool,
    /// Every INSERT among the statement's first `inserts_read` significant
    /// tokens has its target read whole: a query's skim checks only those
    /// after (checking them all made a statement of 5,000 INSERTs take a
    /// second).
    inserts_read: usize,
    /// A byte offset and the line breaks before it: lines are counted on
    /// from the last one asked for (a file of 20,000 statements with two
    /// `@access` each took seconds counting from the start every time).
    counted: crate::source::LineMark,
    pending_allows: Vec<usize>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str, out: &'a mut ScannedFile) -> Scanner<'a> {
        Scanner {
            text,
            out,
            pending_access: None,
            pending_broken: false,
            pending_allows: Vec::new(),
            maxcompute: Arc::default(),
            sig: SIG.take(),
            skim: None,
            query: false,
            inserts_read: 0,
            counted: Default::default(),
        }
    }

    /// Reads the tokens once, statement by statement.
    pub(super) fn run(&mut self) -> Result<(), SyntaxError> {
        let mut in_statement = false;
        let mut tokens = lexer::Lexer::new(self.text);
        loop {
            let t = match self.skim {
                // White space and block comments in a tight loop of their own.
                None => tokens
                    .find(|t| !matches!(t, Ok(t) if matches!(t.kind, TokenKind::Whitespace | TokenKind::BlockComment))),
                Some(Skim::Group { .. }) => tokens.next_in_group(),
                Some(Skim::Query { from, .. }) => tokens.next_in_query(from),
            };
            let Some(t) = t else { break };
            let t = t.map_err(|e| unterminated(self.text, suspect_string(self.text), &e))?;
            self.take(t, &mut in_statement);
        }
        if let Some(Skim::Query { from, .. }) = &mut self.skim {
            // Only the statement's last token is yet to be found: it lies
            // after the last token the skim read.
            *from = tokens.mark().max(*from);
        }
        if in_statement {
            self.end_statement(self.text.len());
        }
        if let Some(a) = self.pending_access.take() {
            let span = self.out.annotations[a].span.clone();
            self.out.problems.push(ScanProblem::DanglingAccess { span, next: None });
        }
        for a in std::mem::take(&mut self.pending_allows) {
            let span = self.out.annotations[a].span.clone();
            self.out.problems.push(ScanProblem::DanglingAllow { span });
        }
        Ok(())
    }

    /// Takes the next token: a comment, white space, or a token of the
    /// statement (which may end it, or start or stop a skim).
    #[inline]
    fn take(&mut self, t: Token, in_statement: &mut bool) {
        match t.kind {
            TokenKind::LineComment => self.comment(t, *in_statement),
            TokenKind::Whitespace | TokenKind::BlockComment => {}
            _ => {
                self.track(t);
                self.sig.push(t);
                *in_statement = true;
                if t.kind == TokenKind::Semicolon {
                    self.end_statement(t.end);
                    *in_statement = false;
                } else if self.skim.is_none() && self.query_rest_next() {
                    self.skim = Some(Skim::Query { sig_len: self.sig.len(), from: t.end });
                }
            }
        }
    }

    fn comment(&mut self, t: Token, inside_statement: bool) {
        let raw = &self.text[t.range()];
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let span = t.start..t.start + text.len();
        match annotation::classify(text) {
            CommentKind::Foreign => {}
            CommentKind::NearMiss { suggestion, word } => {
                let word_span = t.start + word.start..t.start + word.end;
                let written = self.text[word_span.clone()].to_string();
                self.out.problems.push(ScanProblem::NotAnnotation { span: word_span, written, suggestion });
            }
            CommentKind::Ours if inside_statement => {
                self.out.problems.push(ScanProblem::InsideStatement { span });
            }
            CommentKind::Ours => match annotation::parse(text, t.start) {
                Err(d) => {
                    self.pending_broken |= text[2..].trim_start().starts_with("@access");
                    self.out.problems.push(ScanProblem::Annotation(d))
                }
                Ok(a) => {
                    let index = self.out.annotations.len();
                    match &a {
                        Annotation::Access(_) => {
                            if let Some(prev) = self.pending_access {
                                let first_line = self.line_of(self.out.annotations[prev].span.start);
                                self.out.problems.push(ScanProblem::SecondAccess { span: span.clone(), first_line });
                                return;
                            }
                            self.pending_access = Some(index);
                        }
                        Annotation::Allow(_) => self.pending_allows.push(index),
                        // For the whole file: attached to no statement.
                        Annotation::AllowFile(_) => {}
                        Annotation::MaxCompute(m) => {
                            if m.owner.is_some() {
                                Arc::make_mut(&mut self.maxcompute).owner = m.owner.clone();
                            }
                            if m.region.is_some() {
                                Arc::make_mut(&mut self.maxcompute).region = m.region.clone();
                            }
                        }
                    }
                    self.out.annotations.push(AnnotationComment { span, annotation: a, statement: None });
                }
            },
        }
    }

    /// The 1-based line of byte `offset`.
    fn line_of(&mut self, offset: usize) -> usize {
        self.counted.newlines_before(self.text.as_bytes(), offset) + 1
    }

    /// Before `t` is pushed: starts skimming at a `(` that opens a column
    /// list and follows the parentheses of the list skimmed; stops
    /// skimming a query at an INSERT (its target is read token by token).
    fn track(&mut self, t: Token) {
        if self.skim.is_none() && t.kind != TokenKind::Punct && !self.sig.is_empty() {
            return;
        }
        let paren = if t.kind == TokenKind::Punct { self.text.as_bytes()[t.start] } else { 0 };
        match (&mut self.skim, paren) {
            (Some(Skim::Group { depth, .. }), b'(') => *depth += 1,
            (Some(Skim::Group { depth, .. }), b')') if *depth > 1 => *depth -= 1,
            (Some(Skim::Group { .. }), b')') | (Some(Skim::Query { .. }), _) => self.skim = None,
            (None, b'(') if skims() && column_list_next(self.text, &self.sig) => {
                self.skim = Some(Skim::Group { depth: 1, sig_len: self.sig.len() + 1, from: t.end });
            }
            _ => {}
        }
        if self.sig.is_empty() {
            let first = |k: &str| self.text.as_bytes()[t.range()].eq_ignore_ascii_case(k.as_bytes());
            self.query = t.kind == TokenKind::Word && ["SELECT", "FROM", "WITH", "INSERT"].into_iter().any(first);
        }
    }

    /// Whether the rest of a query can be skimmed from here: its first
    /// words are read (messages name them), and so is the target of its
    /// last INSERT.
    fn query_rest_next(&mut self) -> bool {
        let next = self.query
            && skims()
            && self.sig.len() >= 3
            && insert_targets_read(self.text, &self.sig, self.inserts_read);
        if next {
            self.inserts_read = self.sig.len();
        }
        next
    }

    /// Ends the statement at byte `end`. A column list still open there was
    /// not a column list after all, and a query skimmed to the end of the
    /// file has no `;` to end its last token: what was skimmed is read
    /// again, all of it (its comments were handled on the way).
    fn end_statement(&mut self, end: usize) {
        let ended = self.sig.last().is_some_and(|t| t.kind == TokenKind::Semicolon);
        match self.skim.take() {
            Some(Skim::Query { .. }) if ended => {}
            Some(Skim::Group { sig_len, from, .. } | Skim::Query { sig_len, from }) => {
                self.sig.truncate(sig_len);
                let again = lexer::Lexer::starting_at(self.text, from).map_while(Result::ok);
                let significant = |t: &Token| !t.is_trivia();
                self.sig.extend(again.take_while(|t| t.start < end).filter(significant));
            }
            None => {}
        }
        self.statement();
    }

    /// Ends the statement whose significant tokens are in `self.sig`.
    fn statement(&mut self) {
        let sig = std::mem::take(&mut self.sig);
        self.inserts_read = 0;
        let index = self.out.statements.len();
        let mut stmt = recognise(self.text, &sig, self.maxcompute.clone());
        stmt.broken_access = std::mem::take(&mut self.pending_broken);
        if let Some(a) = self.pending_access.take() {
            if stmt.kind.is_external() {
                stmt.access = Some(a);
                self.out.annotations[a].statement = Some(index);
            } else {
                let span = self.out.annotations[a].span.clone();
                let next = Some(first_words(self.text, &sig));
                self.out.problems.push(ScanProblem::DanglingAccess { span, next });
            }
        }
        for a in std::mem::take(&mut self.pending_allows) {
            self.out.annotations[a].statement = Some(index);
            stmt.allows.push(a);
        }
        self.out.statements.push(stmt);
        self.sig = sig;
        self.sig.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::suspect_string;

    #[test]
    fn the_suspect_is_the_first_string_across_a_semicolon_and_a_line_end_else_across_lines() {
        let start = |text: &str| suspect_string(text).map(|t| t.start);
        // A string across lines is a suspect; one that also holds a `;` before its line end is the likelier.
        let text = "SELECT 'a\nb' FROM t;\nSET x='1;\n2';\nSELECT ';' FROM u where v = 'w\n";
        assert_eq!(start(text), text.find("'1;"));
        let text = "SELECT 'a\nb' FROM t;\nSELECT 'c\nd';\nSELECT 'e\n";
        assert_eq!(start(text), Some(7));
        assert_eq!(start("SELECT 'a' FROM t;\nSELECT 'b\n"), None);
    }
}

//! Scan stage: source text → annotations and statements with byte spans.
//!
//! The [`lexer`] tiles the file into tokens; this module splits them into
//! statements at top-level `;`, recognises the statements of SPEC §1 and
//! records the byte range of every clause `fix`, `check`, `plan` and `bundle`
//! need. Annotation comments are parsed on the way and attached to the next
//! statement. Nothing here knows about roles or policies.

pub mod lexer;

use crate::annotation::{self, Annotation, CommentKind};
use crate::diagnostic::{Code, Diagnostic};
use lexer::{Token, TokenKind, unquote};
use std::ops::Range;

/// A quoted literal: its range (quotes included) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub span: Range<usize>,
    pub value: String,
}

/// A (possibly dotted or placeholder) name: `t`, `` `p`.t ``, `<table_name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub span: Range<usize>,
    /// The normal form every output shows: parts without backquotes,
    /// joined by `.`, case and variables as written (`proj.tmp_${bizdate}`).
    pub text: String,
}

impl Name {
    /// The dotted parts of [`Name::text`].
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.text.split('.')
    }
}

/// One `'key'='value'` entry of a property list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub key: Literal,
    pub value: Literal,
    /// Byte offset of the `,` that follows the entry, if any.
    pub comma: Option<usize>,
}

impl Property {
    pub fn span(&self) -> Range<usize> {
        self.key.span.start..self.value.span.end
    }
}

/// `WITH SERDEPROPERTIES (…)`, `TBLPROPERTIES (…)` or `PROPERTIES (…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyList {
    /// Where the clause starts (`WITH`, or the keyword itself).
    pub start: usize,
    /// Byte offset of `(` and of `)`.
    pub open: usize,
    pub close: usize,
    pub entries: Vec<Property>,
}

impl PropertyList {
    pub fn span(&self) -> Range<usize> {
        self.start..self.close + 1
    }

    /// The entries with this key; keys match case-insensitively
    /// (`'ODPS.PROPERTIES.ROLEARN'` is the rolearn).
    pub fn get(&self, key: &str) -> impl Iterator<Item = &Property> {
        self.entries.iter().filter(move |p| p.key.value.eq_ignore_ascii_case(key))
    }
}

/// The file format after `STORED AS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// `STORED AS parquet`: the format word.
    Named(Name),
    /// `STORED AS INPUTFORMAT '…' OUTPUTFORMAT '…'`.
    InputOutput,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAs {
    /// The `STORED` keyword.
    pub keyword: Range<usize>,
    pub format: Format,
}

/// The clauses of an external statement, each with its byte range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clauses {
    /// `STORED BY '<handler>'`: the handler literal.
    pub stored_by: Option<Literal>,
    /// `ROW FORMAT SERDE '<class>'`: the class literal.
    pub row_format_serde: Option<Literal>,
    /// `ROW FORMAT DELIMITED …`: the `ROW` keyword.
    pub row_format_delimited: Option<Range<usize>>,
    pub stored_as: Option<StoredAs>,
    pub serde_properties: Option<PropertyList>,
    pub location: Option<Literal>,
    /// What the LOCATION names, parsed once for every later stage.
    pub parsed_location: Option<crate::location::Location>,
    pub tbl_properties: Option<PropertyList>,
    /// UNLOAD's `PROPERTIES (…)`.
    pub properties: Option<PropertyList>,
    pub using: Option<Literal>,
}

pub const ROLEARN_KEY: &str = "odps.properties.rolearn";

impl Clauses {
    /// Every `odps.properties.rolearn` entry of `WITH SERDEPROPERTIES`.
    pub fn rolearns(&self) -> Vec<&Property> {
        self.serde_properties.iter().flat_map(|l| l.get(ROLEARN_KEY)).collect()
    }

    /// The first value of a SERDEPROPERTIES key.
    pub fn serde_property(&self, key: &str) -> Option<&Literal> {
        self.serde_properties.as_ref()?.get(key).next().map(|p| &p.value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementKind {
    CreateExternalTable,
    /// `UNLOAD FROM … INTO LOCATION …`
    Unload,
    /// `LOAD {INTO|OVERWRITE} TABLE … FROM LOCATION …`
    Load,
    /// `CREATE EXTERNAL SCHEMA … WITH <server> ON '…'`
    CreateExternalSchema {
        server: Option<Name>,
    },
    /// `INSERT {INTO|OVERWRITE} [TABLE] <name> …`
    Insert,
    /// `SET key=value`, whitespace removed.
    Set {
        key: String,
        value: String,
    },
    Other,
}

impl StatementKind {
    /// Statements that carry a role ARN in SERDEPROPERTIES.
    pub fn takes_rolearn(&self) -> bool {
        matches!(self, StatementKind::CreateExternalTable | StatementKind::Unload | StatementKind::Load)
    }

    /// Statements an `@access` can apply to.
    pub fn is_external(&self) -> bool {
        self.takes_rolearn() || matches!(self, StatementKind::CreateExternalSchema { .. })
    }

    pub fn describe(&self) -> &'static str {
        match self {
            StatementKind::CreateExternalTable => "CREATE EXTERNAL TABLE",
            StatementKind::Unload => "UNLOAD",
            StatementKind::Load => "LOAD",
            StatementKind::CreateExternalSchema { .. } => "CREATE EXTERNAL SCHEMA",
            StatementKind::Insert => "INSERT",
            StatementKind::Set { .. } => "SET",
            StatementKind::Other => "statement",
        }
    }
}

/// Whether inserted keywords should be upper or lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordCase {
    Upper,
    Lower,
}

impl KeywordCase {
    pub fn apply(self, kw: &str) -> String {
        match self {
            KeywordCase::Upper => kw.to_ascii_uppercase(),
            KeywordCase::Lower => kw.to_ascii_lowercase(),
        }
    }
}

/// How a statement writes a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WriteKind {
    InsertInto,
    InsertOverwrite,
    LoadInto,
    LoadOverwrite,
}

impl WriteKind {
    /// Whether the table's old data is replaced.
    pub fn overwrites(self) -> bool {
        matches!(self, WriteKind::InsertOverwrite | WriteKind::LoadOverwrite)
    }

    pub fn describe(self) -> &'static str {
        match self {
            WriteKind::InsertInto => "INSERT INTO",
            WriteKind::InsertOverwrite => "INSERT OVERWRITE",
            WriteKind::LoadInto => "LOAD INTO",
            WriteKind::LoadOverwrite => "LOAD OVERWRITE",
        }
    }
}

/// A table a statement writes: `INSERT INTO|OVERWRITE [TABLE] <name>`
/// anywhere in it (multi-insert, after `WITH …`), or `LOAD … TABLE <name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub kind: WriteKind,
    pub target: Name,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From the first significant token through the closing `;` (if any).
    pub span: Range<usize>,
    pub kind: StatementKind,
    /// The table (CREATE, LOAD, INSERT target, UNLOAD source) or schema name.
    pub name: Option<Name>,
    pub clauses: Clauses,
    /// The first thing the scanner could not read (MCA015), if any.
    pub syntax_error: Option<Diagnostic>,
    /// Case of the statement's own storage keywords, for inserted text.
    pub keyword_case: KeywordCase,
    /// Index into [`ScannedFile::annotations`] of the attached `@access`.
    pub access: Option<usize>,
    /// Indices of the attached `@allow` annotations.
    pub allows: Vec<usize>,
    /// An `@access` meant for this statement could not be read (MCA001).
    pub broken_access: bool,
    /// The `@maxcompute` values in force here: the latest of each key
    /// written above the statement.
    pub maxcompute: MaxComputeContext,
    /// Every table the statement writes, in order.
    pub writes: Vec<Write>,
}

/// `@maxcompute owner=` / `region=` in force at a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaxComputeContext {
    pub owner: Option<annotation::Spanned<String>>,
    pub region: Option<annotation::Spanned<String>>,
}

/// A parsed annotation comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationComment {
    /// The comment's range (without a trailing `\r`).
    pub span: Range<usize>,
    pub annotation: Annotation,
    /// The statement it applies to (`@access`, `@allow`).
    pub statement: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScannedFile {
    pub statements: Vec<Statement>,
    pub annotations: Vec<AnnotationComment>,
    /// Annotation errors (MCA001), dangling annotations (MCA010), near-miss
    /// warnings, and a file-level lexer error (MCA015).
    pub diagnostics: Vec<Diagnostic>,
    /// The lexer failed: nothing after `diagnostics`' MCA015 can be trusted.
    pub unreadable: bool,
}

impl ScannedFile {
    /// Where a statement's annotation block starts: its first attached
    /// `@access` or `@allow`, else the statement itself.
    pub fn block_start(&self, stmt: &Statement) -> usize {
        stmt.access.iter().chain(&stmt.allows).map(|&i| self.annotations[i].span.start).min().unwrap_or(stmt.span.start)
    }

    /// The bytes that belong to a statement and its annotations: from the
    /// start of the block's first line to the statement's end.
    pub fn region(&self, text: &str, stmt: &Statement) -> Range<usize> {
        let block = self.block_start(stmt);
        text[..block].rfind('\n').map_or(0, |i| i + 1)..stmt.span.end
    }

    pub fn access_of(&self, stmt: &Statement) -> Option<&annotation::AccessAnnotation> {
        match &self.annotations[stmt.access?].annotation {
            Annotation::Access(a) => Some(a),
            _ => None,
        }
    }
}

/// Scans a file's text.
pub fn scan(text: &str) -> ScannedFile {
    let mut out = ScannedFile::default();
    let result = Scanner {
        text,
        out: &mut out,
        pending_access: None,
        pending_broken: false,
        pending_allows: Vec::new(),
        maxcompute: MaxComputeContext::default(),
        sig: Vec::new(),
    }
    .run();
    if let Err(d) = result {
        // Nothing after an unreadable token can be trusted.
        out = ScannedFile { diagnostics: vec![d], unreadable: true, ..ScannedFile::default() };
    }
    out
}

/// The diagnostic for a lexer error. A string that runs across lines before
/// the error is the likelier culprit: a missing closing quote there shifts
/// every quote after it, so the lexer fails only at the file's last quote.
/// It points at where that string starts: the first string that runs
/// across a `;` and a line end (statements ended inside it), else the first
/// string that runs across lines.
fn unterminated(text: &str, multiline_string: Option<Token>, e: &lexer::LexError) -> Diagnostic {
    if let (Some(t), "string") = (multiline_string, e.what) {
        let quote = &text[t.start..t.start + 1];
        let runs_to = text[..t.end].matches('\n').count() + 1;
        return Diagnostic::error(Code::MCA015, t.start..t.start + 1, "unterminated string")
            .label(format!("this string runs on to line {runs_to}"))
            .help(format!("close it with {quote} on its own line: every quote after it is paired wrongly"));
    }
    let end = (e.at + 1).min(text.len());
    Diagnostic::error(Code::MCA015, e.at..end, format!("unterminated {}", e.what))
        .label(format!("this {} is never closed", e.what))
        .help(format!("close it with {}; inside a string, write a quote as '' or \\'", e.closer))
}

const DANGLING_HELP: &str =
    "put it directly above the CREATE EXTERNAL TABLE, CREATE EXTERNAL SCHEMA, UNLOAD or LOAD statement it describes";

struct Scanner<'a> {
    text: &'a str,
    out: &'a mut ScannedFile,
    pending_access: Option<usize>,
    /// An unreadable `@access` is waiting for its statement.
    pending_broken: bool,
    /// The running `@maxcompute` values.
    maxcompute: MaxComputeContext,
    /// Reused buffer of a statement's significant tokens.
    sig: Vec<Token>,
    pending_allows: Vec<usize>,
}

impl Scanner<'_> {
    /// Reads the tokens once, statement by statement.
    fn run(&mut self) -> Result<(), Diagnostic> {
        let mut in_statement = false;
        // The first string across lines, and the first across `;` and a
        // line end.
        let mut multiline_string: Option<Token> = None;
        let mut runaway: Option<Token> = None;
        for t in lexer::Lexer::new(self.text) {
            let t = t.map_err(|e| unterminated(self.text, runaway.or(multiline_string), &e))?;
            match t.kind {
                TokenKind::LineComment => self.comment(t, in_statement),
                TokenKind::Whitespace | TokenKind::BlockComment => {}
                _ => {
                    if t.kind == TokenKind::String && runaway.is_none() {
                        let body = &self.text.as_bytes()[t.range()];
                        if let Some(nl) = body.iter().rposition(|&b| b == b'\n') {
                            multiline_string = multiline_string.or(Some(t));
                            if body[..nl].contains(&b';') {
                                runaway = Some(t);
                            }
                        }
                    }
                    self.sig.push(t);
                    in_statement = true;
                    if t.kind == TokenKind::Semicolon {
                        self.statement();
                        in_statement = false;
                    }
                }
            }
        }
        if in_statement {
            self.statement();
        }
        if let Some(a) = self.pending_access.take() {
            let span = self.out.annotations[a].span.clone();
            self.out.diagnostics.push(
                Diagnostic::error(Code::MCA010, span, "@access is not followed by any statement")
                    .label("applies to nothing")
                    .help(format!("{DANGLING_HELP}, or remove it")),
            );
        }
        for a in std::mem::take(&mut self.pending_allows) {
            let span = self.out.annotations[a].span.clone();
            self.out.diagnostics.push(
                Diagnostic::warning(Code::MCA010, span, "@allow is not followed by any statement")
                    .label("silences nothing")
                    .help("put it directly above the statement whose finding it silences, or remove it"),
            );
        }
        Ok(())
    }

    fn comment(&mut self, t: Token, inside_statement: bool) {
        let raw = &self.text[t.range()];
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let span = t.start..t.start + text.len();
        match annotation::classify(text) {
            CommentKind::Foreign => {}
            CommentKind::NearMiss { suggestion, word } => {
                let word_span = t.start + word.start..t.start + word.end;
                let written = &self.text[word_span.clone()];
                self.out.diagnostics.push(
                    Diagnostic::warning(Code::MCA001, word_span, format!("`{written}` is not an mcaccess annotation"))
                        .label("unknown annotation")
                        .help(format!("did you mean `@{suggestion}`?")),
                );
            }
            CommentKind::Ours if inside_statement => {
                self.out.diagnostics.push(
                    Diagnostic::error(Code::MCA010, span, "annotation inside a statement")
                        .label("applies to nothing here")
                        .help("move it above the statement, before its first keyword"),
                );
            }
            CommentKind::Ours => match annotation::parse(text, t.start) {
                Err(d) => {
                    self.pending_broken |= text[2..].trim_start().starts_with("@access");
                    self.out.diagnostics.push(d)
                }
                Ok(a) => {
                    let index = self.out.annotations.len();
                    match &a {
                        Annotation::Access(_) => {
                            if let Some(prev) = self.pending_access {
                                let prev_line =
                                    self.text[..self.out.annotations[prev].span.start].matches('\n').count() + 1;
                                self.out.diagnostics.push(
                                    Diagnostic::error(
                                        Code::MCA001,
                                        span.clone(),
                                        "a statement takes one @access; this is the second",
                                    )
                                    .label("second @access")
                                    .help(format!("merge it with the @access on line {prev_line} into one line")),
                                );
                                return;
                            }
                            self.pending_access = Some(index);
                        }
                        Annotation::Allow(_) => self.pending_allows.push(index),
                        Annotation::MaxCompute(m) => {
                            if m.owner.is_some() {
                                self.maxcompute.owner = m.owner.clone();
                            }
                            if m.region.is_some() {
                                self.maxcompute.region = m.region.clone();
                            }
                        }
                    }
                    self.out.annotations.push(AnnotationComment { span, annotation: a, statement: None });
                }
            },
        }
    }

    /// Ends the statement whose significant tokens are in `self.sig`.
    fn statement(&mut self) {
        let sig = std::mem::take(&mut self.sig);
        let index = self.out.statements.len();
        let mut stmt = recognise(self.text, &sig);
        stmt.broken_access = std::mem::take(&mut self.pending_broken);
        stmt.maxcompute = self.maxcompute.clone();
        if let Some(a) = self.pending_access.take() {
            if stmt.kind.is_external() {
                stmt.access = Some(a);
                self.out.annotations[a].statement = Some(index);
            } else {
                let span = self.out.annotations[a].span.clone();
                let found = first_words(self.text, &sig);
                self.out.diagnostics.push(
                    Diagnostic::error(
                        Code::MCA010,
                        span,
                        format!("@access applies to the next statement, which is `{found}`"),
                    )
                    .label("applies to nothing")
                    .help(DANGLING_HELP),
                );
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

/// The statement's first two or three words, for messages.
fn first_words(text: &str, sig: &[Token]) -> String {
    let words: Vec<&str> =
        sig.iter().take(3).take_while(|t| t.kind == TokenKind::Word).map(|t| &text[t.range()]).collect();
    if words.is_empty() { text[sig[0].range()].to_string() } else { words.join(" ") }
}

fn is_kw(text: &str, t: Option<&Token>, kw: &str) -> bool {
    matches!(t, Some(t) if t.kind == TokenKind::Word && text[t.range()].eq_ignore_ascii_case(kw))
}

fn is_punct(text: &str, t: Option<&Token>, c: &str) -> bool {
    matches!(t, Some(t) if t.kind == TokenKind::Punct && &text[t.range()] == c)
}

/// Recognises one statement from its significant tokens.
fn recognise(text: &str, sig: &[Token]) -> Statement {
    let span = sig[0].start..sig[sig.len() - 1].end;
    let mut stmt = Statement {
        span,
        kind: StatementKind::Other,
        name: None,
        clauses: Clauses::default(),
        syntax_error: None,
        keyword_case: KeywordCase::Upper,
        access: None,
        allows: Vec::new(),
        broken_access: false,
        maxcompute: MaxComputeContext::default(),
        writes: inserts(text, sig),
    };
    let kw = |i: usize, k: &str| is_kw(text, sig.get(i), k);
    let body_start;
    if kw(0, "CREATE") && kw(1, "EXTERNAL") && kw(2, "TABLE") {
        stmt.kind = StatementKind::CreateExternalTable;
        let i = skip_if_not_exists(text, sig, 3);
        let (name, next) = read_name(text, sig, i);
        stmt.name = name;
        body_start = next;
    } else if kw(0, "CREATE") && kw(1, "EXTERNAL") && kw(2, "SCHEMA") {
        let i = skip_if_not_exists(text, sig, 3);
        let (name, mut next) = read_name(text, sig, i);
        stmt.name = name;
        let mut server = None;
        if kw(next, "WITH") {
            let (s, _) = read_name(text, sig, next + 1);
            server = s;
            next += 1;
        }
        let _ = next;
        stmt.kind = StatementKind::CreateExternalSchema { server };
        return stmt;
    } else if kw(0, "UNLOAD") && kw(1, "FROM") {
        stmt.kind = StatementKind::Unload;
        let (name, next) = read_name(text, sig, 2);
        stmt.name = name;
        body_start = next;
    } else if kw(0, "LOAD") && (kw(1, "INTO") || kw(1, "OVERWRITE")) && kw(2, "TABLE") {
        stmt.kind = StatementKind::Load;
        let (name, next) = read_name(text, sig, 3);
        if let Some(target) = &name {
            let kind = if kw(1, "OVERWRITE") { WriteKind::LoadOverwrite } else { WriteKind::LoadInto };
            stmt.writes.push(Write { kind, target: target.clone() });
        }
        stmt.name = name;
        body_start = next;
    } else if kw(0, "INSERT") && (kw(1, "INTO") || kw(1, "OVERWRITE")) {
        stmt.kind = StatementKind::Insert;
        let i = if kw(2, "TABLE") { 3 } else { 2 };
        stmt.name = read_name(text, sig, i).0;
        return stmt;
    } else if kw(0, "SET") && sig.len() > 1 {
        let end =
            if sig[sig.len() - 1].kind == TokenKind::Semicolon { sig[sig.len() - 1].start } else { stmt.span.end };
        let body: String = text[sig[1].start..end].chars().filter(|c| !c.is_whitespace()).collect();
        let (key, value) = body.split_once('=').unwrap_or((&body, ""));
        stmt.kind = StatementKind::Set { key: key.to_ascii_lowercase(), value: value.to_string() };
        return stmt;
    } else {
        return stmt;
    }
    let mut clauses = ClauseReader { text, sig, clauses: Clauses::default(), case: None };
    if let Err(d) = clauses.read(body_start) {
        stmt.syntax_error = Some(d);
    }
    stmt.keyword_case = clauses.case.unwrap_or(if text[sig[0].range()].bytes().all(|b| b.is_ascii_lowercase()) {
        KeywordCase::Lower
    } else {
        KeywordCase::Upper
    });
    stmt.clauses = clauses.clauses;
    stmt.clauses.parsed_location = stmt.clauses.location.as_ref().map(|l| crate::location::parse(&l.value));
    stmt
}

/// Every `INSERT INTO|OVERWRITE [TABLE] <name>` of a statement, at any
/// depth: a multi-insert `FROM src INSERT … INSERT …` and `WITH … INSERT …`
/// write as surely as a statement that starts with INSERT.
fn inserts(text: &str, sig: &[Token]) -> Vec<Write> {
    let mut out = Vec::new();
    for (i, t) in sig.iter().enumerate() {
        if t.kind != TokenKind::Word || t.end - t.start != 6 || !text[t.range()].eq_ignore_ascii_case("INSERT") {
            continue;
        }
        let kind = if is_kw(text, sig.get(i + 1), "INTO") {
            WriteKind::InsertInto
        } else if is_kw(text, sig.get(i + 1), "OVERWRITE") {
            WriteKind::InsertOverwrite
        } else {
            continue;
        };
        let at = if is_kw(text, sig.get(i + 2), "TABLE") { i + 3 } else { i + 2 };
        if let (Some(target), _) = read_name(text, sig, at) {
            out.push(Write { kind, target });
        }
    }
    out
}

/// Skips `IF NOT EXISTS` and the `[…]` brackets documentation templates put
/// around it.
fn skip_if_not_exists(text: &str, sig: &[Token], mut i: usize) -> usize {
    let bracket = is_punct(text, sig.get(i), "[");
    if bracket {
        i += 1;
    }
    if is_kw(text, sig.get(i), "IF") && is_kw(text, sig.get(i + 1), "NOT") && is_kw(text, sig.get(i + 2), "EXISTS") {
        i += 3;
        if bracket && is_punct(text, sig.get(i), "]") {
            i += 1;
        }
        return i;
    }
    if bracket { i - 1 } else { i }
}

/// Reads a name at `i`: dotted words / quoted identifiers, or a `<…>`
/// placeholder. Returns it (if any) and the index after it.
fn read_name(text: &str, sig: &[Token], i: usize) -> (Option<Name>, usize) {
    let Some(first) = sig.get(i) else {
        return (None, i);
    };
    let mut j = i;
    if is_punct(text, Some(first), "<") {
        while j < sig.len() && !is_punct(text, sig.get(j), ">") && sig[j].kind != TokenKind::Semicolon {
            j += 1;
        }
        if j == sig.len() || sig[j].kind == TokenKind::Semicolon {
            return (None, i);
        }
        j += 1;
    } else {
        loop {
            match sig.get(j) {
                Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => j += 1,
                _ => break,
            }
            if is_punct(text, sig.get(j), ".") {
                j += 1;
            } else {
                break;
            }
        }
        if j == i {
            return (None, i);
        }
    }
    let span = first.start..sig[j - 1].end;
    if is_punct(text, Some(first), "<") {
        return (Some(Name { text: text[span.clone()].to_string(), span }), j);
    }
    // Most names are written without backquotes or spaces: one copy.
    let plain = sig[i..j].iter().all(|t| t.kind != TokenKind::QuotedIdent)
        && sig[j - 1].end - first.start == sig[i..j].iter().map(|t| t.end - t.start).sum::<usize>();
    let name: String = if plain {
        text[span.clone()].to_string()
    } else {
        sig[i..j]
            .iter()
            .map(|t| match t.kind {
                TokenKind::QuotedIdent => unquote(&text[t.range()]),
                _ => text[t.range()].to_string(),
            })
            .collect()
    };
    (Some(Name { text: name, span }), j)
}

struct ClauseReader<'a> {
    text: &'a str,
    sig: &'a [Token],
    clauses: Clauses,
    case: Option<KeywordCase>,
}

fn syntax(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::MCA015, span, message)
}

impl ClauseReader<'_> {
    fn kw(&self, i: usize, k: &str) -> bool {
        is_kw(self.text, self.sig.get(i), k)
    }

    fn punct(&self, i: usize, c: &str) -> bool {
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

    fn literal(&self, i: usize, after: &str) -> Result<Literal, Diagnostic> {
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

    fn set<T>(&self, slot: &mut Option<T>, value: T, i: usize, what: &str) -> Result<(), Diagnostic> {
        if slot.is_some() {
            return Err(syntax(self.at(i), format!("{what} is given twice"))
                .label("second one")
                .help("keep one of them"));
        }
        *slot = Some(value);
        Ok(())
    }

    /// Walks the statement after its name, at parenthesis depth 0.
    fn read(&mut self, mut i: usize) -> Result<(), Diagnostic> {
        let n = self.sig.len();
        while i < n {
            let t = self.sig[i];
            if t.kind == TokenKind::Semicolon {
                break;
            }
            if self.punct(i, "(") {
                i = self.skip_group(i)?;
            } else if self.punct(i, ")") {
                return Err(syntax(t.range(), "unbalanced parentheses: `)` without a matching `(`")
                    .label("nothing to close")
                    .help("remove this `)` or add the missing `(`"));
            } else if self.kw(i, "STORED") && self.kw(i + 1, "BY") {
                self.note_case(i);
                let lit = self.literal(i + 2, "STORED BY")?;
                let mut slot = self.clauses.stored_by.take();
                self.set(&mut slot, lit, i, "STORED BY")?;
                self.clauses.stored_by = slot;
                i += 3;
            } else if self.kw(i, "STORED") && self.kw(i + 1, "AS") {
                self.note_case(i);
                let keyword = t.range();
                let format = if self.kw(i + 2, "INPUTFORMAT") {
                    self.literal(i + 3, "INPUTFORMAT")?;
                    if !self.kw(i + 4, "OUTPUTFORMAT") {
                        return Err(syntax(
                            self.at(i + 4),
                            format!("expected OUTPUTFORMAT, found {}", self.show(i + 4)),
                        )
                        .help("write STORED AS INPUTFORMAT '<class>' OUTPUTFORMAT '<class>'"));
                    }
                    self.literal(i + 5, "OUTPUTFORMAT")?;
                    i += 6;
                    Format::InputOutput
                } else {
                    let (name, next) = read_name(self.text, self.sig, i + 2);
                    let Some(name) = name else {
                        return Err(syntax(
                            self.at(i + 2),
                            format!("expected a file format after STORED AS, found {}", self.show(i + 2)),
                        )
                        .help("write STORED AS <format>, e.g. STORED AS PARQUET"));
                    };
                    i = next;
                    Format::Named(name)
                };
                let mut slot = self.clauses.stored_as.take();
                self.set(&mut slot, StoredAs { keyword, format }, i.saturating_sub(1), "STORED AS")?;
                self.clauses.stored_as = slot;
            } else if self.kw(i, "STORED") {
                return Err(syntax(
                    self.at(i + 1),
                    format!("expected BY or AS after STORED, found {}", self.show(i + 1)),
                )
                .help("write STORED BY '<handler>' or STORED AS <format>"));
            } else if self.kw(i, "ROW") && self.kw(i + 1, "FORMAT") {
                self.note_case(i);
                if self.kw(i + 2, "SERDE") {
                    let lit = self.literal(i + 3, "ROW FORMAT SERDE")?;
                    let mut slot = self.clauses.row_format_serde.take();
                    self.set(&mut slot, lit, i, "ROW FORMAT SERDE")?;
                    self.clauses.row_format_serde = slot;
                    i += 4;
                } else {
                    self.clauses.row_format_delimited = Some(t.range());
                    i += 2;
                }
            } else if (self.kw(i, "WITH") && self.kw(i + 1, "SERDEPROPERTIES")) || self.kw(i, "SERDEPROPERTIES") {
                let open = if self.kw(i, "WITH") { i + 2 } else { i + 1 };
                let (list, next) = self.property_list(t.start, open, "SERDEPROPERTIES")?;
                let mut slot = self.clauses.serde_properties.take();
                self.set(&mut slot, list, i, "WITH SERDEPROPERTIES")?;
                self.clauses.serde_properties = slot;
                i = next;
            } else if self.kw(i, "TBLPROPERTIES") || self.kw(i, "PROPERTIES") {
                let what = if self.kw(i, "TBLPROPERTIES") { "TBLPROPERTIES" } else { "PROPERTIES" };
                let (list, next) = self.property_list(t.start, i + 1, what)?;
                let mut slot = if what == "TBLPROPERTIES" {
                    self.clauses.tbl_properties.take()
                } else {
                    self.clauses.properties.take()
                };
                self.set(&mut slot, list, i, what)?;
                if what == "TBLPROPERTIES" {
                    self.clauses.tbl_properties = slot;
                } else {
                    self.clauses.properties = slot;
                }
                i = next;
            } else if self.kw(i, "LOCATION") {
                let lit = self.literal(i + 1, "LOCATION")?;
                let mut slot = self.clauses.location.take();
                self.set(&mut slot, lit, i, "LOCATION")?;
                self.clauses.location = slot;
                i += 2;
            } else if self.kw(i, "USING") {
                let lit = self.literal(i + 1, "USING")?;
                let mut slot = self.clauses.using.take();
                self.set(&mut slot, lit, i, "USING")?;
                self.clauses.using = slot;
                i += 2;
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    /// Skips a balanced `( … )` group starting at `i`; returns the index after
    /// its `)`. A loop with a counter: deep nesting cannot overflow the stack.
    fn skip_group(&self, i: usize) -> Result<usize, Diagnostic> {
        let mut depth = 0usize;
        let mut opens = Vec::new();
        let mut j = i;
        while j < self.sig.len() {
            if self.punct(j, "(") {
                depth += 1;
                opens.push(j);
            } else if self.punct(j, ")") {
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
    fn property_list(&mut self, start: usize, open: usize, what: &str) -> Result<(PropertyList, usize), Diagnostic> {
        if !self.punct(open, "(") {
            return Err(syntax(self.at(open), format!("expected `(` after {what}, found {}", self.show(open)))
                .help(format!("write {what} ('key'='value', …)")));
        }
        let mut entries: Vec<Property> = Vec::new();
        let mut i = open + 1;
        if self.punct(i, ")") {
            return Ok((PropertyList { start, open: self.sig[open].start, close: self.sig[i].start, entries }, i + 1));
        }
        loop {
            let key = match self.sig.get(i) {
                Some(t) if t.kind == TokenKind::String => {
                    Literal { span: t.range(), value: unquote(&self.text[t.range()]) }
                }
                Some(t) if self.punct(i, ")") && !entries.is_empty() => {
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
            if !self.punct(i + 1, "=") {
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
            if self.punct(i, ",") {
                entries.push(Property { key, value, comma: Some(self.sig[i].start) });
                i += 1;
            } else if self.punct(i, ")") {
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
    fn template_help(&self, i: usize, d: Diagnostic, otherwise: &str) -> Diagnostic {
        if self.punct(i, "[") || self.punct(i, "<") || self.punct(i, ".") {
            d.help("this looks like a documentation template: replace the [optional], <placeholder> and ... parts with real values")
        } else {
            d.help(otherwise.to_string())
        }
    }

    fn unclosed(&self, open: usize, what: &str) -> Diagnostic {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Statement {
        let f = scan(src);
        assert_eq!(f.statements.len(), 1, "{:?}", f.statements);
        f.statements.into_iter().next().unwrap()
    }

    #[test]
    fn tablestore_seed_statement() {
        let src = "CREATE EXTERNAL TABLE ads_log_ots_pt_external\n(\nvid bigint\n)\nSTORED BY 'com.aliyun.odps.TableStoreStorageHandler'\nWITH SERDEPROPERTIES (\n'tablestore.table.name'='vehicle_track',\n'odps.properties.rolearn'='acs:ram::1234567890****:role/aliyunodpsroleforotheruser'\n)\nLOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com'\nUSING 'odps-udf-example.jar'";
        let s = one(src);
        assert_eq!(s.kind, StatementKind::CreateExternalTable);
        assert_eq!(s.name.unwrap().text, "ads_log_ots_pt_external");
        assert_eq!(s.clauses.stored_by.unwrap().value, "com.aliyun.odps.TableStoreStorageHandler");
        let props = s.clauses.serde_properties.unwrap();
        assert_eq!(props.entries.len(), 2);
        assert_eq!(props.entries[1].key.value, ROLEARN_KEY);
        assert_eq!(
            &src[props.entries[1].value.span.clone()],
            "'acs:ram::1234567890****:role/aliyunodpsroleforotheruser'"
        );
        assert!(s.clauses.location.unwrap().value.starts_with("tablestore://cap1"));
        assert_eq!(s.clauses.using.unwrap().value, "odps-udf-example.jar");
        assert!(s.syntax_error.is_none());
    }

    #[test]
    fn splits_on_semicolons_outside_strings_and_comments() {
        let f = scan(
            "SET a=1; -- x; y\nSELECT ';' /* ; */ FROM t;\nCREATE EXTERNAL TABLE t (a string) STORED AS parquet LOCATION 'oss://e/b/';",
        );
        assert_eq!(f.statements.len(), 3);
        assert_eq!(f.statements[0].kind, StatementKind::Set { key: "a".into(), value: "1".into() });
        assert_eq!(f.statements[2].kind, StatementKind::CreateExternalTable);
        let sa = f.statements[2].clauses.stored_as.clone().unwrap();
        assert!(matches!(sa.format, Format::Named(ref n) if n.text == "parquet"));
        assert_eq!(f.statements[2].keyword_case, KeywordCase::Upper);
    }

    #[test]
    fn missing_comma_is_located_between_the_properties() {
        let src = "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('a'='1' 'b'='2') LOCATION 'x';";
        let d = one(src).syntax_error.unwrap();
        assert_eq!(d.code, Code::MCA015);
        assert_eq!(d.span.start, src.find("'1'").unwrap() + 3);
        assert!(d.message.contains("missing comma"));
    }

    #[test]
    fn unbalanced_parentheses() {
        let src = "CREATE EXTERNAL TABLE t (a int STORED BY 'h';";
        let d = one(src).syntax_error.unwrap();
        assert_eq!(d.span, 24..25);
        let d = one("CREATE EXTERNAL TABLE t (a int)) STORED BY 'h';").syntax_error.unwrap();
        assert!(d.message.contains("without a matching"));
    }

    #[test]
    fn annotations_attach_to_the_next_statement() {
        let f = scan(
            "-- @access oss\n\n-- other comment\n-- @allow MCA007\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e/b/';\nSELECT 1;",
        );
        assert_eq!(f.statements[0].access, Some(0));
        assert_eq!(f.statements[0].allows, vec![1]);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    }

    #[test]
    fn dangling_and_misplaced_annotations() {
        let f = scan("-- @access oss\nSELECT 1;\n-- @access oss\n");
        let codes: Vec<_> = f.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::MCA010, Code::MCA010]);
        let f = scan("CREATE EXTERNAL TABLE t (\n-- @access oss\na int) STORED BY 'h';");
        assert_eq!(f.diagnostics[0].message, "annotation inside a statement");
    }

    #[test]
    fn templates_do_not_break_the_scanner() {
        let src = "CREATE EXTERNAL TABLE [IF NOT EXISTS] <mc_oss_extable_name>\n(\n  <col_name> <data_type>,\n  ...\n)\n[COMMENT <table_comment>]\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\n[WITH serdeproperties (\n  ['<property_name>'='<property_value>',...]\n)]\nLOCATION '<oss_location>';";
        let s = one(src);
        assert_eq!(s.name.unwrap().text, "<mc_oss_extable_name>");
        let d = s.syntax_error.unwrap();
        assert!(d.help.unwrap().contains("documentation template"));
    }

    #[test]
    fn unterminated_string_makes_the_file_unreadable() {
        let f = scan("CREATE EXTERNAL TABLE t LOCATION 'oss://x;\n");
        assert!(f.unreadable);
        assert_eq!(f.diagnostics[0].span.start, 33);
    }

    #[test]
    fn a_missing_quote_is_reported_where_its_string_starts() {
        // Line 4 lacks its closing quote; every later quote pairs wrongly
        // and the lexer fails only at the last one, thousands of lines on.
        let mut src = String::from(
            "SET a=1;\n-- '引号' in a comment\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h'\nLOCATION 'oss://b/p/;\n",
        );
        for i in 0..5_000 {
            src.push_str(&format!("INSERT INTO t{i} SELECT 'v{i}', \"x\" FROM s;\n"));
        }
        let f = scan(&src);
        assert!(f.unreadable);
        let d = &f.diagnostics[0];
        assert_eq!(d.span.start, src.find("'oss://").unwrap());
        assert_eq!(d.message, "unterminated string");
        assert!(d.help.as_ref().unwrap().contains("close it with '"));
    }

    #[test]
    fn unload_load_insert_schema() {
        let f = scan(
            "UNLOAD FROM sale_detail INTO LOCATION 'oss://e/b/p/' STORED BY 'com.aliyun.odps.CsvStorageHandler' WITH SERDEPROPERTIES ('odps.properties.rolearn'='x') PROPERTIES ('odps.text.option.gzip.output.enabled'='true');\nLOAD OVERWRITE TABLE ambulance FROM LOCATION 'oss://e/b/' STORED BY 'h';\nINSERT OVERWRITE TABLE ext_t SELECT 1;\nCREATE EXTERNAL SCHEMA IF NOT EXISTS es WITH srv ON 'cat.db';",
        );
        let kinds: Vec<_> = f.statements.iter().map(|s| s.kind.describe()).collect();
        assert_eq!(kinds, vec!["UNLOAD", "LOAD", "INSERT", "CREATE EXTERNAL SCHEMA"]);
        assert_eq!(f.statements[0].name.as_ref().unwrap().text, "sale_detail");
        assert!(f.statements[0].clauses.properties.is_some());
        assert_eq!(f.statements[2].name.as_ref().unwrap().text, "ext_t");
        match &f.statements[3].kind {
            StatementKind::CreateExternalSchema { server } => {
                assert_eq!(server.as_ref().unwrap().text, "srv")
            }
            _ => panic!(),
        }
    }
}

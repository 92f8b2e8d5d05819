//! The scan stage's typed values: literals, names, property lists, clauses,
//! statements, attached annotations, and the scanned file.

use crate::annotation::{self, Annotation};
use crate::diagnostic::SyntaxError;
use crate::source::SourceFile;
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

impl Write {
    /// What the repository index is asked for this write: writes with the
    /// same question need the same of the same tables (the name as
    /// written, and whether it overwrites).
    pub fn question(&self) -> (&str, bool) {
        (&self.target.text, self.kind.overwrites())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From the first significant token through the closing `;` (if any).
    pub span: Range<usize>,
    pub kind: StatementKind,
    /// The table (CREATE, LOAD, INSERT target, UNLOAD source) or schema name.
    pub name: Option<Name>,
    /// Read for external statements only: other statements are most of a
    /// file and the clauses most of a statement's size (520 of 864 bytes;
    /// a file of 200,000 INSERTs took 350 MB).
    pub(super) clauses: Option<Box<Clauses>>,
    /// The first thing the scanner could not read, if any.
    pub syntax_error: Option<Box<SyntaxError>>,
    /// Case of the statement's own storage keywords, for inserted text.
    pub keyword_case: KeywordCase,
    /// Index into [`ScannedFile::annotations`] of the attached `@access`.
    pub access: Option<usize>,
    /// Indices of the attached `@allow` annotations.
    pub allows: Vec<usize>,
    /// An `@access` meant for this statement could not be read (MCA001).
    pub broken_access: bool,
    /// The `@maxcompute` values in force here: the latest of each key
    /// written above the statement (shared by the statements it applies to).
    pub maxcompute: std::sync::Arc<MaxComputeContext>,
    /// Every table the statement writes, in order.
    pub writes: Vec<Write>,
}

/// `@maxcompute owner=` / `region=` in force at a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaxComputeContext {
    pub owner: Option<annotation::Spanned<String>>,
    pub region: Option<annotation::Spanned<String>>,
}

/// A problem the scanner found around the statements. Each has one rule
/// that reports it (see `lint::describe`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanProblem {
    /// An annotation comment that does not parse.
    Annotation(SyntaxError),
    /// A second `@access` above one statement; the first is on `first_line`.
    SecondAccess { span: Range<usize>, first_line: usize },
    /// A word close to an annotation (`@acess`) that is not one.
    NotAnnotation { span: Range<usize>, written: String, suggestion: &'static str },
    /// An `@access` followed by no external statement: `next` is the start
    /// of the statement that follows, `None` at the end of the file.
    DanglingAccess { span: Range<usize>, next: Option<String> },
    /// An annotation between a statement's tokens.
    InsideStatement { span: Range<usize> },
    /// An `@allow` followed by no statement.
    DanglingAllow { span: Range<usize> },
    /// The lexer could not finish the file (an unterminated string or
    /// comment).
    Unreadable(SyntaxError),
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
    /// What the scanner found wrong outside the statements' own syntax, in
    /// source order.
    pub problems: Vec<ScanProblem>,
    /// The lexer failed ([`ScanProblem::Unreadable`]): nothing after it can
    /// be trusted.
    pub unreadable: bool,
}

/// The clauses of a statement that has none.
static NO_CLAUSES: Clauses = Clauses {
    stored_by: None,
    row_format_serde: None,
    row_format_delimited: None,
    stored_as: None,
    serde_properties: None,
    location: None,
    parsed_location: None,
    tbl_properties: None,
    properties: None,
    using: None,
};

impl Statement {
    /// The statement's clauses (none but an external statement's are read).
    pub fn clauses(&self) -> &Clauses {
        self.clauses.as_deref().unwrap_or(&NO_CLAUSES)
    }

    pub(super) fn set_clauses(&mut self, clauses: Clauses) {
        self.clauses = Some(Box::new(clauses));
    }
}

impl ScannedFile {
    /// Where a statement's annotation block starts: its first attached
    /// `@access` or `@allow`, else the statement itself.
    pub fn block_start(&self, stmt: &Statement) -> usize {
        stmt.access.iter().chain(&stmt.allows).map(|&i| self.annotations[i].span.start).min().unwrap_or(stmt.span.start)
    }

    /// The bytes that belong to a statement and its annotations: from the
    /// start of the block's first line to the statement's end.
    pub fn region(&self, source: &SourceFile, stmt: &Statement) -> Range<usize> {
        let block = self.block_start(stmt);
        source.start_of_line(block)..stmt.span.end
    }

    /// The first statement whose [`region`](Self::region) holds byte `at`.
    /// Only the first statement ending after `at` can: a later one's
    /// region starts after a line break that lies after `at`.
    pub fn statement_at(&self, source: &SourceFile, at: usize) -> Option<usize> {
        let i = self.statements.partition_point(|s| s.span.end <= at);
        self.statements.get(i).filter(|s| self.region(source, s).contains(&at)).map(|_| i)
    }

    pub fn access_of(&self, stmt: &Statement) -> Option<&annotation::AccessAnnotation> {
        match &self.annotations[stmt.access?].annotation {
            Annotation::Access(a) => Some(a),
            _ => None,
        }
    }
}

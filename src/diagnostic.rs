//! Findings with byte spans: what every stage reports instead of failing.
//!
//! A [`Diagnostic`] names a rule [`Code`], a severity, the exact byte range it
//! is about, and a help line saying what to write instead. Rendering (miette,
//! JSON, SARIF…) happens in the output layer.

use serde::Serialize;
use std::ops::Range;

/// A stable rule code. Codes never change meaning once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    MCA001,
    MCA002,
    MCA003,
    MCA004,
    MCA005,
    MCA006,
    MCA007,
    MCA008,
    MCA009,
    MCA010,
    MCA011,
    MCA012,
    MCA013,
    MCA014,
    MCA015,
    MCA016,
    MCA017,
    MCA018,
    MCA019,
    MCA020,
    MCA021,
}

impl Code {
    pub const ALL: [Code; 21] = [
        Code::MCA001,
        Code::MCA002,
        Code::MCA003,
        Code::MCA004,
        Code::MCA005,
        Code::MCA006,
        Code::MCA007,
        Code::MCA008,
        Code::MCA009,
        Code::MCA010,
        Code::MCA011,
        Code::MCA012,
        Code::MCA013,
        Code::MCA014,
        Code::MCA015,
        Code::MCA016,
        Code::MCA017,
        Code::MCA018,
        Code::MCA019,
        Code::MCA020,
        Code::MCA021,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::MCA001 => "MCA001",
            Code::MCA002 => "MCA002",
            Code::MCA003 => "MCA003",
            Code::MCA004 => "MCA004",
            Code::MCA005 => "MCA005",
            Code::MCA006 => "MCA006",
            Code::MCA007 => "MCA007",
            Code::MCA008 => "MCA008",
            Code::MCA009 => "MCA009",
            Code::MCA010 => "MCA010",
            Code::MCA011 => "MCA011",
            Code::MCA012 => "MCA012",
            Code::MCA013 => "MCA013",
            Code::MCA014 => "MCA014",
            Code::MCA015 => "MCA015",
            Code::MCA016 => "MCA016",
            Code::MCA017 => "MCA017",
            Code::MCA018 => "MCA018",
            Code::MCA019 => "MCA019",
            Code::MCA020 => "MCA020",
            Code::MCA021 => "MCA021",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The rule's kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Code::MCA001 => "annotation-syntax",
            Code::MCA002 => "missing-rolearn",
            Code::MCA003 => "rolearn-mismatch",
            Code::MCA004 => "unannotated-external-statement",
            Code::MCA005 => "source-mismatch",
            Code::MCA006 => "credentials-in-ddl",
            Code::MCA007 => "broad-default-role",
            Code::MCA008 => "public-endpoint",
            Code::MCA009 => "region-mismatch",
            Code::MCA010 => "dangling-annotation",
            Code::MCA011 => "invalid-arn",
            Code::MCA012 => "cross-account-same-uid",
            Code::MCA013 => "mode-not-applicable",
            Code::MCA014 => "duplicate-property",
            Code::MCA015 => "statement-syntax",
            Code::MCA016 => "write-without-write-access",
            Code::MCA017 => "unscoped-permissions",
            Code::MCA018 => "unused-allow",
            Code::MCA019 => "invalid-encoding",
            Code::MCA020 => "misplaced-rolearn",
            Code::MCA021 => "too-many-policies",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding about one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the file the finding is about.
    pub span: Range<usize>,
    /// The short text under the span.
    pub label: String,
    /// What to write instead.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Error, message: message.into(), span, label: String::new(), help: None }
    }

    pub fn warning(code: Code, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(code, span, message) }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

//! Findings with byte spans.
//!
//! A [`Diagnostic`] names a rule [`Code`], the rule's severity, the exact
//! byte range it is about, and a help line saying what to write instead.
//! Stages report typed facts; a rule's [`Meta`] turns them into diagnostics
//! (syntax errors arrive described, as [`SyntaxError`]). Rendering (miette,
//! JSON, SARIF…) happens in the output layer.

use serde::Serialize;
use std::ops::Range;

/// A stable rule code (`MCA007`). Codes never change meaning once released.
/// Each is written once, in its rule's [`Meta`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Code(pub &'static str);

impl Code {
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// What a rule is, declared once in its file: code, kebab-case name,
/// severity, and whether `fix` can change what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub fixable: bool,
}

impl Meta {
    /// This rule's finding for a problem its stage described.
    pub fn described(&self, e: &SyntaxError) -> Diagnostic {
        Diagnostic {
            label: e.label.clone(),
            help: e.help.clone(),
            ..self.diagnostic(e.span.clone(), e.message.clone())
        }
    }

    /// A finding of this rule, with the rule's severity.
    pub fn diagnostic(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: self.code,
            severity: self.severity,
            message: message.into(),
            span,
            label: String::new(),
            help: None,
        }
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

/// A syntax problem as the parser that found it describes it (it knows what
/// it expected). The rule that reports it adds its code and severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

impl SyntaxError {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        SyntaxError { span, message: message.into(), label: String::new(), help: None }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

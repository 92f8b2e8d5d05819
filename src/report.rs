//! Rendering findings for people: miette's graphical report, coloured on a
//! terminal, plain when piped or with `NO_COLOR`.

use crate::config::ConfigError;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, NamedSource, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt;

/// How to draw reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Colour only on a terminal and only without `NO_COLOR`.
    pub fn for_stderr() -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: std::io::stderr().is_terminal() && !no_color, width: 100 }
    }

    pub fn plain() -> Style {
        Style { color: false, width: 100 }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        GraphicalReportHandler::new_themed(theme).with_links(false).with_width(self.width)
    }
}

/// A file as miette's source code, borrowed rather than copied, reading
/// only the lines around a span (so rendering many findings of a large file
/// costs what the snippets cost, not the file's size each time).
struct Source<'a> {
    file: &'a SourceFile,
}

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let f = self.file;
        let first = f.line_index(span.offset()).saturating_sub(before);
        let last = f.line_index(span.offset() + span.len()) + after;
        let start = f.line_start(first);
        let end = f.line_start(last + 1);
        let window = &f.text[start..end];
        let relative = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&relative, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            f.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A [`Diagnostic`] with its file, as miette wants it.
struct Report<'a> {
    d: &'a Diagnostic,
    code: String,
    src: Source<'a>,
    /// The span clamped into the file.
    span: SourceSpan,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = (!self.d.label.is_empty()).then(|| self.d.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(label, self.span))))
    }
}

/// Renders one finding about `file`.
pub fn render(d: &Diagnostic, file: &SourceFile, style: Style) -> String {
    let len = file.text.len();
    let start = d.span.start.min(len);
    let end = d.span.end.clamp(start, len);
    let report = Report {
        d,
        code: format!("{}({})", d.code, d.code.name()),
        src: Source { file },
        span: (start, end - start).into(),
    };
    let mut out = String::new();
    style.handler().render_report(&mut out, &report).expect("writing to a String cannot fail");
    out
}

/// A config file error, pointing at its line.
pub fn render_config_error(e: &ConfigError, style: Style) -> String {
    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("{message}")]
    #[diagnostic(code(mcaccess::config))]
    struct ConfigReport {
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    }
    let len = e.text.len();
    let report = ConfigReport {
        message: format!("invalid {}: {}", e.path.display(), e.message),
        src: NamedSource::new(e.path.display().to_string(), e.text.clone()),
        span: e.span.clone().map(|s| {
            let start = s.start.min(len);
            (start, s.end.clamp(start, len) - start).into()
        }),
        help: e.help.clone(),
    };
    let mut out = String::new();
    style.handler().render_report(&mut out, &report).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    #[test]
    fn renders_file_line_label_and_help() {
        let file = SourceFile::new("a.sql", "-- @access tablestor\nCREATE EXTERNAL TABLE t;".to_string());
        let d = Diagnostic::error(Code::MCA001, 11..20, "unknown source `tablestor`")
            .label("not a source")
            .help("did you mean `tablestore`?");
        let out = render(&d, &file, Style::plain());
        assert!(out.contains("MCA001(annotation-syntax)"), "{out}");
        assert!(out.contains("[a.sql:1:12]"), "{out}");
        assert!(out.contains("not a source") && out.contains("help: did you mean `tablestore`?"), "{out}");
        assert!(!out.contains('\u{1b}'), "no escapes when plain");
    }
}

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

    fn theme(self) -> GraphicalTheme {
        if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() }
    }

    fn handler(self, theme: GraphicalTheme) -> GraphicalReportHandler {
        // Lines break at spaces only: never inside a name, an ARN or an
        // endpoint (`cn-hangzhou`), which must stay whole to be copied; a
        // word longer than the line overflows it.
        GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(self.width)
            .with_word_separator(textwrap::WordSeparator::AsciiSpace)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_break_words(false)
    }

    /// How wide the lines of a message and of a help are, after the
    /// indents miette writes before them in `theme` (`  × `, `  │ `;
    /// `  help: `); `None` when a message's first indent is not as wide as
    /// the others.
    fn text_widths(self, theme: &GraphicalTheme) -> Option<(usize, usize)> {
        let columns = |s: &str| textwrap::core::display_width(s);
        let bar = columns(&theme.characters.vbar.to_string());
        let icons = [columns(&theme.characters.error), columns(&theme.characters.warning)];
        let width = self.width.saturating_sub(2);
        icons.iter().all(|&i| i == bar).then(|| (width.saturating_sub(3 + bar), width.saturating_sub(8)))
    }
}

/// `text` broken into lines of at most `width` columns, as miette has
/// textwrap break a message or a help (first fit, at spaces only, no word
/// broken): each line ends at a word's end and the next starts at the next
/// word; a word wider than the line has one of its own. `None` unless every
/// line is printable ASCII (a column a byte), not empty, and does not start
/// with a space: miette indents the others differently when it does not
/// wrap. Wrapping here, miette only indents: textwrap took more
/// than a sixth of `check`'s instructions (2,000 files: 77 of 413 M).
fn first_fit(text: &str, width: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if line.is_empty() || line.starts_with(' ') || !line.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return None;
        }
        if i > 0 {
            out.push('\n');
        }
        // The output line starts at `start`; its last word ends at `end`;
        // `used` counts its words and the spaces after each.
        let (mut start, mut end, mut used) = (0, 0, 0);
        let (bytes, mut at) = (line.as_bytes(), 0);
        while at < bytes.len() {
            let run =
                |from: usize, space: bool| from + bytes[from..].iter().take_while(|&&b| (b == b' ') == space).count();
            let word_end = run(at, false);
            let next = run(word_end, true);
            if used + (word_end - at) > width && at > start {
                out.push_str(&line[start..end]);
                out.push('\n');
                (start, used) = (at, 0);
            }
            used += next - at;
            (end, at) = (word_end, next);
        }
        out.push_str(&line[start..end]);
    }
    Some(out)
}

/// The widest part of a line a report shows, in bytes; longer lines are
/// cut around the span (miette cannot draw lines past 65,535 columns, and
/// nobody can read them).
const MAX_LINE: usize = 240;
/// Bytes of a line shown before and after the span on a cut line.
const AROUND: usize = 80;
/// The most of a span's own bytes shown on a cut line.
const MAX_SPAN: usize = 160;
/// The most lines of one span a report shows.
const MAX_SPAN_LINES: usize = 40;

/// What a report shows of a file: the lines around one span, secrets
/// masked, long lines cut. miette reads only this, so no report can show
/// more of the file than this window.
struct Window {
    name: String,
    text: String,
    /// 0-based number of the window's first line in the file.
    first_line: usize,
    /// The span, in window offsets.
    span: SourceSpan,
    /// 0-based column, in characters, of the span's start in the file.
    column: usize,
    /// Says which line was cut, if one was.
    note: Option<String>,
}

impl SourceCode for Window {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // miette counts columns in bytes; the header shows characters.
        let column = if span.offset() == self.span.offset() { self.column } else { inner.column() };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

impl Window {
    fn new(file: &SourceFile, span: std::ops::Range<usize>) -> Window {
        let text = &file.text;
        let start = text.floor_char_boundary(span.start.min(text.len()));
        let mut end = text.ceil_char_boundary(span.end.clamp(start, text.len()));
        let l0 = file.line_index(start);
        let mut l1 = file.line_index(end);
        if l1 > l0 + MAX_SPAN_LINES {
            l1 = l0 + MAX_SPAN_LINES;
            end = file.line_start(l1 + 1).min(end);
        }
        let last = (l1 + 1).min(file.line_count() - 1);
        let mut w = Window {
            name: file.name.clone(),
            text: String::new(),
            first_line: l0.saturating_sub(1),
            span: (0, 0).into(),
            column: file.line_col(start).1 - 1,
            note: None,
        };
        let (mut wstart, mut wend) = (0, 0);
        for line in w.first_line..=last {
            let (ls, le) = (file.line_start(line), file.line_start(line + 1));
            let body = text[ls..le].trim_end_matches('\n');
            let body_end = ls + body.len() - usize::from(body.ends_with('\r'));
            let (a, b) = Self::keep(text, ls, body_end, start, end);
            let base = w.text.len() + if a > ls { "…".len() } else { 0 };
            let map = |o: usize| base + o.clamp(a, b) - a;
            if line == l0 {
                wstart = map(start);
            }
            if line == l1 {
                wend = map(end);
            }
            if line == l0 && (a > ls || b < body_end) {
                let chars = |x: usize, y: usize| file.chars_between(x, y);
                w.note = Some(format!(
                    "line {} is cut: characters {}–{} of {} shown",
                    line + 1,
                    chars(ls, a) + 1,
                    chars(ls, b),
                    chars(ls, body_end)
                ));
            }
            if a > ls {
                w.text.push('…');
            }
            w.text.push_str(&file.secrets().mask_slice(text, a..b));
            if b < body_end {
                w.text.push('…');
            }
            w.text.push_str(&text[body_end..le]);
        }
        w.span = (wstart, wend.max(wstart) - wstart).into();
        w
    }

    /// The byte range of the line `ls..le` to show: all of it when short,
    /// else a part around the span.
    fn keep(text: &str, ls: usize, le: usize, start: usize, end: usize) -> (usize, usize) {
        if le - ls <= MAX_LINE {
            return (ls, le);
        }
        let (from, to) = if (ls..=le).contains(&start) {
            let to = end.min(le).min(start + MAX_SPAN);
            (start.saturating_sub(AROUND).max(ls), (to + AROUND).min(le))
        } else if (ls..=le).contains(&end) {
            (end.saturating_sub(MAX_SPAN).max(ls), (end + AROUND).min(le))
        } else {
            (ls, ls + MAX_LINE)
        };
        (text.floor_char_boundary(from), text.ceil_char_boundary(to))
    }
}

/// A [`Diagnostic`] with its window, as miette wants it; every text in it
/// has the file's secrets masked.
struct Report {
    message: String,
    label: String,
    help: Option<String>,
    severity: Severity,
    code: String,
    src: Window,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(label, self.src.span))))
    }
}

/// Renders one finding about `file`: a window around its span (long lines
/// cut), columns in characters, the file's secrets masked everywhere.
pub fn render(d: &Diagnostic, file: &SourceFile, style: Style) -> String {
    render_wrapped(d, file, style, true)
}

/// As [`render`]; `here`: whether texts that can be are wrapped here
/// ([`first_fit`]), not by miette.
fn render_wrapped(d: &Diagnostic, file: &SourceFile, style: Style, here: bool) -> String {
    let src = Window::new(file, d.span.clone());
    let mask = |s: &str| file.secrets().mask_message(s).into_owned();
    let mut label = mask(&d.label);
    if let Some(note) = &src.note {
        label = if label.is_empty() { format!("({note})") } else { format!("{label} ({note})") };
    }
    let (message, help) = (mask(&d.message), d.help.as_deref().map(mask));
    // Wrapped here when both can be, else by miette.
    let theme = style.theme();
    let wrapped = style.text_widths(&theme).filter(|_| here).and_then(|(message_width, help_width)| {
        let help = match &help {
            Some(h) => Some(first_fit(h, help_width)?),
            None => None,
        };
        Some((first_fit(&message, message_width)?, help))
    });
    let handler = style.handler(theme).with_wrap_lines(wrapped.is_none());
    let (message, help) = wrapped.unwrap_or((message, help));
    let code = format!("{}({})", d.code, crate::lint::rule(d.code).name());
    let report = Report { message, label, help, severity: d.severity, code, src };
    let mut out = String::new();
    handler.render_report(&mut out, &report).expect("writing to a String cannot fail");
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
    style.handler(style.theme()).render_report(&mut out, &report).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::*;

    #[test]
    fn renders_file_line_label_and_help() {
        let file = SourceFile::new("a.sql", "-- @access tablestor\nCREATE EXTERNAL TABLE t;".to_string());
        let d = mca001_annotation_syntax::META
            .diagnostic(11..20, "unknown source `tablestor`")
            .label("not a source")
            .help("did you mean `tablestore`?");
        let out = render(&d, &file, Style::plain());
        assert!(out.contains("MCA001(annotation-syntax)"), "{out}");
        assert!(out.contains("[a.sql:1:12]"), "{out}");
        assert!(out.contains("not a source") && out.contains("help: did you mean `tablestore`?"), "{out}");
        assert!(!out.contains('\u{1b}'), "no escapes when plain");
    }

    #[test]
    fn lines_break_at_spaces_never_inside_an_arn_or_an_endpoint() {
        let file = SourceFile::new("a.sql", "CREATE EXTERNAL TABLE t;".to_string());
        let arn = "acs:ram::5678901234567890:role/aliyunodpsdefaultrole";
        let host = "oss-cn-hangzhou-internal.aliyuncs.com";
        let message = format!("CREATE EXTERNAL TABLE uses the broad default role {arn}");
        let help = format!("name the bucket literally (variables after it are fine: oss://{host}/<bucket>/logs/)");
        let d = mca007_broad_default_role::META.diagnostic(0..6, message).help(help);
        let out = render(&d, &file, Style::plain());
        assert!(out.lines().any(|l| l.contains(arn)), "{out}");
        assert!(out.lines().any(|l| l.contains(&format!("oss://{host}/<bucket>/logs/)"))), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    }

    #[test]
    fn a_very_long_line_is_cut_around_the_span_with_a_note() {
        // miette panics ("Formatting argument out of range") past 65,535
        // columns: the window must cut the line.
        let pad = "x".repeat(70_000);
        let text = format!("SELECT 1;\nCREATE EXTERNAL TABLE t (a int) LOCATION '{pad}' STORED BY 'h';\nSELECT 2;\n");
        let at = text.find("STORED").unwrap();
        let file = SourceFile::new("long.sql", text.clone());
        let d = mca002_missing_rolearn::META.diagnostic(at..at + 6, "m").label("here");
        let out = render(&d, &file, Style::plain());
        assert!(out.len() < 2_000, "{} bytes", out.len());
        assert!(out.contains("[long.sql:2:70045]"), "{out}");
        assert!(out.contains("…x") && out.contains("STORED BY 'h';") && out.contains("SELECT 2;"), "{out}");
        assert!(out.contains("line 2 is cut: characters 69965–70058 of 70058 shown"), "{out}");
        // A span as long as the line is cut too.
        let d = mca015_statement_syntax::META.diagnostic(10..text.len() - 10, "m");
        assert!(render(&d, &file, Style::plain()).len() < 2_000);
    }

    #[test]
    fn texts_miette_would_indent_differently_are_left_to_it() {
        for text in ["", "a\n\nb", " a", "a\n b", "中文", "a\tb", "a\r\nb"] {
            assert_eq!(first_fit(text, 20), None, "{text:?}");
        }
        assert_eq!(first_fit("ab cd  ef  ", 5).as_deref(), Some("ab cd\nef"));
        assert_eq!(first_fit("abcdefgh ij\nk", 5).as_deref(), Some("abcdefgh\nij\nk"));
    }

    proptest::proptest! {
        /// Wrapped here or by miette (with textwrap), a report is the same
        /// to the byte, coloured or plain, at any width.
        #[test]
        fn wrapped_here_as_miette_wraps(
            message in "[a-z:/.()'=-]{1,12}(( {1,3})[a-z:/.()'=-]{1,24}){0,16} {0,2}(\n[a-z]{1,9}( [a-z]{1,30}){0,9})?",
            help in proptest::option::of("[a-z]{1,30}(( {1,2})[a-z:/.()'=-]{1,40}){0,12}"),
            width in 12usize..120,
            color: bool,
        ) {
            let file = SourceFile::new("a.sql", "SELECT 1;\nCREATE EXTERNAL TABLE t;\n".to_string());
            let mut d = mca007_broad_default_role::META.diagnostic(10..16, message.clone()).label("here");
            if let Some(h) = &help {
                d = d.help(h.clone());
            }
            let style = Style { color, width };
            let (message_width, _) = style.text_widths(&style.theme()).unwrap();
            proptest::prop_assert!(first_fit(&message, message_width).is_some(), "the fast path is taken");
            proptest::prop_assert_eq!(render_wrapped(&d, &file, style, true), render_wrapped(&d, &file, style, false));
        }
    }

    #[test]
    fn columns_are_characters() {
        let text = "-- 中文注释：每日订单\nCREATE EXTERNAL TABLE 订单 (a int) STORED BY 'h';".to_string();
        let at = text.find("STORED").unwrap();
        let file = SourceFile::new("zh.sql", text);
        let out = render(&mca002_missing_rolearn::META.diagnostic(at..at + 6, "m"), &file, Style::plain());
        assert_eq!(file.line_col(at), (2, 34));
        assert!(out.contains("[zh.sql:2:34]"), "{out}");
    }

    #[test]
    fn secrets_are_masked_in_snippets_and_messages() {
        let text = "CREATE EXTERNAL TABLE t (a int LOCATION 'oss://LTAIkey:TopSecret@oss-cn-hangzhou.aliyuncs.com/b/';";
        let file = SourceFile::new("s.sql", text.to_string());
        let d = mca015_statement_syntax::META.diagnostic(24..25, "near 'oss://LTAIkey:TopSecret@x'").help("TopSecret");
        let out = render(&d, &file, Style::plain());
        assert!(!out.contains("TopSecret") && !out.contains("LTAIkey"), "{out}");
        assert!(out.contains("oss://*****************@oss-cn-hangzhou"), "{out}");
    }
}

//! `fix` edits: byte-range replacements on the original text that make each
//! annotated statement's rolearn match its plan (SPEC §4). Never re-prints
//! SQL: every byte outside an edit is kept.
//!
//! Each change comes with the finding it fixes (MCA002 missing-rolearn,
//! MCA003 rolearn-mismatch), so `check` reports exactly what `fix` changes.

use crate::catalog;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Mode;
use crate::resolve::{DUAL_SIGNATURE_FLAG, StatementPlan};
use crate::scan::{
    Format, KeywordCase, Literal, Property, PropertyList, ROLEARN_KEY, ScannedFile, Statement, StatementKind,
};
use crate::source::SourceFile;
use std::ops::Range;

/// Replace `range` of the original text with `text` (an insertion when the
/// range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// A finding and, when it is fixable, the edits that fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// Empty when the finding cannot be fixed automatically.
    pub edits: Vec<Edit>,
}

impl Finding {
    pub fn fixable(&self) -> bool {
        !self.edits.is_empty()
    }
}

/// What `fix` would do to one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePlan {
    pub findings: Vec<Finding>,
    /// Errors that stop the file from being rewritten.
    pub errors: Vec<Diagnostic>,
}

impl FilePlan {
    pub fn edits(&self) -> Vec<Edit> {
        let mut edits: Vec<Edit> = self.findings.iter().flat_map(|f| f.edits.iter().cloned()).collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits
    }
}

/// Computes the findings and edits for one scanned and resolved file.
pub fn plan_fixes(source: &SourceFile, scanned: &ScannedFile, plans: &[StatementPlan]) -> FilePlan {
    let mut out = FilePlan::default();
    out.errors.extend(scanned.diagnostics.iter().filter(|d| d.is_error()).cloned());
    if scanned.unreadable {
        return out;
    }
    let ctx = Ctx { text: &source.text, newline: source.newline() };
    let mut plans = plans.iter().peekable();
    let mut flag_on = false;
    for (index, stmt) in scanned.statements.iter().enumerate() {
        if let StatementKind::Set { key, value } = &stmt.kind
            && key == DUAL_SIGNATURE_FLAG
        {
            flag_on = value.eq_ignore_ascii_case("true");
        }
        let Some(plan) = plans.next_if(|p| p.statement == index) else {
            continue;
        };
        let plan = match &plan.plan {
            Ok(p) => p,
            Err(d) => {
                out.errors.push(d.clone());
                continue;
            }
        };
        if !stmt.kind.takes_rolearn() {
            continue;
        }
        if let Some(d) = &stmt.syntax_error {
            out.errors.push(d.clone());
            continue;
        }
        // A rolearn in TBLPROPERTIES goes; the one in SERDEPROPERTIES is
        // set below.
        if let Some(list) = &stmt.clauses.tbl_properties
            && let Some(entry) = list.get(ROLEARN_KEY).next()
        {
            out.findings.push(Finding {
                diagnostic: crate::lint::rules::mca020_misplaced_rolearn::diagnostic(entry, true),
                edits: ctx.remove_entry(list, entry_index(list)),
            });
        }
        let rolearns = stmt.clauses.rolearns();
        if rolearns.len() > 1 {
            out.errors.push(
                Diagnostic::error(
                    Code::MCA014,
                    rolearns[1].key.span.clone(),
                    "odps.properties.rolearn is given more than once",
                )
                .label("second rolearn")
                .help("keep one 'odps.properties.rolearn' entry; mcaccess fix then sets its value"),
            );
            continue;
        }
        let finding = match (&plan.role, plan.mode) {
            (None, Mode::DualSignature) => {
                if let Some(entry) = rolearns.first() {
                    let list = stmt.clauses.serde_properties.as_ref().expect("a rolearn sits in a list");
                    out.findings.push(Finding {
                        diagnostic: Diagnostic::error(
                            Code::MCA003,
                            entry.span(),
                            "dual-signature uses no role, but the statement names one",
                        )
                        .label("not used in dual-signature mode")
                        .help("remove the odps.properties.rolearn entry (mcaccess fix does)"),
                        edits: ctx.remove_entry(list, entry_index(list)),
                    });
                }
                if !flag_on {
                    flag_on = true;
                    let at = scanned.block_start(stmt);
                    Some(Finding {
                        diagnostic: Diagnostic::error(
                            Code::MCA003,
                            stmt.span.start..stmt.span.start + first_line_len(&source.text, stmt.span.start),
                            format!("dual-signature needs `SET {DUAL_SIGNATURE_FLAG}=true;` before the statement"),
                        )
                        .label("no SET before this statement")
                        .help(format!(
                            "add SET {DUAL_SIGNATURE_FLAG}=true; above it (mcaccess fix does); set it at query time too"
                        )),
                        edits: vec![ctx.set_flag(at, stmt.keyword_case)],
                    })
                } else {
                    None
                }
            }
            (None, _) => None,
            (Some(role), _) => ctx.rolearn_finding(stmt, &role.arn),
        };
        match finding {
            // The @access asks for a role fix cannot put in place: an error.
            Some(f) if !f.fixable() => out.errors.push(f.diagnostic),
            Some(f) => out.findings.push(f),
            None => {}
        }
    }
    out
}

fn entry_index(list: &PropertyList) -> usize {
    list.entries.iter().position(|p| p.key.value.eq_ignore_ascii_case(ROLEARN_KEY)).expect("caller checked")
}

fn first_line_len(text: &str, start: usize) -> usize {
    text[start..].find(['\r', '\n']).unwrap_or(text.len() - start)
}

/// Applies sorted, non-overlapping edits to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        debug_assert!(e.range.start >= at, "overlapping edits");
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

struct Ctx<'a> {
    text: &'a str,
    newline: &'static str,
}

impl Ctx<'_> {
    /// The spaces and tabs that start the line holding `offset`.
    fn indent_of_line(&self, offset: usize) -> &str {
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.text[start..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    }

    /// Whether only spaces and tabs stand between the line start and `offset`.
    fn first_on_line(&self, offset: usize) -> bool {
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        self.text[start..offset].bytes().all(|b| b == b' ' || b == b'\t' || b == 0xEF || b == 0xBB || b == 0xBF)
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

    fn entry(&self, quote: char, arn: &str) -> String {
        format!("{quote}{ROLEARN_KEY}{quote}={quote}{arn}{quote}")
    }

    fn rolearn_finding(&self, stmt: &Statement, arn: &str) -> Option<Finding> {
        let c = &stmt.clauses;
        if let Some(entry) = c.rolearns().first() {
            if entry.value.value == arn {
                return None;
            }
            let quote = self.text[entry.value.span.clone()].chars().next().unwrap_or('\'');
            return Some(Finding {
                diagnostic: Diagnostic::error(
                    Code::MCA003,
                    entry.value.span.clone(),
                    format!("rolearn is `{}`, but the @access resolves to `{arn}`", entry.value.value),
                )
                .label("wrong role ARN")
                .help(format!("set it to '{arn}' (mcaccess fix does)")),
                edits: vec![Edit { range: entry.value.span.clone(), text: format!("{quote}{arn}{quote}") }],
            });
        }
        let missing = |span: Range<usize>, edits: Vec<Edit>, help: String| Finding {
            diagnostic: Diagnostic::error(Code::MCA002, span, "odps.properties.rolearn is missing")
                .label("no role ARN for this statement")
                .help(help),
            edits,
        };
        let fix_help = format!("add 'odps.properties.rolearn'='{arn}' to WITH SERDEPROPERTIES (mcaccess fix does)");
        if let Some(list) = &c.serde_properties {
            return Some(missing(list.span(), self.append_entry(list, arn), fix_help));
        }
        if let Some(lit) = c.stored_by.as_ref().or(c.row_format_serde.as_ref()) {
            return Some(missing(
                lit.span.clone(),
                vec![self.insert_clause_after(lit, stmt.keyword_case, arn, stmt.span.end)],
                fix_help,
            ));
        }
        let Some(stored_as) = &c.stored_as else {
            let span = stmt
                .name
                .as_ref()
                .map_or(stmt.span.start..stmt.span.start + first_line_len(self.text, stmt.span.start), |n| {
                    n.span.clone()
                });
            return Some(missing(
                span,
                vec![],
                format!(
                    "add STORED BY '<handler>' or ROW FORMAT SERDE '<class>', followed by WITH SERDEPROPERTIES ('odps.properties.rolearn'='{arn}')"
                ),
            ));
        };
        let not_fixable = |help: String| Some(missing(stored_as.keyword.clone(), vec![], help));
        if c.row_format_delimited.is_some() {
            return not_fixable(format!(
                "ROW FORMAT DELIMITED takes no SERDEPROPERTIES: replace it with ROW FORMAT SERDE '<class>' WITH SERDEPROPERTIES ('odps.properties.rolearn'='{arn}')"
            ));
        }
        match &stored_as.format {
            Format::InputOutput => not_fixable(format!(
                "STORED AS INPUTFORMAT … needs ROW FORMAT SERDE '<class>' WITH SERDEPROPERTIES ('odps.properties.rolearn'='{arn}') before it"
            )),
            Format::Named(fmt) => match catalog::serde_for_format(&fmt.text) {
                None => not_fixable(format!(
                    "`{}` is not a format mcaccess knows the SerDe of ({}): add ROW FORMAT SERDE '<class>' WITH SERDEPROPERTIES ('odps.properties.rolearn'='{arn}') before STORED AS",
                    fmt.text,
                    catalog::KNOWN_FORMATS.join(", ")
                )),
                Some(serde) => {
                    let case = stmt.keyword_case;
                    let start = stored_as.keyword.start;
                    let text = if self.first_on_line(start) {
                        let indent = self.indent_of_line(start);
                        format!(
                            "{} '{serde}'{nl}{indent}{} ({}){nl}{indent}",
                            case.apply("ROW FORMAT SERDE"),
                            case.apply("WITH SERDEPROPERTIES"),
                            self.entry('\'', arn),
                            nl = self.newline_of(start)
                        )
                    } else {
                        format!(
                            "{} '{serde}' {} ({}) ",
                            case.apply("ROW FORMAT SERDE"),
                            case.apply("WITH SERDEPROPERTIES"),
                            self.entry('\'', arn)
                        )
                    };
                    Some(missing(
                        stored_as.keyword.clone(),
                        vec![Edit { range: start..start, text }],
                        format!(
                            "add ROW FORMAT SERDE '{serde}' WITH SERDEPROPERTIES ('odps.properties.rolearn'='{arn}') before STORED AS (mcaccess fix does)"
                        ),
                    ))
                }
            },
        }
    }

    /// `WITH SERDEPROPERTIES (…)` right after a handler or SerDe literal: on a
    /// new line when the literal ends its line, else inline.
    fn insert_clause_after(&self, lit: &Literal, case: KeywordCase, arn: &str, stmt_end: usize) -> Edit {
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
    fn append_entry(&self, list: &PropertyList, arn: &str) -> Vec<Edit> {
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
    fn remove_entry(&self, list: &PropertyList, i: usize) -> Vec<Edit> {
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
        let line_start = self.text[..start].rfind('\n').map_or(0, |p| p + 1);
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
        if line_start == 0 || !self.text[after..].starts_with(';') {
            return None;
        }
        let prev_start = self.text[..line_start - 1].rfind('\n').map_or(0, |p| p + 1);
        let prev = &self.text[prev_start..line_start];
        (!prev.contains("--") && !prev.trim().is_empty())
            .then(|| self.text[..line_start].trim_end_matches(['\r', '\n', ' ', '\t']).len())
    }

    fn set_flag(&self, at: usize, case: KeywordCase) -> Edit {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_start = if self.text.starts_with('\u{feff}') && line_start == 0 { 3 } else { line_start };
        let pos = if self.first_on_line(at) { line_start } else { at };
        // The new line follows the line before it, and takes its ending.
        let nl = if pos > 0 { self.newline_of(pos - 1) } else { self.newline_of(pos) };
        Edit { range: pos..pos, text: format!("{} {DUAL_SIGNATURE_FLAG}=true;{nl}", case.apply("SET")) }
    }
}

//! What the editor shows: diagnostics from `check`'s findings, code actions
//! (the rule's fix, allow for this statement or file, fix all), and hovers
//! (the resolved role on an `@access`, a rule's documentation on its code).

use super::convert::{self, Encoding};
use super::workspace::Workspace;
use crate::Analysis;
use crate::annotation::Annotation;
use crate::diagnostic::{Code, Severity};
use crate::fix::Edit;
use crate::lint::Finding;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, DiagnosticSeverity, Hover, HoverContents,
    MarkupContent, MarkupKind, NumberOrString, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// `source.fixAll.mcaccess`: every edit `mcaccess fix` would make.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.mcaccess")
}

/// A finding as the editor shows it.
pub fn diagnostic(ws: &Workspace, f: &Finding, file: &crate::source::SourceFile) -> Diagnostic {
    let encoding = ws.encoding;
    let message = match &f.help {
        Some(help) => format!("{}\nhelp: {help}", f.message),
        None => f.message.clone(),
    };
    Diagnostic {
        range: convert::range(file, &f.diagnostic.span, encoding),
        severity: Some(match f.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: super::rule_docs::link(ws.rule_docs.as_deref(), f.code),
        source: Some("mcaccess".into()),
        message,
        ..Diagnostic::default()
    }
}

fn text_edits(file: &crate::source::SourceFile, edits: &[Edit], encoding: Encoding) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit { range: convert::range(file, &e.range, encoding), new_text: e.text.clone() })
        .collect()
}

// `Uri` hashes by its text; its inner cell only caches parsing.
#[allow(clippy::mutable_key_type)]
fn action(uri: &Uri, title: String, kind: CodeActionKind, edits: Vec<TextEdit>) -> CodeAction {
    let changes = HashMap::from([(uri.clone(), edits)]);
    CodeAction {
        title,
        kind: Some(kind),
        edit: Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }),
        ..Default::default()
    }
}

/// The code actions for the findings that touch `range` of a document.
pub fn code_actions(
    ws: &Workspace,
    uri: &Uri,
    range: lsp_types::Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let Some(doc) = ws.docs.get(uri) else { return Vec::new() };
    let a = &doc.analysis;
    let wants = |k: &CodeActionKind| only.is_none_or(|o| o.iter().any(|w| k.as_str().starts_with(w.as_str())));
    let plan = a.fixes();
    let mut out = Vec::new();
    let start = convert::offset(&a.source, range.start, ws.encoding);
    let end = convert::offset(&a.source, range.end, ws.encoding);
    for f in ws.findings_planned(a, &plan, ws.repo()) {
        let span = &f.diagnostic.span;
        if span.start > end || span.end < start {
            continue;
        }
        let shown = diagnostic(ws, &f, &a.source);
        for mut act in finding_actions(a, &f, &plan, uri, ws.encoding) {
            if wants(act.kind.as_ref().expect("every action has a kind")) {
                act.diagnostics = Some(vec![shown.clone()]);
                out.push(CodeActionOrCommand::CodeAction(act));
            }
        }
    }
    let edits = plan.edits();
    if plan.blockers.is_empty() && !edits.is_empty() && wants(&fix_all_kind()) {
        let edits = text_edits(&a.source, &edits, ws.encoding);
        out.push(CodeActionOrCommand::CodeAction(action(uri, "mcaccess: fix all".into(), fix_all_kind(), edits)));
    }
    out
}

/// The rule's own fix (preferred), then allow for the statement and file.
fn finding_actions(
    a: &Analysis,
    f: &Finding,
    plan: &crate::fix::FilePlan,
    uri: &Uri,
    enc: Encoding,
) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let matches = |c: &&crate::fix::Change| {
        crate::lint::describe::rolearn_code(&c.problem) == f.code && *c.problem.span() == f.diagnostic.span
    };
    if let Some(change) = plan.changes.iter().find(matches) {
        let title = format!("{}: {}", f.code, fix_title(f.code));
        let mut act = action(uri, title, CodeActionKind::QUICKFIX, text_edits(&a.source, &change.edits, enc));
        act.is_preferred = Some(true);
        out.push(act);
    }
    let statement = a.scanned.statement_at(&a.source, f.diagnostic.span.start);
    let codes = [f.code];
    if let Some(edit) = statement.and_then(|i| crate::onboard::baseline::allow_line(a, i, &codes, "allow", "")) {
        let title = format!("Allow {} for this statement", f.code);
        out.push(action(uri, title, CodeActionKind::QUICKFIX, text_edits(&a.source, &[edit], enc)));
    }
    let top = if a.source.text.starts_with('\u{feff}') { 3 } else { 0 };
    let nl = a.source.newline();
    let edit = Edit { range: top..top, text: format!("-- @allow-file {} reason=\"\"{nl}", f.code) };
    let title = format!("Allow {} for this file", f.code);
    out.push(action(uri, title, CodeActionKind::QUICKFIX, text_edits(&a.source, &[edit], enc)));
    out
}

fn fix_title(code: Code) -> &'static str {
    match crate::lint::rule(code).name() {
        "missing-rolearn" => "add the rolearn",
        "misplaced-rolearn" => "move the rolearn to SERDEPROPERTIES",
        _ => "set the rolearn as the @access says",
    }
}

/// What to show at a position: the plan of the statement an `@access`
/// describes, or the documentation of a rule code in an `@allow`.
pub fn hover(ws: &Workspace, uri: &Uri, position: lsp_types::Position) -> Option<Hover> {
    let a = &ws.docs.get(uri)?.analysis;
    let at = convert::offset(&a.source, position, ws.encoding);
    let comment = a.scanned.annotations.iter().find(|c| c.span.start <= at && at <= c.span.end)?;
    let markdown = match &comment.annotation {
        Annotation::Access(_) => {
            let i = comment.statement?;
            let plans: Vec<_> = a.plans.iter().filter(|p| p.statement == i).cloned().collect();
            let entries = crate::plan::entries(&a.source, &a.scanned, &plans);
            match entries.first() {
                Some(_) => format!("```text\n{}```", crate::plan::render_human(&entries)),
                None => {
                    let e = plans.first()?.plan.as_ref().err()?;
                    format!("No role: {}", crate::lint::describe::resolve(e).message)
                }
            }
        }
        Annotation::Allow(allow) | Annotation::AllowFile(allow) => {
            let code = allow.codes.iter().find(|c| c.span.start <= at && at <= c.span.end)?;
            let rule = crate::lint::rule(code.value);
            format!("**{} {}**\n\n{}", rule.code(), rule.name(), rule.doc())
        }
        Annotation::MaxCompute(_) => return None,
    };
    let contents = HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown });
    Some(Hover { contents, range: Some(convert::range(&a.source, &comment.span, ws.encoding)) })
}

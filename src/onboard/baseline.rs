//! `check --add-allow`: an `@allow` line above each statement with
//! findings today, so a repository can adopt mcaccess and see only new
//! findings from then on (ruff's `--add-noqa`).

use super::{ending, line_start};
use crate::Analysis;
use crate::diagnostic::Code;
use crate::fix::Edit;
use crate::lint::Finding;
use std::collections::BTreeMap;

/// What `--add-allow` proposes for one file.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Whole `@allow` lines inserted at line starts.
    pub edits: Vec<Edit>,
    /// Findings no statement-level `@allow` can silence: line and code.
    pub left: Vec<(usize, Code)>,
}

/// The `@allow` lines that silence `findings` (this file's, from `check`):
/// one line per statement, above its annotations, naming its codes. Fixable
/// findings are left for `fix`, and an unused `@allow` (MCA018) is not
/// itself allowed.
pub fn propose(a: &Analysis, findings: &[Finding], reason: &str) -> Baseline {
    let file = &a.source;
    let scanned = &a.scanned;
    let unused_allow = crate::lint::rules::mca018_unused_allow::META.code;
    let mut per_statement: BTreeMap<usize, Vec<Code>> = BTreeMap::new();
    let mut out = Baseline::default();
    for f in findings.iter().filter(|f| !f.fixable && f.code != unused_allow) {
        // A file read lossily is never written back.
        if a.encoding.is_some() {
            out.left.push((f.line, f.code));
            continue;
        }
        let at = f.diagnostic.span.start;
        match scanned.statement_at(file, at) {
            Some(i) => per_statement.entry(i).or_default().push(f.code),
            None => out.left.push((f.line, f.code)),
        }
    }
    for (i, mut codes) in per_statement {
        codes.sort();
        codes.dedup();
        match allow_line(a, i, &codes, "allow", reason) {
            Some(edit) => out.edits.push(edit),
            None => codes.into_iter().for_each(|c| out.left.push((a.source.line(scanned.statements[i].span.start), c))),
        }
    }
    out
}

/// The `-- @<directive> CODES reason="…"` line above statement `i`'s
/// annotations, in their indentation and line ending; `None` when they do
/// not start their line.
pub fn allow_line(a: &Analysis, i: usize, codes: &[Code], directive: &str, reason: &str) -> Option<Edit> {
    let file = &a.source;
    let block = a.scanned.block_start(&a.scanned.statements[i]);
    let start = line_start(a, block);
    let indent = &file.text[start..block];
    if !indent.bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    let reason = reason.replace(['"', '\r', '\n'], "'");
    let codes: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let text = format!("{indent}-- @{directive} {} reason=\"{reason}\"{}", codes.join(","), ending(a, block));
    Some(Edit { range: start..start, text })
}

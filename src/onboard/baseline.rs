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
        match scanned.statements.iter().position(|s| scanned.region(&file.text, s).contains(&at)) {
            Some(i) => per_statement.entry(i).or_default().push(f.code),
            None => out.left.push((f.line, f.code)),
        }
    }
    let reason = reason.replace(['"', '\r', '\n'], "'");
    for (i, mut codes) in per_statement {
        codes.sort();
        codes.dedup();
        let stmt = &scanned.statements[i];
        let block = scanned.block_start(stmt);
        let start = line_start(a, block);
        if !file.text[start..block].bytes().all(|b| b == b' ' || b == b'\t') {
            codes.into_iter().for_each(|c| out.left.push((file.line(stmt.span.start), c)));
            continue;
        }
        let codes: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        let text = format!(
            "{}-- @allow {} reason=\"{reason}\"{}",
            &file.text[start..block],
            codes.join(","),
            ending(a, block)
        );
        out.edits.push(Edit { range: start..start, text });
    }
    out
}

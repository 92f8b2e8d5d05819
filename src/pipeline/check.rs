//! `check` over inputs, and over one document.

use super::{Render, for_each_file};
use crate::Analysis;
use crate::config::Config;
use crate::lint::{FileContext, Finding, Options, lint_file};
use crate::repo::RepoIndex;
use std::path::PathBuf;

/// The findings of one document, given the repository's index of
/// annotated tables (an editor keeps one for the workspace).
pub fn check_document(a: &Analysis, repo: &RepoIndex, config: &Config, options: &Options, today: &str) -> Vec<Finding> {
    let fixes = a.fixes();
    let ctx = FileContext { analysis: a, fixes: &fixes, config, repo, today };
    lint_file(&ctx, options)
}

/// `check` over inputs.
#[derive(Debug)]
pub struct CheckRun {
    /// Every finding, file by file in input order, each file's in source
    /// order.
    pub findings: Vec<Finding>,
    /// The findings rendered, when a renderer was given.
    pub rendered: String,
    /// How many files were checked.
    pub files: usize,
    pub failures: Vec<String>,
}

/// Lints every input against the whole repository's index (MCA016).
///
/// Files that write no table by name are linted at once and dropped; the
/// others wait for the index, so only they stay in memory.
pub fn check(
    paths: &[PathBuf],
    config: &Config,
    options: &Options,
    today: &str,
    render: Option<Render<'_>>,
) -> CheckRun {
    use rayon::prelude::*;
    let finish = |a: &Analysis, repo: &RepoIndex| {
        let findings = check_document(a, repo, config, options, today);
        let text: String = match render {
            Some(render) => findings.iter().map(|f| render(&f.diagnostic, &a.source)).collect(),
            None => String::new(),
        };
        (findings, text)
    };
    enum Phase1 {
        Done(Vec<Finding>, String),
        Waiting(Box<Analysis>),
    }
    let empty = RepoIndex::default();
    let run = for_each_file(paths, config, |_, a| {
        let tables = RepoIndex::of_file(&a);
        let phase = if a.scanned.statements.iter().any(|s| !s.writes.is_empty()) {
            Phase1::Waiting(Box::new(a))
        } else {
            let (f, t) = finish(&a, &empty);
            Phase1::Done(f, t)
        };
        (tables, phase)
    });
    let mut index = RepoIndex::default();
    let mut phases = Vec::with_capacity(run.files.len());
    for (tables, phase) in run.files {
        index.merge(tables);
        phases.push(phase);
    }
    let files = phases.len();
    let done: Vec<(Vec<Finding>, String)> = phases
        .into_par_iter()
        .map(|p| match p {
            Phase1::Done(f, t) => (f, t),
            Phase1::Waiting(a) => finish(&a, &index),
        })
        .collect();
    let mut out = CheckRun { findings: Vec::new(), rendered: String::new(), files, failures: run.failures };
    for (f, t) in done {
        out.findings.extend(f);
        out.rendered.push_str(&t);
    }
    out
}

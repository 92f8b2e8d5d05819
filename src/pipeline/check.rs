//! `check` over inputs, streamed in input order, and over one document.
//!
//! Memory is the repository index plus what waits to be written: a file is
//! linted as soon as it is read, its report rendered at once and the file
//! dropped. MCA016 (a write against another file's `@access`) is the one
//! finding that needs the whole index: a file that writes is first linted
//! against its own tables, and read again at the end only when its writes
//! meet an `@access` that lacks something (or it allows MCA016), which is
//! rare.

use super::Run;
use crate::Analysis;
use crate::annotation::Annotation;
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::files::Input;
use crate::lint::{FileContext, Finding, Options, lint_file, rules::mca016_write_without_write_access as mca016};
use crate::repo::RepoIndex;
use crate::scan::Write;
use crate::source::SourceFile;
use std::collections::VecDeque;
use std::path::PathBuf;

/// The findings of one document, given the repository's index of
/// annotated tables (an editor keeps one for the workspace).
pub fn check_document(a: &Analysis, repo: &RepoIndex, config: &Config, options: &Options, today: &str) -> Vec<Finding> {
    let fixes = a.fixes();
    let ctx = FileContext { analysis: a, fixes: &fixes, config, repo, today };
    lint_file(&ctx, options)
}

/// What `check` found over inputs, counted.
#[derive(Debug, Default)]
pub struct CheckSummary {
    /// How many files were checked.
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub fixable: usize,
    pub failures: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    errors: usize,
    warnings: usize,
    fixable: usize,
}

impl Counts {
    fn of(findings: &[Finding]) -> Counts {
        let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
        let fixable = findings.iter().filter(|f| f.fixable).count();
        Counts { errors, warnings: findings.len() - errors, fixable }
    }
}

/// One file's report, or a file that writes and may need the whole index.
enum Part<T> {
    Done(T, Counts),
    Pending(Box<Pending<T>>),
}

struct Pending<T> {
    input: Input,
    writes: Vec<Write>,
    report: T,
    counts: Counts,
    /// Its own tables already meet its writes, or it allows MCA016.
    recheck: bool,
    /// The file itself, for stdin only (it cannot be read again).
    kept: Option<Box<Analysis>>,
}

/// How a file's findings are shown (while its text is in memory).
pub type RenderFile<'a, T> = &'a (dyn Fn(&[Finding], &SourceFile) -> T + Sync);

/// Lints every input against the whole repository's index and hands each
/// file's rendered report to `sink`, in input order.
pub fn check<T: Send>(
    paths: &[PathBuf],
    config: &Config,
    (options, today): (&Options, &str),
    render: RenderFile<'_, T>,
    sink: &mut dyn FnMut(T),
) -> CheckSummary {
    let lint = |input: &Input, a: Analysis| {
        let own = RepoIndex::of_file(&a);
        let findings = check_document(&a, &own, config, options, today);
        let (counts, report) = (Counts::of(&findings), render(&findings, &a.source));
        let writes: Vec<Write> = a.scanned.statements.iter().flat_map(|s| s.writes.iter().cloned()).collect();
        let part = if writes.is_empty() {
            Part::Done(report, counts)
        } else {
            let recheck = writes.iter().any(|w| !own.missing(w).is_empty()) || allows_mca016(&a);
            let kept = (*input == Input::Stdin).then(|| Box::new(a));
            Part::Pending(Box::new(Pending { input: input.clone(), writes, report, counts, recheck, kept }))
        };
        (own, part)
    };
    let mut index = RepoIndex::default();
    let mut waiting: VecDeque<Part<T>> = VecDeque::new();
    let mut summary = CheckSummary::default();
    let failures = super::for_each_file_streamed(paths, config, lint, |(own, part)| {
        index.merge(own);
        summary.files += 1;
        match part {
            Part::Done(report, counts) if waiting.is_empty() => emit(&mut summary, sink, report, counts),
            part => waiting.push_back(part),
        }
    });
    summary.failures = failures;
    for part in waiting {
        match part {
            Part::Done(report, counts) => emit(&mut summary, sink, report, counts),
            Part::Pending(p) => finish(*p, &index, config, (options, today), render, &mut summary, sink),
        }
    }
    summary
}

fn emit<T>(summary: &mut CheckSummary, sink: &mut dyn FnMut(T), report: T, counts: Counts) {
    summary.errors += counts.errors;
    summary.warnings += counts.warnings;
    summary.fixable += counts.fixable;
    sink(report);
}

/// A file that writes, once the whole index is known: its first report if
/// no write meets an `@access` that lacks something, else linted again.
fn finish<T>(
    p: Pending<T>,
    index: &RepoIndex,
    config: &Config,
    (options, today): (&Options, &str),
    render: RenderFile<'_, T>,
    summary: &mut CheckSummary,
    sink: &mut dyn FnMut(T),
) {
    if !p.recheck && p.writes.iter().all(|w| index.missing(w).is_empty()) {
        return emit(summary, sink, p.report, p.counts);
    }
    let again = match p.kept {
        Some(a) => Ok(*a),
        None => crate::files::read(&p.input, config.legacy_encoding)
            .map(|decoded| crate::analyse_decoded(p.input.display(), decoded, config)),
    };
    match again {
        Ok(a) => {
            let findings = check_document(&a, index, config, options, today);
            emit(summary, sink, render(&findings, &a.source), Counts::of(&findings));
        }
        Err(e) => summary.failures.push(e),
    }
}

/// Whether an `@allow` or `@allow-file` of the file names MCA016 (whether
/// it is used depends on the whole index).
fn allows_mca016(a: &Analysis) -> bool {
    a.scanned.annotations.iter().any(|c| match &c.annotation {
        Annotation::Allow(x) | Annotation::AllowFile(x) => x.codes.iter().any(|c| c.value == mca016::META.code),
        _ => false,
    })
}

/// Every file's findings, in input order (for `--add-allow`).
pub fn findings(paths: &[PathBuf], config: &Config, options: &Options, today: &str) -> Run<Vec<Finding>> {
    let mut files = Vec::new();
    let render = |f: &[Finding], _: &SourceFile| f.to_vec();
    let summary = check(paths, config, (options, today), &render, &mut |f| files.push(f));
    Run { files, failures: summary.failures }
}

//! The whole pipeline as a library: read → analyse → check, fix, plan or
//! bundle, over a set of inputs (what the command line calls) and over one
//! in-memory document with a repository index (what an editor calls: see
//! [`crate::Analysis`] and [`check_document`]).
//!
//! Files are processed in parallel and results come back in input order.
//! A file's text lives only while its own work runs: whatever is shown of
//! it is rendered then, by the caller's [`Render`].

mod check;
mod fix;
mod onboard;

pub use check::{CheckSummary, check, check_document, findings};
pub use fix::{FileFix, FixMode, FixOutcome, fix};
pub use onboard::{FileAllow, FileAnnotate, add_allow, annotate, survey};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::files::{self, Input};
use crate::source::SourceFile;
use crate::{Analysis, bundle, plan, repo::RepoIndex};
use std::path::PathBuf;

/// How the caller shows a diagnostic of a file (while its text is in
/// memory).
pub type Render<'a> = &'a (dyn Fn(&Diagnostic, &SourceFile) -> String + Sync);

/// Renders each diagnostic in turn.
pub fn render_all(render: Render<'_>, file: &SourceFile, diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| render(d, file)).collect()
}

/// One result per file that could be processed, in input order, and why
/// each other input could not be.
#[derive(Debug)]
pub struct Run<T> {
    pub files: Vec<T>,
    pub failures: Vec<String>,
}

/// Reads and analyses every input in parallel and runs `work` on each.
/// An input that cannot be read, or whose processing fails inside
/// mcaccess, is a failure for that input only.
pub fn for_each_file<T: Send>(
    paths: &[PathBuf],
    config: &Config,
    work: impl Fn(&Input, Analysis) -> T + Sync,
) -> Run<T> {
    let mut files = Vec::new();
    let failures = for_each_file_streamed(paths, config, work, |t| files.push(t));
    Run { files, failures }
}

/// As [`for_each_file`], handing each result to `sink` in input order as
/// its chunk of files is done: at most a chunk of results is held. Returns
/// the failures.
pub fn for_each_file_streamed<T: Send>(
    paths: &[PathBuf],
    config: &Config,
    work: impl Fn(&Input, Analysis) -> T + Sync,
    mut sink: impl FnMut(T),
) -> Vec<String> {
    use rayon::prelude::*;
    let (inputs, errors) = files::collect(paths, &config.exclude);
    let mut failures: Vec<String> = errors;
    let one = |input: &Input| {
        let one = || {
            let decoded = files::read(input, config.legacy_encoding)?;
            Ok(work(input, crate::analyse_decoded(input.display(), decoded, config)))
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(one)).unwrap_or_else(|_| {
            Err(format!(
                "{}: internal error in mcaccess (see above); this file was skipped and left untouched — please report it",
                input.display()
            ))
        })
    };
    let chunk = 256 * rayon::current_num_threads();
    for inputs in inputs.chunks(chunk) {
        let results: Vec<Result<T, String>> = inputs.par_iter().map(one).collect();
        for r in results {
            match r {
                Ok(t) => sink(t),
                Err(e) => failures.push(e),
            }
        }
    }
    failures
}

/// `plan` over inputs: every annotated statement's entry, and the errors
/// of the files that stop it.
pub struct PlanRun {
    pub entries: Vec<plan::PlanEntry>,
    /// The rendered errors.
    pub messages: String,
    /// Some file had errors, or some input could not be read.
    pub failed: bool,
    pub failures: Vec<String>,
}

pub fn plan(paths: &[PathBuf], config: &Config, render: Render<'_>) -> PlanRun {
    let run = for_each_file(paths, config, |_, a| {
        let errors = a.errors();
        (render_all(render, &a.source, &errors), !errors.is_empty(), plan::entries(&a.source, &a.scanned, &a.plans))
    });
    let mut out = PlanRun {
        entries: Vec::new(),
        messages: String::new(),
        failed: !run.failures.is_empty(),
        failures: run.failures,
    };
    for (messages, has_errors, entries) in run.files {
        out.messages.push_str(&messages);
        out.failed |= has_errors;
        out.entries.extend(entries);
    }
    out
}

/// Why no bundle was built.
#[derive(Debug)]
pub enum Refusal {
    /// Some inputs could not be read.
    Unreadable(Vec<String>),
    /// Writes in the repository need more access than their tables'
    /// `@access` grants (MCA016): the rendered findings and their count.
    WritesLackAccess(String, usize),
    /// Errors in the files or the policies: rendered, and their count.
    Errors(String, usize),
}

/// `bundle` over inputs: the bundle, or why there is none.
pub fn bundle(paths: &[PathBuf], config: &Config, render: Render<'_>) -> Result<bundle::Bundle, Refusal> {
    // Per file: its part of the bundle, its annotated tables, and the
    // findings of its writes (checked once the whole index is known).
    let run = for_each_file(paths, config, |_, a| {
        let writes =
            a.scanned.statements.iter().any(|s| !s.writes.is_empty() || s.kind == crate::scan::StatementKind::Unload);
        (bundle::contribution(&a), RepoIndex::of_file(&a), writes.then_some(a))
    });
    if !run.failures.is_empty() {
        return Err(Refusal::Unreadable(run.failures));
    }
    let mut index = RepoIndex::default();
    let mut parts = Vec::with_capacity(run.files.len());
    let mut writers = Vec::new();
    for (part, tables, writer) in run.files {
        parts.push(part);
        index.merge(tables);
        writers.extend(writer);
    }
    // A policy that breaks the repository's own jobs is never written.
    let (mut lacking, mut n) = (String::new(), 0);
    for a in &writers {
        for d in crate::lint::rules::mca016_write_without_write_access::findings(&a.scanned, &index) {
            lacking.push_str(&render(&d, &a.source));
            n += 1;
        }
    }
    if n > 0 {
        return Err(Refusal::WritesLackAccess(lacking, n));
    }
    bundle::assemble(parts).map_err(|errors| {
        let rendered = errors.iter().map(|e| bundle_error(e, render)).collect();
        Refusal::Errors(rendered, errors.len())
    })
}

fn bundle_error(e: &bundle::BundleError, render: Render<'_>) -> String {
    let d = &e.diagnostic;
    match &e.file {
        Some(file) => render(d, file),
        None => format!("error[{}]: {}\n  help: {}\n", d.code, d.message, d.help.as_deref().unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_internal_failure_on_one_file_fails_that_file_only() {
        let d = tempfile::tempdir().unwrap();
        for name in ["a.sql", "b.sql", "c.sql"] {
            std::fs::write(d.path().join(name), "SELECT 1;").unwrap();
        }
        let config = crate::config::Config::default();
        let run = super::for_each_file(&[d.path().to_path_buf()], &config, |_, a| {
            assert!(!a.source.name.ends_with("b.sql"), "a bug that only b.sql triggers");
            a.source.name.rsplit('/').next().unwrap().to_string()
        });
        assert_eq!(run.files, vec!["a.sql", "c.sql"]);
        assert_eq!(run.failures.len(), 1, "the failure is reported, so the run exits 2");
        assert!(run.failures[0].contains("b.sql: internal error"), "{:?}", run.failures);
    }
}

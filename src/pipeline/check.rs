//! `check` over inputs, streamed in input order, and over one document.
//!
//! Memory is the repository index plus what waits to be written: a file is
//! linted as soon as it is read, its report rendered at once and the file
//! dropped. MCA016 (a write against another file's `@access`) is the one
//! finding that needs the whole index: a file that writes is first linted
//! against its own tables, and read again at the end only when its writes
//! meet an `@access` that lacks something (or it allows MCA016), which is
//! rare; when its own tables already lack something, it is linted at the
//! end only. Its report, and every report after it, waits in order in a
//! [`Spool`]: 1 MiB in memory, the rest in an anonymous temporary file.
//! What stays in memory across files is the index, the inputs' paths, and
//! the writes of files that write.

use super::Run;
use super::spool::{self, Spool};
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
    check_document_planned(a, &a.fixes(), repo, config, options, today)
}

/// As [`check_document`], given the document's fix plan (`a.fixes()`),
/// for a caller that needs the plan too.
pub fn check_document_planned(
    a: &Analysis,
    fixes: &crate::fix::FilePlan,
    repo: &RepoIndex,
    config: &Config,
    options: &Options,
    today: &str,
) -> Vec<Finding> {
    let ctx = FileContext { analysis: a, fixes, config, repo, today };
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

/// A file's errors, warnings and fixable findings (spooled beside its
/// report).
#[derive(Debug, Default, Clone, Copy)]
struct Counts([u32; 3]);

impl Counts {
    fn of(findings: &[Finding]) -> Counts {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
        let fixable = findings.iter().filter(|f| f.fixable).count();
        Counts([count(errors), count(findings.len() - errors), count(fixable)])
    }
}

/// What linting a file leaves: its report, and for a file that writes,
/// what it needs once the whole index is known.
struct Linted {
    report: String,
    counts: Counts,
    writes: Option<Box<Writes>>,
}

struct Writes {
    writes: Box<[Write]>,
    /// Linted again at the end whatever the whole index holds: its own
    /// tables already lack what its writes need, or it allows MCA016 (whose
    /// use depends on the whole index). Such a file's first report is empty.
    recheck: bool,
    /// The file itself, for stdin only (it cannot be read again).
    kept: Option<Box<Analysis>>,
}

impl Writes {
    /// Copied on this thread, as [`RepoIndex::merge`] copies the index.
    fn copied(self) -> Box<Writes> {
        let Writes { writes, recheck, kept } = self;
        Box::new(Writes { writes: writes.iter().cloned().collect(), recheck, kept })
    }
}

/// What waits its turn beside the spooled reports: how many reports of
/// files that write nothing come next, or a file that writes, with its
/// input (to be read again) and its writes.
enum Waiting {
    Reports(usize),
    Writes(Input, Box<Writes>),
}

/// How a file's findings are shown (while its text is in memory).
pub type RenderFile<'a> = &'a (dyn Fn(&[Finding], &SourceFile) -> String + Sync);

/// Lints every input against the whole repository's index and hands each
/// file's rendered report to `sink`, in input order. Reports that wait for
/// the index are held up to a budget, the rest in a temporary file.
pub fn check(
    paths: &[PathBuf],
    config: &Config,
    opts: (&Options, &str),
    render: RenderFile<'_>,
    sink: &mut dyn FnMut(String),
) -> CheckSummary {
    check_spooled(paths, config, opts, render, sink, spool::BUDGET)
}

fn check_spooled(
    paths: &[PathBuf],
    config: &Config,
    (options, today): (&Options, &str),
    render: RenderFile<'_>,
    sink: &mut dyn FnMut(String),
    budget: usize,
) -> CheckSummary {
    let lint = |input: &Input, a: Analysis| {
        let own = RepoIndex::of_file(&a);
        let writes: Box<[Write]> = a.scanned.statements.iter().flat_map(|s| s.writes.iter().cloned()).collect();
        let recheck = !writes.is_empty() && (writes.iter().any(|w| !own.missing(w).is_empty()) || allows_mca016(&a));
        // A file linted again at the end in any case is not linted now:
        // its report would be thrown away (40,000 writes that lack access
        // in one file: 57 MB read back from the spool only to be dropped).
        // Standard input cannot be read again: a file that writes is kept.
        let keep = *input == Input::Stdin && !writes.is_empty();
        let (report, counts, kept) = if recheck {
            (String::new(), Counts::default(), keep.then(|| Box::new(a)))
        } else {
            let findings = check_document(&a, &own, config, options, today);
            rendered(a, &findings, render, keep)
        };
        let writes = (!writes.is_empty()).then(|| Box::new(Writes { writes, recheck, kept }));
        (own, Linted { report, counts, writes })
    };
    let mut index = RepoIndex::default();
    let (mut waiting, mut spool) = (VecDeque::new(), Spool::new(budget));
    let mut summary = CheckSummary::default();
    summary.failures = super::for_each_file_streamed(paths, config, lint, |input, (own, linted)| {
        index.merge(own);
        summary.files += 1;
        let Linted { report, counts, writes } = linted;
        if waiting.is_empty() && writes.is_none() {
            return emit(&mut summary, sink, report, counts);
        }
        spool.push(report, counts.0);
        match (writes, waiting.back_mut()) {
            (Some(w), _) => waiting.push_back(Waiting::Writes(input.clone(), (*w).copied())),
            (None, Some(Waiting::Reports(n))) => *n += 1,
            (None, _) => waiting.push_back(Waiting::Reports(1)),
        }
    });
    for w in waiting {
        match w {
            Waiting::Reports(n) => (0..n).for_each(|_| {
                let popped = spool.pop().map(|(report, counts)| (report, Counts(counts)));
                deliver(&mut summary, sink, popped.map_err(unspooled));
            }),
            Waiting::Writes(input, w) => {
                let done = finish((&input, w), &index, config, (options, today), render, &mut spool);
                deliver(&mut summary, sink, done);
            }
        }
    }
    summary
}

fn deliver(summary: &mut CheckSummary, sink: &mut dyn FnMut(String), done: Result<(String, Counts), String>) {
    match done {
        Ok((report, counts)) => emit(summary, sink, report, counts),
        Err(e) => summary.failures.push(e),
    }
}

fn unspooled(e: std::io::Error) -> String {
    format!("a file's report waited in a temporary file and could not be read back ({e}); run check again")
}

fn emit(summary: &mut CheckSummary, sink: &mut dyn FnMut(String), report: String, counts: Counts) {
    let [errors, warnings, fixable] = counts.0.map(|n| n as usize);
    summary.errors += errors;
    summary.warnings += warnings;
    summary.fixable += fixable;
    sink(report);
}

/// A file that writes, once the whole index is known: its first report if
/// no write meets an `@access` that lacks something, else linted again.
fn finish(
    (input, w): (&Input, Box<Writes>),
    index: &RepoIndex,
    config: &Config,
    (options, today): (&Options, &str),
    render: RenderFile<'_>,
    spool: &mut Spool,
) -> Result<(String, Counts), String> {
    // Popped in every case: the spool is read in order.
    let first = spool.pop().map_err(unspooled);
    if !w.recheck && w.writes.iter().all(|w| index.missing(w).is_empty()) {
        return first.map(|(report, counts)| (report, Counts(counts)));
    }
    let a = match w.kept {
        Some(a) => *a,
        None => crate::files::read(input, config.legacy_encoding)
            .map(|decoded| crate::analyse_decoded(input.display(), decoded, config))?,
    };
    let findings = check_document(&a, index, config, options, today);
    let (report, counts, _) = rendered(a, &findings, render, false);
    Ok((report, counts))
}

/// A file's report and its counts, and the file back when `keep` asks for
/// it. The report needs only the file's text: otherwise its statements and
/// plans are let go before it is rendered (held with its findings and its
/// report, a file of 40,000 external writes, 7.6 MB, peaked at 309 MB for
/// the human report; now 258 MB, the peak being while it is linted).
fn rendered(
    a: Analysis,
    findings: &[Finding],
    render: RenderFile<'_>,
    keep: bool,
) -> (String, Counts, Option<Box<Analysis>>) {
    let counts = Counts::of(findings);
    if keep {
        return (render(findings, &a.source), counts, Some(Box::new(a)));
    }
    drop((a.scanned, a.plans));
    (render(findings, &a.source), counts, None)
}

/// Whether an `@allow` or `@allow-file` of the file names MCA016 (whether
/// it is used depends on the whole index).
fn allows_mca016(a: &Analysis) -> bool {
    a.scanned.annotations.iter().any(|c| match &c.annotation {
        Annotation::Allow(x) | Annotation::AllowFile(x) => x.codes.iter().any(|c| c.value == mca016::META.code),
        _ => false,
    })
}

/// Every file's findings, in input order (for `--add-allow`): the files
/// are read twice, once for the repository's index, then to be linted.
pub fn findings(paths: &[PathBuf], config: &Config, options: &Options, today: &str) -> Run<Vec<Finding>> {
    let mut index = RepoIndex::default();
    super::for_each_file_streamed(paths, config, |_, a| RepoIndex::of_file(&a), |_, own| index.merge(own));
    super::for_each_file(paths, config, |_, a| check_document(&a, &index, config, options, today))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DDL: &str = "-- @access oss owner=1234567890123456\nCREATE EXTERNAL TABLE {t} (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/{t}/';\n";

    /// A repository whose first file writes, so every report after it
    /// waits for the index; the write's table is annotated last.
    fn repo() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a_job.sql"), "INSERT OVERWRITE TABLE ads_export SELECT 1;\n").unwrap();
        for i in 0..20 {
            let text = DDL.replace("{t}", &format!("t{i}")) + "-- @acess oss\nSELECT 1;\n";
            std::fs::write(d.path().join(format!("b{i:02}.sql")), text).unwrap();
        }
        std::fs::write(d.path().join("c_job.sql"), "INSERT INTO t3 SELECT 1;\n").unwrap();
        std::fs::write(d.path().join("z_ddl.sql"), DDL.replace("{t}", "ads_export")).unwrap();
        d
    }

    /// A report is the same whether the file is kept for later or its
    /// statements are let go first; only a kept file comes back, whole.
    #[test]
    fn a_file_is_given_back_only_when_kept() {
        let config = Config::default();
        let text = DDL.replace("{t}", "t1") + "INSERT INTO t1 SELECT 1;\n";
        let a = crate::analyse(SourceFile::new("w.sql", text), &config);
        let findings = check_document(&a, &RepoIndex::of_file(&a), &config, &Options::default(), "2026-12-07");
        assert!(!findings.is_empty());
        let render = |found: &[Finding], f: &SourceFile| format!("{} {}", f.name, found.len());
        let (kept_report, kept_counts, kept) = rendered(a.clone(), &findings, &render, true);
        let (report, counts, none) = rendered(a.clone(), &findings, &render, false);
        assert_eq!(report, format!("w.sql {}", findings.len()));
        assert_eq!((kept_report, kept_counts.0), (report, counts.0));
        assert!(none.is_none());
        assert_eq!(kept.map(|k| k.scanned.statements.len()), Some(a.scanned.statements.len()));
    }

    fn run(dir: &std::path::Path, budget: usize) -> (Vec<String>, CheckSummary) {
        let render = |found: &[Finding], f: &SourceFile| -> String {
            found.iter().map(|x| format!("{} {}:{} {}\n", f.name, x.line, x.code, x.message)).collect()
        };
        let mut out = Vec::new();
        let options = (&Options::default(), "2026-12-05");
        let summary =
            check_spooled(&[dir.to_path_buf()], &Config::default(), options, &render, &mut |r| out.push(r), budget);
        (out, summary)
    }

    #[test]
    fn reports_that_wait_on_disk_come_out_as_those_held_in_memory() {
        let d = repo();
        let (held, a) = run(d.path(), usize::MAX / 2);
        let (spooled, b) = run(d.path(), 0);
        assert_eq!(held.len(), 23, "one report per file, in input order");
        assert_eq!(held, spooled);
        assert!(held[0].contains("MCA016"), "the write meets the last file's @access: {}", held[0]);
        assert!(held[21].contains("MCA016"), "and so does the one to t3: {}", held[21]);
        assert!(held[5].contains("MCA023"), "{}", held[5]);
        assert_eq!((a.files, a.errors, a.warnings, a.fixable), (b.files, b.errors, b.warnings, b.fixable));
        assert!(a.failures.is_empty() && b.failures.is_empty());
    }

    /// A file whose own `@access` already lacks what its write needs is
    /// linted once, at the end: its report is the whole one, in its place,
    /// and counted.
    #[test]
    fn a_file_whose_own_tables_lack_is_reported_in_its_place() {
        let d = repo();
        let own =
            DDL.replace("{t}", "s").replace("@access oss", "@access oss access=read") + "INSERT INTO s SELECT 1;\n";
        std::fs::write(d.path().join("b05_self.sql"), &own).unwrap();
        for budget in [usize::MAX / 2, 0] {
            let (reports, summary) = run(d.path(), budget);
            assert_eq!(reports.len(), 24);
            let mine = &reports[7];
            assert!(mine.starts_with(&format!("{}", d.path().join("b05_self.sql").display())), "{mine}");
            assert!(mine.contains("MCA016 INSERT INTO writes to s"), "{mine}");
            assert!(mine.contains("MCA002"), "its other findings too: {mine}");
            let shown: usize = reports.iter().map(|r| r.lines().count()).sum();
            assert!(summary.errors > 0 && summary.errors + summary.warnings == shown, "{summary:?}");
        }
    }
}

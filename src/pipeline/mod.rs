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
mod spool;

pub use check::{CheckSummary, check, check_document, check_document_planned, findings};
pub use fix::{FileFix, FixMode, FixOutcome, fix};
pub use onboard::{FileAllow, FileAnnotate, InitReport, add_allow, annotate, init, survey};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::files::{self, Input};
use crate::source::SourceFile;
use crate::{Analysis, bundle, plan, repo::RepoIndex};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

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
    let failures = for_each_file_streamed(paths, config, work, |_, t| files.push(t));
    Run { files, failures }
}

/// As [`for_each_file`], handing each input and its result to `sink` in
/// input order as its batch of files is done: at most `IN_FLIGHT` batches
/// of results are held. Returns the failures: the walk's, then the files'.
///
/// The walk and the sink run on this thread while the pool works: each
/// batch of files the walk finds is handed to the pool at once, and the
/// batches done are handed to `sink` in order while later ones are read
/// (on 2,000 files, waiting for the whole walk, and leaving the pool idle
/// while the sink ran, was a fifth of `check`). At most `IN_FLIGHT`
/// batches are out at once, and they are worked on oldest first (FIFO):
/// the oldest is the one the sink waits for. Newest first, this thread took
/// the batches it had just found while the others finished the old ones,
/// and then the others had no work the sink could take.
pub fn for_each_file_streamed<T: Send>(
    paths: &[PathBuf],
    config: &Config,
    work: impl Fn(&Input, Analysis) -> T + Sync,
    mut sink: impl FnMut(&Input, T),
) -> Vec<String> {
    let (done, arrivals) = std::sync::mpsc::channel();
    let mut queue = InOrder { arrivals, arrived: BTreeMap::new(), next: 0, failures: Vec::new() };
    let mut walk_errors = Vec::new();
    rayon::in_place_scope_fifo(|scope| {
        let mut spawned = 0;
        walk_errors = files::walk(paths, &config.exclude, |batch| {
            let (done, work) = (done.clone(), &work);
            scope.spawn_fifo(move |_| {
                let run = std::panic::AssertUnwindSafe(|| run_batch(&batch, config, work));
                // Sent whatever happens: the sink waits for every batch.
                let results = std::panic::catch_unwind(run)
                    .unwrap_or_else(|_| batch.iter().map(|input| Err(internal_error(input))).collect());
                let _ = done.send((spawned, results, batch));
            });
            spawned += 1;
            while spawned - queue.next > IN_FLIGHT || queue.ready() {
                queue.deliver_next(&mut sink);
            }
        });
        while queue.next < spawned {
            queue.deliver_next(&mut sink);
        }
    });
    walk_errors.extend(queue.failures);
    walk_errors
}

/// How many batches of files may be in the pool's hands at once.
const IN_FLIGHT: usize = 8;

/// Batches done by the pool, in whatever order they finish, handed on in
/// the order they were walked.
struct InOrder<T> {
    arrivals: Receiver<Batch<T>>,
    arrived: BTreeMap<usize, Done<T>>,
    next: usize,
    failures: Vec<String>,
}

/// A batch's number in walk order, its results, and its inputs.
type Batch<T> = (usize, Vec<Result<T, String>>, Vec<Input>);

/// A batch's results, and its inputs.
type Done<T> = (Vec<Result<T, String>>, Vec<Input>);

impl<T> InOrder<T> {
    /// Whether the next batch in order is done (without waiting).
    fn ready(&mut self) -> bool {
        while let Ok(batch) = self.arrivals.try_recv() {
            self.arrive(batch);
        }
        self.arrived.contains_key(&self.next)
    }

    /// Keeps a batch that is done until its turn.
    fn arrive(&mut self, (i, results, inputs): Batch<T>) {
        self.arrived.insert(i, (results, inputs));
    }

    /// Waits for the next batch in order and hands its results to `sink`.
    /// On a thread of the pool, it works on files while it waits.
    fn deliver_next(&mut self, sink: &mut impl FnMut(&Input, T)) {
        let (results, inputs) = loop {
            if self.ready() {
                break self.arrived.remove(&self.next).expect("ready");
            }
            // Every batch is sent: its files' panics are caught.
            let arrival = match rayon::yield_now() {
                Some(rayon::Yield::Executed) => continue,
                // Nothing to take yet: the other threads may split more off.
                Some(rayon::Yield::Idle) => match self.arrivals.recv_timeout(Duration::from_micros(50)) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    arrival => arrival.ok(),
                },
                None => self.arrivals.recv().ok(),
            };
            self.arrive(arrival.expect("a spawned batch reports back"));
        };
        self.next += 1;
        for (input, r) in inputs.iter().zip(results) {
            match r {
                Ok(t) => sink(input, t),
                Err(e) => self.failures.push(e),
            }
        }
    }
}

/// Reads and analyses `inputs` in parallel: a result for each, in order.
/// A file that cannot be read, or whose processing fails inside mcaccess,
/// is an error for that file only.
fn run_batch<T: Send>(
    inputs: &[Input],
    config: &Config,
    work: &(impl Fn(&Input, Analysis) -> T + Sync),
) -> Vec<Result<T, String>> {
    use rayon::prelude::*;
    let one = |input: &Input| {
        let one = || {
            let decoded = files::read(input, config.legacy_encoding)?;
            Ok(work(input, crate::analyse_decoded(input.display(), decoded, config)))
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(one)).unwrap_or_else(|_| Err(internal_error(input)))
    };
    inputs.par_iter().map(one).collect()
}

fn internal_error(input: &Input) -> String {
    format!(
        "{}: internal error in mcaccess (see above); this file was skipped and left untouched — please report it",
        input.display()
    )
}

/// How `plan`'s entries of one file are shown.
pub type ShowEntries<'a> = &'a (dyn Fn(&[plan::PlanEntry]) -> String + Sync);

/// What `plan` over inputs met on the way.
pub struct PlanRun {
    /// Some file had errors, or some input could not be read.
    pub failed: bool,
    pub failures: Vec<String>,
}

/// `plan` over inputs, streamed: for each file in input order, `sink` gets
/// its rendered errors and its entries as `show` renders them (each
/// rendered while the file is in memory; only a few batches of files are held).
pub fn plan(
    paths: &[PathBuf],
    config: &Config,
    render: Render<'_>,
    show: ShowEntries<'_>,
    sink: &mut dyn FnMut(&str, &str),
) -> PlanRun {
    let mut failed = false;
    let failures = for_each_file_streamed(
        paths,
        config,
        |_, a| {
            let errors = a.errors();
            (
                render_all(render, &a.source, &errors),
                !errors.is_empty(),
                show(&plan::entries(&a.source, &a.scanned, &a.plans)),
            )
        },
        |_, (messages, has_errors, shown)| {
            failed |= has_errors;
            sink(&messages, &shown);
        },
    );
    PlanRun { failed: failed || !failures.is_empty(), failures }
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
    // Per file: its part of the bundle (folded in as files are done), its
    // annotated tables, and the findings of its writes (checked once the
    // whole index is known).
    let mut index = RepoIndex::default();
    let mut assembler = bundle::Assembler::default();
    let mut writers = Vec::new();
    let (mut shown, mut errors) = (String::new(), 0);
    let work = |input: &Input, mut a: Analysis| {
        // The file's errors are rendered now, while its text is here.
        let mut part = bundle::contribution(&mut a);
        let errors = part.take_errors();
        let shown: String = errors.iter().map(|e| bundle_error(e, render)).collect();
        ((part, shown, errors.len()), RepoIndex::of_file(&a), Writer::of(input, a))
    };
    let failures =
        for_each_file_streamed(paths, config, work, |_, ((part, part_shown, part_errors), tables, writer)| {
            assembler.add(part);
            shown.push_str(&part_shown);
            errors += part_errors;
            index.merge(tables);
            writers.extend(writer);
        });
    if !failures.is_empty() {
        return Err(Refusal::Unreadable(failures));
    }
    // A policy that breaks the repository's own jobs is never written.
    let (mut lacking, mut n) = (String::new(), 0);
    for w in writers.into_iter().filter(|w| w.may_lack(&index)) {
        let a = w.analysis(config).map_err(|e| Refusal::Unreadable(vec![e]))?;
        for d in crate::lint::rules::mca016_write_without_write_access::findings(&a.scanned, &index) {
            lacking.push_str(&render(&d, &a.source));
            n += 1;
        }
    }
    if n > 0 {
        return Err(Refusal::WritesLackAccess(lacking, n));
    }
    match assembler.finish() {
        Ok(b) if errors == 0 => Ok(b),
        Ok(_) => Err(Refusal::Errors(shown, errors)),
        Err(more) => {
            shown.extend(more.iter().map(|e| bundle_error(e, render)));
            Err(Refusal::Errors(shown, errors + more.len()))
        }
    }
}

/// A file that writes tables or unloads, as `bundle` keeps it until the
/// whole index is known: its writes, and whether an UNLOAD lacks write
/// (the file itself only for stdin, which cannot be read again).
struct Writer {
    input: Input,
    writes: Vec<crate::scan::Write>,
    unload_lacks: bool,
    kept: Option<Box<Analysis>>,
}

impl Writer {
    fn of(input: &Input, a: Analysis) -> Option<Writer> {
        let writes: Vec<_> = a.scanned.statements.iter().flat_map(|s| s.writes.iter().cloned()).collect();
        let unloads = a.scanned.statements.iter().any(|s| s.kind == crate::scan::StatementKind::Unload);
        if writes.is_empty() && !unloads {
            return None;
        }
        let none = RepoIndex::default();
        let unload_lacks =
            !crate::lint::rules::mca016_write_without_write_access::findings(&a.scanned, &none).is_empty();
        let kept = (*input == Input::Stdin).then(|| Box::new(a));
        Some(Writer { input: input.clone(), writes, unload_lacks, kept })
    }

    /// Whether a write (or an UNLOAD) may need more than its `@access`
    /// grants.
    fn may_lack(&self, index: &RepoIndex) -> bool {
        self.unload_lacks || self.writes.iter().any(|w| !index.missing(w).is_empty())
    }

    /// The file again, to report its findings.
    fn analysis(self, config: &Config) -> Result<Analysis, String> {
        match self.kept {
            Some(a) => Ok(*a),
            None => {
                let decoded = files::read(&self.input, config.legacy_encoding)?;
                Ok(crate::analyse_decoded(self.input.display(), decoded, config))
            }
        }
    }
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

    /// 700 files in 11 batches, the early ones slowest (so batches finish
    /// out of order), two failing: the sink still gets the others in walk
    /// order, the failures come in order after the walk's, and no more
    /// than `IN_FLIGHT` batches were out at once.
    fn streamed_in_walk_order() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let d = tempfile::tempdir().unwrap();
        for i in 0..700 {
            let name = d.path().join(format!("d{}/f{i:03}.sql", i % 3));
            std::fs::create_dir_all(name.parent().unwrap()).unwrap();
            std::fs::write(&name, format!("-- {i}\nSELECT 1;")).unwrap();
        }
        let paths = [d.path().to_path_buf(), d.path().join("missing")];
        let (expected, _) = crate::files::collect(&paths, &Default::default());
        let failing = |i: &crate::files::Input| i.display().ends_with("f000.sql") || i.display().ends_with("f698.sql");
        let (done, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let config = crate::config::Config::default();
        let mut seen = Vec::new();
        let failures = super::for_each_file_streamed(
            &paths,
            &config,
            |input, _| {
                // Counted once past the failure: a failed file never reaches
                // the sink, and counted it read as one more in flight.
                assert!(!failing(input), "a bug that only this file triggers");
                let n = done.fetch_add(1, Ordering::SeqCst);
                if n < 64 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                input.clone()
            },
            |input, t| {
                assert_eq!(input, &t);
                most.fetch_max(done.load(Ordering::SeqCst) - seen.len(), Ordering::SeqCst);
                seen.push(t);
            },
        );
        assert_eq!(seen, expected.iter().filter(|i| !failing(i)).cloned().collect::<Vec<_>>());
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(failures[0].contains("missing"), "the walk's errors first: {failures:?}");
        assert!(failures[1].contains("f000.sql") && failures[2].contains("f698.sql"), "{failures:?}");
        assert!(most.load(Ordering::SeqCst) <= (super::IN_FLIGHT + 1) * crate::files::BATCH, "{most:?}");
    }

    #[test]
    fn results_come_in_walk_order_on_any_thread() {
        streamed_in_walk_order();
    }

    /// On a pool of one thread, which walks too, batches are worked on in
    /// the order they were found: the oldest batch is the one the sink
    /// waits for. (Taken newest first, the other thread of two finished the
    /// oldest ones, ran out of work while this one still ran the newest,
    /// and sat idle for up to a sixth of `check` on 2,000 files.)
    #[test]
    fn batches_are_worked_on_in_walk_order() {
        let d = tempfile::tempdir().unwrap();
        let n = (super::IN_FLIGHT + 3) * crate::files::BATCH;
        for i in 0..n {
            std::fs::write(d.path().join(format!("f{i:04}.sql")), "SELECT 1;").unwrap();
        }
        let config = crate::config::Config::default();
        let number = |input: &crate::files::Input| input.display()[input.display().len() - 8..][..4].parse().unwrap();
        let started = std::sync::Mutex::new(Vec::<usize>::new());
        let order = std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build().unwrap();
            assert_eq!(pool.current_thread_index(), Some(0));
            let paths = [d.path().to_path_buf()];
            super::for_each_file(&paths, &config, |input, _| started.lock().unwrap().push(number(input)));
            started.into_inner().unwrap()
        })
        .join()
        .unwrap();
        let firsts: Vec<usize> = order.chunks(crate::files::BATCH).map(|b| b[0]).collect();
        assert_eq!(order, (0..n).collect::<Vec<_>>(), "the batches began at {firsts:?}");
    }

    #[test]
    fn results_come_in_walk_order_on_a_thread_of_the_pool() {
        // As the command line runs: this thread is one of the pool's.
        std::thread::spawn(|| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).use_current_thread().build().unwrap();
            assert_eq!(pool.current_thread_index(), Some(0));
            streamed_in_walk_order();
        })
        .join()
        .unwrap();
    }
}

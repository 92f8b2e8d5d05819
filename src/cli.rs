//! The command line: parse flags, call the library, print, map results to
//! exit codes (0 ok, 1 `--check`/`--diff` found changes, 2 error).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::files::{self, Input};
use crate::report::{self, Style};
use crate::scan::StatementKind;
use crate::source::SourceFile;
use crate::{Analysis, fix, plan};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "mcaccess",
    version,
    about = "Role ARNs and least-privilege RAM policies for MaxCompute external tables, from `-- @access` annotations in your SQL.",
    after_help = "Annotations (one line comment above the statement):\n  -- @access <source> [<mode>] [key=value]...   source: oss, tablestore|ots, hologres|holo, dlf|dlf+oss, paimon-dlf\n                                                mode: same-account (default), cross-account, service-linked, dual-signature\n                                                keys: uid owner role access region entity idp scope bucket\n  -- @maxcompute owner=<uid> [region=<region>]  applies to the rest of the file\n  -- @allow <CODE>[,<CODE>]... [reason=...] [until=YYYY-MM-DD]"
)]
pub struct Cli {
    /// Use this mcaccess.toml instead of searching upwards from the current directory.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Set odps.properties.rolearn in every annotated statement, changing no other byte.
    Fix(FixArgs),
    /// Lint the DDL and its annotations.
    Check(CheckArgs),
    /// Write the policy bundle: trust and permission policies, manifest, Terraform, aliyun CLI, SETUP.md.
    Bundle(BundleArgs),
    /// Show the resolved role, trust and permissions of every annotated statement.
    Plan(PlanArgs),
    /// List the lint rules, or print one rule's documentation.
    Rule(RuleArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Graphical reports (colour on a terminal unless NO_COLOR is set).
    Human,
    /// An array of findings.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Files or directories (*.sql, recursively, .gitignore honoured); `-` reads stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: CheckFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Ignore every -- @allow and [lint] allow (for audits).
    #[arg(long)]
    no_allow: bool,
}

#[derive(Debug, clap::Args)]
struct BundleArgs {
    /// Files or directories (*.sql, recursively, .gitignore honoured); `-` reads stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The directory to write the bundle to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write nothing; exit 1 and list the differences if DIR is not what would be written.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, clap::Args)]
struct RuleArgs {
    /// A rule code (MCA007) or name (broad-default-role); all rules when omitted.
    code: Option<String>,
}

#[derive(Debug, clap::Args)]
struct FixArgs {
    /// Files or directories (*.sql, recursively, .gitignore honoured); `-` reads stdin and writes stdout.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if any would.
    #[arg(long, conflicts_with = "diff")]
    check: bool,
    /// Write nothing; print a unified diff and exit 1 if anything would change.
    #[arg(long)]
    diff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// Files or directories (*.sql, recursively); `-` reads stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: PlanFormat,
}

/// Exit statuses.
const OK: u8 = 0;
const CHANGES: u8 = 1;
const ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    std::panic::set_hook(Box::new(|info| eprintln!("error: internal error in mcaccess: {info}")));
    let style = Style::for_stderr();
    let config = match load_config(cli.config.as_ref()) {
        Ok(c) => c,
        Err(msg) => {
            eprint!("{msg}");
            return ExitCode::from(ERROR);
        }
    };
    let code = match cli.command {
        Command::Fix(args) => run_fix(&args, &config, style),
        Command::Check(args) => run_check(&args, &config),
        Command::Bundle(args) => run_bundle(&args, &config, style),
        Command::Plan(args) => run_plan(&args, &config, style),
        Command::Rule(args) => run_rule(&args),
    };
    ExitCode::from(code)
}

fn load_config(explicit: Option<&PathBuf>) -> Result<Config, String> {
    let path = match explicit {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir().ok().and_then(|d| Config::discover(&d)),
    };
    match path {
        None => Ok(Config::default()),
        Some(p) => Config::load(&p).map_err(|e| report::render_config_error(&e, Style::for_stderr())),
    }
}

/// Reads and analyses every input in parallel and runs `work` on each;
/// results come back in input order, unreadable inputs are reported (in
/// order) and skipped. Each file's text and analysis are dropped as soon as
/// `work` is done with them.
fn for_each_file<T: Send>(
    paths: &[PathBuf],
    config: &Config,
    failed: &mut bool,
    work: impl Fn(&Input, Analysis) -> T + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let (inputs, errors) = files::collect(paths);
    for e in errors {
        eprintln!("error: {e}");
        *failed = true;
    }
    let results: Vec<Result<T, String>> = inputs
        .par_iter()
        .map(|input| {
            // An internal failure on one file is an error for that file;
            // the others are still processed and the summary printed.
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
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(t) => out.push(t),
            Err(e) => {
                eprintln!("error: {e}");
                *failed = true;
            }
        }
    }
    out
}

fn render_all(file: &SourceFile, diagnostics: &[Diagnostic], style: Style) -> String {
    diagnostics.iter().map(|d| report::render(d, file, style)).collect()
}

/// What `fix` did with one file.
enum FixOutcome {
    Unchanged,
    Changed,
    Failed,
}

/// `fix` on one analysed file: (stderr text, stdout bytes, outcome).
fn fix_file(
    args: &FixArgs,
    config: &Config,
    style: Style,
    input: &Input,
    analysis: Analysis,
) -> (String, Vec<u8>, FixOutcome) {
    let file = &analysis.source;
    let warnings: Vec<Diagnostic> = analysis.scanned.diagnostics.iter().filter(|d| !d.is_error()).cloned().collect();
    let mut err = render_all(file, &warnings, style);
    let fp = analysis.fixes();
    if !fp.errors.is_empty() {
        err.push_str(&render_all(file, &fp.errors, style));
        let n = fp.errors.len();
        err.push_str(&format!("error: {}: not changed ({n} error{})\n", file.name, if n == 1 { "" } else { "s" }));
        return (err, Vec::new(), FixOutcome::Failed);
    }
    let edits = fp.edits();
    // What is written (a file, or stdout) is verified first; --check and
    // --diff write nothing.
    let verified = if args.check || args.diff {
        Ok(fix::apply(&file.text, &edits))
    } else {
        crate::apply_verified(&analysis, &edits, config)
    };
    let fail = |err: String, e: &str| (err + &format!("error: {e}\n"), Vec::new(), FixOutcome::Failed);
    let new = match verified {
        Ok(new) => new,
        Err(e) => return fail(err, &e),
    };
    // Written in the file's own encoding (GBK stays GBK); UTF-8 is not copied.
    let Some(bytes) = file.encoding.encode(&new) else {
        let e = format!("{}: the new text cannot be written in the file's encoding; left untouched", file.name);
        return fail(err, &e);
    };
    let outcome = if edits.is_empty() { FixOutcome::Unchanged } else { FixOutcome::Changed };
    let out = if *input == Input::Stdin && !args.check && !args.diff {
        bytes.into_owned()
    } else if edits.is_empty() {
        Vec::new()
    } else if args.diff {
        masked_diff(file, &edits).into_bytes()
    } else if args.check {
        format!("would fix: {}\n", file.name).into_bytes()
    } else {
        if let Input::File(path) = input
            && let Err(e) = files::write_atomic(path, &bytes)
        {
            return fail(err, &e);
        }
        Vec::new()
    };
    (err, out, outcome)
}

/// A unified diff of `edits` with the file's secrets masked (masking keeps
/// every length, so the edits apply to the masked text unchanged).
fn masked_diff(file: &SourceFile, edits: &[fix::Edit]) -> String {
    let name = file.name.as_str();
    let old = file.secrets.mask_text(&file.text);
    let new = fix::apply(&old, edits);
    let diff = similar::TextDiff::from_lines(old.as_ref(), &new);
    let mut text = diff.unified_diff().context_radius(3).header(&format!("a/{name}"), &format!("b/{name}")).to_string();
    if !new.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn run_fix(args: &FixArgs, config: &Config, style: Style) -> u8 {
    let mut failed = false;
    let results = for_each_file(&args.paths, config, &mut failed, |input, a| fix_file(args, config, style, input, a));
    let (mut changed, mut unchanged, mut with_errors) = (0usize, 0usize, 0usize);
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    for (err, out, outcome) in results {
        let _ = stderr.write_all(err.as_bytes());
        let _ = stdout.write_all(&out);
        match outcome {
            FixOutcome::Unchanged => unchanged += 1,
            FixOutcome::Changed => changed += 1,
            FixOutcome::Failed => {
                with_errors += 1;
                failed = true;
            }
        }
    }
    let verb = if args.check || args.diff { "would be fixed" } else { "fixed" };
    let _ = writeln!(
        stderr,
        "mcaccess fix: {changed} file{} {verb}, {unchanged} unchanged{}",
        if changed == 1 { "" } else { "s" },
        if with_errors > 0 { format!(", {with_errors} with errors (left untouched)") } else { String::new() }
    );
    if failed {
        ERROR
    } else if (args.check || args.diff) && changed > 0 {
        CHANGES
    } else {
        OK
    }
}

fn run_check(args: &CheckArgs, config: &Config) -> u8 {
    use crate::lint::{FileContext, Finding, Options, RepoIndex, lint_file};
    use rayon::prelude::*;
    use std::io::IsTerminal;
    let today = crate::lint::today();
    let options = Options { no_allow: args.no_allow };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let style = Style { color: std::io::stdout().is_terminal() && !no_color, width: 100 };
    let human = args.format == CheckFormat::Human;
    // Findings (and the human rendering) of one file.
    let finish = |a: &Analysis, repo: &RepoIndex| -> (Vec<Finding>, String) {
        let fixes = a.fixes();
        let ctx = FileContext { analysis: a, fixes: &fixes, config, repo, today: &today };
        let findings = lint_file(&ctx, &options);
        let mut text = String::new();
        if human && !findings.is_empty() {
            text = findings.iter().map(|f| report::render(&f.diagnostic, &a.source, style)).collect();
        }
        (findings, text)
    };
    // Phase 1, in parallel: files that write to no table by name are linted
    // at once and dropped; the others wait for the repo's index of annotated
    // tables (MCA016), so only they stay in memory.
    enum Phase1 {
        Done(Vec<Finding>, String),
        Waiting(Box<Analysis>),
    }
    let empty = RepoIndex::default();
    let mut failed = false;
    let mut index = RepoIndex::default();
    let results = for_each_file(&args.paths, config, &mut failed, |_, a| {
        let tables = RepoIndex::of_file(&a);
        let writes = a.scanned.statements.iter().any(|s| !s.writes.is_empty());
        let phase = if writes {
            Phase1::Waiting(Box::new(a))
        } else {
            let (f, t) = finish(&a, &empty);
            Phase1::Done(f, t)
        };
        (tables, phase)
    });
    let mut phases = Vec::with_capacity(results.len());
    for (tables, phase) in results {
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
    let mut all = Vec::new();
    let mut rendered = String::new();
    for (f, t) in done {
        all.extend(f);
        rendered.push_str(&t);
    }
    let errors = all.iter().filter(|f| f.severity == crate::diagnostic::Severity::Error).count();
    let warnings = all.len() - errors;
    let fixable = all.iter().filter(|f| f.fixable).count();
    let mut stdout = std::io::stdout().lock();
    let _ = match args.format {
        CheckFormat::Human => {
            let summary = if failed {
                // Never "passed" when a path could not be read.
                format!(
                    "Found {errors} error{} and {warnings} warning{} in {files} file{}; some paths could not be checked (see the errors above).\n",
                    if errors == 1 { "" } else { "s" },
                    if warnings == 1 { "" } else { "s" },
                    if files == 1 { "" } else { "s" }
                )
            } else if all.is_empty() {
                format!("All checks passed ({files} file{}).\n", if files == 1 { "" } else { "s" })
            } else {
                format!(
                    "Found {errors} error{} and {warnings} warning{}{}.\n",
                    if errors == 1 { "" } else { "s" },
                    if warnings == 1 { "" } else { "s" },
                    if fixable > 0 { format!(" ({fixable} fixable with `mcaccess fix`)") } else { String::new() }
                )
            };
            write!(stdout, "{rendered}{summary}")
        }
        CheckFormat::Json => writeln!(stdout, "{}", crate::output::json(&all)),
        CheckFormat::Sarif => writeln!(stdout, "{}", crate::output::sarif(&all)),
        CheckFormat::Github => write!(stdout, "{}", crate::output::github(&all)),
    };
    if failed {
        ERROR
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        CHANGES
    } else {
        OK
    }
}

fn run_bundle(args: &BundleArgs, config: &Config, style: Style) -> u8 {
    use crate::repo::RepoIndex;
    let mut failed = false;
    // Per file: its part of the bundle, its annotated tables, and (when it
    // writes) the file itself, to check its writes against the whole index.
    let results = for_each_file(&args.paths, config, &mut failed, |_, a| {
        let writes = a.scanned.statements.iter().any(|s| !s.writes.is_empty() || s.kind == StatementKind::Unload);
        (crate::bundle::contribution(&a), RepoIndex::of_file(&a), writes.then_some(a))
    });
    if failed {
        eprintln!("error: the bundle was not written");
        return ERROR;
    }
    let mut index = RepoIndex::default();
    let mut parts = Vec::with_capacity(results.len());
    let mut writers = Vec::new();
    for (part, tables, writer) in results {
        parts.push(part);
        index.merge(tables);
        writers.extend(writer);
    }
    // A policy that breaks the repository's own jobs is never written.
    if writes_lack_access(&writers, &index, style) {
        return ERROR;
    }
    let bundle = match crate::bundle::assemble(parts) {
        Ok(b) => b,
        Err(errors) => {
            for e in &errors {
                match &e.file {
                    Some(file) => eprint!("{}", report::render(&e.diagnostic, file, style)),
                    None => eprintln!(
                        "error[{}]: {}\n  help: {}",
                        e.diagnostic.code,
                        e.diagnostic.message,
                        e.diagnostic.help.as_deref().unwrap_or("")
                    ),
                }
            }
            eprintln!(
                "error: {} problem{} stop the bundle; nothing was written",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return ERROR;
        }
    };
    let files = bundle.files();
    if args.check {
        let differences = crate::bundle::disk::compare(&args.out, &files);
        if differences.is_empty() {
            eprintln!("mcaccess bundle: {} is up to date ({} files)", args.out.display(), files.len());
            return OK;
        }
        let mut stdout = std::io::stdout().lock();
        for d in &differences {
            let _ = writeln!(stdout, "{d}");
        }
        let n = differences.len();
        eprintln!(
            "mcaccess bundle: {} is stale ({n} difference{}); run mcaccess bundle --out {} to update it",
            args.out.display(),
            if n == 1 { "" } else { "s" },
            args.out.display()
        );
        return CHANGES;
    }
    match crate::bundle::disk::write(&args.out, &files) {
        Ok((written, removed)) => {
            eprintln!(
                "mcaccess bundle: {} role{} → {} ({written} file{} written, {removed} removed)",
                bundle.roles.len(),
                if bundle.roles.len() == 1 { "" } else { "s" },
                args.out.display(),
                if written == 1 { "" } else { "s" },
            );
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            ERROR
        }
    }
}

/// Reports every write that needs more than its table's `@access` grants
/// (MCA016, as `check` finds them); whether there was any.
fn writes_lack_access(writers: &[Analysis], index: &crate::repo::RepoIndex, style: Style) -> bool {
    let mut broken = 0;
    for a in writers {
        for d in crate::lint::rules::mca016_write_without_write_access::findings(&a.scanned, index) {
            eprint!("{}", report::render(&d, &a.source, style));
            broken += 1;
        }
    }
    if broken > 0 {
        eprintln!(
            "error: {broken} write{} in the repository need{} more access than {} table's @access grants (MCA016); the bundle was not written",
            if broken == 1 { "" } else { "s" },
            if broken == 1 { "s" } else { "" },
            if broken == 1 { "its" } else { "the" },
        );
    }
    broken > 0
}

fn run_rule(args: &RuleArgs) -> u8 {
    use crate::lint::{RULES, find_rule};
    let mut stdout = std::io::stdout().lock();
    match &args.code {
        None => {
            for r in RULES.iter() {
                let severity = match r.severity {
                    crate::diagnostic::Severity::Error => "error",
                    crate::diagnostic::Severity::Warning => "warning",
                };
                let fixable = if matches!(
                    r.code,
                    crate::diagnostic::Code::MCA002 | crate::diagnostic::Code::MCA003 | crate::diagnostic::Code::MCA020
                ) {
                    "fix"
                } else {
                    ""
                };
                let _ = writeln!(stdout, "{}  {:<32} {:<8} {:<4} {}", r.code, r.name(), severity, fixable, r.summary());
            }
            OK
        }
        Some(key) => match find_rule(key) {
            Some(r) => {
                let _ = writeln!(stdout, "{} {}\n\n{}", r.code, r.name(), r.doc());
                OK
            }
            None => {
                let names: Vec<&str> =
                    RULES.iter().map(|r| r.code.as_str()).chain(RULES.iter().map(|r| r.name())).collect();
                let hint = match crate::model::did_you_mean(key, names) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                eprintln!("error: no rule `{key}`{hint}; `mcaccess rule` lists them");
                ERROR
            }
        },
    }
}

fn run_plan(args: &PlanArgs, config: &Config, style: Style) -> u8 {
    let mut failed = false;
    let results = for_each_file(&args.paths, config, &mut failed, |_, a| {
        let file = &a.source;
        // What plan cannot read it refuses, as bundle does: the file's
        // errors, and each annotated statement's syntax or resolution error.
        let mut errors: Vec<Diagnostic> = a.scanned.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        errors.extend(a.encoding_error());
        for p in &a.plans {
            let stmt = &a.scanned.statements[p.statement];
            errors.extend(stmt.syntax_error.iter().cloned().chain(p.plan.as_ref().err().cloned()));
        }
        (render_all(file, &errors, style), !errors.is_empty(), plan::entries(file, &a.scanned, &a.plans))
    });
    let mut all = Vec::new();
    for (err, has_errors, entries) in results {
        eprint!("{err}");
        failed |= has_errors;
        all.extend(entries);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = match args.format {
        PlanFormat::Human => write!(stdout, "{}", plan::render_human(&all)),
        PlanFormat::Json => writeln!(stdout, "{}", serde_json::to_string_pretty(&all).expect("plan entries serialise")),
    };
    if failed { ERROR } else { OK }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_internal_failure_on_one_file_fails_that_file_only() {
        let d = tempfile::tempdir().unwrap();
        for name in ["a.sql", "b.sql", "c.sql"] {
            std::fs::write(d.path().join(name), "SELECT 1;").unwrap();
        }
        let mut failed = false;
        let config = crate::config::Config::default();
        let done = super::for_each_file(&[d.path().to_path_buf()], &config, &mut failed, |_, a| {
            assert!(!a.source.name.ends_with("b.sql"), "a bug that only b.sql triggers");
            a.source.name.rsplit('/').next().unwrap().to_string()
        });
        assert_eq!(done, vec!["a.sql", "c.sql"]);
        assert!(failed, "the failure is reported, so the run exits 2");
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

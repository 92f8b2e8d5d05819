//! The command line: parse flags, call the library, print, map results to
//! exit codes (0 ok, 1 `--check`/`--diff` found changes, 2 error).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::pipeline::{self, FixMode, FixOutcome};
use crate::plan;
use crate::report::{self, Style};
use crate::source::SourceFile;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// Write mcaccess.toml for the repository here: owner, region and accounts inferred from the SQL.
    Init(InitArgs),
    /// Write an @access line above every external statement that has none, inferred from the DDL and the repo.
    Annotate(FixArgs),
    /// Serve editors: a language server over stdio (diagnostics, quick fixes, hover).
    Server,
    /// Print a shell completion script (source it, or install it where your shell looks).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `mcaccess man > /usr/local/share/man/man1/mcaccess.1`.
    Man,
}

#[derive(Debug, clap::Args)]
struct InitArgs {
    /// The MaxCompute owner account (default: the account most same-account rolearns name).
    #[arg(long, value_name = "UID")]
    owner: Option<String>,
    /// The region (default: the one most LOCATION endpoints name).
    #[arg(long)]
    region: Option<String>,
}

#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    shell: clap_complete::Shell,
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
    /// GitLab Code Quality JSON (`artifacts: reports: codequality:`).
    Gitlab,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Files or directories (*.sql, recursively, .gitignore honoured); `-` reads stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The output format [default: human; github when GITHUB_ACTIONS=true]
    #[arg(long, value_enum)]
    format: Option<CheckFormat>,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Ignore every -- @allow and [lint] allow (for audits).
    #[arg(long)]
    no_allow: bool,
    /// Write an -- @allow above each statement with findings (a baseline), with this reason.
    #[arg(long, value_name = "REASON", num_args = 0..=1, require_equals = true, default_missing_value = "baseline")]
    add_allow: Option<String>,
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
    // Commands about mcaccess itself need no config.
    let command = match cli.command {
        Command::Rule(args) => return ExitCode::from(run_rule(&args)),
        Command::Completions(args) => return ExitCode::from(run_completions(args.shell)),
        Command::Man => return ExitCode::from(run_man()),
        Command::Init(args) => return ExitCode::from(run_init(&args)),
        // The server reads the workspace's own config.
        Command::Server => return ExitCode::from(run_server()),
        command => command,
    };
    // This thread is one of the pool's: it walks the files and hands the
    // results on, and works on files while it waits (a pool of its own
    // beside it left a core idle whenever it did either).
    let _ = rayon::ThreadPoolBuilder::new().use_current_thread().build_global();
    let config = match load_config(cli.config.as_ref()) {
        Ok(c) => c,
        Err(msg) => {
            eprint!("{msg}");
            return ExitCode::from(ERROR);
        }
    };
    let code = match command {
        Command::Fix(args) => run_fix(&args, &config, style),
        Command::Check(args) => run_check(&args, &config),
        Command::Bundle(args) => run_bundle(&args, &config, style),
        Command::Plan(args) => run_plan(&args, &config, style),
        Command::Annotate(args) => run_annotate(&args, &config),
        Command::Rule(_) | Command::Completions(_) | Command::Man | Command::Init(_) | Command::Server => {
            unreachable!("handled above")
        }
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

/// Prints the inputs that could not be read; whether there were any.
fn report_failures(failures: &[String]) -> bool {
    for e in failures {
        eprintln!("error: {e}");
    }
    !failures.is_empty()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn fix_mode(args: &FixArgs) -> FixMode {
    match (args.check, args.diff) {
        (true, _) => FixMode::Check,
        (_, true) => FixMode::Diff,
        _ => FixMode::Write,
    }
}

/// The exit status of `fix` and `annotate`: 2 on any error, 1 when
/// `--check`/`--diff` found files to change.
fn rewrite_status(failed: bool, mode: FixMode, changed: usize) -> u8 {
    if failed {
        ERROR
    } else if mode != FixMode::Write && changed > 0 {
        CHANGES
    } else {
        OK
    }
}

fn run_fix(args: &FixArgs, config: &Config, style: Style) -> u8 {
    let mode = fix_mode(args);
    let render = move |d: &Diagnostic, f: &SourceFile| report::render(d, f, style);
    let run = pipeline::fix(&args.paths, config, mode, &render);
    let mut failed = report_failures(&run.failures);
    let (mut changed, mut unchanged, mut with_errors) = (0usize, 0usize, 0usize);
    let (mut stdout, mut stderr) = (std::io::BufWriter::new(std::io::stdout().lock()), std::io::stderr().lock());
    for file in run.files {
        print_in_order(&mut stdout, &mut stderr, &file.messages, &file.output);
        match file.outcome {
            FixOutcome::Unchanged => unchanged += 1,
            FixOutcome::Changed => changed += 1,
            FixOutcome::Failed => with_errors += 1,
        }
    }
    failed |= with_errors > 0;
    let _ = stdout.flush();
    let verb = if mode == FixMode::Write { "fixed" } else { "would be fixed" };
    let errors = if with_errors > 0 { format!(", {with_errors} with errors (left untouched)") } else { String::new() };
    let _ = writeln!(stderr, "mcaccess fix: {changed} file{} {verb}, {unchanged} unchanged{errors}", plural(changed));
    rewrite_status(failed, mode, changed)
}

/// A file's messages (standard error) and output (standard output), in
/// that order. Standard output is written in blocks, flushed before each
/// message so that on a terminal the two keep their order: a write a file
/// was 1,499 system calls after the last of 2,000 files.
fn print_in_order(stdout: &mut impl Write, stderr: &mut impl Write, messages: &str, output: &[u8]) {
    if !messages.is_empty() {
        let _ = stdout.flush();
        let _ = stderr.write_all(messages.as_bytes());
    }
    let _ = stdout.write_all(output);
}

fn run_annotate(args: &FixArgs, config: &Config) -> u8 {
    let mode = fix_mode(args);
    let run = pipeline::annotate(&args.paths, config, mode);
    let mut failed = report_failures(&run.failures);
    let (mut changed, mut statements, mut skipped) = (0usize, 0usize, Vec::new());
    let (mut stdout, mut stderr) = (std::io::BufWriter::new(std::io::stdout().lock()), std::io::stderr().lock());
    for file in run.files {
        print_in_order(&mut stdout, &mut stderr, &file.fix.messages, &file.fix.output);
        failed |= file.fix.outcome == FixOutcome::Failed;
        changed += usize::from(file.fix.outcome == FixOutcome::Changed);
        statements += if file.fix.outcome == FixOutcome::Failed { 0 } else { file.annotated };
        skipped.extend(file.skipped);
    }
    let _ = stdout.flush();
    for (file, line, why) in &skipped {
        let _ = writeln!(stderr, "not annotated: {file}:{line}: {why}");
    }
    let verb = if mode == FixMode::Write { "annotated" } else { "would be annotated" };
    let _ = writeln!(
        stderr,
        "mcaccess annotate: {statements} statement{} in {changed} file{} {verb}, {} left as {} (see above)",
        plural(statements),
        plural(changed),
        skipped.len(),
        if skipped.len() == 1 { "it was" } else { "they were" }
    );
    rewrite_status(failed, mode, changed)
}

fn run_init(args: &InitArgs) -> u8 {
    let report = match pipeline::init(std::path::Path::new("."), args.owner.as_deref(), args.region.as_deref()) {
        Ok(r) => r,
        Err(errors) => {
            report_failures(&errors);
            return ERROR;
        }
    };
    let path = report.path.strip_prefix(".").unwrap_or(&report.path).display();
    let (statements, files) = (report.statements, report.files);
    let (s, f) = (plural(statements), plural(files));
    eprintln!("mcaccess init: wrote {path} from {statements} external statement{s} in {files} file{f}");
    for (what, inferred) in [("owner", &report.owner), ("region", &report.region)] {
        match inferred {
            Some((value, why)) => eprintln!("  {what:<8} {value}  ({why})"),
            None => eprintln!("  {what:<8} unknown: set it in {path}"),
        }
    }
    let others = report.other_accounts;
    eprintln!("  accounts {others} other account{} under [accounts]", plural(others));
    eprintln!("next: mcaccess annotate --diff, then mcaccess annotate && mcaccess fix");
    OK
}

fn run_check(args: &CheckArgs, config: &Config) -> u8 {
    use crate::output::{Machine, ReportWriter};
    use std::io::IsTerminal;
    let options = crate::lint::Options { no_allow: args.no_allow };
    if let Some(reason) = &args.add_allow {
        return run_add_allow(args, config, &options, reason);
    }
    let format = args.format.unwrap_or_else(|| {
        let actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        if actions { CheckFormat::Github } else { CheckFormat::Human }
    });
    let today = crate::lint::today();
    let stdout = std::io::stdout();
    // The report is written file by file, in input order, as files are done.
    let summary = match format {
        CheckFormat::Human => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let style = Style { color: stdout.is_terminal() && !no_color, width: 100 };
            let render = move |found: &[crate::lint::Finding], f: &SourceFile| -> String {
                found.iter().map(|x| report::render(&x.diagnostic, f, style)).collect()
            };
            // Buffered: stdout alone writes at every line break.
            let mut out = std::io::BufWriter::with_capacity(64 << 10, stdout.lock());
            let summary = pipeline::check(&args.paths, config, (&options, &today), &render, &mut |text| {
                let _ = out.write_all(text.as_bytes());
            });
            let _ = out.flush();
            let failed = report_failures(&summary.failures);
            let _ = out.write_all(check_summary(&summary, failed).as_bytes());
            let _ = out.flush();
            summary
        }
        machine => {
            let machine = match machine {
                CheckFormat::Json => Machine::Json,
                CheckFormat::Sarif => Machine::Sarif,
                CheckFormat::Gitlab => Machine::Gitlab,
                _ => Machine::Github,
            };
            let render = move |found: &[crate::lint::Finding], _: &SourceFile| machine.chunk(found);
            let out = std::io::BufWriter::with_capacity(64 << 10, stdout.lock());
            let mut writer = ReportWriter::new(machine, out).ok();
            let summary = pipeline::check(&args.paths, config, (&options, &today), &render, &mut |chunk| {
                writer = writer.take().and_then(|mut w| w.push(&chunk).ok().map(|_| w));
            });
            let _ = writer.map(ReportWriter::finish);
            report_failures(&summary.failures);
            summary
        }
    };
    if !summary.failures.is_empty() {
        ERROR
    } else if summary.errors > 0 || (args.deny_warnings && summary.warnings > 0) {
        CHANGES
    } else {
        OK
    }
}

fn run_add_allow(args: &CheckArgs, config: &Config, options: &crate::lint::Options, reason: &str) -> u8 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!("error: --add-allow rewrites files; it cannot read stdin");
        return ERROR;
    }
    let run = pipeline::add_allow(&args.paths, config, options, &crate::lint::today(), reason);
    let mut failed = report_failures(&run.failures);
    let (mut allows, mut files, mut left) = (0, 0, Vec::new());
    for file in run.files {
        eprint!("{}", file.fix.messages);
        failed |= file.fix.outcome == FixOutcome::Failed;
        if file.fix.outcome == FixOutcome::Changed {
            (allows, files) = (allows + file.allows, files + 1);
        }
        left.extend(file.left);
    }
    for (file, line, code) in &left {
        eprintln!("not allowed: {file}:{line}: {code} is not about one statement, or fix can fix it");
    }
    eprintln!(
        "mcaccess check --add-allow: {allows} @allow line{} written in {files} file{}",
        plural(allows),
        plural(files)
    );
    if failed { ERROR } else { OK }
}

/// The last line of a human `check`: never "passed" when a path could not
/// be read.
fn check_summary(s: &pipeline::CheckSummary, failed: bool) -> String {
    let (errors, warnings, fixable, n) = (s.errors, s.warnings, s.fixable, s.files);
    let (e, w) = (plural(errors), plural(warnings));
    if failed {
        format!(
            "Found {errors} error{e} and {warnings} warning{w} in {n} file{}; some paths could not be checked (see the errors above).\n",
            plural(n)
        )
    } else if errors + warnings == 0 {
        format!("All checks passed ({n} file{}).\n", plural(n))
    } else {
        let fixable = if fixable > 0 { format!(" ({fixable} fixable with `mcaccess fix`)") } else { String::new() };
        format!("Found {errors} error{e} and {warnings} warning{w}{fixable}.\n")
    }
}

fn run_bundle(args: &BundleArgs, config: &Config, style: Style) -> u8 {
    let render = move |d: &Diagnostic, f: &SourceFile| report::render(d, f, style);
    let bundle = match pipeline::bundle(&args.paths, config, &render) {
        Ok(b) => b,
        Err(refusal) => {
            bundle_refusal(refusal);
            return ERROR;
        }
    };
    if let Err(e) = crate::bundle::disk::usable(&args.out) {
        eprintln!("error: {e}");
        return ERROR;
    }
    let code = match args.check {
        true => check_bundle(&args.out, &bundle),
        false => write_bundle(&args.out, &bundle),
    };
    // Left for the process's exit to free: freed here, the allocator handed
    // their pages back to the kernel a range at a time, after the result
    // was out (0.6 of 24 ms at 2,000 files, 12 of 255 ms at 20,000).
    std::mem::forget(bundle);
    code
}

/// `bundle --check`: how DIR differs from the bundle, if it does.
fn check_bundle(out: &Path, bundle: &crate::bundle::Bundle) -> u8 {
    let (differences, files) = crate::bundle::disk::compare(out, bundle);
    let out = out.display();
    if differences.is_empty() {
        eprintln!("mcaccess bundle: {out} is up to date ({files} files)");
        return OK;
    }
    let mut stdout = std::io::stdout().lock();
    for d in &differences {
        let _ = writeln!(stdout, "{d}");
    }
    let n = differences.len();
    eprintln!(
        "mcaccess bundle: {out} is stale ({n} difference{}); run mcaccess bundle --out {out} to update it",
        plural(n)
    );
    CHANGES
}

/// `bundle`: DIR brought up to date.
fn write_bundle(out: &Path, bundle: &crate::bundle::Bundle) -> u8 {
    let roles = bundle.roles.len();
    match crate::bundle::disk::write(out, bundle) {
        Ok((written, removed)) => {
            let out = out.display();
            eprintln!(
                "mcaccess bundle: {roles} role{} → {out} ({written} file{} written, {removed} removed)",
                plural(roles),
                plural(written)
            );
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            ERROR
        }
    }
}

fn bundle_refusal(refusal: pipeline::Refusal) {
    match refusal {
        pipeline::Refusal::Unreadable(failures) => {
            report_failures(&failures);
            eprintln!("error: the bundle was not written");
        }
        pipeline::Refusal::WritesLackAccess(rendered, n) => {
            eprint!("{rendered}");
            eprintln!(
                "error: {n} write{} in the repository need{} more access than {} table's @access grants ({}); the bundle was not written",
                plural(n),
                if n == 1 { "s" } else { "" },
                if n == 1 { "its" } else { "the" },
                crate::lint::rules::mca016_write_without_write_access::META.code,
            );
        }
        pipeline::Refusal::Errors(rendered, n) => {
            eprint!("{rendered}");
            eprintln!("error: {n} problem{} stop the bundle; nothing was written", plural(n));
        }
    }
}

fn run_rule(args: &RuleArgs) -> u8 {
    use crate::lint::{RULES, find_rule};
    let mut stdout = std::io::stdout().lock();
    let Some(key) = &args.code else {
        for r in RULES.iter() {
            let severity = match r.meta.severity {
                crate::diagnostic::Severity::Error => "error",
                crate::diagnostic::Severity::Warning => "warning",
            };
            let fixable = if r.meta.fixable { "fix" } else { "" };
            let _ = writeln!(stdout, "{}  {:<32} {:<8} {:<4} {}", r.code(), r.name(), severity, fixable, r.summary());
        }
        return OK;
    };
    if let Some(r) = find_rule(key) {
        let _ = writeln!(stdout, "{} {}\n\n{}", r.code(), r.name(), r.doc());
        return OK;
    }
    let names: Vec<&str> = RULES.iter().map(|r| r.code().as_str()).chain(RULES.iter().map(|r| r.name())).collect();
    let hint = match crate::model::did_you_mean(key, names) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    };
    eprintln!("error: no rule `{key}`{hint}; `mcaccess rule` lists them");
    ERROR
}

fn run_server() -> u8 {
    match crate::server::run_stdio() {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: mcaccess server: {e}");
            ERROR
        }
    }
}

fn run_completions(shell: clap_complete::Shell) -> u8 {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "mcaccess", &mut std::io::stdout());
    OK
}

fn run_man() -> u8 {
    use clap::CommandFactory;
    match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            ERROR
        }
    }
}

fn run_plan(args: &PlanArgs, config: &Config, style: Style) -> u8 {
    use crate::output::{Machine, ReportWriter};
    let render = move |d: &Diagnostic, f: &SourceFile| report::render(d, f, style);
    // Entries are written file by file, in input order, as files are done;
    // JSON as one pretty array, to the same bytes as the whole array.
    let human = |entries: &[plan::PlanEntry]| plan::render_human(entries);
    let json = |entries: &[plan::PlanEntry]| crate::output::pretty_items(entries, 2);
    let show: pipeline::ShowEntries<'_> = if args.format == PlanFormat::Json { &json } else { &human };
    let out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let (mut text, mut array) = match args.format {
        PlanFormat::Human => (Some(out), None),
        PlanFormat::Json => (None, ReportWriter::new(Machine::Json, out).ok()),
    };
    let run = pipeline::plan(&args.paths, config, &render, show, &mut |messages, shown| {
        eprint!("{messages}");
        if let Some(out) = &mut text {
            let _ = out.write_all(shown.as_bytes());
        }
        if let Some(out) = &mut array {
            let _ = out.push(shown);
        }
    });
    let _ = text.map(|mut out| out.flush());
    let _ = array.map(ReportWriter::finish);
    report_failures(&run.failures);
    if run.failed { ERROR } else { OK }
}

#[cfg(test)]
mod tests {
    /// One of two streams that write into the same log, as a terminal
    /// shows them.
    struct Stream<'a>(&'a std::cell::RefCell<Vec<u8>>);

    impl std::io::Write for Stream<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn output_in_blocks_keeps_its_order_with_messages() {
        use std::io::Write;
        let log = std::cell::RefCell::new(Vec::new());
        let (mut out, mut err) = (std::io::BufWriter::new(Stream(&log)), Stream(&log));
        super::print_in_order(&mut out, &mut err, "", b"would fix: a.sql\n");
        assert!(log.borrow().is_empty(), "output waits in its block");
        super::print_in_order(&mut out, &mut err, "error: b.sql\n", b"");
        super::print_in_order(&mut out, &mut err, "", b"would fix: c.sql\n");
        out.flush().unwrap();
        assert_eq!(String::from_utf8(log.take()).unwrap(), "would fix: a.sql\nerror: b.sql\nwould fix: c.sql\n");
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

//! Shared test helpers: run a file through the pipeline, and prove that
//! `fix` changed nothing outside its edit spans.
#![allow(dead_code)]

pub mod contract;

#[allow(unused_imports)]
pub use contract::assert_edit_contract;
use mcaccess::config::Config;
use mcaccess::diagnostic::Diagnostic;
use mcaccess::fix::FilePlan;
use mcaccess::report::{self, Style};
use mcaccess::source::SourceFile;
use mcaccess::{Analysis, analyse};
use std::path::Path;

/// Runs the mcaccess binary in `dir` as a user's terminal would, without
/// colour and outside GitHub Actions.
pub fn mcaccess(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mcaccess"))
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Output bytes as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The config beside a fixture (`name.toml`), else none.
pub fn fixture_config(path: &Path) -> Config {
    let side = path.with_extension("toml");
    if side.is_file() { Config::load(&side).expect("fixture config is valid") } else { Config::default() }
}

pub struct Run {
    pub analysis: Analysis,
    pub plan: FilePlan,
    /// The rewritten text, when the file has no errors.
    pub output: Option<String>,
    /// The errors that stop `fix`.
    pub errors: Vec<Diagnostic>,
}

pub fn run(name: &str, text: &str, config: &Config) -> Run {
    let analysis = analyse(SourceFile::new(name, text.to_string()), config);
    let plan = analysis.fixes();
    let (output, errors) = match analysis.fixed() {
        Ok(new) => (Some(new), vec![]),
        Err(errors) => (None, errors),
    };
    Run { analysis, plan, output, errors }
}

/// Everything a reader needs in a snapshot: the output and the rendered
/// diagnostics (warnings and errors), without colours.
pub fn report(run: &Run) -> String {
    let file = &run.analysis.source;
    let mut out = String::new();
    match &run.output {
        None => out.push_str("--- not rewritten: the file has errors ---\n"),
        Some(o) if *o == file.text => out.push_str("--- unchanged ---\n"),
        Some(o) => {
            out.push_str("--- output ---\n");
            out.push_str(o);
            if !o.ends_with('\n') {
                out.push_str("\n\\ no newline at end of file\n");
            }
        }
    }
    let mut diags: Vec<_> = run.analysis.warnings().into_iter().chain(run.errors.iter().cloned()).collect();
    diags.sort_by_key(|d| d.span.start);
    if !diags.is_empty() {
        out.push_str("--- diagnostics ---\n");
        for d in diags {
            out.push_str(&report::render(&d, file, Style::plain()));
        }
    }
    out
}

/// Runs `fix` on its own output: nothing may change.
pub fn assert_idempotent(name: &str, output: &str, config: &Config) {
    let again = run(name, output, config);
    assert!(again.errors.is_empty(), "second run has errors: {:?}", again.errors);
    assert_eq!(again.plan.edits(), vec![], "second run still edits {name}");
}

/// Every file below `dir`, by path relative to it, with its bytes.
pub fn files_under(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

//! `annotate` and `init` over inputs.

use super::fix::{FixMode, deliver};
use super::{FileFix, Run, for_each_file};
use crate::config::Config;
use crate::files::Input;
use crate::model::{Access, RoleArn};
use crate::onboard::{annotate, init::Survey};
use crate::repo::{self, RepoIndex};
use crate::scan::Write;
use crate::source::SourceFile;
use crate::{Analysis, fix};
use std::collections::HashMap;
use std::path::PathBuf;

/// `annotate` on one file.
#[derive(Debug)]
pub struct FileAnnotate {
    pub fix: FileFix,
    pub annotated: usize,
    /// The file, and each statement it could not annotate: line and why.
    pub skipped: Vec<(String, usize, String)>,
}

/// `annotate` over inputs: the whole repository's writes are known before
/// any file is annotated (a table's `access=` comes from every file).
pub fn annotate(paths: &[PathBuf], config: &Config, mode: FixMode) -> Run<FileAnnotate> {
    let run = for_each_file(paths, config, |input, a| {
        let writes: Vec<Write> = a.scanned.statements.iter().flat_map(|s| s.writes.iter().cloned()).collect();
        let pending = a.encoding.is_some()
            || a.scanned.unreadable
            || a.scanned.statements.iter().any(|s| s.kind.is_external() && s.access.is_none());
        (RepoIndex::of_file_all(&a), writes, pending.then(|| (input.clone(), a)))
    });
    let mut index = RepoIndex::default();
    let (mut writes, mut pending) = (Vec::new(), Vec::new());
    for (tables, w, p) in run.files {
        index.merge(tables);
        writes.extend(w);
        pending.extend(p);
    }
    // What the writes need of each table, by file and line. Writes to one
    // name that need the same are asked once: a table declared and written
    // in each of 4,000 jobs was 16 million lookups.
    let mut asked = std::collections::HashSet::new();
    writes.retain(|w| {
        let (name, overwrites) = w.question();
        asked.insert((name.to_string(), overwrites))
    });
    let mut needs: HashMap<(String, usize), Access> = HashMap::new();
    for w in &writes {
        for t in index.lookup(&w.target) {
            let n = needs.entry((t.file.to_string(), t.line)).or_default();
            *n = n.union(repo::needs(w, t.source));
        }
    }
    use rayon::prelude::*;
    let files = pending.par_iter().map(|(input, a)| annotate_file(a, input, config, mode, &needs)).collect();
    Run { files, failures: run.failures }
}

fn annotate_file(
    a: &Analysis,
    input: &Input,
    config: &Config,
    mode: FixMode,
    needs: &HashMap<(String, usize), Access>,
) -> FileAnnotate {
    let file = &a.source;
    let name = &file.name;
    let proposals = annotate::propose(a, config, |line| needs.get(&(name.clone(), line)).copied().unwrap_or_default());
    let skipped = proposals.skipped.into_iter().map(|(line, why)| (name.clone(), line, why)).collect();
    let annotated = proposals.edits.len();
    let messages = String::new();
    let new = fix::apply(&file.text, &proposals.edits);
    let fix = match verify(a, &new, config) {
        Ok(()) => deliver(file, input, (mode, "would annotate"), &proposals.edits, &new, messages),
        Err(e) => FileFix::failed(messages, &e),
    };
    FileAnnotate { fix, annotated, skipped }
}

/// The annotated text must read as well as the original, and `fix` must
/// change no rolearn that was a well-formed ARN. A failure is a bug in
/// mcaccess, reported instead of written.
fn verify(before: &Analysis, new: &str, config: &Config) -> Result<(), String> {
    let after = crate::analyse(SourceFile::new(before.source.name.clone(), new.to_string()), config);
    let errors = |a: &Analysis| a.errors().len();
    let kept_arns_changed = |a: &Analysis| {
        let changes = a.fixes().changes;
        changes
            .iter()
            .filter(
                |c| matches!(&c.problem, fix::RolearnProblem::Mismatch { found, .. } if RoleArn::parse(found).is_ok()),
            )
            .count()
    };
    if errors(&after) > errors(before) || kept_arns_changed(&after) > kept_arns_changed(before) {
        return Err(format!(
            "{}: internal error: the annotations would not resolve to the existing rolearns; the file was left untouched — please report this input",
            before.source.name
        ));
    }
    Ok(())
}

/// What the SQL under `paths` says about accounts and regions (`init`).
pub fn survey(paths: &[PathBuf], config: &Config) -> Run<Survey> {
    let run = for_each_file(paths, config, |_, a| {
        let mut s = Survey::default();
        s.add(&a);
        s
    });
    let mut all = Survey::default();
    run.files.into_iter().for_each(|s| all.merge(s));
    Run { files: vec![all], failures: run.failures }
}

/// `check --add-allow` on one file.
#[derive(Debug)]
pub struct FileAllow {
    pub fix: FileFix,
    /// `@allow` lines written.
    pub allows: usize,
    /// Findings left as they are: file, line, code.
    pub left: Vec<(String, usize, crate::diagnostic::Code)>,
}

/// `check --add-allow`: lints the repository, then writes an `@allow` above
/// each statement with findings (a baseline). Files are read twice, so
/// stdin is not an input here.
pub fn add_allow(
    paths: &[PathBuf],
    config: &Config,
    options: &crate::lint::Options,
    today: &str,
    reason: &str,
) -> Run<FileAllow> {
    let checked = super::findings(paths, config, options, today);
    let mut by_file: HashMap<String, Vec<crate::lint::Finding>> = HashMap::new();
    for f in checked.files.into_iter().flatten() {
        by_file.entry(f.file.clone()).or_default().push(f);
    }
    let run = for_each_file(paths, config, |input, a| {
        let findings = by_file.get(&a.source.name)?;
        let baseline = crate::onboard::baseline::propose(&a, findings, reason);
        let left = baseline.left.iter().map(|(line, code)| (a.source.name.clone(), *line, *code)).collect();
        let new = fix::apply(&a.source.text, &baseline.edits);
        let fix = match verify(&a, &new, config) {
            Ok(()) => deliver(&a.source, input, (FixMode::Write, ""), &baseline.edits, &new, String::new()),
            Err(e) => FileFix::failed(String::new(), &e),
        };
        Some(FileAllow { fix, allows: baseline.edits.len(), left })
    });
    let mut failures = checked.failures;
    failures.extend(run.failures);
    Run { files: run.files.into_iter().flatten().collect(), failures }
}

/// What `init` wrote, and from what.
#[derive(Debug)]
pub struct InitReport {
    pub path: PathBuf,
    pub statements: usize,
    pub files: usize,
    /// The owner and the region, each with why (in lower case).
    pub owner: Option<(String, String)>,
    pub region: Option<(String, String)>,
    /// Accounts under `[accounts]`.
    pub other_accounts: usize,
}

/// `init`: writes `mcaccess.toml` in `dir`, inferred from the SQL below it
/// (`owner` and `region` override). Never overwrites one, and writes
/// nothing when some file could not be read.
pub fn init(dir: &std::path::Path, owner: Option<&str>, region: Option<&str>) -> Result<InitReport, Vec<String>> {
    let path = dir.join(crate::config::FILE_NAME);
    if path.exists() {
        return Err(vec![format!("{} already exists; mcaccess init never overwrites it", path.display())]);
    }
    if let Some(o) = owner.filter(|o| !crate::model::is_uid(o)) {
        return Err(vec![format!("--owner {o} is not an account UID (the account's digits)")]);
    }
    if let Some(r) = region.filter(|r| !crate::model::is_region(r)) {
        return Err(vec![format!("--region {r} is not a region id (like cn-hangzhou)")]);
    }
    let mut run = survey(&[dir.to_path_buf()], &Config::default());
    if !run.failures.is_empty() {
        let why = format!("{} was not written: it would be inferred from part of the SQL", path.display());
        run.failures.push(why);
        return Err(run.failures);
    }
    let survey = run.files.remove(0);
    let owner = owner.map(|o| (o.to_string(), "given with --owner".to_string())).or_else(|| survey.owner());
    let region = region.map(|r| (r.to_string(), "given with --region".to_string())).or_else(|| survey.region());
    let text = crate::onboard::init::config_text(&survey, owner.clone(), region.clone());
    let written = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    written
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| vec![format!("cannot write {}: {e}", path.display())])?;
    let other_accounts = survey.rolearn_accounts.keys().filter(|u| Some(*u) != owner.as_ref().map(|o| &o.0)).count();
    Ok(InitReport { path, statements: survey.statements, files: survey.files, owner, region, other_accounts })
}

//! mcaccess: role ARNs and RAM policies for MaxCompute external tables, from
//! annotations in the SQL.
//!
//! Data flows one way: [`scan`] (text → annotations and statements with byte
//! spans) → [`resolve`] (annotations + config → an access plan per statement)
//! → outputs ([`fix`] edits, [`plan`] views).

pub mod annotation;
pub mod bundle;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod encoding;
pub mod files;
pub mod fix;
pub mod lint;
pub mod location;
pub mod model;
pub mod onboard;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod policy;
pub mod redact;
pub mod repo;
pub mod report;
pub mod resolve;
pub mod scan;
pub mod server;
pub mod source;

use config::Config;
use resolve::StatementPlan;
use scan::ScannedFile;
use source::SourceFile;

/// One file taken through scan and resolve: what every output starts from.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub source: SourceFile,
    pub scanned: ScannedFile,
    pub plans: Vec<StatementPlan>,
    /// The file could not be read in its encoding: its text is a lossy
    /// reading, reported (MCA019) and never rewritten.
    pub encoding: Option<encoding::EncodingProblem>,
}

/// Scans and resolves one file.
pub fn analyse(source: SourceFile, config: &Config) -> Analysis {
    let scanned = scan::scan(&source.text);
    let plans = resolve::resolve(&scanned, config);
    Analysis { source, scanned, plans, encoding: None }
}

/// Scans and resolves a file as read from disk or stdin.
pub fn analyse_decoded(name: String, decoded: encoding::Decoded, config: &Config) -> Analysis {
    let mut source = SourceFile::new(name, decoded.text);
    source.encoding = decoded.encoding;
    let mut a = analyse(source, config);
    a.encoding = decoded.problem;
    a
}

impl Analysis {
    /// The file's own problems that are errors (as their rules rate them):
    /// they stop `fix`, `plan` and `bundle` for the whole file.
    fn file_errors(&self) -> impl Iterator<Item = fix::Blocker> + '_ {
        let scan = self.scanned.problems.iter().filter(|p| lint::describe::scan_is_error(p));
        let encoding = self.encoding.iter().cloned().map(fix::Blocker::Encoding);
        scan.cloned().map(fix::Blocker::Scan).chain(encoding)
    }

    /// What `fix` would change, and what stops it.
    pub fn fixes(&self) -> fix::FilePlan {
        let mut plan = fix::plan_fixes(&self.source, &self.scanned, &self.plans);
        plan.blockers.splice(0..0, self.file_errors());
        plan
    }

    /// `fix` on this document in memory: the new text, or the errors that
    /// stop it (worded as `check` words them).
    pub fn fixed(&self) -> Result<String, Vec<diagnostic::Diagnostic>> {
        let plan = self.fixes();
        match plan.blockers.is_empty() {
            true => Ok(fix::apply(&self.source.text, &plan.edits())),
            false => Err(self.describe(&plan.blockers)),
        }
    }

    /// Why `fix` would refuse the file, worded as `check` words it.
    pub fn describe(&self, blockers: &[fix::Blocker]) -> Vec<diagnostic::Diagnostic> {
        blockers.iter().map(|b| lint::describe::blocker(b, &self.source)).collect()
    }

    /// The warnings about the file's annotations (`fix` shows them).
    pub fn warnings(&self) -> Vec<diagnostic::Diagnostic> {
        let warnings = self.scanned.problems.iter().filter(|p| !lint::describe::scan_is_error(p));
        warnings.map(lint::describe::scan).collect()
    }

    /// What stops `plan` and `bundle`: the file's errors, and each annotated
    /// statement's syntax and resolution errors.
    pub fn errors(&self) -> Vec<diagnostic::Diagnostic> {
        let mut out: Vec<_> = self.file_errors().map(|b| lint::describe::blocker(&b, &self.source)).collect();
        for p in &self.plans {
            let stmt = &self.scanned.statements[p.statement];
            out.extend(stmt.syntax_error.as_deref().map(lint::describe::syntax));
            out.extend(p.plan.as_ref().err().map(lint::describe::resolve));
        }
        out
    }
}

/// Applies `edits` to the analysed file and proves the result before anyone
/// writes it: the new text must scan and resolve without errors and need no
/// further edit. A failure here is a bug in mcaccess, reported instead of
/// written.
pub fn apply_verified(analysis: &Analysis, edits: &[fix::Edit], config: &Config) -> Result<String, String> {
    let new = fix::apply(&analysis.source.text, edits);
    if edits.is_empty() {
        return Ok(new);
    }
    let again = analyse(SourceFile::new(analysis.source.name.clone(), new), config);
    let plan = again.fixes();
    if !plan.blockers.is_empty() || !plan.edits().is_empty() {
        return Err(format!(
            "{}: internal error: the rewritten text would not be stable ({} error(s), {} further edit(s)); the file was left untouched — please report this input",
            analysis.source.name,
            plan.blockers.len(),
            plan.edits().len()
        ));
    }
    Ok(again.source.text)
}

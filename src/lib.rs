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
pub mod output;
pub mod plan;
pub mod policy;
pub mod redact;
pub mod repo;
pub mod report;
pub mod resolve;
pub mod scan;
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
    /// What `fix` would change, and the errors that stop it.
    pub fn fixes(&self) -> fix::FilePlan {
        let mut plan = fix::plan_fixes(&self.source, &self.scanned, &self.plans);
        plan.errors.extend(self.encoding_error());
        plan
    }

    /// The encoding finding (MCA019), if the file could not be read.
    pub fn encoding_error(&self) -> Option<diagnostic::Diagnostic> {
        let p = self.encoding.as_ref()?;
        Some(lint::rules::mca019_invalid_encoding::diagnostic(p, &self.source))
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
    if !plan.errors.is_empty() || !plan.edits().is_empty() {
        return Err(format!(
            "{}: internal error: the rewritten text would not be stable ({} error(s), {} further edit(s)); the file was left untouched — please report this input",
            analysis.source.name,
            plan.errors.len(),
            plan.edits().len()
        ));
    }
    Ok(again.source.text)
}

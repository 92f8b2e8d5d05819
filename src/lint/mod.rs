//! `check`: lint rules over scanned and resolved files.
//!
//! One rule, one file under `rules/`: its `//!` comment is the user
//! documentation that `mcaccess rule CODE` prints, its tests sit beside it,
//! and [`RULES`] lists them all. Rules read the stages' facts (scan,
//! resolve, and `fix`'s rolearn problems, so that what `check` calls
//! fixable is exactly what `fix` changes) and word them; they never re-scan
//! or re-resolve. [`describe`] words a fact for the other commands.

pub mod describe;
pub mod rules;

use crate::Analysis;
use crate::annotation::AccessAnnotation;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::fix::FilePlan;
use crate::location::Location;
pub use crate::repo::RepoIndex;
use crate::scan::Statement;
use serde::Serialize;
use std::ops::Range;

/// A rule: its metadata, documentation and check.
pub struct Rule {
    pub meta: Meta,
    /// The rule file's module name (`mca007_broad_default_role`).
    pub module: &'static str,
    /// The rule file's `//!` comment, verbatim.
    pub source: &'static str,
    /// Looks at one file (with the whole repo's index) and reports.
    pub check: fn(&FileContext<'_>) -> Vec<Diagnostic>,
}

impl Rule {
    pub fn code(&self) -> Code {
        self.meta.code
    }

    pub fn name(&self) -> &'static str {
        self.meta.name
    }

    /// The documentation: the rule file's `//!` lines, without the markers.
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.strip_prefix("//! ").unwrap_or(l.strip_prefix("//!").unwrap_or(l)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first line of the documentation.
    pub fn summary(&self) -> String {
        self.doc().lines().next().unwrap_or("").to_string()
    }
}

pub use rules::RULES;

pub fn rule(code: Code) -> &'static Rule {
    RULES.iter().find(|r| r.meta.code == code).expect("every code has a rule")
}

/// Looks a rule up by code (`MCA007`, `mca007`) or name (`broad-default-role`).
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code().as_str().eq_ignore_ascii_case(key) || r.name() == key)
}

/// What a rule sees of one file.
pub struct FileContext<'a> {
    pub analysis: &'a Analysis,
    pub fixes: &'a FilePlan,
    pub config: &'a Config,
    pub repo: &'a RepoIndex,
    /// Today's date, `YYYY-MM-DD`, for `@allow until=`.
    pub today: &'a str,
}

impl FileContext<'_> {
    pub fn text(&self) -> &str {
        &self.analysis.source.text
    }

    /// Statements with the `@access` attached to them.
    pub fn annotated(&self) -> impl Iterator<Item = (&Statement, &AccessAnnotation)> {
        self.analysis.scanned.statements.iter().filter_map(|s| Some((s, self.analysis.scanned.access_of(s)?)))
    }

    /// External statements (annotated or not) with their parsed LOCATION.
    pub fn locations(&self) -> impl Iterator<Item = (&Statement, &Location, Range<usize>)> {
        self.analysis.scanned.statements.iter().filter(|s| s.kind.is_external()).filter_map(|s| {
            let lit = s.clauses().location.as_ref()?;
            // The value starts one byte after the opening quote.
            Some((s, s.clauses().parsed_location.as_ref()?, lit.span.start + 1..lit.span.end - 1))
        })
    }

    /// The MaxCompute region in force for a statement: `@maxcompute
    /// region=` above it, else the config's.
    pub fn maxcompute_region<'s>(&'s self, stmt: &'s Statement) -> Option<&'s str> {
        stmt.maxcompute.region.as_ref().map(|r| r.value.as_str()).or(self.config.region.as_deref())
    }
}

/// Options of a lint run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Ignore every `@allow` comment and `[lint] allow` (for audits).
    pub no_allow: bool,
}

/// One reported finding, with everything every output format needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<String>,
    pub fixable: bool,
    #[serde(skip)]
    pub diagnostic: Diagnostic,
}

/// Lints one file: every rule, then suppressions. Returns the findings in
/// source order.
pub fn lint_file(ctx: &FileContext<'_>, options: &Options) -> Vec<Finding> {
    let mut found: Vec<Diagnostic> = Vec::new();
    for rule in RULES {
        found.extend((rule.check)(ctx));
    }
    let config_allowed: Vec<Code> = if options.no_allow {
        vec![]
    } else {
        ctx.config.lint_allow.iter().filter_map(|(c, _)| rules::code(c)).collect()
    };
    found.retain(|d| !config_allowed.contains(&d.code));
    if !options.no_allow {
        let (kept, unused) = rules::mca018_unused_allow::apply(ctx, found);
        found = kept;
        found.extend(unused.into_iter().filter(|d| !config_allowed.contains(&d.code)));
    }
    let fixable: fnv::FnvHashSet<(Code, usize, usize)> = ctx
        .fixes
        .changes
        .iter()
        .map(|c| (describe::rolearn_code(&c.problem), c.problem.span().start, c.problem.span().end))
        .collect();
    found.sort_by_key(|a| (a.span.start, a.code));
    found.dedup();
    let file = &ctx.analysis.source;
    found
        .into_iter()
        .map(|d| {
            let ((line, column), (end_line, end_column)) = file.span_line_cols(d.span.start, d.span.end);
            Finding {
                code: d.code,
                name: rule(d.code).name(),
                severity: d.severity,
                // Messages may quote the SQL: its secrets are masked.
                message: file.secrets().mask_message(&d.message).into_owned(),
                file: file.name.clone(),
                line,
                column,
                end_line,
                end_column,
                help: d.help.as_deref().map(|h| file.secrets().mask_message(h).into_owned()),
                fixable: fixable.contains(&(d.code, d.span.start, d.span.end)),
                diagnostic: d,
            }
        })
        .collect()
}

/// Today as `YYYY-MM-DD` (UTC), from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Running rules on a snippet, for the tests beside each rule.
    use super::*;
    use crate::source::SourceFile;

    pub const OWNER: &str = "-- @maxcompute owner=5678901234567890 region=cn-hangzhou\n";

    /// Lints `files` (name, text) as one repo with `config`; findings of all files.
    pub fn lint_repo(files: &[(&str, &str)], config: &Config) -> Vec<Finding> {
        let analyses: Vec<Analysis> =
            files.iter().map(|(n, t)| crate::analyse(SourceFile::new(*n, t.to_string()), config)).collect();
        let repo = RepoIndex::build(&analyses);
        analyses
            .iter()
            .flat_map(|a| {
                let fixes = a.fixes();
                let ctx = FileContext { analysis: a, fixes: &fixes, config, repo: &repo, today: "2026-11-23" };
                lint_file(&ctx, &Options::default())
            })
            .collect()
    }

    /// The codes `check` reports for one file.
    pub fn codes(text: &str) -> Vec<Code> {
        lint_repo(&[("t.sql", text)], &Config::default()).into_iter().map(|f| f.code).collect()
    }

    /// Findings of one code for one file.
    pub fn of(code: Code, text: &str) -> Vec<Finding> {
        lint_repo(&[("t.sql", text)], &Config::default()).into_iter().filter(|f| f.code == code).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_declared_once_in_its_own_file() {
        for (i, r) in RULES.iter().enumerate() {
            // Codes are numbered in order, and the file is named after the
            // rule: `mca007_broad_default_role` declares MCA007
            // broad-default-role.
            assert_eq!(r.code().as_str(), format!("MCA{:03}", i + 1));
            assert_eq!(r.module, format!("mca{:03}_{}", i + 1, r.name().replace('-', "_")));
            assert_eq!(RULES.iter().filter(|o| o.name() == r.name()).count(), 1, "{}", r.name());
            let doc = r.doc();
            assert!(!r.summary().is_empty() && !r.summary().starts_with("**"), "{} has no summary", r.module);
            for part in ["**What**", "**Why**", "**Example**", "**Fix**"] {
                assert!(doc.contains(part), "{} doc lacks {part}", r.code());
            }
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_415), "2025-11-23");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}

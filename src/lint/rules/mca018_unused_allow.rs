//! An `@allow` that silences nothing, or has expired.
//!
//! **What** An `-- @allow CODE` whose statement has no finding of that code,
//! or whose `until=` date has passed (it then stops silencing, and the
//! finding comes back); an `@allow` followed by no statement at all.
//!
//! **Why** Suppressions outlive the problems they were written for; a stale
//! one hides the next real finding on that statement. `until=` makes a
//! temporary exception visible when it runs out.
//!
//! **Example**
//!
//! ```sql
//! -- @allow MCA008 reason="migrating to the internal endpoint" until=2026-01-31
//! ```
//!
//! **Fix** Remove the `@allow`, or the code it no longer needs; renew
//! `until=` only with a reason. `check --no-allow` shows every finding.

use crate::annotation::Annotation;
use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::scan::ScanProblem;

pub const META: Meta = Meta { code: Code("MCA018"), name: "unused-allow", severity: Severity::Warning, fixable: false };

/// Applies the file's `@allow` annotations to `found`: returns the findings
/// that stay, and MCA018 warnings for allows that silence nothing or have
/// expired.
pub fn apply(ctx: &FileContext<'_>, mut found: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let scanned = &ctx.analysis.scanned;
    let text = ctx.text();
    let mut unused = Vec::new();
    for stmt in &scanned.statements {
        let region = scanned.region(text, stmt);
        for &i in &stmt.allows {
            let Annotation::Allow(allow) = &scanned.annotations[i].annotation else { continue };
            if let Some(until) = allow.until.as_ref().filter(|u| u.value.as_str() < ctx.today) {
                unused.push(
                    META.diagnostic(
                        until.span.clone(),
                        format!("@allow expired on {}: its findings are reported again", until.value),
                    )
                    .label("expired")
                    .help("fix the findings and remove the @allow, or renew until= with a reason"),
                );
                continue;
            }
            for code in &allow.codes {
                let before = found.len();
                found.retain(|d| !(d.code == code.value && region.contains(&d.span.start)));
                if found.len() == before {
                    unused.push(
                        META.diagnostic(
                            code.span.clone(),
                            format!("@allow {} silences nothing here", code.value),
                        )
                        .label("no such finding on this statement")
                        .help(format!("remove {} from the @allow", code.value)),
                    );
                }
            }
        }
    }
    (found, unused)
}

/// `@allow`s followed by no statement; the others are checked by
/// [`apply`], after every other rule has run.
pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis.scanned.problems.iter().filter_map(diagnostic).collect()
}

/// The finding for an `@allow` followed by no statement, if `p` is one.
pub fn diagnostic(p: &ScanProblem) -> Option<Diagnostic> {
    let ScanProblem::DanglingAllow { span } = p else { return None };
    Some(
        META.diagnostic(span.clone(), "@allow is not followed by any statement")
            .label("silences nothing")
            .help("put it directly above the statement whose finding it silences, or remove it"),
    )
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, codes};

    const T: &str = "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole') LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/';";

    #[test]
    fn allow_silences_its_code_on_its_statement_only() {
        let c = codes(&format!("{OWNER}-- @allow MCA008,MCA007 reason=\"legacy\"\n-- @access oss\n{T}"));
        assert_eq!(c, vec![]);
        let c = codes(&format!("{OWNER}-- @allow MCA009\n-- @access oss\n{T}"));
        assert_eq!(c, vec![super::META.code, crate::lint::rules::mca007_broad_default_role::META.code, crate::lint::rules::mca008_public_endpoint::META.code]);
    }

    #[test]
    fn allow_at_the_end_silences_nothing() {
        let f = crate::lint::testing::of(super::META.code, &format!("{OWNER}-- @allow MCA007\n"));
        assert_eq!(f[0].message, "@allow is not followed by any statement");
    }

    #[test]
    fn expired_allow_stops_silencing() {
        let c = codes(&format!("{OWNER}-- @allow MCA008,MCA007 until=2026-01-01\n-- @access oss\n{T}"));
        assert_eq!(c, vec![super::META.code, crate::lint::rules::mca007_broad_default_role::META.code, crate::lint::rules::mca008_public_endpoint::META.code]);
        let c = codes(&format!("{OWNER}-- @allow MCA008,MCA007 until=2099-01-01\n-- @access oss\n{T}"));
        assert_eq!(c, vec![]);
    }
}

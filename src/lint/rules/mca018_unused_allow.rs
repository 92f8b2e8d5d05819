//! An `@allow` that silences nothing, or has expired.
//!
//! **What** An `-- @allow CODE` whose statement has no finding of that code,
//! or whose `until=` date has passed (it then stops silencing, and the
//! finding comes back); an `@allow` followed by no statement at all. The
//! same for `-- @allow-file CODE`, which silences a code in its whole file.
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

use crate::annotation::{AllowAnnotation, Annotation};
use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::scan::ScanProblem;

pub const META: Meta = Meta { code: Code("MCA018"), name: "unused-allow", severity: Severity::Warning, fixable: false };

/// Applies the file's `@allow` annotations to `found`: returns the findings
/// that stay, and MCA018 warnings for allows that silence nothing or have
/// expired.
///
/// The findings are put in order of where they start, so that a
/// statement's are found by binary search (each `@allow` looking through
/// every finding of the file made a file of thousands of them take time in
/// the square of its size).
pub fn apply(ctx: &FileContext<'_>, mut found: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let scanned = &ctx.analysis.scanned;
    let allows = |a: &crate::scan::AnnotationComment| matches!(a.annotation, Annotation::Allow(_) | Annotation::AllowFile(_));
    if !scanned.annotations.iter().any(allows) {
        return (found, Vec::new());
    }
    found.sort_by_key(|d| d.span.start);
    let mut silenced = vec![false; found.len()];
    let mut unused = Vec::new();
    for stmt in scanned.statements.iter().filter(|s| !s.allows.is_empty()) {
        let region = scanned.region(&ctx.analysis.source, stmt);
        let from = found.partition_point(|d| d.span.start < region.start);
        let to = found.partition_point(|d| d.span.start < region.end);
        for &i in &stmt.allows {
            let Annotation::Allow(allow) = &scanned.annotations[i].annotation else { continue };
            let scope = Scope { directive: "@allow", here: "here", on: "on this statement" };
            silence(ctx, allow, scope, (&found[from..to], &mut silenced[from..to]), &mut unused);
        }
    }
    // `@allow-file` after the statements' own: the nearer one is used first.
    for a in &scanned.annotations {
        let Annotation::AllowFile(allow) = &a.annotation else { continue };
        let scope = Scope { directive: "@allow-file", here: "in this file", on: "in this file" };
        silence(ctx, allow, scope, (&found, &mut silenced), &mut unused);
    }
    let kept = found.into_iter().zip(silenced).filter_map(|(d, s)| (!s).then_some(d)).collect();
    (kept, unused)
}

/// How an allow's findings are worded.
#[derive(Clone, Copy)]
struct Scope {
    directive: &'static str,
    here: &'static str,
    on: &'static str,
}

/// Marks silenced the findings (of those it covers, each with its mark)
/// that `allow` silences and no allow has yet; reports it in `unused` if it
/// has expired or silences nothing.
fn silence(
    ctx: &FileContext<'_>,
    allow: &AllowAnnotation,
    scope: Scope,
    (found, silenced): (&[Diagnostic], &mut [bool]),
    unused: &mut Vec<Diagnostic>,
) {
    let Scope { directive, here, on } = scope;
    if let Some(until) = allow.until.as_ref().filter(|u| u.value.as_str() < ctx.today) {
        let message = format!("{directive} expired on {}: its findings are reported again", until.value);
        let help = format!("fix the findings and remove the {directive}, or renew until= with a reason");
        unused.push(META.diagnostic(until.span.clone(), message).label("expired").help(help));
        return;
    }
    for code in &allow.codes {
        let mut any = false;
        for (_, s) in found.iter().zip(silenced.iter_mut()).filter(|(d, s)| !**s && d.code == code.value) {
            *s = true;
            any = true;
        }
        if !any {
            unused.push(
                META.diagnostic(code.span.clone(), format!("{directive} {} silences nothing {here}", code.value))
                    .label(format!("no such finding {on}"))
                    .help(format!("remove {} from the {directive}", code.value)),
            );
        }
    }
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
    fn allow_file_silences_a_code_everywhere_in_its_file_and_reports_when_unused() {
        let two = format!("{T}\n-- @access oss\n{T}");
        let c = codes(&format!("{OWNER}-- @allow-file MCA008 reason=\"legacy endpoints\"\n-- @access oss\n{two}"));
        assert_eq!(c, vec![crate::lint::rules::mca007_broad_default_role::META.code; 2]);
        let f = crate::lint::testing::of(super::META.code, &format!("{OWNER}-- @allow-file MCA009\n-- @access oss\n{T}"));
        assert_eq!(f[0].message, "@allow-file MCA009 silences nothing in this file");
        let f = crate::lint::testing::of(super::META.code, &format!("{OWNER}-- @access oss\n{T}\n-- @allow-file MCA008 until=2026-01-01\n"));
        assert_eq!(f[0].message, "@allow-file expired on 2026-01-01: its findings are reported again");
    }

    #[test]
    fn each_allow_silences_its_own_statement_and_the_nearer_one_wins() {
        use crate::lint::rules::{mca007_broad_default_role as mca007, mca008_public_endpoint as mca008};
        let stmts = format!("-- @access oss\n{T}\n-- @allow MCA008\n-- @access oss\n{T}\n-- @access oss\n{T}\n");
        let c = codes(&format!("{OWNER}{stmts}"));
        assert_eq!(c, [mca007::META.code, mca008::META.code, mca007::META.code, mca007::META.code, mca008::META.code]);
        // The statement's @allow silences its MCA008; the file's, the others.
        let c = codes(&format!("{OWNER}-- @allow-file MCA008\n{stmts}"));
        assert_eq!(c, [mca007::META.code; 3]);
        let f = crate::lint::testing::of(super::META.code, &format!("{OWNER}-- @allow-file MCA008\n-- @allow MCA008\n-- @access oss\n{T}"));
        assert_eq!(f[0].message, "@allow-file MCA008 silences nothing in this file");
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

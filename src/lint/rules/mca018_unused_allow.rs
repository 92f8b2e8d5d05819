//! An `@allow` that silences nothing, or has expired.
//!
//! **What** An `-- @allow CODE` whose statement has no finding of that code,
//! or whose `until=` date has passed (it then stops silencing, and the
//! finding comes back).
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
use crate::diagnostic::{Code, Diagnostic};
use crate::lint::FileContext;

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
                    Diagnostic::warning(
                        Code::MCA018,
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
                        Diagnostic::warning(
                            Code::MCA018,
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

/// Reported through [`apply`], after every other rule has run.
pub fn check(_: &FileContext<'_>) -> Vec<Diagnostic> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::lint::testing::{OWNER, codes};

    const T: &str = "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole') LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/';";

    #[test]
    fn allow_silences_its_code_on_its_statement_only() {
        let c = codes(&format!("{OWNER}-- @allow MCA008,MCA007 reason=\"legacy\"\n-- @access oss\n{T}"));
        assert_eq!(c, vec![]);
        let c = codes(&format!("{OWNER}-- @allow MCA009\n-- @access oss\n{T}"));
        assert_eq!(c, vec![Code::MCA018, Code::MCA007, Code::MCA008]);
    }

    #[test]
    fn expired_allow_stops_silencing() {
        let c = codes(&format!("{OWNER}-- @allow MCA008,MCA007 until=2026-01-01\n-- @access oss\n{T}"));
        assert_eq!(c, vec![Code::MCA018, Code::MCA007, Code::MCA008]);
        let c = codes(&format!("{OWNER}-- @allow MCA008,MCA007 until=2099-01-01\n-- @access oss\n{T}"));
        assert_eq!(c, vec![]);
    }
}

//! The statement uses `AliyunODPSDefaultRole` or a `scope=account` policy.
//!
//! **What** The resolved role is `aliyunodpsdefaultrole` (the one-click
//! authorization role), or the annotation asks for `scope=account`
//! (`"Resource": "*"`).
//!
//! **Why** The docs warn that the default role "has broad permissions. Use
//! it only as a reference": every table sharing it can reach everything it
//! can. A dedicated role with a least-privilege policy limits what a leaked
//! or mistaken job can touch.
//!
//! **Example**
//!
//! ```sql
//! -- @access oss
//! CREATE EXTERNAL TABLE t (…) … -- resolves to role/aliyunodpsdefaultrole
//! ```
//!
//! **Fix** Name a dedicated role: `role=mc-lake-reader` on the annotation or
//! `[roles] default = "mc-external"` in mcaccess.toml, and create it from
//! `mcaccess bundle`. Keep `scope=account` only with `-- @allow MCA007
//! reason=…`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::model::Scope;
use crate::resolve::DEFAULT_ROLE;

pub const META: Meta = Meta { code: Code("MCA007"), name: "broad-default-role", severity: Severity::Warning, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for sp in &ctx.analysis.plans {
        let Ok(plan) = &sp.plan else { continue };
        let stmt = &ctx.analysis.scanned.statements[sp.statement];
        let Some(a) = ctx.analysis.scanned.access_of(stmt) else { continue };
        if let Some(role) = plan.role.as_ref().filter(|r| r.name.eq_ignore_ascii_case(DEFAULT_ROLE)) {
            let span = a.role.as_ref().map_or(a.source.span.clone(), |r| r.span.clone());
            out.push(
                META.diagnostic(
                    span,
                    format!("{} uses the broad default role {}", stmt.kind.describe(), role.arn),
                )
                .label("AliyunODPSDefaultRole")
                .help("name a dedicated role: role=<name> here, or [roles] default = \"<name>\" in mcaccess.toml"),
            );
        }
        if let Some(scope) = a.scope.as_ref().filter(|s| s.value == Scope::Account) {
            out.push(
                META.diagnostic(scope.span.clone(), "scope=account grants the seed's actions on every resource (\"Resource\": \"*\")")
                    .label("Resource \"*\"")
                    .help("remove scope=account to scope the policy to the LOCATION, or keep it with -- @allow MCA007 reason=\"…\""),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::lint::testing::{OWNER, of};

    const T: &str =
        "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';";

    #[test]
    fn default_role_and_account_scope_warn() {
        let f = of(super::META.code, &format!("{OWNER}-- @access oss\n{T}"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(of(super::META.code, &format!("{OWNER}-- @access oss role=mc-lake scope=account\n{T}")).len(), 1);
    }

    #[test]
    fn a_dedicated_role_passes() {
        assert!(of(super::META.code, &format!("{OWNER}-- @access oss role=mc-lake\n{T}")).is_empty());
    }
}

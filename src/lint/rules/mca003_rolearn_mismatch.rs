//! The statement's rolearn is not the one its `@access` resolves to.
//!
//! **What** An `odps.properties.rolearn` value that differs from the ARN the
//! annotation, `@maxcompute` and `mcaccess.toml` resolve to; for
//! `dual-signature`, a rolearn at all, or no `SET
//! odps.sql.common.table.planner.ext.hive.bridge=true;` before the statement.
//! Fixable.
//!
//! **Why** A copied ARN from another table, a docs placeholder
//! (`acs:ram::xxxxx:…`) or a mixed-case role name is the most common way an
//! external table ends up assuming the wrong role, or none.
//!
//! **Example**
//!
//! ```sql
//! -- @access tablestore cross-account uid=1234567890123456
//! … 'odps.properties.rolearn'='acs:ram::1234567890****:role/aliyunodpsroleforotheruser'
//! ```
//!
//! **Fix** Run `mcaccess fix`: it replaces the value only, keeping the quote
//! style.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::fix::RolearnProblem;
use crate::lint::FileContext;
use crate::resolve::DUAL_SIGNATURE_FLAG;

pub const META: Meta = Meta { code: Code("MCA003"), name: "rolearn-mismatch", severity: Severity::Error, fixable: true };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.fixes.problems().filter_map(diagnostic).collect()
}

/// The finding for a rolearn that differs from the plan, if `p` is one.
pub fn diagnostic(p: &RolearnProblem) -> Option<Diagnostic> {
    Some(match p {
        RolearnProblem::Mismatch { span, found, expected } => META
            .diagnostic(span.clone(), format!("rolearn is `{found}`, but the @access resolves to `{expected}`"))
            .label("wrong role ARN")
            .help(format!("set it to '{expected}' (mcaccess fix does)")),
        RolearnProblem::DualSignatureRole { span } => META
            .diagnostic(span.clone(), "dual-signature uses no role, but the statement names one")
            .label("not used in dual-signature mode")
            .help("remove the odps.properties.rolearn entry (mcaccess fix does)"),
        RolearnProblem::DualSignatureFlag { span } => META
            .diagnostic(span.clone(), format!("dual-signature needs `SET {DUAL_SIGNATURE_FLAG}=true;` before the statement"))
            .label("no SET before this statement")
            .help(format!("add SET {DUAL_SIGNATURE_FLAG}=true; above it (mcaccess fix does); set it at query time too")),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    const TABLE: &str =
        "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'=";

    #[test]
    fn wrong_value_is_fixable_and_points_at_the_value() {
        let f = of(super::META.code, &format!("{OWNER}-- @access oss\n{TABLE}'acs:ram::1:role/x');"));
        assert_eq!(f.len(), 1);
        assert!(f[0].fixable);
        assert_eq!(f[0].column, TABLE.len() + 1);
    }

    #[test]
    fn right_value_passes() {
        assert!(
            of(
                super::META.code,
                &format!("{OWNER}-- @access oss\n{TABLE}'acs:ram::5678901234567890:role/aliyunodpsdefaultrole');")
            )
            .is_empty()
        );
    }
}

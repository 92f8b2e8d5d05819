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

use crate::diagnostic::{Code, Diagnostic};
use crate::lint::FileContext;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.fixes.findings.iter().map(|f| &f.diagnostic).filter(|d| d.code == Code::MCA003).cloned().collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::lint::testing::{OWNER, of};

    const TABLE: &str =
        "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'=";

    #[test]
    fn wrong_value_is_fixable_and_points_at_the_value() {
        let f = of(Code::MCA003, &format!("{OWNER}-- @access oss\n{TABLE}'acs:ram::1:role/x');"));
        assert_eq!(f.len(), 1);
        assert!(f[0].fixable);
        assert_eq!(f[0].column, TABLE.len() + 1);
    }

    #[test]
    fn right_value_passes() {
        assert!(
            of(
                Code::MCA003,
                &format!("{OWNER}-- @access oss\n{TABLE}'acs:ram::5678901234567890:role/aliyunodpsdefaultrole');")
            )
            .is_empty()
        );
    }
}

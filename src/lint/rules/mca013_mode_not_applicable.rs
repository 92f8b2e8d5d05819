//! A mode or key that does not apply to this statement or source.
//!
//! **What** `service-linked` on a table, or for a source with no
//! MaxCompute service-linked role (only hologres and paimon-dlf have one);
//! `dual-signature` outside Hologres tables; `role=` with service-linked or
//! dual-signature; `entity=`/`idp=` outside Hologres.
//!
//! **Why** Service-linked roles exist only for external schemas and
//! projects (`aliyunserviceroleformaxcomputeidentitymgmt`,
//! `aliyunserviceroleformaxcomputelakehouse`); dual-signature is a Hologres
//! session mode with no role. Any other combination cannot be resolved.
//!
//! **Example**
//!
//! ```sql
//! -- @access hologres service-linked
//! CREATE EXTERNAL TABLE holo_t (…) STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler' …
//! ```
//!
//! **Fix** Use `same-account` or `cross-account` on tables; keep
//! `service-linked` for `CREATE EXTERNAL SCHEMA`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::model::Mode;
use crate::resolve::{Inapplicable, ResolveError};
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA013"), name: "mode-not-applicable", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let errors = ctx.analysis.plans.iter().filter_map(|p| p.plan.as_ref().err());
    errors
        .filter_map(|e| match e {
            ResolveError::Inapplicable { span, why } => Some(diagnostic(span, why)),
            ResolveError::Unresolved { .. } => None,
        })
        .collect()
}

/// The finding for a mode or key that does not apply.
pub fn diagnostic(span: &Range<usize>, why: &Inapplicable) -> Diagnostic {
    let (message, help) = match why {
        Inapplicable::ServiceLinkedNeedsSchema { statement } => (
            format!("service-linked applies only to CREATE EXTERNAL SCHEMA, not to {statement}"),
            "tables name a regular role in SERDEPROPERTIES: use same-account or cross-account",
        ),
        Inapplicable::NoServiceLinkedRole { source } => (
            format!("{source} has no MaxCompute service-linked role"),
            "service-linked roles exist for hologres (identity management) and paimon-dlf (lakehouse); use same-account or cross-account",
        ),
        Inapplicable::DualSignatureNeedsHologres { source } => {
            (format!("dual-signature is a Hologres mode, not {source}"), "use same-account or cross-account")
        }
        Inapplicable::DualSignatureNeedsTable { statement } => (
            format!("dual-signature applies to Hologres external tables, not to {statement}"),
            "use same-account, cross-account or service-linked",
        ),
        Inapplicable::HologresOnlyKey { key } => {
            (format!("`{key}=` applies only to hologres"), "remove it: other sources trust only MaxCompute")
        }
        Inapplicable::FixedRole { mode } => (
            format!("{mode} takes no role name"),
            if *mode == Mode::ServiceLinked {
                "the service-linked role's name is fixed; remove role="
            } else {
                "dual-signature uses no role; remove role="
            },
        ),
    };
    META.diagnostic(span.clone(), message).label("not applicable here").help(help)
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn service_linked_on_a_table() {
        let f = of(
            super::META.code,
            &format!("{OWNER}-- @access hologres service-linked\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';"),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].column, 21);
    }

    #[test]
    fn service_linked_on_a_schema_passes() {
        assert!(
            of(
                super::META.code,
                &format!("{OWNER}-- @access hologres service-linked\nCREATE EXTERNAL SCHEMA s WITH srv ON 'db';")
            )
            .is_empty()
        );
    }
}

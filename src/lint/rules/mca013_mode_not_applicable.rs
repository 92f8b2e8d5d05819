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

use crate::diagnostic::{Code, Diagnostic};
use crate::lint::FileContext;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis
        .plans
        .iter()
        .filter_map(|p| p.plan.as_ref().err())
        .filter(|d| d.code == Code::MCA013)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn service_linked_on_a_table() {
        let f = of(
            Code::MCA013,
            &format!("{OWNER}-- @access hologres service-linked\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';"),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].column, 21);
    }

    #[test]
    fn service_linked_on_a_schema_passes() {
        assert!(
            of(
                Code::MCA013,
                &format!("{OWNER}-- @access hologres service-linked\nCREATE EXTERNAL SCHEMA s WITH srv ON 'db';")
            )
            .is_empty()
        );
    }
}

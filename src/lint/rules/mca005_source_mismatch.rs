//! The annotation's source does not match the statement's handler or LOCATION.
//!
//! **What** `-- @access oss` on a `TableStoreStorageHandler` table, `@access
//! tablestore` on an `oss://` LOCATION, `@access hologres` on something that
//! is not a PostgreSQL JDBC table, any `@access` on an RDS MySQL table.
//!
//! **Why** The source decides the trust policy, the permission actions and
//! the resources; a wrong one grants access to the wrong service and none to
//! the right one.
//!
//! **Example**
//!
//! ```sql
//! -- @access oss
//! CREATE EXTERNAL TABLE t (…) STORED BY 'com.aliyun.odps.TableStoreStorageHandler' …
//! ```
//!
//! **Fix** Name the source the statement really reads: `-- @access tablestore`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::lint::rules::source_mismatch;

pub const META: Meta = Meta { code: Code("MCA005"), name: "source-mismatch", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (stmt, a) in ctx.annotated() {
        let Some((inferred, why)) = source_mismatch(stmt, a) else { continue };
        let help = if inferred == "rds" {
            "RDS MySQL tables authenticate with the JDBC URL and a networklink, not a role: remove the @access"
                .to_string()
        } else {
            format!("write -- @access {inferred}")
        };
        out.push(
            META.diagnostic(
                a.source.span.clone(),
                format!("@access says {}, but {why}", a.source.value),
            )
            .label(format!("the statement reads {inferred}"))
            .help(help),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn handler_and_scheme_must_agree() {
        let f = of(
            super::META.code,
            &format!(
                "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.TableStoreStorageHandler';"
            ),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].help.as_deref(), Some("write -- @access tablestore"));
        let f = of(
            super::META.code,
            &format!(
                "{OWNER}-- @access tablestore\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e.x/b/';"
            ),
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn matching_sources_pass() {
        let t = format!(
            "{OWNER}-- @access ots\nCREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.TableStoreStorageHandler' LOCATION 'tablestore://i.cn-hangzhou.ots-internal.aliyuncs.com';"
        );
        assert!(of(super::META.code, &t).is_empty());
        let h = format!(
            "{OWNER}-- @access holo\nCREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler' LOCATION 'jdbc:postgresql://h-cn-hangzhou-internal.hologres.aliyuncs.com:80/d?table=t/';"
        );
        assert!(of(super::META.code, &h).is_empty());
    }
}

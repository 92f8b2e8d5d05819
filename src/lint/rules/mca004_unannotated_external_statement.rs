//! An external statement without an `@access` annotation.
//!
//! **What** A `CREATE EXTERNAL TABLE`, `CREATE EXTERNAL SCHEMA`, `UNLOAD` or
//! `LOAD` with no `-- @access` above it. RDS/MySQL JDBC tables are skipped:
//! they authenticate with the URL, not a role.
//!
//! **Why** Without the annotation nobody can tell which role the statement
//! should assume, `fix` cannot keep its rolearn right, and the bundle has no
//! policy for it.
//!
//! **Example**
//!
//! ```sql
//! CREATE EXTERNAL TABLE t (a STRING) STORED BY 'com.aliyun.odps.CsvStorageHandler'
//! LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/t/';
//! ```
//!
//! **Fix** Add `-- @access oss` (or the right source and mode) directly
//! above it, then run `mcaccess fix`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::lint::rules::infer_source;
use crate::scan::StatementKind;

pub const META: Meta = Meta { code: Code("MCA004"), name: "unannotated-external-statement", severity: Severity::Warning, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let text = ctx.text();
    ctx.analysis
        .scanned
        .statements
        .iter()
        .filter(|s| s.kind.is_external() && s.access.is_none() && !s.broken_access)
        .filter(|s| s.clauses().location.as_ref().is_none_or(|l| !l.value.to_ascii_lowercase().starts_with("jdbc:mysql")))
        .map(|s| {
            let end = s.name.as_ref().map_or_else(
                || s.span.start + text[s.span.start..].find(['\n', '\r']).unwrap_or(text.len() - s.span.start),
                |n| n.span.end,
            );
            let source = match s.kind {
                StatementKind::CreateExternalSchema { .. } => None,
                _ => infer_source(s),
            };
            let annotation = format!("-- @access {}", source.map_or("<source>", |(s, _)| s));
            META.diagnostic(
                s.span.start..end,
                format!("{} without an @access annotation", s.kind.describe()),
            )
            .label("which role does this assume?")
            .help(format!("add `{annotation}` directly above it, then run mcaccess fix"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn suggests_the_source_from_the_handler() {
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.TableStoreStorageHandler' LOCATION 'tablestore://i.cn-hangzhou.ots-internal.aliyuncs.com';",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].help.as_deref(), Some("add `-- @access tablestore` directly above it, then run mcaccess fix"));
    }

    #[test]
    fn annotated_rds_and_plain_statements_pass() {
        assert!(
            of(
                super::META.code,
                &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';\nSELECT 1;")
            )
            .is_empty()
        );
        assert!(of(super::META.code, "CREATE EXTERNAL TABLE r (a int) STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler' LOCATION 'jdbc:mysql://h:3306/db?table=t';").is_empty());
    }
}

//! An annotated statement has no `odps.properties.rolearn`.
//!
//! **What** The statement carries an `@access` but no rolearn in `WITH
//! SERDEPROPERTIES`. Fixable: `mcaccess fix` appends the entry, inserts the
//! clause after `STORED BY`/`ROW FORMAT SERDE`, or adds `ROW FORMAT SERDE
//! '<class>'` before a bare `STORED AS`. Not fixable where there is no place
//! for the clause (`ROW FORMAT DELIMITED`, `STORED AS INPUTFORMAT` without a
//! SerDe, an unknown format).
//!
//! **Why** MaxCompute reads the role from `odps.properties.rolearn`; without
//! it, access falls back to whatever the project's default is (the docs'
//! simplified syntaxes omit it, and no document says what that default is),
//! and the UNLOAD docs mark it required.
//!
//! **Example**
//!
//! ```sql
//! -- @access oss
//! CREATE EXTERNAL TABLE t (a STRING) STORED AS PARQUET LOCATION 'oss://…/b/t/';
//! ```
//!
//! **Fix** Run `mcaccess fix`, or write `ROW FORMAT SERDE
//! 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' WITH
//! SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::<uid>:role/<name>')`.

use crate::catalog;
use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::fix::{Impossible, Placement, RolearnProblem};
use crate::lint::FileContext;
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA002"), name: "missing-rolearn", severity: Severity::Error, fixable: true };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.fixes
        .problems()
        .filter_map(|p| match p {
            RolearnProblem::Missing { span, arn, placement } => Some(diagnostic(span, arn, placement)),
            _ => None,
        })
        .collect()
}

/// The finding for a missing rolearn: its help says where it goes.
pub fn diagnostic(span: &Range<usize>, arn: &str, placement: &Placement) -> Diagnostic {
    // Written out only where the help names the whole clause.
    let entry = || format!("WITH SERDEPROPERTIES ('odps.properties.rolearn'='{arn}')");
    let help = match placement {
        Placement::BeforeStoredAs { serde } => {
            format!("add ROW FORMAT SERDE '{serde}' {} before STORED AS (mcaccess fix does)", entry())
        }
        Placement::Impossible(Impossible::NoStorageClause) => {
            format!("add STORED BY '<handler>' or ROW FORMAT SERDE '<class>', followed by {}", entry())
        }
        Placement::Impossible(Impossible::RowFormatDelimited) => format!(
            "ROW FORMAT DELIMITED takes no SERDEPROPERTIES: replace it with ROW FORMAT SERDE '<class>' {}",
            entry()
        ),
        Placement::Impossible(Impossible::InputOutputFormat) => {
            format!("STORED AS INPUTFORMAT … needs ROW FORMAT SERDE '<class>' {} before it", entry())
        }
        Placement::Impossible(Impossible::UnknownFormat { format }) => format!(
            "`{format}` is not a format mcaccess knows the SerDe of ({}): add ROW FORMAT SERDE '<class>' {} before STORED AS",
            catalog::KNOWN_FORMATS.join(", "),
            entry()
        ),
        Placement::Append | Placement::AfterHandler | Placement::Done | Placement::Replace { .. } => {
            format!("add 'odps.properties.rolearn'='{arn}' to WITH SERDEPROPERTIES (mcaccess fix does)")
        }
    };
    META.diagnostic(span.clone(), "odps.properties.rolearn is missing").label("no role ARN for this statement").help(help)
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn fixable_when_fix_can_place_the_entry() {
        let f = of(
            super::META.code,
            &format!(
                "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED AS parquet LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/t/';"
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].fixable);
        assert_eq!(f[0].line, 3);
    }

    #[test]
    fn not_fixable_without_a_place_and_silent_when_present() {
        let f = of(
            super::META.code,
            &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) ROW FORMAT DELIMITED STORED AS textfile;"),
        );
        assert_eq!(f.len(), 1);
        assert!(!f[0].fixable);
        let ok = format!(
            "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole') LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';"
        );
        assert!(of(super::META.code, &ok).is_empty());
    }
}

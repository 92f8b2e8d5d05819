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

use crate::diagnostic::{Code, Diagnostic};
use crate::lint::FileContext;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let found = ctx.fixes.findings.iter().map(|f| &f.diagnostic);
    found.chain(&ctx.fixes.errors).filter(|d| d.code == Code::MCA002).cloned().collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn fixable_when_fix_can_place_the_entry() {
        let f = of(
            Code::MCA002,
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
            Code::MCA002,
            &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) ROW FORMAT DELIMITED STORED AS textfile;"),
        );
        assert_eq!(f.len(), 1);
        assert!(!f[0].fixable);
        let ok = format!(
            "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole') LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';"
        );
        assert!(of(Code::MCA002, &ok).is_empty());
    }
}

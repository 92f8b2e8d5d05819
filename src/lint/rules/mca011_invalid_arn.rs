//! A rolearn that is malformed or a documentation placeholder.
//!
//! **What** An `odps.properties.rolearn` value, on a statement without an
//! `@access`, that is not `acs:ram::<digits>:role/<name>` or still holds a
//! placeholder (`xxxxx`, `****`, `<uid>`, `${roleran}`). Annotated statements
//! get MCA003 instead, which `fix` repairs.
//!
//! **Why** MaxCompute rejects such an ARN only when the table is queried
//! ("The parameter RoleArn is wrongly formed"), long after review.
//!
//! **Example**
//!
//! ```sql
//! WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::xxxxxxxxxxxxx:role/aliyunodpsdefaultrole')
//! ```
//!
//! **Fix** Add an `@access` annotation and run `mcaccess fix`, or write the
//! real ARN: `acs:ram::<16-digit uid>:role/<role name in lowercase>`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::model::RoleArn;

pub const META: Meta = Meta { code: Code("MCA011"), name: "invalid-arn", severity: Severity::Error, fixable: false };

/// What is wrong with an ARN, if anything.
pub fn arn_problem(arn: &str) -> Option<&'static str> {
    RoleArn::parse(arn).err()
}

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stmt in ctx.analysis.scanned.statements.iter().filter(|s| s.kind.takes_rolearn() && s.access.is_none()) {
        for entry in stmt.clauses().rolearns() {
            if let Some(problem) = arn_problem(&entry.value.value) {
                out.push(
                    META.diagnostic(entry.value.span.clone(), format!("the rolearn is {problem}"))
                        .label("invalid role ARN")
                        .help("add an @access annotation above the statement and run mcaccess fix, or write acs:ram::<uid>:role/<name>"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::arn_problem;
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn placeholders_and_malformed_arns() {
        assert_eq!(
            arn_problem("acs:ram::xxxxxxxxxxxxx:role/aliyunodpsdefaultrole"),
            Some("a documentation placeholder")
        );
        assert_eq!(
            arn_problem("acs:ram::139699392458****:role/AliyunODPSDefaultRole"),
            Some("a documentation placeholder")
        );
        assert_eq!(arn_problem("${roleran}"), Some("a documentation placeholder"));
        assert!(arn_problem("arn:aws:iam::1:role/x").is_some());
        assert!(arn_problem("acs:ram::12a:role/x").is_some());
        assert_eq!(arn_problem("acs:ram::1234567890123456:role/mc-external"), None);
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::<uid>:role/x');",
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn annotated_statements_are_left_to_mca003() {
        let t = format!(
            "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::<uid>:role/x');"
        );
        assert!(of(super::META.code, &t).is_empty());
    }
}

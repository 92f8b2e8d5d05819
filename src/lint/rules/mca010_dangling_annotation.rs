//! An annotation that applies to nothing.
//!
//! **What** An `@access` followed by no statement, or by one it cannot apply
//! to (a `SELECT`, a `SET`); an annotation written inside a statement. (An
//! `@allow` that applies to nothing is MCA018.)
//!
//! **Why** `@access` and `@allow` apply to the next statement. One that
//! applies to nothing usually means it was left behind when a statement
//! moved, and the statement it was meant for is now unannotated.
//!
//! **Example**
//!
//! ```sql
//! -- @access oss
//! SET odps.sql.hive.compatible=true;
//! CREATE EXTERNAL TABLE t (…) …
//! ```
//!
//! **Fix** Put the annotation directly above the statement it describes
//! (comments and blank lines may sit between), or remove it.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::scan::ScanProblem;

pub const META: Meta = Meta { code: Code("MCA010"), name: "dangling-annotation", severity: Severity::Error, fixable: false };

const DANGLING_HELP: &str =
    "put it directly above the CREATE EXTERNAL TABLE, CREATE EXTERNAL SCHEMA, UNLOAD or LOAD statement it describes";

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis.scanned.problems.iter().filter_map(diagnostic).collect()
}

/// The finding for an annotation that applies to nothing, if `p` is one.
pub fn diagnostic(p: &ScanProblem) -> Option<Diagnostic> {
    Some(match p {
        ScanProblem::DanglingAccess { span, next: None } => META
            .diagnostic(span.clone(), "@access is not followed by any statement")
            .label("applies to nothing")
            .help(format!("{DANGLING_HELP}, or remove it")),
        ScanProblem::DanglingAccess { span, next: Some(next) } => META
            .diagnostic(span.clone(), format!("@access applies to the next statement, which is `{next}`"))
            .label("applies to nothing")
            .help(DANGLING_HELP),
        ScanProblem::InsideStatement { span } => META
            .diagnostic(span.clone(), "annotation inside a statement")
            .label("applies to nothing here")
            .help("move it above the statement, before its first keyword"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn access_before_a_set_at_the_end_or_inside() {
        let f = of(super::META.code, &format!("{OWNER}-- @access oss\nSET a=b;\n-- @access oss\n"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].message, "@access applies to the next statement, which is `SET a`");
        assert_eq!(f[1].message, "@access is not followed by any statement");
        let f = of(super::META.code, "CREATE EXTERNAL TABLE t (\n-- @access oss\na int) STORED BY 'h';");
        assert_eq!(f[0].message, "annotation inside a statement");
    }

    #[test]
    fn attached_annotations_pass() {
        assert!(
            of(
                super::META.code,
                &format!("{OWNER}-- @access oss\n\n-- note\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';")
            )
            .is_empty()
        );
    }
}

//! An annotation that applies to nothing.
//!
//! **What** An `@access` followed by no statement, or by one it cannot apply
//! to (a `SELECT`, a `SET`); an annotation written inside a statement; an
//! `@allow` at the end of a file (warning).
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

use crate::diagnostic::{Code, Diagnostic};
use crate::lint::FileContext;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis.scanned.diagnostics.iter().filter(|d| d.code == Code::MCA010).cloned().collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Code, Severity};
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn access_before_a_set_or_at_the_end() {
        let f = of(Code::MCA010, &format!("{OWNER}-- @access oss\nSET a=b;\n-- @allow MCA007\n"));
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].severity, f[1].severity), (Severity::Error, Severity::Warning));
    }

    #[test]
    fn attached_annotations_pass() {
        assert!(
            of(
                Code::MCA010,
                &format!("{OWNER}-- @access oss\n\n-- note\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';")
            )
            .is_empty()
        );
    }
}

//! An `@access`, `@maxcompute` or `@allow` comment that cannot be read.
//!
//! **What** Unknown sources, modes, keys or values; a missing value; a
//! second `@access` for one statement. (Accounts that cannot be resolved
//! are MCA022; near-misses such as `-- @acess` are MCA023.)
//!
//! **Why** An annotation that cannot be read cannot be resolved to a role
//! ARN, so `fix` leaves the whole file untouched until it is corrected.
//!
//! **Example**
//!
//! ```sql
//! -- @access tablestor cross-acount uid=1234567890123456
//! ```
//!
//! **Fix** Follow the help: `-- @access tablestore cross-account uid=1234567890123456`.
//! The grammar is `-- @access <source> [<mode>] [key=value]...`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity, SyntaxError};
use crate::lint::FileContext;
use crate::scan::ScanProblem;
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA001"), name: "annotation-syntax", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis
        .scanned
        .problems
        .iter()
        .filter_map(|p| match p {
            ScanProblem::Annotation(e) => Some(diagnostic(e)),
            ScanProblem::SecondAccess { span, first_line } => Some(second_access(span, *first_line)),
            _ => None,
        })
        .collect()
}

/// The parser's error, as it describes it (the word it could not read,
/// and the closest valid one).
pub fn diagnostic(e: &SyntaxError) -> Diagnostic {
    META.described(e)
}

/// A second `@access` above one statement.
pub fn second_access(span: &Range<usize>, first_line: usize) -> Diagnostic {
    META.diagnostic(span.clone(), "a statement takes one @access; this is the second")
        .label("second @access")
        .help(format!("merge it with the @access on line {first_line} into one line"))
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn reports_unknown_words_and_second_access() {
        let f = of(super::META.code, "-- @access tablestor\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column), (1, 12));
        assert_eq!(f[0].help.as_deref(), Some("did you mean `tablestore`?"));
        let f = of(super::META.code, &format!("{OWNER}-- @access oss\n-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';"));
        assert_eq!(f[0].help.as_deref(), Some("merge it with the @access on line 2 into one line"));
    }

    #[test]
    fn good_annotations_pass() {
        assert!(
            of(super::META.code, &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';"))
                .is_empty()
        );
    }
}

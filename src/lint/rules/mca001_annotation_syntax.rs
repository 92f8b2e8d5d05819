//! An `@access`, `@maxcompute` or `@allow` comment that cannot be read.
//!
//! **What** Unknown sources, modes, keys or values; a missing value; a
//! second `@access` for one statement; a cross-account `@access` with no
//! `uid=`; an `@alias` missing from `[accounts]`; no known MaxCompute owner.
//! Near-misses of an annotation (`-- @acess`) are warnings.
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

use crate::diagnostic::{Code, Diagnostic};
use crate::lint::FileContext;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let a = ctx.analysis;
    let scanned = a.scanned.diagnostics.iter().filter(|d| d.code == Code::MCA001).cloned();
    let resolved = a.plans.iter().filter_map(|p| p.plan.as_ref().err()).filter(|d| d.code == Code::MCA001).cloned();
    scanned.chain(resolved).collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Code, Severity};
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn reports_unknown_words_and_missing_owner() {
        let f = of(Code::MCA001, "-- @access tablestor\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column), (1, 12));
        assert_eq!(f[0].help.as_deref(), Some("did you mean `tablestore`?"));
        let f = of(Code::MCA001, "-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';");
        assert!(f[0].message.contains("no MaxCompute owner"));
    }

    #[test]
    fn near_miss_is_a_warning_and_good_annotations_pass() {
        let f = of(Code::MCA001, &format!("{OWNER}-- @acess oss\nSELECT 1;"));
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            of(Code::MCA001, &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';"))
                .is_empty()
        );
    }
}

//! A comment that looks like an mcaccess annotation but is not one.
//!
//! **What** A word close to `@access`, `@maxcompute` or `@allow` at the
//! start of a comment: `-- @acess oss`, `-- @allows MCA007`. A warning:
//! the comment may be meant for another tool.
//!
//! **Why** A misspelt `@access` is silently not an annotation: the
//! statement below it is unannotated, and nothing writes its rolearn.
//!
//! **Example**
//!
//! ```sql
//! -- @acess tablestore cross-account uid=1234567890123456
//! ```
//!
//! **Fix** Spell the directive as the help says: `-- @access …`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::scan::ScanProblem;

pub const META: Meta = Meta { code: Code("MCA023"), name: "unknown-annotation", severity: Severity::Warning, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis.scanned.problems.iter().filter_map(diagnostic).collect()
}

/// The finding for a near-miss annotation word, if `p` is one.
pub fn diagnostic(p: &ScanProblem) -> Option<Diagnostic> {
    let ScanProblem::NotAnnotation { span, written, suggestion } = p else { return None };
    Some(
        META.diagnostic(span.clone(), format!("`{written}` is not an mcaccess annotation"))
            .label("unknown annotation")
            .help(format!("did you mean `@{suggestion}`?")),
    )
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn near_miss_is_a_warning() {
        let f = of(super::META.code, &format!("{OWNER}-- @acess oss\nSELECT 1;"));
        assert_eq!((f.len(), f[0].severity, f[0].column), (1, Severity::Warning, 4));
        assert_eq!(f[0].help.as_deref(), Some("did you mean `@access`?"));
    }

    #[test]
    fn annotations_and_other_comments_pass() {
        assert!(of(super::META.code, &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';\n-- @owner: x\n")).is_empty());
    }
}

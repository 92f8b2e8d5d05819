//! An external statement mcaccess cannot read.
//!
//! **What** An unterminated string or comment (the rest of the file cannot
//! be read), unbalanced parentheses, a missing comma between properties, a
//! property list written as a documentation template (`['<k>'='<v>',...]`),
//! a clause given twice.
//!
//! **Why** MaxCompute rejects the statement; and mcaccess will not rewrite a
//! statement it cannot read exactly. The legacy Tablestore docs' own example
//! misses the comma before its rolearn entry.
//!
//! **Example**
//!
//! ```sql
//! 'tablestore.table.name'='vehicle_track'
//! 'odps.properties.rolearn'='acs:ram::…'
//! ```
//!
//! **Fix** As the help says: here, add the comma after `'vehicle_track'`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity, SyntaxError};
use crate::lint::FileContext;
use crate::scan::ScanProblem;

pub const META: Meta = Meta { code: Code("MCA015"), name: "statement-syntax", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let scanned = &ctx.analysis.scanned;
    let lexer = scanned.problems.iter().filter_map(|p| match p {
        ScanProblem::Unreadable(e) => Some(e),
        _ => None,
    });
    let statements = scanned.statements.iter().filter(|s| s.kind.is_external()).filter_map(|s| s.syntax_error.as_deref());
    lexer.chain(statements).map(diagnostic).collect()
}

/// The scanner's error, as it describes it (it knows what it expected).
pub fn diagnostic(e: &SyntaxError) -> Diagnostic {
    META.described(e)
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::of;

    #[test]
    fn missing_comma_and_unterminated_string() {
        let f =
            of(super::META.code, "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('a'='1'\n'b'='2');");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column), (1, 76));
        assert_eq!(of(super::META.code, "SELECT 'abc").len(), 1);
    }

    #[test]
    fn readable_and_non_external_statements_pass() {
        assert!(
            of(super::META.code, "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('a'='1');")
                .is_empty()
        );
        assert!(of(super::META.code, "SELECT ((1;").is_empty());
    }
}

//! A property given twice in one property list.
//!
//! **What** The same key twice in `WITH SERDEPROPERTIES`, `TBLPROPERTIES`
//! or `PROPERTIES` of an external statement, most often two
//! `odps.properties.rolearn` entries after a copy and paste.
//!
//! **Why** Only one value can take effect, and which one is not something a
//! reader should have to know; for rolearn, `fix` cannot tell which entry
//! to keep and refuses to edit the statement.
//!
//! **Example**
//!
//! ```sql
//! WITH SERDEPROPERTIES ('odps.properties.rolearn'='…:role/a', 'odps.properties.rolearn'='…:role/b')
//! ```
//!
//! **Fix** Keep one entry.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use std::collections::hash_map::Entry;
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA014"), name: "duplicate-property", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stmt in ctx.analysis.scanned.statements.iter().filter(|s| s.kind.is_external()) {
        let c = stmt.clauses();
        for list in [&c.serde_properties, &c.tbl_properties, &c.properties].into_iter().flatten() {
            // Keys are case-insensitive.
            let mut first = fnv::FnvHashMap::<String, &Range<usize>>::default();
            for p in &list.entries {
                match first.entry(p.key.value.to_ascii_lowercase()) {
                    Entry::Occupied(e) => {
                        let first_line = ctx.analysis.source.line(e.get().start);
                        out.push(diagnostic(&p.key.span, &p.key.value, first_line))
                    }
                    Entry::Vacant(e) => _ = e.insert(&p.key.span),
                }
            }
        }
    }
    out
}

/// The finding for a repeated `key` (`fix` refuses a repeated rolearn with
/// the same one).
pub fn diagnostic(span: &Range<usize>, key: &str, first_line: usize) -> Diagnostic {
    META.diagnostic(span.clone(), format!("'{key}' is given twice"))
        .label("repeated here")
        .help(format!("keep one of the two entries (the first is on line {first_line})"))
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::of;

    #[test]
    fn second_key_is_reported() {
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('k'='1',\n'k'='2') TBLPROPERTIES ('x'='1', 'x'='1');",
        );
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].line, f[0].column), (2, 1));
    }

    #[test]
    fn distinct_keys_pass_and_case_does_not_make_keys_distinct() {
        assert!(
            of(super::META.code, "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('k'='1', 'j'='2');")
                .is_empty()
        );
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='a', \"ODPS.PROPERTIES.ROLEARN\"='b');",
        );
        assert_eq!(f.len(), 1);
    }
}

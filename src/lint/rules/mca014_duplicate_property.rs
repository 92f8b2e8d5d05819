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
use crate::scan::Property;
use std::collections::hash_map::Entry;
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA014"), name: "duplicate-property", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stmt in ctx.analysis.scanned.statements.iter().filter(|s| s.kind.is_external()) {
        let c = stmt.clauses();
        for list in [&c.serde_properties, &c.tbl_properties, &c.properties].into_iter().flatten() {
            for (again, first) in repeated(&list.entries) {
                let first_line = ctx.analysis.source.line(list.entries[first].key.span.start);
                let key = &list.entries[again].key;
                out.push(diagnostic(&key.span, &key.value, first_line));
            }
        }
    }
    out
}

/// Lists of more entries than this look keys up in a map.
const SHORT: usize = 16;

/// Each entry whose key an earlier entry has (keys are case-insensitive):
/// its index and the first such entry's. A short list compares each key
/// with those before it and copies none (most lists hold a few entries: a
/// map of lowercased keys was a key copied and hashed for every entry); a
/// long one looks each up in such a map.
fn repeated(entries: &[Property]) -> Vec<(usize, usize)> {
    if entries.len() <= SHORT {
        let earlier = |i: usize| entries[..i].iter().position(|q| q.key.value.eq_ignore_ascii_case(&entries[i].key.value));
        return (0..entries.len()).filter_map(|i| earlier(i).map(|first| (i, first))).collect();
    }
    let mut first = fnv::FnvHashMap::<String, usize>::default();
    let mut seen = |(i, p): (usize, &Property)| match first.entry(p.key.value.to_ascii_lowercase()) {
        Entry::Occupied(e) => Some((i, *e.get())),
        Entry::Vacant(e) => {
            e.insert(i);
            None
        }
    };
    entries.iter().enumerate().filter_map(&mut seen).collect()
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

    /// A long list finds what a short one finds: each repeat, against the
    /// key's first entry.
    #[test]
    fn long_lists_find_the_same_repeats() {
        for n in [super::SHORT - 2, super::SHORT + 4] {
            let mut entries: Vec<String> = (0..n - 2).map(|i| format!("'k{i}'='v'")).collect();
            entries.insert(3, "'K1'='again'".into());
            entries.push("'k0'='again'".into());
            entries.push("'K0'='thrice'".into());
            let sql = format!("CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES (\n{});", entries.join(",\n"));
            let f = of(super::META.code, &sql);
            let found: Vec<(usize, &str)> = f.iter().map(|x| (x.line, x.help.as_deref().unwrap())).collect();
            let first = |line: usize| format!("keep one of the two entries (the first is on line {line})");
            assert_eq!(found.len(), 3, "{n} entries: {found:?}");
            assert_eq!((found[0].0, found[0].1), (5, first(3).as_str()), "{n}");
            assert_eq!((found[1].0, found[2].0), (n + 1, n + 2), "{n}");
            assert!(found[1..].iter().all(|(_, help)| *help == first(2)), "{n}: {found:?}");
        }
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

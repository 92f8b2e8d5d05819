//! `odps.properties.rolearn` in TBLPROPERTIES instead of WITH SERDEPROPERTIES.
//!
//! **What** A rolearn entry (the key in any case) in the `TBLPROPERTIES`
//! of an external statement. MaxCompute reads the role of an external table
//! from `WITH SERDEPROPERTIES`; in TBLPROPERTIES it is ignored.
//!
//! **Why** The table then reads with no role (or the default one) and
//! fails, or works by accident with broader access than intended, while the
//! DDL looks as if it names the right role.
//!
//! **Example**
//!
//! ```sql
//! CREATE EXTERNAL TABLE t (…) STORED AS PARQUET LOCATION 'oss://…'
//! TBLPROPERTIES ('odps.properties.rolearn'='acs:ram::…:role/mc');
//! ```
//!
//! **Fix** On an annotated statement `mcaccess fix` moves it: it removes the
//! entry from TBLPROPERTIES (and the clause when it is left empty) and sets
//! the resolved rolearn in WITH SERDEPROPERTIES. Without an annotation,
//! move it by hand or add `-- @access …` and run `mcaccess fix`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::scan::ROLEARN_KEY;
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA020"), name: "misplaced-rolearn", severity: Severity::Error, fixable: true };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let scanned = &ctx.analysis.scanned;
    scanned
        .statements
        .iter()
        .filter(|s| s.kind.takes_rolearn())
        .filter_map(|s| Some((s, s.clauses().tbl_properties.as_ref()?)))
        .flat_map(|(s, list)| list.get(ROLEARN_KEY).map(move |p| diagnostic(&p.span(), scanned.access_of(s).is_some())))
        .collect()
}

/// The finding for a rolearn entry in TBLPROPERTIES (`fix` makes the same
/// one, with its edits, for annotated statements).
pub fn diagnostic(span: &Range<usize>, annotated: bool) -> Diagnostic {
    let help = if annotated {
        "move it into WITH SERDEPROPERTIES (mcaccess fix does)"
    } else {
        "move it into WITH SERDEPROPERTIES, or add -- @access … above the statement and run mcaccess fix"
    };
    META.diagnostic(span.clone(), "the rolearn is in TBLPROPERTIES, where MaxCompute ignores it")
        .label("belongs in WITH SERDEPROPERTIES")
        .help(help)
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn reported_and_fixable_when_annotated() {
        let stmt = "CREATE EXTERNAL TABLE t (a int) STORED AS parquet LOCATION 'oss://b/p/'\nTBLPROPERTIES (\"ODPS.PROPERTIES.ROLEARN\"='acs:ram::1:role/x');";
        let f = of(super::META.code, stmt);
        assert_eq!((f.len(), f[0].fixable, f[0].line), (1, false, 2));
        let f = of(super::META.code, &format!("{OWNER}-- @access oss\n{stmt}"));
        assert_eq!((f.len(), f[0].fixable), (1, true));
    }
}

//! Where a statement's rolearn goes: decided from its clauses before any
//! edit is made (SPEC §4).

use super::Edit;
use super::layout::Layout;
use crate::catalog;
use crate::scan::{Format, Statement};
use std::ops::Range;

/// Where the planned rolearn goes in a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The statement already has it.
    Done,
    /// The rolearn entry has another value (`found`).
    Replace { found: String },
    /// Appended to the existing WITH SERDEPROPERTIES list.
    Append,
    /// A new WITH SERDEPROPERTIES clause after STORED BY or ROW FORMAT
    /// SERDE.
    AfterHandler,
    /// `ROW FORMAT SERDE '<serde>' WITH SERDEPROPERTIES (…)` before a bare
    /// `STORED AS <format>`.
    BeforeStoredAs { serde: &'static str },
    /// Nowhere that `fix` can write it.
    Impossible(Impossible),
}

/// Why `fix` cannot place a rolearn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Impossible {
    /// No STORED BY, ROW FORMAT SERDE or STORED AS.
    NoStorageClause,
    /// ROW FORMAT DELIMITED takes no SERDEPROPERTIES.
    RowFormatDelimited,
    /// STORED AS INPUTFORMAT … OUTPUTFORMAT …
    InputOutputFormat,
    /// STORED AS a format whose SerDe mcaccess does not know.
    UnknownFormat { format: String },
}

/// Decides where `arn` goes, in the order of SPEC §4: the existing entry,
/// the existing list, after the handler, before STORED AS.
pub fn placement(stmt: &Statement, arn: &str) -> Placement {
    let c = stmt.clauses();
    if let Some(entry) = c.rolearns().first() {
        return match entry.value.value == arn {
            true => Placement::Done,
            false => Placement::Replace { found: entry.value.value.clone() },
        };
    }
    if c.serde_properties.is_some() {
        return Placement::Append;
    }
    if c.stored_by.is_some() || c.row_format_serde.is_some() {
        return Placement::AfterHandler;
    }
    let Some(stored_as) = &c.stored_as else {
        return Placement::Impossible(Impossible::NoStorageClause);
    };
    if c.row_format_delimited.is_some() {
        return Placement::Impossible(Impossible::RowFormatDelimited);
    }
    match &stored_as.format {
        Format::InputOutput => Placement::Impossible(Impossible::InputOutputFormat),
        Format::Named(fmt) => match catalog::serde_for_format(&fmt.text) {
            Some(serde) => Placement::BeforeStoredAs { serde },
            None => Placement::Impossible(Impossible::UnknownFormat { format: fmt.text.clone() }),
        },
    }
}

/// The span a finding about the placement points at: the entry's value,
/// the list, the handler, STORED AS, or the table name.
pub fn span(stmt: &Statement, text: &str, placement: &Placement) -> Range<usize> {
    let c = stmt.clauses();
    let handler = c.stored_by.as_ref().or(c.row_format_serde.as_ref());
    match placement {
        Placement::Done | Placement::Replace { .. } => c.rolearns()[0].value.span.clone(),
        Placement::Append => c.serde_properties.as_ref().map(|l| l.span()).expect("placement saw a list"),
        Placement::AfterHandler => handler.map(|h| h.span.clone()).expect("placement saw a handler"),
        Placement::Impossible(Impossible::NoStorageClause) => {
            stmt.name.as_ref().map_or_else(|| super::first_line(text, stmt.span.start), |n| n.span.clone())
        }
        Placement::BeforeStoredAs { .. } | Placement::Impossible(_) => {
            c.stored_as.as_ref().map(|s| s.keyword.clone()).expect("placement saw STORED AS")
        }
    }
}

/// The edits that put `arn` in place (none for `Done` and `Impossible`).
pub(super) fn edits(layout: &Layout<'_>, stmt: &Statement, arn: &str, placement: &Placement) -> Vec<Edit> {
    let c = stmt.clauses();
    let case = stmt.keyword_case;
    match placement {
        Placement::Done | Placement::Impossible(_) => vec![],
        Placement::Replace { .. } => vec![layout.replace_value(&c.rolearns()[0].value, arn)],
        Placement::Append => layout.append_entry(c.serde_properties.as_ref().expect("placement saw a list"), arn),
        Placement::AfterHandler => {
            let lit = c.stored_by.as_ref().or(c.row_format_serde.as_ref()).expect("placement saw a handler");
            vec![layout.insert_clause_after(lit, case, arn, stmt.span.end)]
        }
        Placement::BeforeStoredAs { serde } => {
            let stored_as = c.stored_as.as_ref().expect("placement saw STORED AS");
            vec![layout.insert_serde_before(stored_as.keyword.start, serde, case, arn)]
        }
    }
}

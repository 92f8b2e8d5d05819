//! The edit contract of `fix`, shared by the tests and the `fix_pipeline`
//! fuzz target (which includes this file with `#[path]`), so both check the
//! same thing.

use mcaccess::fix::Edit;
use mcaccess::scan::{ROLEARN_KEY, ScannedFile};

/// Proves the edit contract on one run:
/// 1. every byte outside the edit spans is in the output, in order, at the
///    offsets the edits imply;
/// 2. every edit lies inside an annotated statement (or its annotation
///    block), so unannotated statements are untouched;
/// 3. what an edit deletes is only a rolearn value, a rolearn entry, or the
///    punctuation and keywords of an emptied SERDEPROPERTIES clause.
pub fn assert_edit_contract(text: &str, scanned: &ScannedFile, edits: &[Edit], output: &str) {
    let mut at_in = 0;
    let mut at_out = 0;
    for e in edits {
        assert!(e.range.start >= at_in, "edits overlap or are unsorted: {edits:?}");
        let gap = &text.as_bytes()[at_in..e.range.start];
        assert_eq!(&output.as_bytes()[at_out..at_out + gap.len()], gap, "bytes before edit {e:?} changed");
        at_out += gap.len() + e.text.len();
        at_in = e.range.end;
    }
    assert_eq!(&output.as_bytes()[at_out..], &text.as_bytes()[at_in..], "bytes after the last edit changed");

    // Regions of annotated statements: from the end of the statement before
    // (where its annotations, and a SET it needs, can only be) to the
    // statement's end. Computed here from the statements' spans alone, not
    // with the scanner's own region helpers that the contract is checking.
    let mut regions: Vec<(usize, usize)> = Vec::new();
    let mut previous_end = 0;
    for s in &scanned.statements {
        if s.access.is_some() {
            regions.push((previous_end, s.span.end));
        }
        previous_end = s.span.end;
    }
    for e in edits {
        let i = regions.partition_point(|r| r.0 <= e.range.start);
        let inside = i > 0 && e.range.end <= regions[i - 1].1;
        assert!(inside, "edit {e:?} is outside every annotated statement");
    }

    let rolearn_texts: Vec<(String, String)> = scanned
        .statements
        .iter()
        .flat_map(|s| {
            let tbl = s.clauses().tbl_properties.iter().flat_map(|l| l.get(ROLEARN_KEY));
            s.clauses().rolearns().into_iter().chain(tbl)
        })
        .map(|p| (text[p.span()].to_string(), text[p.value.span.clone()].to_string()))
        .collect();
    for e in edits.iter().filter(|e| !e.range.is_empty()) {
        let deleted = &text[e.range.clone()];
        if rolearn_texts.iter().any(|(_, v)| v == deleted) {
            continue;
        }
        let mut rest = deleted.to_string();
        for (entry, _) in &rolearn_texts {
            rest = rest.replace(entry.as_str(), "");
        }
        // A rolearn goes with its clause when it is the clause's only entry.
        let rest = strip_comments(&rest)
            .to_ascii_lowercase()
            .replace("tblproperties", "")
            .replace("serdeproperties", "")
            .replace("with", "");
        assert!(
            rest.chars().all(|c| c.is_whitespace() || matches!(c, ',' | '(' | ')')),
            "edit {e:?} deletes more than a rolearn entry: {deleted:?}"
        );
        assert!(
            deleted.to_ascii_lowercase().contains(ROLEARN_KEY) || deleted.trim().chars().all(|c| c == ','),
            "edit {e:?} deletes {deleted:?}"
        );
    }
}

/// Removes `-- …` and `/* … */` comments (what a removed entry may take
/// along from its own line).
fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.find('\n').map_or("", |n| &r[n..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |n| &r[n + 2..]);
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

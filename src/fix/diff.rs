//! A unified diff of edits, as `fix --diff` and `annotate --diff` print it.
//!
//! The edits say which lines change: similar diffs each cluster of edits
//! that share a line on its own, the lines between are equal, and
//! similar groups the whole into hunks. One diff of the whole text took
//! time in the square of the edits (20,000 rolearns written into one
//! file: 3.7 s). Lines are split as similar splits them (`\n`, `\r\n` or
//! a lone `\r`).

use super::Edit;
use similar::{Algorithm, DiffOp, DiffableStr};
use std::fmt::Write as _;
use std::ops::Range;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The unified diff, headed `a/<name>` and `b/<name>`, of `old` against
/// `new`, which is `old` with `edits` (sorted, not overlapping) applied;
/// empty when the edits change nothing.
pub fn unified(name: &str, old: &str, new: &str, edits: &[Edit]) -> String {
    let (old_lines, new_lines) = (old.tokenize_lines(), new.tokenize_lines());
    // Line breaks an edit makes with the text beside it (a `\n` put after
    // a lone `\r`) split the new text otherwise: then it is diffed whole.
    let ops = ops(old, &old_lines, &new_lines, edits)
        .unwrap_or_else(|| similar::capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines));
    let mut out = String::new();
    for hunk in similar::group_diff_ops(ops, CONTEXT) {
        if out.is_empty() {
            let _ = write!(out, "--- a/{name}\n+++ b/{name}\n");
        }
        write_hunk(&mut out, &hunk, &old_lines, &new_lines);
    }
    out
}

/// The diff as similar's operations on lines: each cluster of edits
/// diffed on its own lines, equal lines between. `None` if the new text's
/// lines are not the clusters' lines and the lines between.
fn ops(old: &str, old_lines: &[&str], new_lines: &[&str], edits: &[Edit]) -> Option<Vec<DiffOp>> {
    let starts: Vec<usize> = old_lines.iter().scan(0, |at, l| Some(std::mem::replace(at, *at + l.len()))).collect();
    let line_of = |at: usize| starts.partition_point(|&s| s <= at).saturating_sub(1);
    let mut ops = Vec::new();
    let (mut old_at, mut new_at) = (0, 0);
    for cluster in clusters(edits, &line_of) {
        let first = line_of(cluster[0].range.start);
        let end = (line_of(cluster[cluster.len() - 1].range.end) + 1).min(old_lines.len());
        push(&mut ops, DiffOp::Equal { old_index: old_at, new_index: new_at, len: first - old_at });
        new_at += first - old_at;
        let bytes = starts.get(first).copied().unwrap_or(0)..starts.get(end).copied().unwrap_or(old.len());
        let count = super::apply_from(&old[bytes.clone()], bytes.start, cluster).as_str().tokenize_lines().len();
        let (before, after) = (&old_lines[first..end], new_lines.get(new_at..new_at + count)?);
        for op in similar::capture_diff_slices(Algorithm::Myers, before, after) {
            push(&mut ops, shift(op, first, new_at));
        }
        (old_at, new_at) = (end, new_at + count);
    }
    let len = old_lines.len() - old_at;
    push(&mut ops, DiffOp::Equal { old_index: old_at, new_index: new_at, len });
    (new_at + len == new_lines.len()).then_some(ops)
}

/// Adds `op`, joined to the operation before it if both are equal lines
/// or both changes (as similar, and git, show a run of changed lines: its
/// old lines, then its new ones). An empty run of equal lines is no
/// operation. A joined change starts where the equal lines before it end
/// (similar's deletions may carry a later index into the new lines).
fn push(ops: &mut Vec<DiffOp>, op: DiffOp) {
    let equal = |op: &DiffOp| matches!(op, DiffOp::Equal { .. });
    match (ops.last_mut(), op) {
        (_, DiffOp::Equal { len: 0, .. }) => {}
        (Some(DiffOp::Equal { len: before, .. }), DiffOp::Equal { len, .. }) => *before += len,
        (Some(last), op) if !equal(last) && !equal(&op) => {
            let (old_len, new_len) =
                (last.old_range().len() + op.old_range().len(), last.new_range().len() + op.new_range().len());
            ops.pop();
            let (old_index, new_index) = ops.last().map_or((0, 0), |e| (e.old_range().end, e.new_range().end));
            ops.push(match (old_len, new_len) {
                (_, 0) => DiffOp::Delete { old_index, old_len, new_index },
                (0, _) => DiffOp::Insert { old_index, new_index, new_len },
                _ => DiffOp::Replace { old_index, old_len, new_index, new_len },
            });
        }
        (_, op) => ops.push(op),
    }
}

/// `op` of lines counted from `old` and `new`.
fn shift(op: DiffOp, old: usize, new: usize) -> DiffOp {
    match op {
        DiffOp::Equal { old_index, new_index, len } => {
            DiffOp::Equal { old_index: old_index + old, new_index: new_index + new, len }
        }
        DiffOp::Delete { old_index, old_len, new_index } => {
            DiffOp::Delete { old_index: old_index + old, old_len, new_index: new_index + new }
        }
        DiffOp::Insert { old_index, new_index, new_len } => {
            DiffOp::Insert { old_index: old_index + old, new_index: new_index + new, new_len }
        }
        DiffOp::Replace { old_index, old_len, new_index, new_len } => {
            DiffOp::Replace { old_index: old_index + old, old_len, new_index: new_index + new, new_len }
        }
    }
}

/// The edits in clusters that share no line with one another (a line an
/// edit only begins or ends at counts as shared).
fn clusters<'e>(edits: &'e [Edit], line_of: &impl Fn(usize) -> usize) -> Vec<&'e [Edit]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=edits.len() {
        if i == edits.len() || line_of(edits[i].range.start) > line_of(edits[i - 1].range.end) {
            out.push(&edits[start..i]);
            start = i;
        }
    }
    out
}

/// Appends one hunk as similar writes it.
fn write_hunk(out: &mut String, hunk: &[DiffOp], old_lines: &[&str], new_lines: &[&str]) {
    let (first, last) = (&hunk[0], &hunk[hunk.len() - 1]);
    let old = first.old_range().start..last.old_range().end;
    let new = first.new_range().start..last.new_range().end;
    let _ = writeln!(out, "@@ -{} +{} @@", range(&old), range(&new));
    for change in hunk.iter().flat_map(|op| op.iter_changes(old_lines, new_lines)) {
        let _ = write!(out, "{}{}", change.tag(), change.value());
        if change.missing_newline() {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// A hunk's lines as a unified diff writes them: `start,count` from 1,
/// `start` alone for one line, and the line before for none.
fn range(lines: &Range<usize>) -> String {
    match lines.len() {
        0 => format!("{},0", lines.start),
        1 => format!("{}", lines.start + 1),
        n => format!("{},{n}", lines.start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What similar prints for the whole text.
    fn whole(name: &str, old: &str, edits: &[Edit]) -> String {
        let new = super::super::apply(old, edits);
        let diff = similar::TextDiff::from_lines(old, new.as_str());
        diff.unified_diff().context_radius(CONTEXT).header(&format!("a/{name}"), &format!("b/{name}")).to_string()
    }

    /// [`unified`] of `old` with `edits` applied.
    fn diff(old: &str, edits: &[Edit]) -> String {
        unified("f.sql", old, &super::super::apply(old, edits), edits)
    }

    fn edit(range: Range<usize>, text: &str) -> Edit {
        Edit { range, text: text.to_string() }
    }

    #[test]
    fn hunks_far_apart_near_and_at_both_ends() {
        let old: String = (0..60).map(|i| format!("line {i}\n")).collect();
        let at = |line: usize| old.find(&format!("line {line}\n")).unwrap();
        let edits = vec![
            edit(0..0, "-- @allow-file MCA007\n"),
            edit(at(5) + 5..at(5) + 6, "five"),
            edit(at(13)..at(13), "inserted\n"),
            edit(at(20)..at(21), ""),
            edit(at(28) + 7..at(28) + 7, ",\n  'odps.properties.rolearn'='x'"),
            // Six unchanged lines between: one hunk.
            edit(at(40) + 5..at(40) + 6, "X"),
            edit(at(47) + 5..at(47) + 6, "Y"),
            // Lines next to each other changed: their old lines, then their new ones.
            edit(at(52) + 5..at(52) + 6, "P"),
            edit(at(53) + 5..at(53) + 6, "Q"),
            edit(old.len() - 1..old.len(), ""),
        ];
        assert_eq!(diff(&old, &edits), whole("f.sql", &old, &edits));
    }

    #[test]
    fn a_break_joined_to_a_lone_carriage_return_is_diffed_whole() {
        let edits = [edit(2..2, "\n")];
        let (old, new) = ("a\rb\n", "a\r\nb\n");
        assert_eq!(ops(old, &old.tokenize_lines(), &new.tokenize_lines(), &edits), None);
        assert_eq!(diff(old, &edits), whole("f.sql", old, &edits));
    }

    #[test]
    fn changes_on_lines_next_to_each_other_join_where_the_equal_lines_end() {
        // The second cluster's diff starts with a deletion that similar
        // gives a later index into the new lines.
        let old = "x\na\na\na\n\n";
        let edits = [edit(3..4, "z"), edit(6..8, "\n")];
        let new = super::super::apply(old, &edits);
        let (old_lines, new_lines) = (old.tokenize_lines(), new.as_str().tokenize_lines());
        let ops = ops(old, &old_lines, &new_lines, &edits).unwrap();
        assert_eq!(rebuild(&ops, &old_lines, &new_lines), new_lines);
    }

    #[test]
    fn no_edits_no_diff_and_a_last_line_without_break() {
        assert_eq!(diff("a\nb", &[]), "");
        let edits = [edit(2..3, "c")];
        assert_eq!(diff("a\nb", &edits), whole("f.sql", "a\nb", &edits));
        assert!(diff("a\nb", &edits).contains("\\ No newline at end of file"));
        let edits = [edit(0..0, "x\n")];
        assert_eq!(diff("", &edits), whole("f.sql", "", &edits));
    }

    /// The new lines `ops` make of the old ones, each equal line checked.
    fn rebuild<'a>(ops: &[DiffOp], old: &[&'a str], new: &[&'a str]) -> Vec<&'a str> {
        let mut out = Vec::new();
        for op in ops {
            for change in op.iter_changes(old, new) {
                match change.tag() {
                    similar::ChangeTag::Equal => {
                        assert_eq!(change.value(), old[change.old_index().unwrap()]);
                        out.push(change.value());
                    }
                    similar::ChangeTag::Insert => out.push(change.value()),
                    similar::ChangeTag::Delete => {}
                }
            }
        }
        out
    }

    proptest! {
        /// Lines that repeat can be paired more than one way, so the hunks
        /// need not be those of one diff of the whole text; but they make
        /// the new text of the old one.
        #[test]
        fn the_operations_make_the_new_lines_of_the_old(
            lines in prop::collection::vec(prop::sample::select(vec!["a", "b", ")", "", "c\r", "CREATE x"]), 0..60),
            picks in prop::collection::vec((0usize..400, 0usize..3, prop::sample::select(vec!["", "y\n", "z", "\n", "\r", "a\nb\n"])), 0..8),
            final_break in any::<bool>(),
        ) {
            let mut old = lines.join("\n");
            if final_break && !old.is_empty() {
                old.push('\n');
            }
            let mut edits: Vec<Edit> = Vec::new();
            let mut taken = 0;
            let mut picks = picks;
            picks.sort();
            for (start, len, text) in picks {
                let start = start.min(old.len());
                if start < taken || (start == taken && taken > 0) {
                    continue;
                }
                let end = (start + len).min(old.len());
                edits.push(edit(start..end, text));
                taken = end;
            }
            let new = super::super::apply(&old, &edits);
            let (old_lines, new_lines) = (old.tokenize_lines(), new.as_str().tokenize_lines());
            if let Some(ops) = ops(&old, &old_lines, &new_lines, &edits) {
                prop_assert_eq!(rebuild(&ops, &old_lines, &new_lines), new_lines);
            }
            prop_assert_eq!(diff(&old, &edits).is_empty(), old == new);
        }
    }
}

//! `fix`: what is wrong with each annotated statement's rolearn, and the
//! byte-range edits that make it match its plan (SPEC §4). Never re-prints
//! SQL: every byte outside an edit is kept.
//!
//! For each statement, [`placement`] decides where the rolearn goes before
//! any edit is made; `layout` then writes the edits in the file's own
//! layout. What is wrong is a typed [`RolearnProblem`]; the lint rules word
//! it, so `check` reports exactly what `fix` changes.

pub mod diff;
mod layout;
pub mod placement;

use crate::diagnostic::SyntaxError;
use crate::encoding::EncodingProblem;
use crate::model::Mode;
use crate::resolve::{AccessPlan, DUAL_SIGNATURE_FLAG, ResolveError, StatementPlan};
use crate::scan::{PropertyList, ROLEARN_KEY, ScanProblem, ScannedFile, Statement, StatementKind};
use crate::source::SourceFile;
use layout::Layout;
pub use placement::{Impossible, Placement};
use std::ops::Range;

/// Replace `range` of the original text with `text` (an insertion when the
/// range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// What is wrong with a statement's rolearn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolearnProblem {
    /// No rolearn; `placement` says where it goes (or why it cannot).
    Missing { span: Range<usize>, arn: String, placement: Placement },
    /// The rolearn is `found`, the plan says `expected`.
    Mismatch { span: Range<usize>, found: String, expected: String },
    /// A dual-signature statement names a role.
    DualSignatureRole { span: Range<usize> },
    /// A dual-signature statement has no `SET` of the flag before it.
    DualSignatureFlag { span: Range<usize> },
    /// A rolearn in TBLPROPERTIES; `annotated` says whether `fix` moves it.
    Misplaced { span: Range<usize>, annotated: bool },
    /// A second rolearn `key`; the first is on `first_line`.
    Duplicate { span: Range<usize>, key: String, first_line: usize },
}

impl RolearnProblem {
    /// Where the problem is.
    pub fn span(&self) -> &Range<usize> {
        match self {
            RolearnProblem::Missing { span, .. }
            | RolearnProblem::Mismatch { span, .. }
            | RolearnProblem::DualSignatureRole { span }
            | RolearnProblem::DualSignatureFlag { span }
            | RolearnProblem::Misplaced { span, .. }
            | RolearnProblem::Duplicate { span, .. } => span,
        }
    }
}

/// A problem and the edits that fix it (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub problem: RolearnProblem,
    pub edits: Vec<Edit>,
}

/// What stops a file from being rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    Scan(ScanProblem),
    Resolve(ResolveError),
    Syntax(SyntaxError),
    Rolearn(RolearnProblem),
    Encoding(EncodingProblem),
}

/// What `fix` would do to one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePlan {
    pub changes: Vec<Change>,
    pub blockers: Vec<Blocker>,
}

impl FilePlan {
    /// Every rolearn problem: the changes' and the blockers'.
    pub fn problems(&self) -> impl Iterator<Item = &RolearnProblem> {
        let blocked = self.blockers.iter().filter_map(|b| match b {
            Blocker::Rolearn(p) => Some(p),
            _ => None,
        });
        self.changes.iter().map(|c| &c.problem).chain(blocked)
    }

    pub fn edits(&self) -> Vec<Edit> {
        let mut edits: Vec<Edit> = self.changes.iter().flat_map(|f| f.edits.iter().cloned()).collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits
    }
}

/// Computes the changes and blockers of the statements of one scanned and
/// resolved file (the file's own problems are the caller's to add).
pub fn plan_fixes(source: &SourceFile, scanned: &ScannedFile, plans: &[StatementPlan]) -> FilePlan {
    let out = FilePlan::default();
    if scanned.unreadable {
        return out;
    }
    let mut fixer = Fixer { layout: Layout::new(source), scanned, flag_on: false, out };
    let mut plans = plans.iter().peekable();
    for (index, stmt) in scanned.statements.iter().enumerate() {
        if let StatementKind::Set { key, value } = &stmt.kind
            && key == DUAL_SIGNATURE_FLAG
        {
            fixer.flag_on = value.eq_ignore_ascii_case("true");
        }
        if let Some(plan) = plans.next_if(|p| p.statement == index) {
            match &plan.plan {
                Ok(p) => fixer.statement(stmt, p),
                Err(e) => fixer.out.blockers.push(Blocker::Resolve(e.clone())),
            }
        }
    }
    fixer.out
}

/// Walks the annotated statements in order (the dual-signature flag set
/// by one holds for the next).
struct Fixer<'a> {
    layout: Layout<'a>,
    scanned: &'a ScannedFile,
    flag_on: bool,
    out: FilePlan,
}

impl Fixer<'_> {
    fn statement(&mut self, stmt: &Statement, plan: &AccessPlan) {
        if !stmt.kind.takes_rolearn() {
            return;
        }
        if let Some(e) = &stmt.syntax_error {
            return self.out.blockers.push(Blocker::Syntax((**e).clone()));
        }
        // A rolearn in TBLPROPERTIES goes; the one in SERDEPROPERTIES is
        // set below.
        if let Some(list) = &stmt.clauses().tbl_properties
            && let Some(entry) = list.get(ROLEARN_KEY).next()
        {
            let problem = RolearnProblem::Misplaced { span: entry.span(), annotated: true };
            self.change(problem, self.layout.remove_entry(list, rolearn_index(list)));
        }
        let rolearns = stmt.clauses().rolearns();
        if let [first, second, ..] = rolearns[..] {
            let first_line = self.layout.file().line(first.key.span.start);
            let (span, key) = (second.key.span.clone(), second.key.value.clone());
            return self.out.blockers.push(Blocker::Rolearn(RolearnProblem::Duplicate { span, key, first_line }));
        }
        match (&plan.role, plan.mode) {
            (None, Mode::DualSignature) => self.dual_signature(stmt),
            (None, _) => {}
            (Some(role), _) => self.rolearn(stmt, &role.arn),
        }
    }

    /// A dual-signature statement: no rolearn, and the flag set before it.
    fn dual_signature(&mut self, stmt: &Statement) {
        if let Some(entry) = stmt.clauses().rolearns().first() {
            let list = stmt.clauses().serde_properties.as_ref().expect("a rolearn sits in a list");
            let edits = self.layout.remove_entry(list, rolearn_index(list));
            self.change(RolearnProblem::DualSignatureRole { span: entry.span() }, edits);
        }
        if !self.flag_on {
            self.flag_on = true;
            let span = first_line(&self.layout.file().text, stmt.span.start);
            let edit = self.layout.set_flag(self.scanned.block_start(stmt), stmt.keyword_case);
            self.change(RolearnProblem::DualSignatureFlag { span }, vec![edit]);
        }
    }

    /// A regular or service-linked role: its ARN in place.
    fn rolearn(&mut self, stmt: &Statement, arn: &str) {
        let placement = placement::placement(stmt, arn);
        let span = placement::span(stmt, &self.layout.file().text, &placement);
        let edits = placement::edits(&self.layout, stmt, arn, &placement);
        let problem = match placement {
            Placement::Done => return,
            Placement::Replace { found } => RolearnProblem::Mismatch { span, found, expected: arn.to_string() },
            placement => RolearnProblem::Missing { span, arn: arn.to_string(), placement },
        };
        self.change(problem, edits);
    }

    /// A problem with edits is a change; without, the @access asks for
    /// something `fix` cannot put in place: a blocker.
    fn change(&mut self, problem: RolearnProblem, edits: Vec<Edit>) {
        match edits.is_empty() {
            true => self.out.blockers.push(Blocker::Rolearn(problem)),
            false => self.out.changes.push(Change { problem, edits }),
        }
    }
}

fn rolearn_index(list: &PropertyList) -> usize {
    list.entries.iter().position(|p| p.key.value.eq_ignore_ascii_case(ROLEARN_KEY)).expect("caller checked")
}

/// The statement's first line, from `start` (what a finding about the whole
/// statement points at).
fn first_line(text: &str, start: usize) -> Range<usize> {
    start..text[start..].find(['\r', '\n']).map_or(text.len(), |n| start + n)
}

/// Applies sorted, non-overlapping edits to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    apply_from(text, 0, edits)
}

/// Applies sorted, non-overlapping edits to `text`, the part of a file from
/// byte `offset` on that holds them (their ranges are the file's).
pub fn apply_from(text: &str, offset: usize, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        let range = e.range.start - offset..e.range.end - offset;
        debug_assert!(range.start >= at, "overlapping edits");
        out.push_str(&text[at..range.start]);
        out.push_str(&e.text);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

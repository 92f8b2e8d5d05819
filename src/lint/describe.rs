//! The stages' facts → the diagnostic of the rule that reports each. Every
//! command that shows a fact (`fix`'s refusals, `plan`'s errors, `bundle`'s
//! preflight) words it through here, so it reads as `check` reports it.

use super::rules::*;
use crate::diagnostic::{Code, Diagnostic, Meta, Severity, SyntaxError};
use crate::encoding::EncodingProblem;
use crate::fix::{Blocker, RolearnProblem};
use crate::resolve::{ResolveError, Unscoped};
use crate::scan::ScanProblem;
use crate::source::SourceFile;

/// The rule that reports a scan problem (its severity, without wording it).
pub fn scan_rule(p: &ScanProblem) -> Meta {
    match p {
        ScanProblem::Annotation(_) | ScanProblem::SecondAccess { .. } => mca001_annotation_syntax::META,
        ScanProblem::Unreadable(_) => mca015_statement_syntax::META,
        ScanProblem::DanglingAllow { .. } => mca018_unused_allow::META,
        ScanProblem::NotAnnotation { .. } => mca023_unknown_annotation::META,
        ScanProblem::DanglingAccess { .. } | ScanProblem::InsideStatement { .. } => mca010_dangling_annotation::META,
    }
}

pub fn scan(p: &ScanProblem) -> Diagnostic {
    match p {
        ScanProblem::Annotation(e) => mca001_annotation_syntax::diagnostic(e),
        ScanProblem::SecondAccess { span, first_line } => mca001_annotation_syntax::second_access(span, *first_line),
        ScanProblem::Unreadable(e) => mca015_statement_syntax::diagnostic(e),
        ScanProblem::DanglingAllow { .. } => mca018_unused_allow::diagnostic(p).expect("an @allow fact"),
        ScanProblem::NotAnnotation { .. } => mca023_unknown_annotation::diagnostic(p).expect("a near-miss fact"),
        ScanProblem::DanglingAccess { .. } | ScanProblem::InsideStatement { .. } => {
            mca010_dangling_annotation::diagnostic(p).expect("a dangling fact")
        }
    }
}

pub fn syntax(e: &SyntaxError) -> Diagnostic {
    mca015_statement_syntax::diagnostic(e)
}

pub fn resolve(e: &ResolveError) -> Diagnostic {
    match e {
        ResolveError::Inapplicable { span, why } => mca013_mode_not_applicable::diagnostic(span, why),
        ResolveError::Unresolved { span, why } => mca022_unresolved_account::diagnostic(span, why),
    }
}

pub fn unscoped(u: &Unscoped) -> Diagnostic {
    mca017_unscoped_permissions::diagnostic(u)
}

pub fn rolearn(p: &RolearnProblem) -> Diagnostic {
    match p {
        RolearnProblem::Missing { span, arn, placement } => mca002_missing_rolearn::diagnostic(span, arn, placement),
        RolearnProblem::Misplaced { span, annotated } => mca020_misplaced_rolearn::diagnostic(span, *annotated),
        RolearnProblem::Duplicate { span, key, first_line } => {
            mca014_duplicate_property::diagnostic(span, key, *first_line)
        }
        RolearnProblem::Mismatch { .. }
        | RolearnProblem::DualSignatureRole { .. }
        | RolearnProblem::DualSignatureFlag { .. } => mca003_rolearn_mismatch::diagnostic(p).expect("a mismatch fact"),
    }
}

/// Whether a scan problem is an error.
pub fn scan_is_error(p: &ScanProblem) -> bool {
    scan_rule(p).severity == Severity::Error
}

/// The code of the rule that reports a rolearn problem (without wording it).
pub fn rolearn_code(p: &RolearnProblem) -> Code {
    match p {
        RolearnProblem::Missing { .. } => mca002_missing_rolearn::META.code,
        RolearnProblem::Misplaced { .. } => mca020_misplaced_rolearn::META.code,
        RolearnProblem::Duplicate { .. } => mca014_duplicate_property::META.code,
        RolearnProblem::Mismatch { .. }
        | RolearnProblem::DualSignatureRole { .. }
        | RolearnProblem::DualSignatureFlag { .. } => mca003_rolearn_mismatch::META.code,
    }
}

pub fn encoding(p: &EncodingProblem, file: &SourceFile) -> Diagnostic {
    mca019_invalid_encoding::diagnostic(p, file)
}

pub fn blocker(b: &Blocker, file: &SourceFile) -> Diagnostic {
    match b {
        Blocker::Scan(p) => scan(p),
        Blocker::Resolve(e) => resolve(e),
        Blocker::Syntax(e) => syntax(e),
        Blocker::Rolearn(p) => rolearn(p),
        Blocker::Encoding(p) => encoding(p, file),
    }
}

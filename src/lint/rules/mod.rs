//! The rules, one per file, and the registry that lists them.

use super::Rule;
use crate::diagnostic::Code;
use crate::scan::Statement;

/// Declares each rule module and lists it in [`RULES`]: one line per rule.
/// A rule file declares its `META` (code, name, severity, fixable), its
/// documentation (the `//!` comment) and `check`.
macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every rule, in code order.
        pub static RULES: &[Rule] = &[$(Rule {
            meta: $module::META,
            module: stringify!($module),
            source: include_str!(concat!(stringify!($module), ".rs")),
            check: $module::check,
        }),*];
    };
}

registry! {
    mca001_annotation_syntax,
    mca002_missing_rolearn,
    mca003_rolearn_mismatch,
    mca004_unannotated_external_statement,
    mca005_source_mismatch,
    mca006_credentials_in_ddl,
    mca007_broad_default_role,
    mca008_public_endpoint,
    mca009_region_mismatch,
    mca010_dangling_annotation,
    mca011_invalid_arn,
    mca012_cross_account_same_uid,
    mca013_mode_not_applicable,
    mca014_duplicate_property,
    mca015_statement_syntax,
    mca016_write_without_write_access,
    mca017_unscoped_permissions,
    mca018_unused_allow,
    mca019_invalid_encoding,
    mca020_misplaced_rolearn,
    mca021_too_many_policies,
    mca022_unresolved_account,
    mca023_unknown_annotation,
}

/// The rule code `written` (`MCA007`), if a rule has it.
pub fn code(written: &str) -> Option<Code> {
    RULES.iter().map(|r| r.meta.code).find(|c| c.as_str() == written)
}

/// Every code, in order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.meta.code.as_str())
}

/// The source a statement reads, from its handler and LOCATION, with the
/// reason: `("tablestore", "the handler is TableStoreStorageHandler")`.
/// `"rds"` stands for RDS MySQL over JDBC (no role at all).
pub fn infer_source(stmt: &Statement) -> Option<(&'static str, &'static str)> {
    let handler = stmt.clauses().stored_by.as_ref().map(|h| h.value.as_str()).unwrap_or("");
    let location = stmt.clauses().location.as_ref().map(|l| l.value.as_str()).unwrap_or("");
    let is = |scheme: &str| location.get(..scheme.len()).is_some_and(|head| head.eq_ignore_ascii_case(scheme));
    if handler.contains("TableStoreStorageHandler") {
        return Some(("tablestore", "the handler is TableStoreStorageHandler"));
    }
    if is("jdbc:postgresql") {
        return Some(("hologres", "the LOCATION is a PostgreSQL (Hologres) JDBC URL"));
    }
    if is("jdbc:mysql") {
        return Some(("rds", "the LOCATION is a MySQL (RDS) JDBC URL"));
    }
    if is("tablestore://") {
        return Some(("tablestore", "the LOCATION is tablestore://"));
    }
    if is("oss://") {
        return Some(("oss", "the LOCATION is oss://"));
    }
    None
}

/// The source the statement reads when the annotation names another one:
/// `(inferred, why)`.
pub fn source_mismatch(
    stmt: &Statement,
    a: &crate::annotation::AccessAnnotation,
) -> Option<(&'static str, &'static str)> {
    use crate::model::Source;
    let (inferred, why) = infer_source(stmt)?;
    let ok = match inferred {
        "oss" => matches!(a.source.value, Source::Oss | Source::Dlf | Source::PaimonDlf),
        "rds" => false,
        other => Source::parse(other) == Some(a.source.value),
    };
    (!ok).then_some((inferred, why))
}

//! The rules, one per file, and the registry that lists them.

use super::Rule;
use crate::diagnostic::{Code, Severity};
use crate::scan::Statement;

pub mod mca001_annotation_syntax;
pub mod mca002_missing_rolearn;
pub mod mca003_rolearn_mismatch;
pub mod mca004_unannotated_external_statement;
pub mod mca005_source_mismatch;
pub mod mca006_credentials_in_ddl;
pub mod mca007_broad_default_role;
pub mod mca008_public_endpoint;
pub mod mca009_region_mismatch;
pub mod mca010_dangling_annotation;
pub mod mca011_invalid_arn;
pub mod mca012_cross_account_same_uid;
pub mod mca013_mode_not_applicable;
pub mod mca014_duplicate_property;
pub mod mca015_statement_syntax;
pub mod mca016_write_without_write_access;
pub mod mca017_unscoped_permissions;
pub mod mca018_unused_allow;
pub mod mca019_invalid_encoding;
pub mod mca020_misplaced_rolearn;
pub mod mca021_too_many_policies;

macro_rules! rule {
    ($code:ident, $severity:ident, $module:ident) => {
        Rule {
            code: Code::$code,
            severity: Severity::$severity,
            source: include_str!(concat!(stringify!($module), ".rs")),
            check: $module::check,
        }
    };
}

/// Every rule, in code order.
pub static RULES: [Rule; 21] = [
    rule!(MCA001, Error, mca001_annotation_syntax),
    rule!(MCA002, Error, mca002_missing_rolearn),
    rule!(MCA003, Error, mca003_rolearn_mismatch),
    rule!(MCA004, Warning, mca004_unannotated_external_statement),
    rule!(MCA005, Error, mca005_source_mismatch),
    rule!(MCA006, Error, mca006_credentials_in_ddl),
    rule!(MCA007, Warning, mca007_broad_default_role),
    rule!(MCA008, Warning, mca008_public_endpoint),
    rule!(MCA009, Error, mca009_region_mismatch),
    rule!(MCA010, Error, mca010_dangling_annotation),
    rule!(MCA011, Error, mca011_invalid_arn),
    rule!(MCA012, Error, mca012_cross_account_same_uid),
    rule!(MCA013, Error, mca013_mode_not_applicable),
    rule!(MCA014, Error, mca014_duplicate_property),
    rule!(MCA015, Error, mca015_statement_syntax),
    rule!(MCA016, Error, mca016_write_without_write_access),
    rule!(MCA017, Warning, mca017_unscoped_permissions),
    rule!(MCA018, Warning, mca018_unused_allow),
    rule!(MCA019, Error, mca019_invalid_encoding),
    rule!(MCA020, Error, mca020_misplaced_rolearn),
    rule!(MCA021, Error, mca021_too_many_policies),
];

/// The source a statement reads, from its handler and LOCATION, with the
/// reason: `("tablestore", "the handler is TableStoreStorageHandler")`.
/// `"rds"` stands for RDS MySQL over JDBC (no role at all).
pub fn infer_source(stmt: &Statement) -> Option<(&'static str, String)> {
    let handler = stmt.clauses.stored_by.as_ref().map(|h| h.value.as_str()).unwrap_or("");
    let location = stmt.clauses.location.as_ref().map(|l| l.value.to_ascii_lowercase()).unwrap_or_default();
    if handler.contains("TableStoreStorageHandler") {
        return Some(("tablestore", "the handler is TableStoreStorageHandler".into()));
    }
    if location.starts_with("jdbc:postgresql") {
        return Some(("hologres", "the LOCATION is a PostgreSQL (Hologres) JDBC URL".into()));
    }
    if location.starts_with("jdbc:mysql") {
        return Some(("rds", "the LOCATION is a MySQL (RDS) JDBC URL".into()));
    }
    if location.starts_with("tablestore://") {
        return Some(("tablestore", "the LOCATION is tablestore://".into()));
    }
    if location.starts_with("oss://") {
        return Some(("oss", "the LOCATION is oss://".into()));
    }
    None
}

/// The source the statement reads when the annotation names another one:
/// `(inferred, why)`.
pub fn source_mismatch(stmt: &Statement, a: &crate::annotation::AccessAnnotation) -> Option<(&'static str, String)> {
    use crate::model::Source;
    let (inferred, why) = infer_source(stmt)?;
    let ok = match inferred {
        "oss" => matches!(a.source.value, Source::Oss | Source::Dlf | Source::PaimonDlf),
        "rds" => false,
        other => Source::parse(other) == Some(a.source.value),
    };
    (!ok).then_some((inferred, why))
}

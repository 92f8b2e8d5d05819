//! Least-privilege permission statements for a planned statement, from its
//! LOCATION (or `bucket=`), table name, access and scope — or why they
//! cannot be scoped.

use super::{AccessPlan, Permissions, RoleKind};
use crate::annotation::AccessAnnotation;
use crate::catalog;
use crate::location::{self, Location};
use crate::model::{Access, Scope, Source};
use crate::policy;
use crate::scan::Statement;
use std::ops::Range;

/// Permissions that cannot be scoped: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unscoped {
    pub span: Range<usize>,
    pub why: Unscopable,
}

/// Why no least-privilege policy can be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unscopable {
    /// An OSS table's bucket and prefix are unknown.
    Oss(OssUnscoped),
    /// A DLF table's OSS bucket and prefix are unknown.
    Dlf(OssUnscoped),
    NoTablestoreLocation,
    TablestoreRegionUnknown,
    NoTablestoreTable,
    /// The Tablestore instance or table is a variable (`name`).
    TablestoreVariable {
        name: String,
    },
}

/// Why an OSS bucket and prefix are unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OssUnscoped {
    NoBucket,
    BucketVariable { bucket: String },
    Templated,
    NotOss { scheme: String },
    NoLocation,
}

/// The permissions of a plan: none for service-linked roles, Hologres and
/// dual-signature; `Resource "*"` for `scope=account`; else scoped.
pub(super) fn of(stmt: &Statement, a: &AccessAnnotation, plan: &AccessPlan) -> Permissions {
    let Some(role) = plan.role.as_ref().filter(|r| r.kind == RoleKind::Regular) else {
        return Permissions::None;
    };
    if plan.scope == Scope::Account {
        return account_wide(plan.source);
    }
    let at = stmt.clauses().location.as_ref().map_or(a.source.span.clone(), |l| l.span.clone());
    let unscoped = |span: Range<usize>, why| Permissions::Unscoped(Unscoped { span, why });
    let uid = &role.account;
    let location = stmt.clauses().parsed_location.as_ref();
    match plan.source {
        Source::Hologres => Permissions::None,
        Source::Oss => match oss_scope(a, location) {
            Ok((bucket, prefix)) => Permissions::Statements(oss_statements(uid, &bucket, &prefix, plan.access)),
            Err(why) => unscoped(at, Unscopable::Oss(why)),
        },
        Source::Tablestore => match tablestore(stmt, uid, plan) {
            Ok(statements) => Permissions::Statements(statements),
            Err((span, why)) => unscoped(span.unwrap_or(at), why),
        },
        Source::Dlf | Source::PaimonDlf => {
            let dlf =
                if plan.access.write || plan.access.delete { catalog::DLF_ALL.to_vec() } else { catalog::dlf_read() };
            match oss_scope(a, location) {
                Ok((bucket, prefix)) => {
                    let mut out = oss_statements(uid, &bucket, &prefix, plan.access);
                    out.push(policy::allow(&dlf, vec!["*".into()]));
                    Permissions::Statements(out)
                }
                Err(why) => unscoped(at, Unscopable::Dlf(why)),
            }
        }
    }
}

/// The seed's broad policies (`scope=account`).
fn account_wide(source: Source) -> Permissions {
    let star = || vec!["*".to_string()];
    Permissions::Statements(match source {
        Source::Oss => vec![policy::allow(&catalog::OSS_ALL, star())],
        Source::Tablestore => vec![policy::allow(&catalog::OTS_ALL, star())],
        Source::Dlf | Source::PaimonDlf => {
            vec![policy::allow(&catalog::OSS_ALL, star()), policy::allow(&catalog::DLF_ALL, star())]
        }
        Source::Hologres => return Permissions::None,
    })
}

/// A Tablestore instance and table from the LOCATION and
/// `tablestore.table.name`; on failure, the span to blame if it is not the
/// LOCATION.
fn tablestore(
    stmt: &Statement,
    uid: &str,
    plan: &AccessPlan,
) -> Result<Vec<policy::Statement>, (Option<Range<usize>>, Unscopable)> {
    let Some(Location::Tablestore(t)) = &stmt.clauses().parsed_location else {
        return Err((None, Unscopable::NoTablestoreLocation));
    };
    let Some(region) = &plan.region else {
        return Err((None, Unscopable::TablestoreRegionUnknown));
    };
    let Some(table) = stmt.clauses().serde_property("tablestore.table.name") else {
        return Err((stmt.clauses().serde_properties.as_ref().map(|l| l.span()), Unscopable::NoTablestoreTable));
    };
    if let Some(var) = [&t.instance, &table.value].into_iter().find(|v| location::is_templated(v)) {
        return Err((None, Unscopable::TablestoreVariable { name: var.clone() }));
    }
    let instance = format!("acs:ots:{region}:{uid}:instance/{}", t.instance.to_ascii_lowercase());
    let table = format!("{instance}/table/{}", table.value);
    let table_actions =
        actions(plan.access, &catalog::OTS_TABLE_READ, &catalog::OTS_TABLE_WRITE, &catalog::OTS_TABLE_DELETE);
    Ok(vec![policy::allow(&catalog::OTS_INSTANCE_READ, vec![instance]), policy::allow(&table_actions, vec![table])])
}

/// Bucket and prefix from `bucket=` or an OSS LOCATION.
fn oss_scope(a: &AccessAnnotation, location: Option<&Location>) -> Result<(String, String), OssUnscoped> {
    if let Some(b) = &a.bucket {
        let (bucket, prefix) = b.value.split_once('/').unwrap_or((&b.value, ""));
        return Ok((bucket.to_string(), prefix.to_string()));
    }
    match location {
        Some(Location::Oss(o)) => match o.scope() {
            Some((bucket, prefix)) => Ok((bucket.to_string(), prefix.to_string())),
            None if o.bucket.is_empty() => Err(OssUnscoped::NoBucket),
            None => Err(OssUnscoped::BucketVariable { bucket: o.bucket.clone() }),
        },
        Some(Location::Templated) => Err(OssUnscoped::Templated),
        Some(other) => Err(OssUnscoped::NotOss { scheme: other.scheme() }),
        None => Err(OssUnscoped::NoLocation),
    }
}

/// The actions an access set needs, from a source's read, write and delete
/// lists.
fn actions(
    access: Access,
    read: &[&'static str],
    write: &[&'static str],
    delete: &[&'static str],
) -> Vec<&'static str> {
    [(access.read, read), (access.write, write), (access.delete, delete)]
        .into_iter()
        .filter(|(on, _)| *on)
        .flat_map(|(_, list)| list.iter().copied())
        .collect()
}

fn oss_statements(uid: &str, bucket: &str, prefix: &str, access: Access) -> Vec<policy::Statement> {
    // A LOCATION names a directory: `data` must not also grant `data2/`.
    let slash = if prefix.is_empty() || prefix.ends_with('/') { "" } else { "/" };
    let objects = actions(access, &catalog::OSS_OBJECT_READ, &catalog::OSS_OBJECT_WRITE, &catalog::OSS_OBJECT_DELETE);
    // Joined, not `format!`ted: this runs for every OSS statement.
    let bucket_arn = ["acs:oss:*:", uid, ":", bucket].concat();
    let objects_arn = [&bucket_arn, "/", prefix, slash, "*"].concat();
    vec![policy::allow(&catalog::OSS_BUCKET_READ, vec![bucket_arn]), policy::allow(&objects, vec![objects_arn])]
}

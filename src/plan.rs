//! `plan`: the resolved access of every annotated statement, for people
//! (a compact block per statement) and for machines (JSON).

use crate::model::{Access, Entity, Mode, Scope, Source};
use crate::policy::{PolicyDocument, Statement as PolicyStatement};
use crate::resolve::{AccessPlan, Permissions, Role, StatementPlan};
use crate::scan::{ScannedFile, StatementKind};
use crate::source::SourceFile;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PlanEntry {
    pub file: String,
    pub line: usize,
    pub kind: &'static str,
    pub table: Option<String>,
    /// For CREATE EXTERNAL SCHEMA: the foreign server that needs the RoleARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreign_server: Option<String>,
    pub source: Source,
    pub mode: Mode,
    pub access: Access,
    pub owner: String,
    pub region: Option<String>,
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<Entity>,
    pub role: Option<Role>,
    pub trust_policy: Option<PolicyDocument>,
    /// Least-privilege statements; `null` when the role needs no RAM
    /// permission policy.
    pub permissions: Option<Vec<PolicyStatement>>,
    /// Why the permissions could not be scoped, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_error: Option<String>,
}

/// Plan entries for the statements whose plan resolved.
pub fn entries(file: &SourceFile, scanned: &ScannedFile, plans: &[StatementPlan]) -> Vec<PlanEntry> {
    plans
        .iter()
        .filter_map(|sp| {
            let p = sp.plan.as_ref().ok()?;
            let stmt = &scanned.statements[sp.statement];
            Some(entry(file, stmt, p))
        })
        .collect()
}

fn entry(file: &SourceFile, stmt: &crate::scan::Statement, p: &AccessPlan) -> PlanEntry {
    let (permissions, permissions_error) = match &p.permissions {
        Permissions::Statements(s) => (Some(s.clone()), None),
        Permissions::None => (None, None),
        Permissions::Unscoped(u) => (None, Some(crate::lint::rules::mca017_unscoped_permissions::message(&u.why))),
    };
    let foreign_server = match &stmt.kind {
        StatementKind::CreateExternalSchema { server } => server.as_ref().map(|s| s.text.clone()),
        _ => None,
    };
    PlanEntry {
        file: file.name.clone(),
        line: file.line(stmt.span.start),
        kind: stmt.kind.describe(),
        table: stmt.name.as_ref().map(|n| n.text.clone()),
        foreign_server,
        source: p.source,
        mode: p.mode,
        access: p.access,
        owner: p.owner.clone(),
        region: p.region.clone(),
        scope: p.scope,
        entity: (p.source == Source::Hologres).then_some(p.entity),
        role: p.role.clone(),
        trust_policy: p.trust(),
        permissions,
        permissions_error,
    }
}

/// The human view: one block per statement.
pub fn render_human(entries: &[PlanEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let name = e.table.as_deref().unwrap_or(if e.kind == "UNLOAD" { "(query)" } else { "(unnamed)" });
        out.push_str(&format!("{}:{}  {} {}\n", e.file, e.line, e.kind, name));
        let mut row = |k: &str, v: String| out.push_str(&format!("  {k:<12} {v}\n"));
        row("source", format!("{} ({}), access {}", e.source, e.mode, e.access));
        match &e.role {
            Some(r) => row(
                "role",
                format!(
                    "{}{}",
                    r.arn,
                    if r.kind == crate::resolve::RoleKind::ServiceLinked { " (service-linked)" } else { "" }
                ),
            ),
            None => row("role", "none: dual-signature (SET odps.sql.common.table.planner.ext.hive.bridge=true)".into()),
        }
        if let (Some(server), Some(r)) = (&e.foreign_server, &e.role) {
            row("set on", format!("foreign server `{server}`: RoleARN {}", r.arn));
        }
        if let Some(t) = &e.trust_policy {
            let principals: Vec<String> = t
                .statement
                .iter()
                .filter_map(|s| s.principal.as_ref())
                .flat_map(|p| {
                    let tag = |k: &str, v: &Option<Vec<String>>| {
                        v.iter().flatten().map(|x| format!("{k} {x}")).collect::<Vec<_>>()
                    };
                    [tag("RAM", &p.ram), tag("Federated", &p.federated), tag("Service", &p.service)].concat()
                })
                .collect();
            row("trust", principals.join(", "));
        }
        match (&e.permissions, &e.permissions_error) {
            (Some(stmts), _) => {
                for (i, s) in stmts.iter().enumerate() {
                    let resources = s.resource.as_ref().map(|r| r.items().join(", ")).unwrap_or_default();
                    let line = format!("{} on {}", s.action.items().join(", "), resources);
                    row(if i == 0 { "permissions" } else { "" }, line);
                }
            }
            (None, Some(err)) => row("permissions", format!("cannot be scoped: {err}")),
            (None, None) => row(
                "permissions",
                match (e.source, &e.role) {
                    (_, Some(r)) if r.kind == crate::resolve::RoleKind::ServiceLinked => {
                        "managed by the service-linked role".into()
                    }
                    (Source::Hologres, None) => {
                        "none in RAM: dual-signature uses the caller's own Hologres permissions".into()
                    }
                    (Source::Hologres, _) => "none in RAM: grant the role access inside Hologres".into(),
                    _ => "none".into(),
                },
            ),
        }
        out.push('\n');
    }
    out
}

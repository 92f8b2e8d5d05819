//! Resolve stage: annotations + `@maxcompute` + config → an access plan per
//! statement (SPEC §3): owner, data account, role name and ARN, trust policy
//! and least-privilege permissions.
//!
//! Each decision is one function below, in the order `plan_statement`
//! takes them, and documents its precedence. What cannot be resolved is a
//! typed [`ResolveError`]; the lint rules word it.

mod permissions;

use crate::annotation::{AccessAnnotation, Spanned};
use crate::config::Config;
use crate::location::Location;
use crate::model::{Access, Entity, Mode, Scope, Source, UidRef, did_you_mean};
use crate::policy::{self, PolicyDocument};
use crate::scan::{MaxComputeContext, ScannedFile, Statement, StatementKind};
use serde::Serialize;
use std::ops::Range;

pub use permissions::{OssUnscoped, Unscopable, Unscoped};

pub const DEFAULT_ROLE: &str = "aliyunodpsdefaultrole";
pub const CROSS_ACCOUNT_ROLE: &str = "aliyunodpsroleforotheruser";
pub const HOLOGRES_SLR: &str = "aliyunserviceroleformaxcomputeidentitymgmt";
pub const LAKEHOUSE_SLR: &str = "aliyunserviceroleformaxcomputelakehouse";
pub const DUAL_SIGNATURE_FLAG: &str = "odps.sql.common.table.planner.ext.hive.bridge";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleKind {
    Regular,
    ServiceLinked,
}

/// The role a statement assumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// The account the role lives in.
    pub account: String,
    /// The name as configured (RAM role names are case-preserving).
    pub name: String,
    /// `acs:ram::<account>:role/<name in lowercase>`.
    pub arn: String,
    pub kind: RoleKind,
}

/// Where a permission policy's resources come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    /// Least-privilege statements.
    Statements(Vec<policy::Statement>),
    /// No RAM permission policy (Hologres grants, service-linked roles).
    None,
    /// Could not be scoped: why, and where.
    Unscoped(Unscoped),
}

/// Everything mcaccess knows about one annotated statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPlan {
    pub source: Source,
    pub mode: Mode,
    /// The MaxCompute owner account (the one that assumes the role).
    pub owner: String,
    /// `None` for dual-signature (no role at all).
    pub role: Option<Role>,
    pub access: Access,
    pub region: Option<String>,
    pub scope: Scope,
    pub entity: Entity,
    pub idp: String,
    pub permissions: Permissions,
}

impl AccessPlan {
    /// The role's trust policy: `None` for service-linked roles (RAM
    /// manages their trust) and dual-signature. Made when asked for:
    /// `bundle` and `plan` show it, `check` never does (it was a tenth of
    /// resolving a statement).
    pub fn trust(&self) -> Option<PolicyDocument> {
        match (&self.role, self.mode) {
            (Some(r), Mode::SameAccount | Mode::CrossAccount) => {
                Some(trust_policy(self.source, self.mode, &self.owner, &r.account, self.entity, &self.idp))
            }
            _ => None,
        }
    }
}

/// Why a statement has no plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The mode, or a key of the annotation, does not apply here.
    Inapplicable { span: Range<usize>, why: Inapplicable },
    /// An account the role needs is not known.
    Unresolved { span: Range<usize>, why: Unresolved },
}

/// What does not apply, and to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inapplicable {
    /// `service-linked` on a table, LOAD or UNLOAD (`statement`).
    ServiceLinkedNeedsSchema { statement: &'static str },
    /// `service-linked` for a source MaxCompute has no such role for.
    NoServiceLinkedRole { source: Source },
    /// `dual-signature` for another source than Hologres.
    DualSignatureNeedsHologres { source: Source },
    /// `dual-signature` on another statement than a table.
    DualSignatureNeedsTable { statement: &'static str },
    /// `entity=` or `idp=` for another source than Hologres.
    HologresOnlyKey { key: &'static str },
    /// `role=` with a mode whose role is fixed or absent.
    FixedRole { mode: Mode },
}

/// Which account is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// No owner on the annotation, above it, or in the config.
    NoOwner,
    /// `uid=@alias` names no `[accounts]` entry; `suggestion` is a close
    /// one; `config_found` says whether there is a config at all.
    UnknownAlias { alias: String, suggestion: Option<String>, config_found: bool },
    /// `cross-account` without `uid=`.
    NoDataAccount,
}

/// A statement's plan, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementPlan {
    /// Index into [`ScannedFile::statements`].
    pub statement: usize,
    pub plan: Result<AccessPlan, ResolveError>,
}

/// Plans every annotated statement of a file.
pub fn resolve(file: &ScannedFile, config: &Config) -> Vec<StatementPlan> {
    let mut out = Vec::new();
    for (index, stmt) in file.statements.iter().enumerate() {
        let Some(access) = file.access_of(stmt) else {
            continue;
        };
        let comment = file.annotations[stmt.access.expect("access_of found one")].span.clone();
        out.push(StatementPlan { statement: index, plan: plan_statement(stmt, access, comment, config) });
    }
    out
}

/// Plans one statement under an annotation that is not (yet) in its file
/// (what `annotate` proposes): errors point at the annotation's own spans.
pub fn plan_with(stmt: &Statement, a: &AccessAnnotation, config: &Config) -> Result<AccessPlan, ResolveError> {
    plan_statement(stmt, a, 0..0, config)
}

/// Plans one statement: each decision in turn, the first error wins.
fn plan_statement(
    stmt: &Statement,
    a: &AccessAnnotation,
    comment: Range<usize>,
    config: &Config,
) -> Result<AccessPlan, ResolveError> {
    let source = a.source.value;
    let mode = a.mode.as_ref().map_or(Mode::SameAccount, |m| m.value);
    applicable(stmt, a, mode)?;
    let owner = owner(a, &stmt.maxcompute, config, comment)?;
    let uid = data_account(a, mode, &owner, config)?;
    let region = region(a, stmt.clauses().parsed_location.as_ref(), &stmt.maxcompute, config);
    let role = role(a, mode, &owner, &uid, config);
    let entity = a.entity.as_ref().map_or(Entity::Account, |e| e.value);
    let idp = a.idp.as_ref().map_or_else(|| "IDP".to_string(), |i| i.value.clone());
    let mut plan = AccessPlan {
        source,
        mode,
        owner,
        role,
        access: a.access.as_ref().map_or(Access::READ, |x| x.value),
        region,
        scope: a.scope.as_ref().map_or(Scope::Location, |s| s.value),
        entity,
        idp,
        permissions: Permissions::None,
    };
    plan.permissions = permissions::of(stmt, a, &plan);
    Ok(plan)
}

/// Whether the mode fits the statement and the source: `service-linked`
/// only on schemas of Hologres or Paimon-DLF, `dual-signature` only on
/// Hologres tables, `entity=`/`idp=` only for Hologres, `role=` only where
/// the role is ours to name.
fn applicable(stmt: &Statement, a: &AccessAnnotation, mode: Mode) -> Result<(), ResolveError> {
    let source = a.source.value;
    let mode_span = a.mode.as_ref().map_or(a.source.span.clone(), |m| m.span.clone());
    let statement = stmt.kind.describe();
    let is_schema = matches!(stmt.kind, StatementKind::CreateExternalSchema { .. });
    let mode_problem = match mode {
        Mode::ServiceLinked if !is_schema => Some(Inapplicable::ServiceLinkedNeedsSchema { statement }),
        Mode::ServiceLinked if !matches!(source, Source::Hologres | Source::PaimonDlf) => {
            Some(Inapplicable::NoServiceLinkedRole { source })
        }
        Mode::DualSignature if source != Source::Hologres => Some(Inapplicable::DualSignatureNeedsHologres { source }),
        Mode::DualSignature if stmt.kind != StatementKind::CreateExternalTable => {
            Some(Inapplicable::DualSignatureNeedsTable { statement })
        }
        _ => None,
    };
    if let Some(why) = mode_problem {
        return Err(ResolveError::Inapplicable { span: mode_span, why });
    }
    if source != Source::Hologres {
        let keys =
            [("entity", a.entity.as_ref().map(|e| e.span.clone())), ("idp", a.idp.as_ref().map(|e| e.span.clone()))];
        if let Some((key, span)) = keys.into_iter().find_map(|(k, s)| Some((k, s?))) {
            return Err(ResolveError::Inapplicable { span, why: Inapplicable::HologresOnlyKey { key } });
        }
    }
    match (mode, &a.role) {
        (Mode::ServiceLinked | Mode::DualSignature, Some(role)) => {
            Err(ResolveError::Inapplicable { span: role.span.clone(), why: Inapplicable::FixedRole { mode } })
        }
        _ => Ok(()),
    }
}

/// The MaxCompute owner account: the annotation's `owner=`, else the
/// latest `@maxcompute owner=` above the statement, else the config's.
fn owner(
    a: &AccessAnnotation,
    ctx: &MaxComputeContext,
    config: &Config,
    comment: Range<usize>,
) -> Result<String, ResolveError> {
    a.owner
        .as_ref()
        .or(ctx.owner.as_ref())
        .map(|o| o.value.clone())
        .or_else(|| config.owner.clone())
        .ok_or(ResolveError::Unresolved { span: comment, why: Unresolved::NoOwner })
}

/// The account that holds the data and the role: `uid=` (digits, or an
/// alias from `[accounts]`), else the owner — except `cross-account`,
/// which must name it.
fn data_account(a: &AccessAnnotation, mode: Mode, owner: &str, config: &Config) -> Result<String, ResolveError> {
    match &a.uid {
        Some(Spanned { value: UidRef::Literal(u), .. }) => Ok(u.clone()),
        Some(Spanned { value: UidRef::Alias(alias), span }) => match config.account(alias) {
            Some(u) => Ok(u.to_string()),
            None => Err(ResolveError::Unresolved {
                span: span.clone(),
                why: Unresolved::UnknownAlias {
                    alias: alias.clone(),
                    suggestion: did_you_mean(alias, config.accounts.keys().map(String::as_str)).map(str::to_string),
                    config_found: config.path.is_some(),
                },
            }),
        },
        None if mode == Mode::CrossAccount => {
            let span = a.mode.as_ref().map_or(a.source.span.clone(), |m| m.span.clone());
            Err(ResolveError::Unresolved { span, why: Unresolved::NoDataAccount })
        }
        None => Ok(owner.to_string()),
    }
}

/// The region: the annotation's `region=`, else the LOCATION's endpoint,
/// else `@maxcompute region=` above the statement, else the config's.
fn region(
    a: &AccessAnnotation,
    location: Option<&Location>,
    ctx: &MaxComputeContext,
    config: &Config,
) -> Option<String> {
    a.region
        .as_ref()
        .map(|r| r.value.clone())
        .or_else(|| location.and_then(|l| l.region().map(str::to_string)))
        .or_else(|| ctx.region.as_ref().map(|r| r.value.clone()))
        .or_else(|| config.region.clone())
}

/// The role: none for dual-signature; the fixed service-linked role in the
/// owner's account; else a role in the data account named by `role=`, else
/// `[roles] <source>`, else `[roles] cross-account`/`default` by mode, else
/// the documented default role of the mode.
fn role(a: &AccessAnnotation, mode: Mode, owner: &str, uid: &str, config: &Config) -> Option<Role> {
    let source = a.source.value;
    match mode {
        Mode::DualSignature => None,
        Mode::ServiceLinked => {
            let name = if source == Source::Hologres { HOLOGRES_SLR } else { LAKEHOUSE_SLR };
            let (account, arn) = (owner.to_string(), arn(owner, name));
            Some(Role { account, name: name.to_string(), arn, kind: RoleKind::ServiceLinked })
        }
        Mode::SameAccount | Mode::CrossAccount => {
            let cross = mode == Mode::CrossAccount;
            let name = a
                .role
                .as_ref()
                .map(|r| r.value.clone())
                .or_else(|| config.roles.per_source.get(&source).cloned())
                .or_else(|| if cross { config.roles.cross_account.clone() } else { config.roles.default.clone() })
                .unwrap_or_else(|| if cross { CROSS_ACCOUNT_ROLE } else { DEFAULT_ROLE }.to_string());
            Some(Role { account: uid.to_string(), arn: arn(uid, &name), name, kind: RoleKind::Regular })
        }
    }
}

pub fn arn(account: &str, role_name: &str) -> String {
    // Joined, not `format!`ted: this runs for every external statement.
    let mut arn = ["acs:ram::", account, ":role/", role_name].concat();
    let name = arn.len() - role_name.len();
    arn[name..].make_ascii_lowercase();
    arn
}

/// The trust policy, exactly in the seed's shapes.
pub fn trust_policy(source: Source, mode: Mode, owner: &str, uid: &str, entity: Entity, idp: &str) -> PolicyDocument {
    let maxcompute = if mode == Mode::SameAccount && source != Source::Hologres {
        "odps.aliyuncs.com".to_string()
    } else {
        format!("{owner}@odps.aliyuncs.com")
    };
    let service = policy::trust_service(maxcompute);
    PolicyDocument::new(match (source, entity) {
        (Source::Hologres, Entity::Account) => vec![policy::trust_account(uid), service],
        (Source::Hologres, Entity::Idp) => vec![policy::trust_saml(uid, idp), service],
        _ => vec![service],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan;

    fn plan(src: &str) -> Result<AccessPlan, ResolveError> {
        plan_with(src, &Config::default())
    }

    fn plan_with(src: &str, config: &Config) -> Result<AccessPlan, ResolveError> {
        let f = scan(src);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        resolve(&f, config).remove(0).plan
    }

    const OTS: &str = "STORED BY 'com.aliyun.odps.TableStoreStorageHandler' WITH SERDEPROPERTIES ('tablestore.table.name'='vehicle_track') LOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com';";

    #[test]
    fn seed_cross_account_tablestore() {
        let p = plan(&format!("-- @maxcompute owner=5678901234567890\n-- @access tablestore cross-account uid=1234567890123456\nCREATE EXTERNAL TABLE t (a int) {OTS}")).unwrap();
        let role = p.role.clone().unwrap();
        assert_eq!(role.arn, "acs:ram::1234567890123456:role/aliyunodpsroleforotheruser");
        let trust = serde_json::to_value(p.trust().unwrap()).unwrap();
        assert_eq!(trust["Statement"][0]["Principal"]["Service"][0], "5678901234567890@odps.aliyuncs.com");
        let Permissions::Statements(s) = p.permissions else { panic!() };
        assert_eq!(s[0].resource.as_ref().unwrap().items(), vec!["acs:ots:cn-hangzhou:1234567890123456:instance/cap1"]);
        assert_eq!(
            s[1].resource.as_ref().unwrap().items(),
            vec!["acs:ots:cn-hangzhou:1234567890123456:instance/cap1/table/vehicle_track"]
        );
    }

    #[test]
    fn role_name_precedence_and_lowercase_arn() {
        let mut config = Config { owner: Some("5678901234567890".into()), ..Config::default() };
        let stmt = "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/p/';";
        assert_eq!(
            plan_with(&format!("-- @access oss\n{stmt}"), &config).unwrap().role.unwrap().arn,
            "acs:ram::5678901234567890:role/aliyunodpsdefaultrole"
        );
        config.roles.default = Some("MC-External".into());
        assert_eq!(
            plan_with(&format!("-- @access oss\n{stmt}"), &config).unwrap().role.unwrap().arn,
            "acs:ram::5678901234567890:role/mc-external"
        );
        config.roles.per_source.insert(Source::Oss, "mc-oss".into());
        assert_eq!(plan_with(&format!("-- @access oss\n{stmt}"), &config).unwrap().role.unwrap().name, "mc-oss");
        assert_eq!(
            plan_with(&format!("-- @access oss role=Mine\n{stmt}"), &config).unwrap().role.unwrap().arn,
            "acs:ram::5678901234567890:role/mine"
        );
    }

    #[test]
    fn missing_owner_says_where_to_set_it() {
        let e =
            plan("-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e.x/b/';").unwrap_err();
        assert_eq!(e, ResolveError::Unresolved { span: 0..14, why: Unresolved::NoOwner });
    }

    #[test]
    fn modes_that_do_not_apply() {
        let e = plan("-- @access hologres service-linked owner=1\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';")
            .unwrap_err();
        let why = Inapplicable::ServiceLinkedNeedsSchema { statement: "CREATE EXTERNAL TABLE" };
        assert_eq!(e, ResolveError::Inapplicable { span: 20..34, why });
        let e =
            plan("-- @access oss dual-signature owner=1\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';").unwrap_err();
        let why = Inapplicable::DualSignatureNeedsHologres { source: Source::Oss };
        assert_eq!(e, ResolveError::Inapplicable { span: 15..29, why });
        let p = plan(
            "-- @access paimon-dlf service-linked owner=5678901234567890\nCREATE EXTERNAL SCHEMA s WITH srv ON 'c.db';",
        )
        .unwrap();
        assert_eq!(
            p.role.as_ref().unwrap().arn,
            "acs:ram::5678901234567890:role/aliyunserviceroleformaxcomputelakehouse"
        );
        assert!(p.trust().is_none());
    }

    #[test]
    fn oss_least_privilege_and_unscoped_templates() {
        let p = plan("-- @access oss access=read,write owner=1\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/orders/';").unwrap();
        let Permissions::Statements(s) = p.permissions else { panic!() };
        assert_eq!(s[0].resource.as_ref().unwrap().items(), vec!["acs:oss:*:1:lake"]);
        assert_eq!(s[1].resource.as_ref().unwrap().items(), vec!["acs:oss:*:1:lake/orders/*"]);
        assert_eq!(
            s[1].action.items(),
            vec!["oss:GetObject", "oss:PutObject", "oss:AbortMultipartUpload", "oss:ListParts"]
        );
        assert_eq!(p.region.as_deref(), Some("cn-hangzhou"));
        let p = plan(
            "-- @access oss owner=1\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://${endpoint}/b/';",
        )
        .unwrap();
        assert!(matches!(p.permissions, Permissions::Unscoped(_)));
    }

    #[test]
    fn hologres_trust_entities() {
        let p = plan("-- @access hologres owner=5678901234567890\nCREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler';").unwrap();
        let t = serde_json::to_value(p.trust().unwrap()).unwrap();
        assert_eq!(t["Statement"][0]["Principal"]["RAM"][0], "acs:ram::5678901234567890:root");
        assert_eq!(t["Statement"][1]["Principal"]["Service"][0], "5678901234567890@odps.aliyuncs.com");
        assert_eq!(p.permissions, Permissions::None);
        let p = plan("-- @access hologres entity=idp idp=Okta owner=5678901234567890\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';").unwrap();
        let t = serde_json::to_value(p.trust().unwrap()).unwrap();
        assert_eq!(t["Statement"][0]["Principal"]["Federated"][0], "acs:ram::5678901234567890:saml-provider/Okta");
    }

    #[test]
    fn aliases_resolve_from_config() {
        let mut config = Config { owner: Some("5678901234567890".into()), ..Config::default() };
        config.accounts.insert("ots-prod".into(), "1234567890123456".into());
        let p = plan_with(
            &format!("-- @access ots cross-account uid=@ots-prod\nCREATE EXTERNAL TABLE t (a int) {OTS}"),
            &config,
        )
        .unwrap();
        assert_eq!(p.role.unwrap().account, "1234567890123456");
        let e = plan_with(
            &format!("-- @access ots cross-account uid=@ots-prd\nCREATE EXTERNAL TABLE t (a int) {OTS}"),
            &config,
        )
        .unwrap_err();
        let ResolveError::Unresolved { why: Unresolved::UnknownAlias { suggestion, .. }, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(suggestion.as_deref(), Some("ots-prod"));
    }
}

//! Resolve stage: annotations + `@maxcompute` + config → an access plan per
//! statement (SPEC §3): owner, data account, role name and ARN, trust policy
//! and least-privilege permissions.

use crate::annotation::{AccessAnnotation, Spanned};
use crate::catalog;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::location::{self, Location};
use crate::model::{Access, Entity, Mode, Scope, Source, UidRef, did_you_mean};
use crate::policy::{self, PolicyDocument};
use crate::scan::{MaxComputeContext, ScannedFile, Statement, StatementKind};
use serde::Serialize;
use std::ops::Range;

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
    Unscoped(Diagnostic),
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
    /// `None` for service-linked roles (RAM manages their trust) and
    /// dual-signature.
    pub trust: Option<PolicyDocument>,
    pub permissions: Permissions,
    /// The parsed LOCATION, when there is one.
    pub location: Option<Location>,
}

/// A statement's plan, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementPlan {
    /// Index into [`ScannedFile::statements`].
    pub statement: usize,
    pub plan: Result<AccessPlan, Diagnostic>,
}

/// Plans every annotated statement of a file.
pub fn resolve(file: &ScannedFile, config: &Config) -> Vec<StatementPlan> {
    let mut out = Vec::new();
    for (index, stmt) in file.statements.iter().enumerate() {
        let Some(access) = file.access_of(stmt) else {
            continue;
        };
        let comment = file.annotations[stmt.access.expect("access_of found one")].span.clone();
        out.push(StatementPlan {
            statement: index,
            plan: plan_statement(stmt, access, comment, &stmt.maxcompute, config),
        });
    }
    out
}

fn mode_error(span: Range<usize>, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::MCA013, span, message).label("not applicable here").help(help.to_string())
}

fn plan_statement(
    stmt: &Statement,
    a: &AccessAnnotation,
    comment: Range<usize>,
    ctx: &MaxComputeContext,
    config: &Config,
) -> Result<AccessPlan, Diagnostic> {
    let source = a.source.value;
    let mode = a.mode.as_ref().map_or(Mode::SameAccount, |m| m.value);
    let mode_span = a.mode.as_ref().map_or(a.source.span.clone(), |m| m.span.clone());
    let is_schema = matches!(stmt.kind, StatementKind::CreateExternalSchema { .. });

    // Which modes fit which statements and sources.
    match mode {
        Mode::ServiceLinked if !is_schema => {
            return Err(mode_error(
                mode_span,
                format!("service-linked applies only to CREATE EXTERNAL SCHEMA, not to {}", stmt.kind.describe()),
                "tables name a regular role in SERDEPROPERTIES: use same-account or cross-account",
            ));
        }
        Mode::ServiceLinked if !matches!(source, Source::Hologres | Source::PaimonDlf) => {
            return Err(mode_error(
                mode_span,
                format!("{source} has no MaxCompute service-linked role"),
                "service-linked roles exist for hologres (identity management) and paimon-dlf (lakehouse); use same-account or cross-account",
            ));
        }
        Mode::DualSignature if source != Source::Hologres => {
            return Err(mode_error(
                mode_span,
                format!("dual-signature is a Hologres mode, not {source}"),
                "use same-account or cross-account",
            ));
        }
        Mode::DualSignature if stmt.kind != StatementKind::CreateExternalTable => {
            return Err(mode_error(
                mode_span,
                format!("dual-signature applies to Hologres external tables, not to {}", stmt.kind.describe()),
                "use same-account, cross-account or service-linked",
            ));
        }
        _ => {}
    }
    if source != Source::Hologres {
        for (key, span) in
            [("entity", a.entity.as_ref().map(|e| e.span.clone())), ("idp", a.idp.as_ref().map(|e| e.span.clone()))]
        {
            if let Some(span) = span {
                return Err(mode_error(
                    span,
                    format!("`{key}=` applies only to hologres"),
                    "remove it: other sources trust only MaxCompute",
                ));
            }
        }
    }
    if let (Mode::ServiceLinked | Mode::DualSignature, Some(role)) = (mode, &a.role) {
        return Err(mode_error(
            role.span.clone(),
            format!("{mode} takes no role name"),
            if mode == Mode::ServiceLinked {
                "the service-linked role's name is fixed; remove role="
            } else {
                "dual-signature uses no role; remove role="
            },
        ));
    }

    let owner = match (&a.owner, &ctx.owner, &config.owner) {
        (Some(o), _, _) => o.value.clone(),
        (None, Some(o), _) => o.value.clone(),
        (None, None, Some(o)) => o.clone(),
        (None, None, None) => {
            return Err(Diagnostic::error(Code::MCA001, comment, "no MaxCompute owner account is known for this statement")
                .label("whose MaxCompute assumes the role?")
                .help("add `-- @maxcompute owner=<uid>` near the top of the file, `owner=<uid>` to this @access, or `[maxcompute] owner = \"<uid>\"` to mcaccess.toml"));
        }
    };

    let uid = match &a.uid {
        Some(Spanned { value: UidRef::Literal(u), .. }) => u.clone(),
        Some(Spanned { value: UidRef::Alias(alias), span }) => match config.account(alias) {
            Some(u) => u.to_string(),
            None => {
                let mut d = Diagnostic::error(Code::MCA001, span.clone(), format!("unknown account alias `@{alias}`"))
                    .label("not in [accounts]");
                d = match did_you_mean(alias, config.accounts.keys().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `@{s}`?")),
                    None if config.path.is_none() => d.help(format!("no mcaccess.toml was found: create one with [accounts] {alias} = \"<uid>\", or write the digits")),
                    None => d.help(format!("add `{alias} = \"<uid>\"` under [accounts] in mcaccess.toml")),
                };
                return Err(d);
            }
        },
        None if mode == Mode::CrossAccount => {
            return Err(Diagnostic::error(Code::MCA001, mode_span, "cross-account needs the data owner's account")
                .label("whose account holds the data and the role?")
                .help("add uid=<uid of the data owner> (or uid=@alias from [accounts])"));
        }
        None => owner.clone(),
    };

    let location = stmt.clauses.parsed_location.clone();
    let region = a
        .region
        .as_ref()
        .map(|r| r.value.clone())
        .or_else(|| location.as_ref().and_then(|l| l.region().map(str::to_string)))
        .or_else(|| ctx.region.as_ref().map(|r| r.value.clone()))
        .or_else(|| config.region.clone());

    let role = match mode {
        Mode::DualSignature => None,
        Mode::ServiceLinked => {
            let name = if source == Source::Hologres { HOLOGRES_SLR } else { LAKEHOUSE_SLR };
            Some(Role {
                account: owner.clone(),
                name: name.to_string(),
                arn: arn(&owner, name),
                kind: RoleKind::ServiceLinked,
            })
        }
        Mode::SameAccount | Mode::CrossAccount => {
            let name = a
                .role
                .as_ref()
                .map(|r| r.value.clone())
                .or_else(|| config.roles.per_source.get(&source).cloned())
                .or_else(|| {
                    if mode == Mode::CrossAccount {
                        config.roles.cross_account.clone()
                    } else {
                        config.roles.default.clone()
                    }
                })
                .unwrap_or_else(|| {
                    if mode == Mode::CrossAccount { CROSS_ACCOUNT_ROLE } else { DEFAULT_ROLE }.to_string()
                });
            Some(Role { account: uid.clone(), arn: arn(&uid, &name), name, kind: RoleKind::Regular })
        }
    };

    let entity = a.entity.as_ref().map_or(Entity::Account, |e| e.value);
    let idp = a.idp.as_ref().map_or_else(|| "IDP".to_string(), |i| i.value.clone());
    let trust = match (&role, mode) {
        (Some(r), Mode::SameAccount | Mode::CrossAccount) => {
            Some(trust_policy(source, mode, &owner, &r.account, entity, &idp))
        }
        _ => None,
    };
    let scope = a.scope.as_ref().map_or(Scope::Location, |s| s.value);
    let access = a.access.as_ref().map_or(Access::READ, |x| x.value);
    let permissions = if role.as_ref().is_none_or(|r| r.kind == RoleKind::ServiceLinked) {
        Permissions::None
    } else {
        permissions(stmt, a, source, &uid, region.as_deref(), scope, access, location.as_ref())
    };
    Ok(AccessPlan { source, mode, owner, role, access, region, scope, entity, idp, trust, permissions, location })
}

pub fn arn(account: &str, role_name: &str) -> String {
    format!("acs:ram::{account}:role/{}", role_name.to_ascii_lowercase())
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

fn unscoped(span: Range<usize>, message: String, help: &str) -> Permissions {
    Permissions::Unscoped(
        Diagnostic::error(Code::MCA017, span, message)
            .label("cannot scope permissions from this")
            .help(help.to_string()),
    )
}

const SCOPE_HELP: &str = "name the bucket literally (variables after it are fine: oss://oss-cn-hangzhou-internal.aliyuncs.com/<bucket>/logs/${bizdate}/ is scoped to logs/), add bucket=<bucket>[/<prefix>] to the @access, or scope=account for the broad Resource \"*\" policy";

#[allow(clippy::too_many_arguments)]
fn permissions(
    stmt: &Statement,
    a: &AccessAnnotation,
    source: Source,
    uid: &str,
    region: Option<&str>,
    scope: Scope,
    access: Access,
    location: Option<&Location>,
) -> Permissions {
    let at = stmt.clauses.location.as_ref().map_or(a.source.span.clone(), |l| l.span.clone());
    if scope == Scope::Account {
        let star = || vec!["*".to_string()];
        return Permissions::Statements(match source {
            Source::Oss => vec![policy::allow(&catalog::OSS_ALL, star())],
            Source::Tablestore => vec![policy::allow(&catalog::OTS_ALL, star())],
            Source::Dlf | Source::PaimonDlf => {
                vec![policy::allow(&catalog::OSS_ALL, star()), policy::allow(&catalog::DLF_ALL, star())]
            }
            Source::Hologres => return Permissions::None,
        });
    }
    match source {
        Source::Hologres => Permissions::None,
        Source::Oss => match oss_scope(a, location) {
            Ok((bucket, prefix)) => Permissions::Statements(oss_statements(uid, &bucket, &prefix, access)),
            Err(msg) => unscoped(at, msg, SCOPE_HELP),
        },
        Source::Tablestore => {
            let Some(Location::Tablestore(t)) = location else {
                return unscoped(
                    at,
                    "no tablestore:// LOCATION to scope the policy to".into(),
                    "write LOCATION 'tablestore://<instance>.<region>.ots-internal.aliyuncs.com', or add scope=account",
                );
            };
            let Some(region) = region else {
                return unscoped(
                    at,
                    "the Tablestore region is unknown".into(),
                    "use an endpoint with the region (<instance>.<region>.ots-internal.aliyuncs.com) or add region=<region>",
                );
            };
            let Some(table) = stmt.clauses.serde_property("tablestore.table.name") else {
                let span = stmt.clauses.serde_properties.as_ref().map_or(at, |l| l.span());
                return unscoped(
                    span,
                    "no 'tablestore.table.name' in SERDEPROPERTIES".into(),
                    "add 'tablestore.table.name'='<table>' to WITH SERDEPROPERTIES",
                );
            };
            if let Some(var) = [&t.instance, &table.value].into_iter().find(|v| location::is_templated(v)) {
                return unscoped(
                    at,
                    format!("`{var}` is a variable, so no policy can name the Tablestore instance or table"),
                    "name the instance and table literally, or add scope=account for the broad Resource \"*\" policy",
                );
            }
            let instance = format!("acs:ots:{region}:{uid}:instance/{}", t.instance.to_ascii_lowercase());
            let table = format!("{instance}/table/{}", table.value);
            let table_actions =
                actions(access, &catalog::OTS_TABLE_READ, &catalog::OTS_TABLE_WRITE, &catalog::OTS_TABLE_DELETE);
            let mut out = vec![policy::allow(&catalog::OTS_INSTANCE_READ, vec![instance])];
            out.push(policy::allow(&table_actions, vec![table]));
            Permissions::Statements(out)
        }
        Source::Dlf | Source::PaimonDlf => {
            let dlf: Vec<&str> =
                if access.write || access.delete { catalog::DLF_ALL.to_vec() } else { catalog::dlf_read() };
            match oss_scope(a, location) {
                Ok((bucket, prefix)) => {
                    let mut out = oss_statements(uid, &bucket, &prefix, access);
                    out.push(policy::allow(&dlf, vec!["*".into()]));
                    Permissions::Statements(out)
                }
                Err(msg) => unscoped(
                    at,
                    format!("{msg}: DLF reads its data from OSS"),
                    "add bucket=<bucket>[/<prefix>] to the @access, or scope=account for the seed's broad policy",
                ),
            }
        }
    }
}

/// Bucket and prefix from `bucket=` or an OSS LOCATION.
fn oss_scope(a: &AccessAnnotation, location: Option<&Location>) -> Result<(String, String), String> {
    if let Some(b) = &a.bucket {
        let (bucket, prefix) = b.value.split_once('/').unwrap_or((&b.value, ""));
        return Ok((bucket.to_string(), prefix.to_string()));
    }
    match location {
        Some(Location::Oss(o)) => match o.scope() {
            Some((bucket, prefix)) => Ok((bucket.to_string(), prefix.to_string())),
            None if o.bucket.is_empty() => Err("the OSS LOCATION names no bucket".into()),
            None => Err(format!("the bucket `{}` is a variable, so no policy can name it", o.bucket)),
        },
        Some(Location::Templated) => Err("the LOCATION is a variable or template, not a path".into()),
        Some(other) => Err(format!("the LOCATION is {}, not oss://", other.scheme())),
        None => Err("no LOCATION and no bucket= to scope the policy to".into()),
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
    let dir = if prefix.is_empty() || prefix.ends_with('/') { prefix.to_string() } else { format!("{prefix}/") };
    let objects = actions(access, &catalog::OSS_OBJECT_READ, &catalog::OSS_OBJECT_WRITE, &catalog::OSS_OBJECT_DELETE);
    vec![
        policy::allow(&catalog::OSS_BUCKET_READ, vec![format!("acs:oss:*:{uid}:{bucket}")]),
        policy::allow(&objects, vec![format!("acs:oss:*:{uid}:{bucket}/{dir}*")]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan;

    fn plan(src: &str) -> Result<AccessPlan, Diagnostic> {
        plan_with(src, &Config::default())
    }

    fn plan_with(src: &str, config: &Config) -> Result<AccessPlan, Diagnostic> {
        let f = scan(src);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        resolve(&f, config).remove(0).plan
    }

    const OTS: &str = "STORED BY 'com.aliyun.odps.TableStoreStorageHandler' WITH SERDEPROPERTIES ('tablestore.table.name'='vehicle_track') LOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com';";

    #[test]
    fn seed_cross_account_tablestore() {
        let p = plan(&format!("-- @maxcompute owner=5678901234567890\n-- @access tablestore cross-account uid=1234567890123456\nCREATE EXTERNAL TABLE t (a int) {OTS}")).unwrap();
        let role = p.role.unwrap();
        assert_eq!(role.arn, "acs:ram::1234567890123456:role/aliyunodpsroleforotheruser");
        let trust = serde_json::to_value(p.trust.unwrap()).unwrap();
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
        let d =
            plan("-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e.x/b/';").unwrap_err();
        assert!(d.help.unwrap().contains("@maxcompute owner="));
    }

    #[test]
    fn modes_that_do_not_apply() {
        let d = plan("-- @access hologres service-linked owner=1\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';")
            .unwrap_err();
        assert_eq!(d.code, Code::MCA013);
        let d =
            plan("-- @access oss dual-signature owner=1\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';").unwrap_err();
        assert_eq!(d.code, Code::MCA013);
        let p = plan(
            "-- @access paimon-dlf service-linked owner=5678901234567890\nCREATE EXTERNAL SCHEMA s WITH srv ON 'c.db';",
        )
        .unwrap();
        assert_eq!(p.role.unwrap().arn, "acs:ram::5678901234567890:role/aliyunserviceroleformaxcomputelakehouse");
        assert!(p.trust.is_none());
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
        let t = serde_json::to_value(p.trust.unwrap()).unwrap();
        assert_eq!(t["Statement"][0]["Principal"]["RAM"][0], "acs:ram::5678901234567890:root");
        assert_eq!(t["Statement"][1]["Principal"]["Service"][0], "5678901234567890@odps.aliyuncs.com");
        assert_eq!(p.permissions, Permissions::None);
        let p = plan("-- @access hologres entity=idp idp=Okta owner=5678901234567890\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';").unwrap();
        let t = serde_json::to_value(p.trust.unwrap()).unwrap();
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
        let d = plan_with(
            &format!("-- @access ots cross-account uid=@ots-prd\nCREATE EXTERNAL TABLE t (a int) {OTS}"),
            &config,
        )
        .unwrap_err();
        assert_eq!(d.help.as_deref(), Some("did you mean `@ots-prod`?"));
    }
}

//! `bundle`: everything needed to create the roles, from the resolved plans
//! of every file (SPEC §6).
//!
//! Statements that share a role ARN, across all files, feed one trust policy
//! and one permission policy (merged, de-duplicated, sorted, split above
//! 6,144 characters). The bundle is a map of relative path → file content,
//! so writing it, checking it and testing it are the same thing.

pub mod disk;
mod script;
mod setup;
pub mod sink;
mod terraform;

use crate::Analysis;
use crate::diagnostic::Diagnostic;
use crate::lint::describe;
use crate::lint::rules::mca021_too_many_policies;
use crate::model::{Access, Entity, Mode, Source};
use crate::policy::{self, PolicyDocument};
use crate::resolve::{Permissions, Role, RoleKind};
use crate::scan::StatementKind;
use crate::source::SourceFile;
use serde::Serialize;
use sink::{Content, Sink};
use std::collections::BTreeMap;

/// RAM's limit on a custom policy document (characters, compact JSON).
pub const MAX_POLICY_CHARS: usize = 6144;
/// RAM's limit on custom policies attached to one role.
pub const MAX_POLICIES_PER_ROLE: usize = 5;

/// One statement's use of a role, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Usage {
    pub file: String,
    pub line: usize,
    pub kind: &'static str,
    pub table: Option<String>,
    pub source: Source,
    pub mode: Mode,
    pub access: Access,
    /// For CREATE EXTERNAL SCHEMA: the foreign server that needs the RoleARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreign_server: Option<String>,
    #[serde(skip)]
    pub entity: Entity,
}

/// A role and everything that uses it.
#[derive(Debug, Clone)]
pub struct RoleBundle {
    pub role: Role,
    /// The MaxCompute owner accounts that assume it.
    pub owners: Vec<String>,
    pub trust: Option<PolicyDocument>,
    pub permissions: Vec<PolicyDocument>,
    pub usages: Vec<Usage>,
}

impl RoleBundle {
    /// `roles/<uid>/<role>` (the role as it appears in the ARN).
    pub fn dir(&self) -> String {
        let name = self.role.arn.rsplit('/').next().unwrap_or(&self.role.name);
        format!("roles/{}/{name}", self.role.account)
    }

    pub fn trust_path(&self) -> Option<String> {
        self.trust.as_ref().map(|_| format!("{}/trust-policy.json", self.dir()))
    }

    pub fn permission_paths(&self) -> Vec<String> {
        (1..=self.permissions.len())
            .map(|i| {
                if i == 1 {
                    format!("{}/permission-policy.json", self.dir())
                } else {
                    format!("{}/permission-policy-{i}.json", self.dir())
                }
            })
            .collect()
    }

    /// RAM policy names: letters, digits and `-`.
    pub fn policy_names(&self) -> Vec<String> {
        let base: String = self.role.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        (1..=self.permissions.len())
            .map(|i| if i == 1 { format!("{base}-policy") } else { format!("{base}-policy-{i}") })
            .collect()
    }

    pub fn uses(&self, source: Source) -> bool {
        self.usages.iter().any(|u| u.source == source)
    }
}

/// Hologres tables in dual-signature mode: no role, but setup steps.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub roles: Vec<RoleBundle>,
    pub dual_signature: Vec<Usage>,
}

/// An error that stops the bundle, with the file it is about (when it is
/// about one place in one file).
#[derive(Debug, Clone)]
pub struct BundleError {
    /// Shared by the file's errors (a copy each made a file of thousands of
    /// errors take memory in the square of its size).
    pub file: Option<std::sync::Arc<SourceFile>>,
    pub diagnostic: Diagnostic,
}

/// One statement's use of a role.
#[derive(Debug, Clone)]
struct RoleUse {
    role: Role,
    owner: String,
    trust: Vec<policy::Statement>,
    permissions: Vec<policy::Statement>,
    usage: Usage,
}

/// What one file contributes to the bundle: computed per file (in
/// parallel), after which the file's text and analysis can be dropped.
#[derive(Debug, Clone, Default)]
pub struct Contribution {
    uses: Vec<RoleUse>,
    dual: Vec<Usage>,
    errors: Vec<BundleError>,
}

impl Contribution {
    /// The file's errors, taken out (to be shown while the file is in
    /// memory; the rest of the contribution is small).
    pub fn take_errors(&mut self) -> Vec<BundleError> {
        std::mem::take(&mut self.errors)
    }
}

/// The contribution of one analysed file. Its plans are taken out of the
/// analysis: each use owns its role and policies instead of a copy (2,000
/// files: 8 M instructions of copies); the rest is left as it was.
pub fn contribution(a: &mut Analysis) -> Contribution {
    let mut out = Contribution::default();
    let mut errors = a.errors();
    for sp in std::mem::take(&mut a.plans) {
        let stmt = &a.scanned.statements[sp.statement];
        let Ok(plan) = sp.plan else { continue };
        if stmt.syntax_error.is_some() {
            continue;
        }
        let usage = Usage {
            file: a.source.name.clone(),
            line: a.source.line(stmt.span.start),
            kind: stmt.kind.describe(),
            table: stmt.name.as_ref().map(|n| n.text.clone()),
            source: plan.source,
            mode: plan.mode,
            access: plan.access,
            foreign_server: match &stmt.kind {
                StatementKind::CreateExternalSchema { server } => server.as_ref().map(|s| s.text.clone()),
                _ => None,
            },
            entity: plan.entity,
        };
        let trust = plan.trust().map(|t| t.statement).unwrap_or_default();
        let Some(role) = plan.role else {
            out.dual.push(usage);
            continue;
        };
        let permissions = match plan.permissions {
            Permissions::Statements(s) => s,
            Permissions::None => Vec::new(),
            Permissions::Unscoped(u) => {
                // What `check` warns about, `bundle` cannot write: an error
                // here, as `--deny-warnings` makes warnings fail `check`.
                let d = describe::unscoped(&u);
                errors.push(Diagnostic { severity: crate::diagnostic::Severity::Error, ..d });
                continue;
            }
        };
        out.uses.push(RoleUse { role, owner: plan.owner, trust, permissions, usage });
    }
    if !errors.is_empty() {
        let file = std::sync::Arc::new(a.source.clone());
        let error = |diagnostic| BundleError { file: Some(file.clone()), diagnostic };
        out.errors = errors.into_iter().map(error).collect();
    }
    out
}

/// Builds the bundle from every analysed file. Any file error, resolution
/// error, unscoped permission or oversized policy is an error, and then no
/// bundle is produced. The analyses are taken: [`contribution`] takes
/// their plans.
pub fn build(analyses: impl IntoIterator<Item = Analysis>) -> Result<Bundle, Vec<BundleError>> {
    let mut assembler = Assembler::default();
    analyses.into_iter().for_each(|mut a| assembler.add(contribution(&mut a)));
    assembler.finish()
}

/// The bundle being gathered: each file's contribution is folded in as it
/// comes (in input order), so what is held is the roles' uses, not every
/// file's part.
#[derive(Default)]
pub struct Assembler {
    errors: Vec<BundleError>,
    roles: BTreeMap<String, Acc>,
    dual: Vec<Usage>,
}

impl Assembler {
    pub fn add(&mut self, part: Contribution) {
        self.errors.extend(part.errors);
        self.dual.extend(part.dual);
        for u in part.uses {
            // The ARN is copied for a role's first use only.
            let acc = match self.roles.get_mut(&u.role.arn) {
                Some(acc) => acc,
                None => self.roles.entry(u.role.arn.clone()).or_insert_with(|| Acc {
                    role: u.role.clone(),
                    owners: Vec::new(),
                    trust: Vec::new(),
                    permissions: policy::Merge::default(),
                    usages: Vec::new(),
                }),
            };
            if !acc.owners.contains(&u.owner) {
                acc.owners.push(u.owner);
            }
            // The same few trust statements come with every use.
            for t in u.trust {
                if !acc.trust.contains(&t) {
                    acc.trust.push(t);
                }
            }
            u.permissions.into_iter().for_each(|p| acc.permissions.add(p));
            acc.usages.push(u.usage);
        }
    }

    /// The bundle; any file error, resolution error, unscoped permission or
    /// oversized policy is an error, and then there is no bundle.
    pub fn finish(self) -> Result<Bundle, Vec<BundleError>> {
        use rayon::prelude::*;
        let (mut errors, mut out) = (self.errors, Vec::new());
        // Roles are finished in parallel, and kept in ARN order.
        let finished: Vec<_> = self.roles.into_par_iter().map(|(_, acc)| finish_role(acc)).collect();
        for role in finished {
            match role {
                Ok(role) => out.push(role),
                Err(e) => errors.push(*e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut dual = self.dual;
        dual.sort();
        Ok(Bundle { roles: out, dual_signature: dual })
    }
}

/// One role's uses, gathered across the repository.
struct Acc {
    role: Role,
    owners: Vec<String>,
    trust: Vec<policy::Statement>,
    /// Its permissions so far, merged as they come.
    permissions: policy::Merge,
    usages: Vec<Usage>,
}

/// A role's policies: its permissions merged and packed into documents,
/// its trust statements merged.
fn finish_role(acc: Acc) -> Result<RoleBundle, Box<BundleError>> {
    let merged = acc.permissions.finish();
    let mut usages = acc.usages;
    usages.sort();
    let permissions = if merged.is_empty() {
        Vec::new()
    } else {
        policy::split(merged, MAX_POLICY_CHARS, MAX_POLICIES_PER_ROLE).map_err(|e| {
            let first = usages.first().expect("a role has a user");
            let at = format!("{}:{}", first.file, first.line);
            let d = mca021_too_many_policies::diagnostic(&acc.role.arn, &e, MAX_POLICY_CHARS, usages.len(), &at);
            Box::new(BundleError { file: None, diagnostic: d })
        })?
    };
    let trust = (!acc.trust.is_empty()).then(|| PolicyDocument::new(policy::merge_trust(&acc.trust)));
    let mut owners = acc.owners;
    owners.sort();
    Ok(RoleBundle { role: acc.role, owners, trust, permissions, usages })
}

#[derive(Serialize)]
struct Manifest<'a> {
    roles: Vec<ManifestRole<'a>>,
    /// Hologres tables in dual-signature mode (no role).
    #[serde(skip_serializing_if = "<[Usage]>::is_empty")]
    dual_signature: &'a [Usage],
}

#[derive(Serialize)]
struct ManifestRole<'a> {
    arn: &'a str,
    account: &'a str,
    name: &'a str,
    kind: RoleKind,
    trust_policy: Option<String>,
    permission_policies: Vec<String>,
    statements: &'a [Usage],
}

impl Bundle {
    /// Every file of the bundle: relative path → content.
    pub fn files(&self) -> BTreeMap<String, String> {
        disk::Files::render(self, &|_, content| Sink::text(content)).into_iter().collect()
    }

    fn manifest(&self) -> Manifest<'_> {
        Manifest {
            roles: self
                .roles
                .iter()
                .map(|r| ManifestRole {
                    arn: &r.role.arn,
                    account: &r.role.account,
                    name: r.role.arn.rsplit('/').next().unwrap_or(&r.role.name),
                    kind: r.role.kind,
                    trust_policy: r.trust_path(),
                    permission_policies: r.permission_paths(),
                    statements: &r.usages,
                })
                .collect(),
            dual_signature: &self.dual_signature,
        }
    }
}

/// The bundle's files are rendered in parallel: the four large ones each
/// on its own, the roles' policy files role by role.
impl disk::Files for Bundle {
    fn render<R: Send>(&self, each: &(dyn Fn(&str, Content<'_>) -> R + Sync)) -> Vec<(String, R)> {
        use rayon::prelude::*;
        let large: [(&str, Content<'_>); 4] = [
            ("manifest.json", &|sink| pretty(sink, &self.manifest())),
            ("terraform/main.tf", &|sink| terraform::main_tf(self, sink)),
            ("aliyun-cli.sh", &|sink| script::aliyun_cli(self, sink)),
            ("SETUP.md", &|sink| setup::setup_md(self, sink)),
        ];
        let large = large.par_iter().map(|(path, content)| (path.to_string(), each(path, *content)));
        let policies = self.roles.par_iter().flat_map_iter(|r| r.policy_files(each));
        let mut files: Vec<(String, R)> = large.chain(policies).collect();
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

impl RoleBundle {
    /// The role's trust and permission policies, each handed to `each`.
    fn policy_files<R>(&self, each: &(dyn Fn(&str, Content<'_>) -> R + Sync)) -> Vec<(String, R)> {
        let trust = self.trust_path().zip(self.trust.as_ref());
        let permissions = self.permission_paths().into_iter().zip(&self.permissions);
        let file = |(path, doc): (String, &PolicyDocument)| {
            let r = each(&path, &|sink| pretty(sink, doc));
            (path, r)
        };
        trust.into_iter().chain(permissions).map(file).collect()
    }
}

/// `value` as pretty JSON and a line break.
fn pretty<T: Serialize>(sink: &mut Sink, value: &T) {
    crate::output::write_pretty(&mut *sink, value);
    sink.push_str("\n");
}

/// Whether a path inside OUT is one the bundle manages (and may remove when
/// it is no longer produced).
pub fn is_managed(path: &str) -> bool {
    matches!(path, "manifest.json" | "terraform/main.tf" | "aliyun-cli.sh" | "SETUP.md")
        || (path.starts_with("roles/")
            && (path.ends_with("/trust-policy.json")
                || (path.contains("/permission-policy") && path.ends_with(".json"))))
}

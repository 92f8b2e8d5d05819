//! Typed RAM policy documents (trust and permission), serialised by serde.
//! Keys serialise in sorted order, so output is stable. Knows nothing of SQL.

use crate::catalog;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// A name in a policy: an action from the catalog is borrowed, not copied
/// (a repository's statements name the same few actions thousands of
/// times); a resource or a name read from JSON is owned.
pub type Name = Cow<'static, str>;

/// `"x"` or `["x", "y"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Name),
    Many(Vec<Name>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<&str> {
        self.names().iter().map(|n| &**n).collect()
    }

    /// The names, taken.
    pub fn into_names(self) -> Vec<Name> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }

    /// The names themselves.
    pub fn names(&self) -> &[Name] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// Who may assume a role. Field names are RAM's (`RAM`, `Service`, `Federated`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Principal {
    #[serde(rename = "Federated", skip_serializing_if = "Option::is_none", default)]
    pub federated: Option<Vec<String>>,
    #[serde(rename = "RAM", skip_serializing_if = "Option::is_none", default)]
    pub ram: Option<Vec<String>>,
    #[serde(rename = "Service", skip_serializing_if = "Option::is_none", default)]
    pub service: Option<Vec<String>>,
}

/// `{ "<Operator>": { "<key>": <value|[values]> } }`
pub type Condition = BTreeMap<String, BTreeMap<String, OneOrMany>>;

/// One policy statement. Fields are declared in alphabetical order so the
/// JSON keys come out sorted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none", default)]
    pub condition: Option<Condition>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none", default)]
    pub principal: Option<Principal>,
    #[serde(rename = "Resource", skip_serializing_if = "Option::is_none", default)]
    pub resource: Option<OneOrMany>,
}

/// A RAM policy document: `{"Statement": [...], "Version": "1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
    #[serde(rename = "Version")]
    pub version: String,
}

impl PolicyDocument {
    pub fn new(statement: Vec<Statement>) -> Self {
        PolicyDocument { statement, version: "1".to_string() }
    }

    /// Pretty JSON, as written to files.
    pub fn to_pretty_json(&self) -> String {
        crate::output::pretty(self)
    }

    /// Compact JSON, as RAM counts its length.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string(self).expect("a policy document always serialises")
    }
}

const ASSUME_ROLE: &str = "sts:AssumeRole";

fn assume(principal: Principal, condition: Option<Condition>) -> Statement {
    Statement {
        action: OneOrMany::One(ASSUME_ROLE.into()),
        condition,
        effect: Effect::Allow,
        principal: Some(principal),
        resource: None,
    }
}

/// A trust statement for a service principal (`odps.aliyuncs.com` or
/// `<uid>@odps.aliyuncs.com`).
pub fn trust_service(service: String) -> Statement {
    assume(Principal { service: Some(vec![service]), ..Principal::default() }, None)
}

/// A trust statement for an Alibaba Cloud account (`acs:ram::<uid>:root`).
pub fn trust_account(uid: &str) -> Statement {
    assume(Principal { ram: Some(vec![format!("acs:ram::{uid}:root")]), ..Principal::default() }, None)
}

/// A trust statement for a SAML identity provider.
pub fn trust_saml(uid: &str, idp: &str) -> Statement {
    let mut cond = Condition::new();
    cond.entry("StringEquals".into())
        .or_default()
        .insert("saml:recipient".into(), OneOrMany::One("https://signin.aliyun.com/saml-role/sso".into()));
    assume(
        Principal { federated: Some(vec![format!("acs:ram::{uid}:saml-provider/{idp}")]), ..Principal::default() },
        Some(cond),
    )
}

/// An Allow statement for actions (from the catalog) on resources.
pub fn allow(actions: &[&'static str], resources: Vec<String>) -> Statement {
    allow_names(actions.iter().map(|a| Name::Borrowed(*a)).collect(), resources.into_iter().map(Name::Owned).collect())
}

fn allow_names(actions: Vec<Name>, resources: Vec<Name>) -> Statement {
    let resource = if resources.len() == 1 && resources[0] == "*" {
        OneOrMany::One("*".into())
    } else {
        OneOrMany::Many(resources)
    };
    Statement {
        action: OneOrMany::Many(actions),
        condition: None,
        effect: Effect::Allow,
        principal: None,
        resource: Some(resource),
    }
}

/// Merges permission statements (Allow, no conditions) into few, sorted
/// ones: for each service, the actions on each resource are collected, and
/// resources with the same actions share a statement. Actions follow
/// [`catalog::action_rank`], resources are sorted.
pub fn merge_permissions(statements: Vec<Statement>) -> Vec<Statement> {
    let mut merge = Merge::default();
    statements.into_iter().for_each(|s| merge.add(s));
    merge.finish()
}

/// Permission statements being merged ([`merge_permissions`]), one at a
/// time as they come: each resource and the actions it has so far.
///
/// A role may gather thousands of statements, mostly the same actions on
/// its bucket again and again: each is folded in when it comes and dropped,
/// its resource names moving into the result. A statement's actions are
/// ranked unless an earlier one named the same, and a resource takes
/// them only when some are new to it.
/// (2,000 files: the statements held until the end were a sixth of
/// `bundle`'s page faults, and merging them part of its tail.) The sets of
/// actions are few, so each is kept once and a resource holds its set's
/// number: each resource held a copy of its own (about 200 bytes), and at
/// 20,000 files `bundle`'s peak was 2 MB higher (27 MB, 12 % more page
/// faults) and it made 1.6 % more instructions.
#[derive(Debug, Default)]
pub struct Merge {
    per_resource: HashMap<Name, usize>,
    sets: ActionSets,
    /// The actions of the statement being added (kept for its allocation).
    keys: Vec<RankedAction>,
    /// The first few lists of actions met, as statements named them, and
    /// their sets: a role's statements mostly name the same few.
    named: Vec<(Vec<Name>, usize)>,
}

impl Merge {
    /// Folds in one statement.
    pub fn add(&mut self, s: Statement) {
        let names = s.action.into_names();
        let new = match self.named.iter().find(|(named, _)| *named == names) {
            Some(&(_, n)) => n,
            None => {
                let Some(n) = self.number_of(&names) else { return };
                if self.named.len() < NAMED_LISTS {
                    self.named.push((names, n));
                }
                n
            }
        };
        for r in s.resource.map(OneOrMany::into_names).unwrap_or_default() {
            match self.per_resource.get_mut(&*r) {
                Some(known) => *known = self.sets.union(*known, new),
                None => _ = self.per_resource.insert(r, new),
            }
        }
    }

    /// The number of the set of `actions`, ranked; `None` if there are none.
    fn number_of(&mut self, actions: &[Name]) -> Option<usize> {
        let keys = &mut self.keys;
        keys.clear();
        keys.extend(actions.iter().map(|a| (catalog::action_rank(a), a.clone())));
        keys.sort_unstable();
        keys.dedup();
        (!keys.is_empty()).then(|| self.sets.number(keys))
    }

    /// The merged statements: by service, then by first resource.
    pub fn finish(self) -> Vec<Statement> {
        let mut resources: Vec<(Name, usize)> = self.per_resource.into_iter().collect();
        resources.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // A service's actions on a resource → the resources that have just those.
        let mut grouped: BTreeMap<&[RankedAction], Vec<Name>> = BTreeMap::new();
        for (resource, set) in resources {
            let services: Vec<&[RankedAction]> = self.sets.sets[set].chunk_by(|a, b| a.0.0 == b.0.0).collect();
            let Some((last, others)) = services.split_last() else { continue };
            for of_service in others {
                grouped.entry(of_service).or_default().push(resource.clone());
            }
            grouped.entry(last).or_default().push(resource);
        }
        let mut out: Vec<(usize, Statement)> = grouped
            .into_iter()
            .map(|(keys, resources)| (keys[0].0.0, allow_names(keys.iter().map(|k| k.1.clone()).collect(), resources)))
            .collect();
        fn first(s: &Statement) -> &str {
            s.resource.as_ref().and_then(|r| r.names().first().map(|n| &**n)).unwrap_or_default()
        }
        out.sort_by(|a, b| (a.0, first(&a.1)).cmp(&(b.0, first(&b.1))));
        out.into_iter().map(|(_, s)| s).collect()
    }
}

/// Lists of actions a [`Merge`] remembers as statements named them (a
/// statement naming another is ranked).
const NAMED_LISTS: usize = 16;

/// The distinct sets of actions a [`Merge`] has met, each ranked, sorted and
/// without repeats, known by its number.
#[derive(Debug, Default)]
struct ActionSets {
    sets: Vec<Vec<RankedAction>>,
    numbers: HashMap<Vec<RankedAction>, usize>,
    /// (set, set added to it) → their union: the same few meet again and
    /// again.
    unions: HashMap<(usize, usize), usize>,
}

impl ActionSets {
    /// The number of `set`, given one if it is new. Asked only for a list
    /// of actions not met before and for a union not made before.
    fn number(&mut self, set: &[RankedAction]) -> usize {
        if let Some(&n) = self.numbers.get(set) {
            return n;
        }
        let n = self.sets.len();
        self.sets.push(set.to_vec());
        self.numbers.insert(set.to_vec(), n);
        n
    }

    /// The number of the union of sets `a` and `b`.
    fn union(&mut self, a: usize, b: usize) -> usize {
        if a == b {
            return a;
        }
        if let Some(&n) = self.unions.get(&(a, b)) {
            return n;
        }
        let mut union = self.sets[a].clone();
        union.extend_from_slice(&self.sets[b]);
        union.sort_unstable();
        union.dedup();
        let n = self.number(&union);
        self.unions.insert((a, b), n);
        n
    }
}

/// An action with its [`catalog::action_rank`], which orders it.
type RankedAction = ((usize, usize), Name);

/// Trust statements, de-duplicated, in the seeds' order: account (`RAM`)
/// and identity-provider (`Federated`) statements before `Service` ones.
pub fn merge_trust(statements: &[Statement]) -> Vec<Statement> {
    let rank = |s: &Statement| {
        let p = s.principal.clone().unwrap_or_default();
        (p.ram.is_none(), p.federated.is_none(), p.service.is_some(), s.clone())
    };
    let mut out: Vec<Statement> = Vec::new();
    for s in statements {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out.sort_by_key(rank);
    out
}

/// Why a permission policy could not be split to fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    pub documents: usize,
    pub max_documents: usize,
}

/// Packs statements into documents of at most `max_chars` (compact JSON, as
/// RAM counts it), splitting a statement's resources when one alone is too
/// large. More than `max_documents` documents is an error.
pub fn split(
    statements: Vec<Statement>,
    max_chars: usize,
    max_documents: usize,
) -> Result<Vec<PolicyDocument>, TooLarge> {
    // A document's compact JSON is its frame, its statements' own JSON and
    // a comma between each two: each statement is measured once.
    let frame = PolicyDocument::new(Vec::new()).to_compact_json().len();
    let mut pieces = Vec::new();
    for s in statements {
        let len = json_len(&s);
        let resources = s.resource.as_ref().map_or(0, |r| r.names().len());
        if frame + len <= max_chars || resources < 2 {
            pieces.push((s, len));
        } else {
            halve(s, max_chars.saturating_sub(frame), &mut pieces);
        }
    }
    let mut docs: Vec<(Vec<Statement>, usize)> = Vec::new();
    for (piece, len) in pieces {
        match docs.last_mut() {
            Some((current, used)) if *used + 1 + len <= max_chars => {
                current.push(piece);
                *used += 1 + len;
            }
            _ => docs.push((vec![piece], frame + len)),
        }
    }
    if docs.len() > max_documents {
        return Err(TooLarge { documents: docs.len(), max_documents });
    }
    Ok(docs.into_iter().map(|(stmts, _)| PolicyDocument::new(stmts)).collect())
}

/// The length of a value's compact JSON.
fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    serde_json::to_string(value).expect("a policy value serialises").len()
}

/// A statement of many resources too large for `room`, broken into halves
/// by resource until each fits or holds one, appended to `pieces` in order
/// with their lengths. A piece's length is added up, not measured: the
/// statement with no resources, each resource's JSON, and a comma between
/// each two. Its resource names move into the pieces.
fn halve(s: Statement, room: usize, pieces: &mut Vec<(Statement, usize)>) {
    let names = s.resource.map(OneOrMany::into_names).unwrap_or_default();
    let bare = Statement { resource: Some(OneOrMany::Many(Vec::new())), ..s };
    let empty = json_len(&bare);
    // JSON lengths of the resources before each one.
    let mut before = vec![0];
    for n in &names {
        before.push(before[before.len() - 1] + json_len(n));
    }
    let size = |(lo, hi): (usize, usize)| empty + before[hi] - before[lo] + (hi - lo - 1);
    // Ranges of resources, each halved until it fits, first half first.
    let (mut ranges, mut todo) = (Vec::new(), vec![(0, names.len())]);
    while let Some((lo, hi)) = todo.pop() {
        if size((lo, hi)) <= room || hi - lo < 2 {
            ranges.push((lo, hi));
        } else {
            let mid = lo + (hi - lo) / 2;
            todo.extend([(mid, hi), (lo, mid)]);
        }
    }
    let mut names = names.into_iter();
    for range in ranges {
        let resource = Some(OneOrMany::Many(names.by_ref().take(range.1 - range.0).collect()));
        pieces.push((Statement { resource, ..bare.clone() }, size(range)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`merge_permissions`] must return, the plain way: each action on
    /// each resource, in sets.
    fn reference_merge(statements: &[Statement]) -> Vec<Statement> {
        use std::collections::BTreeSet;
        let mut per_resource: BTreeMap<(usize, &Name), BTreeSet<RankedAction>> = BTreeMap::new();
        for s in statements {
            for action in s.action.names() {
                let rank = catalog::action_rank(action);
                for r in s.resource.as_ref().map(OneOrMany::names).unwrap_or_default() {
                    per_resource.entry((rank.0, r)).or_default().insert((rank, action.clone()));
                }
            }
        }
        let mut grouped: BTreeMap<Vec<RankedAction>, Vec<Name>> = BTreeMap::new();
        for ((_, r), actions) in per_resource {
            grouped.entry(actions.into_iter().collect()).or_default().push(r.clone());
        }
        let mut out: Vec<(usize, Statement)> = grouped
            .into_iter()
            .map(|(a, r)| (a[0].0.0, allow_names(a.into_iter().map(|a| a.1).collect(), r)))
            .collect();
        out.sort_by_key(|(service, s)| (*service, s.resource.as_ref().unwrap().names()[0].clone()));
        out.into_iter().map(|(_, s)| s).collect()
    }

    proptest::proptest! {
        #[test]
        fn merge_is_the_plain_merge(picks in proptest::collection::vec(
            (proptest::collection::vec(0..8usize, 0..5), proptest::collection::vec(0..6usize, 0..4)), 0..30)
        ) {
            const ACTIONS: [&str; 8] = ["oss:GetObject", "oss:ListObjects", "oss:PutObject", "ots:GetRow",
                "dlf:GetTable", "dlf:ListTables", "x:Unknown", "ots:PutRow"];
            const RESOURCES: [&str; 6] = ["*", "acs:oss:*:1:b", "acs:oss:*:1:b/x/*", "acs:oss:*:1:a/*",
                "acs:ots:cn:1:instance/i/table/t", "acs:dlf:*:1:catalog/c"];
            let statements: Vec<Statement> = picks
                .iter()
                .map(|(a, r)| Statement {
                    action: OneOrMany::Many(a.iter().map(|&i| Name::Borrowed(ACTIONS[i])).collect()),
                    resource: Some(OneOrMany::Many(r.iter().map(|&i| Name::Owned(RESOURCES[i].into())).collect())),
                    ..allow(&[], Vec::new())
                })
                .collect();
            proptest::prop_assert_eq!(merge_permissions(statements.clone()), reference_merge(&statements));
        }
    }

    #[test]
    fn merge_of_many_sets_of_actions_is_the_plain_merge() {
        // 63 lists of actions, more than are remembered as named.
        const ACTIONS: [&str; 6] =
            ["oss:GetObject", "oss:ListObjects", "oss:PutObject", "ots:GetRow", "dlf:GetTable", "x:Unknown"];
        let statements: Vec<Statement> = (1..64usize)
            .map(|bits| {
                let actions = (0..6).filter(|i| bits >> i & 1 == 1).map(|i| ACTIONS[i]);
                allow(&actions.collect::<Vec<_>>(), vec![format!("acs:oss:*:1:b{}", bits % 7)])
            })
            .collect();
        let mut merge = Merge::default();
        statements.iter().cloned().for_each(|s| merge.add(s));
        let sets = &merge.sets.sets;
        assert!(sets.len() > NAMED_LISTS, "{}", sets.len());
        // Each set is kept once.
        assert_eq!(sets.iter().collect::<std::collections::BTreeSet<_>>().len(), sets.len());
        assert_eq!(merge.finish(), reference_merge(&statements));
    }

    #[test]
    fn merge_groups_resources_with_the_same_actions() {
        let a = allow(&["oss:GetObject"], vec!["acs:oss:*:1:b/x/*".into()]);
        let b = allow(&["oss:ListObjects"], vec!["acs:oss:*:1:b".into()]);
        let c = allow(&["oss:GetObject"], vec!["acs:oss:*:1:b/a/*".into()]);
        let d = allow(&["oss:ListObjects"], vec!["acs:oss:*:1:b".into()]);
        let merged = merge_permissions(vec![a, b, c, d]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].action.items(), vec!["oss:ListObjects"]);
        assert_eq!(merged[0].resource.as_ref().unwrap().items(), vec!["acs:oss:*:1:b"]);
        assert_eq!(merged[1].action.items(), vec!["oss:GetObject"]);
        assert_eq!(merged[1].resource.as_ref().unwrap().items(), vec!["acs:oss:*:1:b/a/*", "acs:oss:*:1:b/x/*"]);
    }

    #[test]
    fn merge_keeps_services_apart_and_in_seed_order() {
        let oss = allow(&catalog::OSS_ALL, vec!["*".into()]);
        let dlf = allow(&catalog::DLF_ALL, vec!["*".into()]);
        let merged = merge_permissions(vec![dlf.clone(), oss.clone(), oss.clone()]);
        assert_eq!(merged, vec![oss, dlf]);
    }

    #[test]
    fn split_packs_and_refuses_beyond_the_limit() {
        let many: Vec<Statement> = (0..40)
            .map(|i| allow(&catalog::OTS_ALL, vec![format!("acs:ots:cn-hangzhou:1:instance/i{i:03}/table/t")]))
            .collect();
        let docs = split(many.clone(), 6144, 5).unwrap();
        assert!(docs.len() > 1);
        assert!(docs.iter().all(|d| d.to_compact_json().len() <= 6144));
        assert_eq!(docs.iter().map(|d| d.statement.len()).sum::<usize>(), 40);
        // Packed tight: no document could have taken the next one's first
        // statement (the sizes are added up, not measured whole).
        for pair in docs.windows(2) {
            let mut more = pair[0].statement.clone();
            more.push(pair[1].statement[0].clone());
            assert!(PolicyDocument::new(more).to_compact_json().len() > 6144);
        }
        assert_eq!(split(many, 1000, 5).unwrap_err().max_documents, 5);
        let one = allow(&["oss:GetObject"], (0..400).map(|i| format!("acs:oss:*:1:bucket/prefix-{i:04}/*")).collect());
        let docs = split(vec![one], 6144, 5).unwrap();
        assert!(docs.len() >= 2 && docs.iter().all(|d| d.to_compact_json().len() <= 6144));
    }

    #[test]
    fn halves_are_measured_as_they_serialise() {
        let names: Vec<String> = (0..300)
            .map(|i| format!("acs:oss:*:1:b/p-{}{}/*", "x".repeat(i % 37), if i % 5 == 0 { "\"\\\u{7}é" } else { "" }))
            .collect();
        let mut pieces = Vec::new();
        halve(allow(&["oss:GetObject", "oss:PutObject"], names.clone()), 2000, &mut pieces);
        assert!(pieces.len() > 4, "{}", pieces.len());
        for (piece, len) in &pieces {
            assert_eq!(*len, json_len(piece));
            assert!(*len <= 2000);
        }
        let back: Vec<&str> = pieces.iter().flat_map(|(p, _)| p.resource.as_ref().unwrap().items()).collect();
        assert_eq!(back, names.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn trust_document_matches_the_seed_shape() {
        let doc = PolicyDocument::new(vec![trust_service("odps.aliyuncs.com".into())]);
        let seed: serde_json::Value = serde_json::from_str(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["odps.aliyuncs.com"]}}],"Version":"1"}"#,
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&doc).unwrap(), seed);
        assert!(doc.to_pretty_json().starts_with("{\n  \"Statement\""));
    }
}

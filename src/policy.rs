//! Typed RAM policy documents (trust and permission), serialised by serde.
//! Keys serialise in sorted order, so output is stable. Knows nothing of SQL.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `"x"` or `["x", "y"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
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
        serde_json::to_string_pretty(self).expect("a policy document always serialises")
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

/// An Allow statement for actions on resources.
pub fn allow(actions: &[&str], resources: Vec<String>) -> Statement {
    let resource = if resources.len() == 1 && resources[0] == "*" {
        OneOrMany::One("*".into())
    } else {
        OneOrMany::Many(resources)
    };
    Statement {
        action: OneOrMany::Many(actions.iter().map(|s| s.to_string()).collect()),
        condition: None,
        effect: Effect::Allow,
        principal: None,
        resource: Some(resource),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! `terraform/main.tf`, built as an HCL body with hcl-rs: one
//! `alicloud_ram_role` per regular role, its `alicloud_ram_policy`s and
//! `alicloud_ram_role_policy_attachment`s, and an
//! `alicloud_resource_manager_service_linked_role` per service-linked role.
//! Roles in other accounts go through an aliased provider per account.

use super::sink::Sink;
use super::{Bundle, RoleBundle};
use crate::policy::PolicyDocument;
use crate::resolve::{HOLOGRES_SLR, RoleKind};
use hcl::expr::{Expression, FuncCall, Traversal, Variable};
use hcl::{Block, Body};
use rayon::prelude::*;

/// The RAM service name of a MaxCompute service-linked role, where the
/// documentation states it.
pub fn service_name(role: &str) -> Option<&'static str> {
    (role == HOLOGRES_SLR).then_some("identity.odps.aliyuncs.com")
}

/// The variable that supplies the service name where it is not documented.
pub const LAKEHOUSE_SERVICE_VARIABLE: &str = "maxcompute_lakehouse_service_name";

/// A Terraform identifier from arbitrary text.
fn ident(parts: &[&str]) -> String {
    let raw = parts.join("_");
    let mut s: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn traversal(root: &str, attrs: &[&str]) -> Expression {
    let mut t = Traversal::builder(Variable::new(root).expect("a valid identifier"));
    for a in attrs {
        t = t.attr(*a);
    }
    Expression::from(t.build())
}

fn jsonencode(doc: &PolicyDocument) -> Expression {
    let value = hcl::to_expression(doc).expect("a policy document converts to HCL");
    Expression::from(FuncCall::builder("jsonencode").arg(value).build())
}

fn provider_alias(account: &str) -> String {
    ident(&["account", account])
}

fn role_blocks(r: &RoleBundle, multi_account: bool) -> Vec<Block> {
    let label = ident(&[&r.role.name, &r.role.account]);
    let with_provider = |b: hcl::BlockBuilder| {
        if multi_account {
            b.add_attribute(("provider", traversal("alicloud", &[&provider_alias(&r.role.account)])))
        } else {
            b
        }
    };
    let mut blocks = Vec::new();
    if r.role.kind == RoleKind::ServiceLinked {
        let service = match service_name(&r.role.name) {
            Some(s) => Expression::from(s),
            None => traversal("var", &[LAKEHOUSE_SERVICE_VARIABLE]),
        };
        let b = Block::builder("resource").add_label("alicloud_resource_manager_service_linked_role").add_label(label);
        blocks.push(with_provider(b).add_attribute(("service_name", service)).build());
        return blocks;
    }
    let tables: Vec<&str> = r.usages.iter().filter_map(|u| u.table.as_deref()).collect();
    let description = describe(r.usages.len(), &tables, 1024);
    let mut role = with_provider(Block::builder("resource").add_label("alicloud_ram_role").add_label(label.clone()))
        .add_attribute(("role_name", r.role.name.as_str()));
    if let Some(trust) = &r.trust {
        role = role.add_attribute(("assume_role_policy_document", jsonencode(trust)));
    }
    blocks.push(role.add_attribute(("description", description)).build());
    for (i, (name, doc)) in r.policy_names().iter().zip(&r.permissions).enumerate() {
        let policy_label = ident(&[&label, "policy", &(i + 1).to_string()]);
        blocks.push(
            with_provider(Block::builder("resource").add_label("alicloud_ram_policy").add_label(policy_label.clone()))
                .add_attribute(("policy_name", name.as_str()))
                .add_attribute(("policy_document", jsonencode(doc)))
                .add_attribute(("description", format!("Least-privilege access of {}", r.role.arn)))
                .build(),
        );
        blocks.push(
            with_provider(
                Block::builder("resource")
                    .add_label("alicloud_ram_role_policy_attachment")
                    .add_label(policy_label.clone()),
            )
            .add_attribute(("role_name", traversal("alicloud_ram_role", &[&label, "role_name"])))
            .add_attribute(("policy_name", traversal("alicloud_ram_policy", &[&policy_label, "policy_name"])))
            .add_attribute(("policy_type", "Custom"))
            .build(),
        );
    }
    blocks
}

/// The role's description: the tables that use it, cut at a name (never
/// inside one) with "and N more" to stay within `max` characters (RAM's
/// limit is 1,024).
fn describe(statements: usize, tables: &[&str], max: usize) -> String {
    let head = format!("MaxCompute external access for {statements} statement(s): ");
    let len = |s: &str| s.chars().count();
    let mut shown = 0;
    let mut used = len(&head);
    for (i, t) in tables.iter().enumerate() {
        let rest = tables.len() - i - 1;
        let tail = if rest > 0 { len(&format!(", and {rest} more")) } else { 0 };
        let sep = if i > 0 { 2 } else { 0 };
        if used + sep + len(t) + tail > max {
            break;
        }
        used += sep + len(t);
        shown += 1;
    }
    let mut out = head + &tables[..shown].join(", ");
    if shown < tables.len() {
        let more = tables.len() - shown;
        out.push_str(&if shown == 0 { format!("{more} tables") } else { format!(", and {more} more") });
    }
    out
}

/// The whole `main.tf`.
pub fn main_tf(bundle: &Bundle, out: &mut Sink) {
    let mut accounts: Vec<&str> = bundle.roles.iter().map(|r| r.role.account.as_str()).collect();
    accounts.sort();
    accounts.dedup();
    let multi_account = accounts.len() > 1;
    let mut body = Body::builder();
    if multi_account {
        // One aliased provider per account: give each the credentials (or an
        // assume_role block) of that account before `terraform apply`.
        for account in &accounts {
            body = body.add_block(
                Block::builder("provider")
                    .add_label("alicloud")
                    .add_attribute(("alias", provider_alias(account)))
                    .build(),
            );
        }
    }
    if bundle.roles.iter().any(|r| r.role.kind == RoleKind::ServiceLinked && service_name(&r.role.name).is_none()) {
        body = body.add_block(
            Block::builder("variable")
                .add_label(LAKEHOUSE_SERVICE_VARIABLE)
                .add_attribute(("type", traversal("string", &[])))
                .add_attribute(("description", "RAM service name of AliyunServiceRoleForMaxComputeLakehouse (see the role's ram:ServiceName in the RAM console)"))
                .build(),
        );
    }
    // Each role's blocks are written on their own, in parallel: the
    // formatter puts one blank line between top-level blocks, and so does
    // the join.
    let roles: Vec<String> =
        bundle.roles.par_iter().map(|r| format(Body::from(role_blocks(r, multi_account)))).collect();
    let head = format(body.build());
    let chunks = std::iter::once(head).chain(roles).filter(|c| !c.is_empty());
    for (i, chunk) in chunks.enumerate() {
        if i > 0 {
            out.push_str("\n");
        }
        out.push_str(&chunk);
    }
}

/// Top-level blocks as `main.tf` writes them. `hcl::format` writes the body
/// as built; `hcl::to_string` would serialise it through serde into a copy
/// first.
fn format(body: Body) -> String {
    align_attributes(&hcl::format::to_string(&body).expect("an HCL body formats"))
}

/// The name of the attribute a line sets (`  role_name = …`), and the
/// indentation before it.
fn attribute(line: &str) -> Option<(usize, &str)> {
    let name = line.trim_start();
    let indent = line.len() - name.len();
    let key = name.split(" = ").next().filter(|k| k.len() < name.len())?;
    let ident = key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (ident && !key.is_empty()).then_some((indent, key))
}

/// Aligns the `=` of consecutive attributes of a block, as `terraform fmt`
/// writes them, so repositories that run `terraform fmt -check` accept the
/// file unchanged.
fn align_attributes(text: &str) -> String {
    // Each line is looked at once: which attribute it sets, if any.
    let lines: Vec<(&str, Option<(usize, &str)>)> = text.split_inclusive('\n').map(|l| (l, attribute(l))).collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, _)) = lines[i].1 else {
            out.push_str(lines[i].0);
            i += 1;
            continue;
        };
        let run: Vec<(&str, &str)> =
            lines[i..].iter().map_while(|(l, a)| a.filter(|(n, _)| *n == indent).map(|(_, k)| (*l, k))).collect();
        let width = run.iter().map(|(_, k)| k.len()).max().unwrap_or(0);
        for (line, key) in &run {
            let (head, rest) = line.split_at(indent + key.len());
            out.push_str(head);
            out.extend(std::iter::repeat_n(' ', width - key.len()));
            out.push_str(rest);
        }
        i += run.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_cut_between_names() {
        let names: Vec<String> = (0..100).map(|i| format!("ods_orders_table_{i:03}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let d = describe(100, &names, 1024);
        assert!(d.chars().count() <= 1024, "{}", d.len());
        assert!(d.ends_with(" more") && d.contains(", and "), "{d}");
        let shown = d.split(": ").nth(1).unwrap().split(", and ").next().unwrap();
        assert!(shown.split(", ").all(|n| names.contains(&n)), "only whole names: {d}");
        assert_eq!(describe(2, &["a", "b"], 1024), "MaxCompute external access for 2 statement(s): a, b");
    }

    #[test]
    fn consecutive_attributes_align_as_terraform_fmt_writes_them() {
        let text = "provider \"alicloud\" {\n  alias = \"a\"\n}\n\nresource \"r\" \"x\" {\n  provider = alicloud.a\n  role_name = \"n = m\"\n  policy_type = \"Custom\"\n}\n";
        let want = "provider \"alicloud\" {\n  alias = \"a\"\n}\n\nresource \"r\" \"x\" {\n  provider    = alicloud.a\n  role_name   = \"n = m\"\n  policy_type = \"Custom\"\n}\n";
        assert_eq!(align_attributes(text), want);
        assert_eq!(align_attributes(want), want);
    }

    #[test]
    fn identifiers_are_terraform_safe() {
        assert_eq!(ident(&["MC-External.v2", "1234"]), "mc_external_v2_1234");
        assert_eq!(ident(&["1abc"]), "_1abc");
    }
}

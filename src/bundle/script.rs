//! `aliyun-cli.sh`: the same roles and policies as aliyun CLI calls
//! (CreateRole, CreatePolicy, AttachPolicyToRole, CreateServiceLinkedRole),
//! grouped by account. Every argument is single-quoted for the shell.

use super::Bundle;
use super::terraform::service_name;
use crate::resolve::RoleKind;

/// Quotes a value for bash: `'…'`, with `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn command(profile: &str, args: &[&str]) -> String {
    let mut line = String::from("aliyun");
    for a in args {
        line.push(' ');
        if a.starts_with("--") || a.chars().all(|c| c.is_ascii_alphanumeric()) {
            line.push_str(a);
        } else {
            line.push_str(&shell_quote(a));
        }
    }
    line.push_str(&format!(" --profile \"${profile}\"\n"));
    line
}

pub fn aliyun_cli(bundle: &Bundle) -> String {
    let mut out = String::from(
        "#!/usr/bin/env bash\n\
         # Creates the RAM roles and policies of this bundle with the aliyun CLI.\n\
         # Roles live in the account that owns the data: set PROFILE_<account> to an\n\
         # aliyun CLI profile (`aliyun configure --profile <name>`) of each account below.\n\
         set -euo pipefail\n",
    );
    let mut accounts: Vec<&str> = bundle.roles.iter().map(|r| r.role.account.as_str()).collect();
    accounts.sort();
    accounts.dedup();
    for account in accounts {
        let var = format!("PROFILE_{account}");
        out.push_str(&format!("\n# Account {account}\n"));
        out.push_str(&format!("{var}=\"${{{var}:?set {var} to an aliyun CLI profile of account {account}}}\"\n"));
        for r in bundle.roles.iter().filter(|r| r.role.account == account) {
            out.push_str(&format!("\n# {}\n", r.role.arn));
            if r.role.kind == RoleKind::ServiceLinked {
                match service_name(&r.role.name) {
                    Some(service) => out.push_str(&command(
                        &var,
                        &["resourcemanager", "CreateServiceLinkedRole", "--ServiceName", service],
                    )),
                    None => {
                        out.push_str(
                            "LAKEHOUSE_SERVICE_NAME=\"${LAKEHOUSE_SERVICE_NAME:?set LAKEHOUSE_SERVICE_NAME to the RAM service name of AliyunServiceRoleForMaxComputeLakehouse}\"\n",
                        );
                        out.push_str(&format!(
                            "aliyun resourcemanager CreateServiceLinkedRole --ServiceName \"$LAKEHOUSE_SERVICE_NAME\" --profile \"${var}\"\n"
                        ));
                    }
                }
                continue;
            }
            if let Some(trust) = &r.trust {
                out.push_str(&command(
                    &var,
                    &[
                        "ram",
                        "CreateRole",
                        "--RoleName",
                        &r.role.name,
                        "--AssumeRolePolicyDocument",
                        &trust.to_compact_json(),
                    ],
                ));
            }
            for (name, doc) in r.policy_names().iter().zip(&r.permissions) {
                out.push_str(&command(
                    &var,
                    &["ram", "CreatePolicy", "--PolicyName", name, "--PolicyDocument", &doc.to_compact_json()],
                ));
                out.push_str(&command(
                    &var,
                    &[
                        "ram",
                        "AttachPolicyToRole",
                        "--PolicyType",
                        "Custom",
                        "--PolicyName",
                        name,
                        "--RoleName",
                        &r.role.name,
                    ],
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
        assert_eq!(shell_quote(r#"{"k":"v w"}"#), r#"'{"k":"v w"}'"#);
    }
}

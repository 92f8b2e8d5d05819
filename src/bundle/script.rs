//! `aliyun-cli.sh`: the same roles and policies as aliyun CLI calls,
//! grouped by account, that converge: a role is created or its trust policy
//! updated (`UpdateRole`), a policy is created or given a new default
//! version (`CreatePolicyVersion`, deleting the oldest non-default version
//! when RAM's five are reached), a policy is attached unless it is, and a
//! service-linked role is created unless it exists. Every argument is
//! single-quoted for the shell.

use super::Bundle;
use super::sink::Sink;
use super::terraform::service_name;
use crate::resolve::RoleKind;

/// Quotes a value for bash: `'…'`, with `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The script's own functions: each makes one thing as the bundle says,
/// creating what is missing and updating what exists, so the script can be
/// run again after the SQL changed.
const FUNCTIONS: &str = r#"
# mcaccess_role NAME TRUST PROFILE: create the role, or set its trust policy.
mcaccess_role() {
  if aliyun ram GetRole --RoleName "$1" --profile "$3" >/dev/null 2>&1; then
    aliyun ram UpdateRole --RoleName "$1" --NewAssumeRolePolicyDocument "$2" --profile "$3" >/dev/null
    echo "role $1: trust policy updated"
  else
    aliyun ram CreateRole --RoleName "$1" --AssumeRolePolicyDocument "$2" --profile "$3" >/dev/null
    echo "role $1: created"
  fi
}

# mcaccess_versions POLICY PROFILE: "<n> <is default>" per version (vN).
mcaccess_versions() {
  local listed
  listed=$(aliyun ram ListPolicyVersions --PolicyType Custom --PolicyName "$1" --profile "$2")
  printf '%s\n' "$listed" \
    | { grep -oE '"(VersionId|IsDefaultVersion)": *("v[0-9]+"|true|false)' || true; } \
    | awk -F': *' '{ gsub(/"/, "", $1); gsub(/"/, "", $2);
        if ($1 == "VersionId") id = substr($2, 2); else def = $2;
        if (++n % 2 == 0) print id, def }'
}

# mcaccess_policy NAME DOCUMENT PROFILE: create the policy, or make the
# document its new default version (RAM keeps five: the oldest version that
# is not the default goes first).
mcaccess_policy() {
  if ! aliyun ram GetPolicy --PolicyType Custom --PolicyName "$1" --profile "$3" >/dev/null 2>&1; then
    aliyun ram CreatePolicy --PolicyName "$1" --PolicyDocument "$2" --profile "$3" >/dev/null
    echo "policy $1: created"
    return
  fi
  local versions oldest
  versions=$(mcaccess_versions "$1" "$3")
  if [ "$(printf '%s\n' "$versions" | grep -c .)" -ge 5 ]; then
    oldest=$(printf '%s\n' "$versions" | awk '$2 == "false" { print $1 }' | sort -n | head -n 1)
    aliyun ram DeletePolicyVersion --PolicyName "$1" --VersionId "v$oldest" --profile "$3" >/dev/null
    echo "policy $1: version v$oldest deleted (RAM keeps five)"
  fi
  aliyun ram CreatePolicyVersion --PolicyName "$1" --PolicyDocument "$2" --SetAsDefault true --profile "$3" >/dev/null
  echo "policy $1: new default version"
}

# mcaccess_attach POLICY ROLE PROFILE: attach the policy unless it is.
mcaccess_attach() {
  local listed
  listed=$(aliyun ram ListPoliciesForRole --RoleName "$2" --profile "$3")
  if [[ $listed =~ \"PolicyName\":[[:space:]]*\""$1"\" ]]; then
    return
  fi
  aliyun ram AttachPolicyToRole --PolicyType Custom --PolicyName "$1" --RoleName "$2" --profile "$3" >/dev/null
  echo "policy $1: attached to $2"
}

# mcaccess_linked_role ROLE SERVICE PROFILE: create the service-linked role
# unless it exists.
mcaccess_linked_role() {
  if aliyun ram GetRole --RoleName "$1" --profile "$3" >/dev/null 2>&1; then
    return
  fi
  aliyun resourcemanager CreateServiceLinkedRole --ServiceName "$2" --profile "$3" >/dev/null
  echo "role $1: created (service-linked)"
}
"#;

/// One call of a script function, every argument quoted for bash.
fn call(function: &str, args: &[&str], profile: &str) -> String {
    let args: Vec<String> =
        args.iter().map(|a| if a.starts_with('"') { a.to_string() } else { shell_quote(a) }).collect();
    format!("{function} {} \"${profile}\"\n", args.join(" "))
}

pub fn aliyun_cli(bundle: &Bundle, out: &mut Sink) {
    out.push_str(
        "#!/usr/bin/env bash\n\
         # Creates or updates the RAM roles and policies of this bundle with the aliyun\n\
         # CLI; run it again whenever the bundle changes. Roles live in the account\n\
         # that owns the data: set PROFILE_<account> to an aliyun CLI profile\n\
         # (`aliyun configure --profile <name>`) of each account below.\n\
         set -euo pipefail\n",
    );
    out.push_str(FUNCTIONS);
    let mut accounts: Vec<&str> = bundle.roles.iter().map(|r| r.role.account.as_str()).collect();
    accounts.sort();
    accounts.dedup();
    for account in accounts {
        let var = format!("PROFILE_{account}");
        out.push_str(&format!("\n# Account {account}\n"));
        out.push_str(&format!("{var}=\"${{{var}:?set {var} to an aliyun CLI profile of account {account}}}\"\n"));
        for r in bundle.roles.iter().filter(|r| r.role.account == account) {
            out.push_str(&format!("\n# {}\n", r.role.arn));
            out.push_str(&role_calls(r, &var));
        }
    }
}

/// The calls that make one role as the bundle says.
fn role_calls(r: &super::RoleBundle, var: &str) -> String {
    let name = r.role.name.as_str();
    if r.role.kind == RoleKind::ServiceLinked {
        return match service_name(name) {
            Some(service) => call("mcaccess_linked_role", &[name, service], var),
            None => format!(
                "LAKEHOUSE_SERVICE_NAME=\"${{LAKEHOUSE_SERVICE_NAME:?set LAKEHOUSE_SERVICE_NAME to the RAM service name of AliyunServiceRoleForMaxComputeLakehouse}}\"\n{}",
                call("mcaccess_linked_role", &[name, "\"$LAKEHOUSE_SERVICE_NAME\""], var)
            ),
        };
    }
    let mut out = String::new();
    if let Some(trust) = &r.trust {
        out.push_str(&call("mcaccess_role", &[name, &trust.to_compact_json()], var));
    }
    for (policy, doc) in r.policy_names().iter().zip(&r.permissions) {
        out.push_str(&call("mcaccess_policy", &[policy, &doc.to_compact_json()], var));
        out.push_str(&call("mcaccess_attach", &[policy, name], var));
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

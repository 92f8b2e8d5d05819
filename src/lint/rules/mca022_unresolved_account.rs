//! An account the role needs is not known.
//!
//! **What** No MaxCompute owner for the statement (no `owner=` on the
//! `@access`, no `@maxcompute owner=` above it, no `[maxcompute] owner` in
//! mcaccess.toml); a `uid=@alias` missing from `[accounts]`; a
//! `cross-account` `@access` with no `uid=`.
//!
//! **Why** A role ARN names the account that holds the role, and its trust
//! policy names the MaxCompute account that assumes it. Without both,
//! there is no ARN to write and no policy to create, so `fix`, `plan` and
//! `bundle` stop at this statement.
//!
//! **Example**
//!
//! ```sql
//! -- @access tablestore cross-account
//! CREATE EXTERNAL TABLE t (…) STORED BY 'com.aliyun.odps.TableStoreStorageHandler' …
//! ```
//!
//! **Fix** Name the account: `uid=1234567890123456` (or `uid=@alias` with
//! the alias under `[accounts]`), and the owner once per file with
//! `-- @maxcompute owner=<uid>` or once per repository in mcaccess.toml.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::resolve::{ResolveError, Unresolved};
use std::ops::Range;

pub const META: Meta = Meta { code: Code("MCA022"), name: "unresolved-account", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let errors = ctx.analysis.plans.iter().filter_map(|p| p.plan.as_ref().err());
    errors
        .filter_map(|e| match e {
            ResolveError::Unresolved { span, why } => Some(diagnostic(span, why)),
            ResolveError::Inapplicable { .. } => None,
        })
        .collect()
}

/// The finding for an unknown account, with where to name it.
pub fn diagnostic(span: &Range<usize>, why: &Unresolved) -> Diagnostic {
    match why {
        Unresolved::NoOwner => META
            .diagnostic(span.clone(), "no MaxCompute owner account is known for this statement")
            .label("whose MaxCompute assumes the role?")
            .help("add `-- @maxcompute owner=<uid>` near the top of the file, `owner=<uid>` to this @access, or `[maxcompute] owner = \"<uid>\"` to mcaccess.toml"),
        Unresolved::UnknownAlias { alias, suggestion, config_found } => {
            let help = match suggestion {
                Some(s) => format!("did you mean `@{s}`?"),
                None if !config_found => format!(
                    "no mcaccess.toml was found: create one with [accounts] {alias} = \"<uid>\", or write the digits"
                ),
                None => format!("add `{alias} = \"<uid>\"` under [accounts] in mcaccess.toml"),
            };
            META.diagnostic(span.clone(), format!("unknown account alias `@{alias}`")).label("not in [accounts]").help(help)
        }
        Unresolved::NoDataAccount => META
            .diagnostic(span.clone(), "cross-account needs the data owner's account")
            .label("whose account holds the data and the role?")
            .help("add uid=<uid of the data owner> (or uid=@alias from [accounts])"),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::testing::{OWNER, lint_repo, of};

    const T: &str = "CREATE EXTERNAL TABLE t (a int) STORED BY 'h';";

    #[test]
    fn no_owner_no_uid_and_unknown_alias() {
        let f = of(super::META.code, &format!("-- @access oss\n{T}"));
        assert_eq!((f.len(), f[0].column), (1, 1));
        assert!(f[0].help.as_ref().unwrap().contains("@maxcompute owner="));
        let f = of(super::META.code, &format!("{OWNER}-- @access oss cross-account\n{T}"));
        assert_eq!(f[0].message, "cross-account needs the data owner's account");
        let mut config = Config::default();
        config.accounts.insert("ots-prod".into(), "1234567890123456".into());
        let f = lint_repo(&[("t.sql", &format!("{OWNER}-- @access oss cross-account uid=@ots-prd\n{T}"))], &config);
        let f: Vec<_> = f.into_iter().filter(|f| f.code == super::META.code).collect();
        assert_eq!(f[0].help.as_deref(), Some("did you mean `@ots-prod`?"));
    }

    #[test]
    fn known_accounts_pass() {
        assert!(of(super::META.code, &format!("{OWNER}-- @access oss cross-account uid=1234567890123456\n{T}")).is_empty());
    }
}

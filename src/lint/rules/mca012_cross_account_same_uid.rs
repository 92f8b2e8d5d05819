//! `cross-account` whose data account is the MaxCompute owner itself.
//!
//! **What** An `@access … cross-account uid=<uid>` where `<uid>` (directly
//! or through an `[accounts]` alias) is the MaxCompute owner account; and
//! the mirror case, a same-account `@access` whose `uid=` names another
//! account.
//!
//! **Why** Cross-account trust names the principal
//! `<owner>@odps.aliyuncs.com` and is meant for a role in *another*
//! account. In the owner's own account the same-account trust
//! (`odps.aliyuncs.com`) applies; mixing them up usually means the uid or
//! the owner is wrong.
//!
//! **Example**
//!
//! ```sql
//! -- @maxcompute owner=5678901234567890
//! -- @access tablestore cross-account uid=5678901234567890
//! ```
//!
//! **Fix** Use the data owner's uid, or drop `cross-account` (same-account
//! is the default); with another account's `uid=`, write `cross-account`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::model::Mode;

pub const META: Meta = Meta { code: Code("MCA012"), name: "cross-account-same-uid", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for sp in &ctx.analysis.plans {
        let Ok(plan) = &sp.plan else { continue };
        let Some(role) = &plan.role else { continue };
        let a = ctx
            .analysis
            .scanned
            .access_of(&ctx.analysis.scanned.statements[sp.statement])
            .expect("plans have an @access");
        let span = a.uid.as_ref().map_or(a.source.span.clone(), |u| u.span.clone());
        if plan.mode == Mode::CrossAccount && role.account == plan.owner {
            out.push(
                META.diagnostic(
                    span,
                    format!("cross-account, but the data account {} is the MaxCompute owner", role.account),
                )
                .label("same account as the owner")
                .help("use the uid of the account that owns the data, or remove cross-account"),
            );
        } else if plan.mode == Mode::SameAccount && role.account != plan.owner {
            out.push(
                META.diagnostic(
                    span,
                    format!("same-account, but uid={} is not the MaxCompute owner {}", role.account, plan.owner),
                )
                .label("another account")
                .help("write cross-account: a role in another account must trust <owner>@odps.aliyuncs.com"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    const T: &str = "CREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.TableStoreStorageHandler';";

    #[test]
    fn same_uid_is_an_error() {
        let f = of(super::META.code, &format!("{OWNER}-- @access tablestore cross-account uid=5678901234567890\n{T}"));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column), (2, 41));
    }

    #[test]
    fn same_account_with_another_uid_is_an_error() {
        let f = of(super::META.code, &format!("{OWNER}-- @access tablestore uid=1234567890123456\n{T}"));
        assert_eq!(f.len(), 1);
        assert!(f[0].help.as_ref().unwrap().contains("cross-account"));
    }

    #[test]
    fn another_account_passes() {
        assert!(
            of(super::META.code, &format!("{OWNER}-- @access tablestore cross-account uid=1234567890123456\n{T}"))
                .is_empty()
        );
    }
}

//! The permission policy cannot be scoped from the statement.
//!
//! **What** An annotated statement whose LOCATION is a template (`${…}`,
//! `{…}`, `<…>`), has no endpoint, is missing, or lacks what the source
//! needs (`tablestore.table.name`, a region), while `scope=location` (the
//! default) asks for least privilege. `fix` still works (the rolearn needs
//! no scoping); `mcaccess bundle` refuses.
//!
//! **Why** A least-privilege policy names the bucket and prefix, or the
//! instance and table. Guessing would grant too much or too little.
//!
//! **Example**
//!
//! ```sql
//! -- @access oss
//! CREATE EXTERNAL TABLE t (…) … LOCATION 'oss://${endpoint}/${bucket}/t/';
//! ```
//!
//! **Fix** Write the real LOCATION, add `bucket=<bucket>/<prefix>` to the
//! annotation, or accept the seed's broad policy with `scope=account`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::lint::rules::source_mismatch;
use crate::resolve::{OssUnscoped, Permissions, Unscopable, Unscoped};

pub const META: Meta = Meta { code: Code("MCA017"), name: "unscoped-permissions", severity: Severity::Warning, fixable: false };

const SCOPE_HELP: &str = "name the bucket literally (variables after it are fine: oss://oss-cn-hangzhou-internal.aliyuncs.com/<bucket>/logs/${bizdate}/ is scoped to logs/), add bucket=<bucket>[/<prefix>] to the @access, or scope=account for the broad Resource \"*\" policy";

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    // A statement that cannot be read, or reads another source than its
    // annotation says, has its own finding (MCA015, MCA005).
    let own_finding = |i: usize| {
        let stmt = &ctx.analysis.scanned.statements[i];
        stmt.syntax_error.is_some()
            || ctx.analysis.scanned.access_of(stmt).is_some_and(|a| source_mismatch(stmt, a).is_some())
    };
    let plans = ctx.analysis.plans.iter().filter(|p| !own_finding(p.statement));
    plans
        .filter_map(|p| match &p.plan.as_ref().ok()?.permissions {
            Permissions::Unscoped(u) => Some(diagnostic(u)),
            _ => None,
        })
        .collect()
}

/// The finding for permissions that cannot be scoped (`bundle` refuses
/// with it).
pub fn diagnostic(u: &Unscoped) -> Diagnostic {
    META.diagnostic(u.span.clone(), message(&u.why)).label("cannot scope permissions from this").help(help(&u.why))
}

/// Why the permissions cannot be scoped, in a sentence (`plan` shows it).
pub fn message(why: &Unscopable) -> String {
    match why {
        Unscopable::Oss(oss) => oss_message(oss),
        Unscopable::Dlf(oss) => format!("{}: DLF reads its data from OSS", oss_message(oss)),
        Unscopable::NoTablestoreLocation => "no tablestore:// LOCATION to scope the policy to".into(),
        Unscopable::TablestoreRegionUnknown => "the Tablestore region is unknown".into(),
        Unscopable::NoTablestoreTable => "no 'tablestore.table.name' in SERDEPROPERTIES".into(),
        Unscopable::TablestoreVariable { name } => {
            format!("`{name}` is a variable, so no policy can name the Tablestore instance or table")
        }
    }
}

fn oss_message(why: &OssUnscoped) -> String {
    match why {
        OssUnscoped::NoBucket => "the OSS LOCATION names no bucket".into(),
        OssUnscoped::BucketVariable { bucket } => format!("the bucket `{bucket}` is a variable, so no policy can name it"),
        OssUnscoped::Templated => "the LOCATION is a variable or template, not a path".into(),
        OssUnscoped::NotOss { scheme } => format!("the LOCATION is {scheme}, not oss://"),
        OssUnscoped::NoLocation => "no LOCATION and no bucket= to scope the policy to".into(),
    }
}

fn help(why: &Unscopable) -> &'static str {
    match why {
        Unscopable::Oss(_) => SCOPE_HELP,
        Unscopable::Dlf(_) => "add bucket=<bucket>[/<prefix>] to the @access, or scope=account for the seed's broad policy",
        Unscopable::NoTablestoreLocation => {
            "write LOCATION 'tablestore://<instance>.<region>.ots-internal.aliyuncs.com', or add scope=account"
        }
        Unscopable::TablestoreRegionUnknown => {
            "use an endpoint with the region (<instance>.<region>.ots-internal.aliyuncs.com) or add region=<region>"
        }
        Unscopable::NoTablestoreTable => "add 'tablestore.table.name'='<table>' to WITH SERDEPROPERTIES",
        Unscopable::TablestoreVariable { .. } => {
            "name the instance and table literally, or add scope=account for the broad Resource \"*\" policy"
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn templated_location_cannot_be_scoped() {
        let f = of(
            super::META.code,
            &format!(
                "{OWNER}-- @access oss role=r\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://${{endpoint}}/b/';"
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].help.as_ref().unwrap().contains("scope=account"));
    }

    #[test]
    fn real_location_or_account_scope_passes() {
        assert!(of(super::META.code, &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';")).is_empty());
        assert!(of(super::META.code, &format!("{OWNER}-- @access oss scope=account\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://${{e}}/b/';")).is_empty());
    }
}

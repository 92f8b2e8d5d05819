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

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::FileContext;
use crate::lint::rules::source_mismatch;
use crate::resolve::Permissions;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    // A statement that cannot be read, or reads another source than its
    // annotation says, has its own finding (MCA015, MCA005).
    let own_finding = |i: usize| {
        let stmt = &ctx.analysis.scanned.statements[i];
        stmt.syntax_error.is_some()
            || ctx.analysis.scanned.access_of(stmt).is_some_and(|a| source_mismatch(stmt, a).is_some())
    };
    ctx.analysis
        .plans
        .iter()
        .filter(|p| !own_finding(p.statement))
        .filter_map(|p| match &p.plan {
            Ok(plan) => match &plan.permissions {
                Permissions::Unscoped(d) => Some(Diagnostic { severity: Severity::Warning, ..d.clone() }),
                _ => None,
            },
            Err(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn templated_location_cannot_be_scoped() {
        let f = of(
            Code::MCA017,
            &format!(
                "{OWNER}-- @access oss role=r\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://${{endpoint}}/b/';"
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].help.as_ref().unwrap().contains("scope=account"));
    }

    #[test]
    fn real_location_or_account_scope_passes() {
        assert!(of(Code::MCA017, &format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';")).is_empty());
        assert!(of(Code::MCA017, &format!("{OWNER}-- @access oss scope=account\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://${{e}}/b/';")).is_empty());
    }
}

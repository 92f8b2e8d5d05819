//! A statement writes to an external table whose annotation grants no write.
//!
//! **What** Across every file checked together: an `INSERT INTO/OVERWRITE`
//! or `LOAD` into an annotated external table whose `@access` has no
//! `write`, and an annotated `UNLOAD` (which writes its LOCATION) without
//! `write`. Tables are matched by name (last part, case-insensitive).
//!
//! **Why** The least-privilege policy mcaccess generates follows
//! `access=`: a read-only role makes the job fail at run time with an
//! authorization error, usually at night.
//!
//! **Example**
//!
//! ```sql
//! -- @access oss
//! CREATE EXTERNAL TABLE ads_export (…) … ;
//! -- elsewhere:
//! INSERT OVERWRITE TABLE ads_export SELECT …;
//! ```
//!
//! **Fix** Grant it on the table's annotation: `-- @access oss
//! access=read,write` (add `delete` if INSERT OVERWRITE must remove old
//! files).

use crate::diagnostic::{Code, Diagnostic};
use crate::lint::{FileContext, normalise_name};
use crate::scan::StatementKind;

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stmt in &ctx.analysis.scanned.statements {
        match stmt.kind {
            StatementKind::Insert | StatementKind::Load => {
                let Some(name) = &stmt.name else { continue };
                let Some(tables) = ctx.repo.tables.get(&normalise_name(&name.text)) else { continue };
                for t in tables.iter().filter(|t| !t.access.write) {
                    out.push(
                        Diagnostic::error(
                            Code::MCA016,
                            name.span.clone(),
                            format!("{} writes to {}, whose @access grants no write", stmt.kind.describe(), t.name),
                        )
                        .label("written here")
                        .help(format!("add access=read,write to the @access of {} at {}:{}", t.name, t.file, t.line)),
                    );
                }
            }
            StatementKind::Unload => {
                let Some(a) = ctx.analysis.scanned.access_of(stmt) else { continue };
                if !a.access.as_ref().is_some_and(|x| x.value.write) {
                    let span = a.access.as_ref().map_or(a.source.span.clone(), |x| x.span.clone());
                    out.push(
                        Diagnostic::error(
                            Code::MCA016,
                            span,
                            "UNLOAD writes its LOCATION, but the @access grants no write",
                        )
                        .label("no write here")
                        .help("add access=write to the @access"),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::Code;
    use crate::lint::testing::{OWNER, lint_repo, of};

    const TABLE: &str = "CREATE EXTERNAL TABLE ads_export (a int) STORED BY 'h' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';";

    #[test]
    fn insert_in_another_file_into_a_read_only_table() {
        let ddl = format!("{OWNER}-- @access oss\n{TABLE}");
        let job = "INSERT OVERWRITE TABLE `ADS_EXPORT` SELECT 1;";
        let f: Vec<_> = lint_repo(&[("ddl.sql", &ddl), ("job.sql", job)], &Config::default())
            .into_iter()
            .filter(|f| f.code == Code::MCA016)
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].file, "job.sql");
        assert!(f[0].help.as_ref().unwrap().contains("ddl.sql:3"));
        let f = of(
            Code::MCA016,
            &format!("{OWNER}-- @access oss\nUNLOAD FROM t INTO LOCATION 'oss://e/b/' STORED BY 'h';"),
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn write_access_passes() {
        let ddl = format!("{OWNER}-- @access oss access=read,write\n{TABLE}");
        let f = lint_repo(&[("ddl.sql", &ddl), ("job.sql", "INSERT INTO ads_export SELECT 1;")], &Config::default());
        assert!(f.iter().all(|f| f.code != Code::MCA016));
        assert!(
            of(
                Code::MCA016,
                &format!("{OWNER}-- @access oss access=write\nUNLOAD FROM t INTO LOCATION 'oss://e/b/' STORED BY 'h';")
            )
            .is_empty()
        );
    }
}

//! A statement writes to an external table whose annotation does not grant
//! what the write needs.
//!
//! **What** Across every file checked together, every write to an
//! annotated external table: `INSERT INTO|OVERWRITE [TABLE] t` anywhere in
//! a statement (multi-insert `FROM src INSERT … INSERT …`, `WITH … INSERT
//! …`), `LOAD INTO|OVERWRITE TABLE t`, and an annotated `UNLOAD` (which
//! writes its LOCATION). Every write needs `write`; `INSERT OVERWRITE` and
//! `LOAD OVERWRITE` into an OSS table also need `delete`, because
//! MaxCompute deletes the table's old files before writing the new ones.
//! Tables match by name: `project.table` when written so (backquotes
//! removed, case-insensitive, variables kept); `data_dev.t` never matches
//! `data_prod.t`; an unqualified `t` matches only when one project has it.
//! A write gets one finding however many annotations of its table (a table
//! declared in many jobs) lack what it needs: the first is named, the
//! others counted.
//!
//! **Why** The least-privilege policy mcaccess generates follows
//! `access=`: a role without `write` (or without `delete` for an
//! overwrite) makes the job fail at run time with an authorization error,
//! usually at night. `bundle` refuses to write policies while these errors
//! exist.
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
//! access=read,write` for `INSERT INTO`, `access=read,write,delete` for
//! `INSERT OVERWRITE` into an OSS table.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::repo::{MissingAccess, RepoIndex};
use crate::scan::{ScannedFile, StatementKind, Write};

pub const META: Meta = Meta { code: Code("MCA016"), name: "write-without-write-access", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    findings(&ctx.analysis.scanned, ctx.repo)
}

/// The findings of one file against the repository's index: what `check`
/// reports and what stops `bundle`.
pub fn findings(file: &ScannedFile, repo: &RepoIndex) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Writes to one name that need the same lack the same: asked once (a
    // table declared and written in each of 4,000 jobs was 16 million
    // questions).
    let mut asked = std::collections::HashMap::new();
    for stmt in &file.statements {
        for w in &stmt.writes {
            let missing = asked.entry(w.question()).or_insert_with(|| repo.missing(w));
            out.extend(write_finding(w, missing));
        }
        if stmt.kind == StatementKind::Unload
            && let Some(a) = file.access_of(stmt)
            && !a.access.as_ref().is_some_and(|x| x.value.write)
        {
            let span = a.access.as_ref().map_or(a.source.span.clone(), |x| x.span.clone());
            out.push(
                META.diagnostic(span, "UNLOAD writes its LOCATION, but the @access grants no write")
                    .label("no write here")
                    .help("add access=write to the @access"),
            );
        }
    }
    out
}

/// One finding for a write, however many annotations of its table lack
/// what it needs (a table declared in each of 300 jobs once gave each
/// write 300 findings): the first is named, the others counted.
fn write_finding(w: &Write, missing: &[MissingAccess<'_>]) -> Option<Diagnostic> {
    let (m, others) = missing.split_first()?;
    let t = m.table;
    let granted = t.access.unwrap_or_default();
    let wanted = crate::model::Access { read: granted.read, write: true, delete: granted.delete || m.needs.delete };
    let help = format!("grant it on the @access of {} at {}:{}: access={wanted}", t.name, t.file, t.line);
    let (message, label) = if m.lacks.write {
        (format!("{} writes to {}, whose @access grants no write", w.kind.describe(), t.name), "written here")
    } else {
        (
            format!(
                "{} into the OSS table {} deletes its old files first, but its @access grants no delete",
                w.kind.describe(),
                t.name
            ),
            "overwritten here",
        )
    };
    let mut help = if m.lacks.delete {
        format!("{help} (MaxCompute deletes the old OSS files before writing; OSS deletes cannot be undone)")
    } else {
        help
    };
    if !others.is_empty() {
        let at: Vec<String> = others.iter().take(3).map(|o| format!("{}:{}", o.table.file, o.table.line)).collect();
        let more = if others.len() > 3 { ", …" } else { "" };
        let (s, verb) = if others.len() == 1 { ("", "lacks") } else { ("s", "lack") };
        let n = others.len();
        help.push_str(&format!("; {n} other @access line{s} of {} {verb} it too ({}{more})", t.name, at.join(", ")));
    }
    Some(META.diagnostic(w.target.span.clone(), message).label(label).help(help))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::testing::{OWNER, lint_repo, of};

    const TABLE: &str = "CREATE EXTERNAL TABLE ads_export (a int) STORED BY 'h' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';";

    #[test]
    fn insert_in_another_file_into_a_read_only_table() {
        let ddl = format!("{OWNER}-- @access oss\n{TABLE}");
        let job = "INSERT OVERWRITE TABLE `ADS_EXPORT` SELECT 1;";
        let f: Vec<_> = lint_repo(&[("ddl.sql", &ddl), ("job.sql", job)], &Config::default())
            .into_iter()
            .filter(|f| f.code == super::META.code)
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].file, "job.sql");
        assert!(f[0].help.as_ref().unwrap().contains("ddl.sql:3"));
        let f = of(
            super::META.code,
            &format!("{OWNER}-- @access oss\nUNLOAD FROM t INTO LOCATION 'oss://e/b/' STORED BY 'h';"),
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn write_access_passes() {
        let ddl = format!("{OWNER}-- @access oss access=read,write\n{TABLE}");
        let f = lint_repo(&[("ddl.sql", &ddl), ("job.sql", "INSERT INTO ads_export SELECT 1;")], &Config::default());
        assert!(f.iter().all(|f| f.code != super::META.code));
        assert!(
            of(
                super::META.code,
                &format!("{OWNER}-- @access oss access=write\nUNLOAD FROM t INTO LOCATION 'oss://e/b/' STORED BY 'h';")
            )
            .is_empty()
        );
    }

    fn mca016(files: &[(&str, &str)]) -> Vec<crate::lint::Finding> {
        lint_repo(files, &Config::default()).into_iter().filter(|f| f.code == super::META.code).collect()
    }

    fn ddl(name: &str, access: &str) -> String {
        format!("{OWNER}-- @access oss access={access}\n{}", TABLE.replace("ads_export", name))
    }

    #[test]
    fn every_insert_of_a_multi_insert_and_a_cte_is_seen() {
        let job = "FROM ods_orders o\nINSERT OVERWRITE TABLE a PARTITION (ds='${bizdate}') SELECT o.id\nINSERT INTO b (id) SELECT o.id;\nWITH t AS (SELECT 1 AS id)\nINSERT INTO TABLE c SELECT id FROM t;";
        let f = mca016(&[
            ("a.sql", &ddl("a", "read")),
            ("b.sql", &ddl("b", "read")),
            ("c.sql", &ddl("c", "read")),
            ("job.sql", job),
        ]);
        let lines: Vec<(usize, &str)> = f.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (2, "INSERT OVERWRITE writes to a, whose @access grants no write"),
                (3, "INSERT INTO writes to b, whose @access grants no write"),
                (5, "INSERT INTO writes to c, whose @access grants no write"),
            ]
        );
    }

    #[test]
    fn overwriting_an_oss_table_needs_delete() {
        let f = mca016(&[
            ("a.sql", &ddl("a", "read,write")),
            (
                "job.sql",
                "INSERT OVERWRITE TABLE a SELECT 1;\nINSERT INTO a SELECT 1;\nLOAD OVERWRITE TABLE a FROM LOCATION 'oss://b/x/';",
            ),
        ]);
        let lines: Vec<(usize, &str)> = f.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (
                    1,
                    "INSERT OVERWRITE into the OSS table a deletes its old files first, but its @access grants no delete"
                ),
                (
                    3,
                    "LOAD OVERWRITE into the OSS table a deletes its old files first, but its @access grants no delete"
                ),
            ]
        );
        assert!(f[0].help.as_ref().unwrap().contains("access=read,write,delete"));
        assert!(
            mca016(&[("a.sql", &ddl("a", "read,write,delete")), ("job.sql", "INSERT OVERWRITE TABLE a SELECT 1;")])
                .is_empty()
        );
    }

    #[test]
    fn a_write_to_another_project_is_not_this_table() {
        let files =
            [("prod.sql", ddl("data_prod.ads_gmv", "read")), ("dev.sql", ddl("data_dev.ads_gmv", "read,write,delete"))];
        let job = "INSERT OVERWRITE TABLE data_dev.ads_gmv SELECT 1;\nINSERT INTO `data_prod`.`ADS_GMV` SELECT 1;\nINSERT INTO ads_gmv SELECT 1;";
        let f = mca016(&[(files[0].0, &files[0].1), (files[1].0, &files[1].1), ("job.sql", job)]);
        let lines: Vec<(usize, &str)> = f.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(lines, vec![(2, "INSERT INTO writes to data_prod.ads_gmv, whose @access grants no write")]);
    }

    #[test]
    fn a_table_declared_in_many_files_gives_each_write_one_finding() {
        let mut files: Vec<(String, String)> = (0..5).map(|i| (format!("d{i}.sql"), ddl("ads_export", "read"))).collect();
        files.push(("job.sql".into(), "INSERT INTO ads_export SELECT 1;\nINSERT INTO ads_export SELECT 2;".into()));
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let f = mca016(&files);
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), [1, 2]);
        let help = f[0].help.as_deref().unwrap();
        assert!(help.contains("@access of ads_export at d0.sql:3"), "{help}");
        assert!(help.ends_with("; 4 other @access lines of ads_export lack it too (d1.sql:3, d2.sql:3, d3.sql:3, …)"), "{help}");
        let f = mca016(&files[3..]);
        assert!(f[0].help.as_deref().unwrap().ends_with("; 1 other @access line of ads_export lacks it too (d4.sql:3)"));
    }

    #[test]
    fn names_with_variables_match_whole() {
        let f = mca016(&[
            ("a.sql", &ddl("tmp_ext_${bizdate}", "read")),
            ("job.sql", "INSERT INTO TABLE tmp_ext_${bizdate} SELECT 1;\nINSERT INTO TABLE tmp_ext_ SELECT 1;"),
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "INSERT INTO writes to tmp_ext_${bizdate}, whose @access grants no write");
    }
}

//! What every file can see of the others: the annotated external tables of
//! the whole repository, and what the repository's writes need of them
//! (SPEC §9 "Names" and "Writes across the repo").
//!
//! Built per file (in parallel) and merged; small, so it is all that is
//! kept across files. `check` (MCA016) and `bundle` ask it the same
//! question: which writes need access their table's `@access` does not
//! grant.

use crate::Analysis;
use crate::model::{Access, Source};
use crate::scan::{Name, StatementKind, Write};
use std::sync::Arc;

/// A table name as the repository matches it: the project when written,
/// and the table, both lowercase without backquotes (variables kept).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableKey {
    pub project: Option<String>,
    pub table: String,
}

impl TableKey {
    /// `p.t` → project `p`, table `t`; `p.schema.t` → project `p`, table
    /// `t`; `t` → no project.
    pub fn of(name: &Name) -> TableKey {
        let lower = name.text.to_lowercase();
        let mut parts = lower.split('.');
        let first = parts.next().unwrap_or("").to_string();
        match parts.next_back() {
            Some(last) => TableKey { project: Some(first), table: last.to_string() },
            None => TableKey { project: None, table: first },
        }
    }
}

/// An external table somewhere in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotatedTable {
    /// Shared by the file's tables (the index is kept across the whole
    /// repository).
    pub file: Arc<str>,
    pub line: usize,
    /// As every output shows it ([`Name::text`]).
    pub name: Box<str>,
    pub project: Option<Box<str>>,
    pub source: Source,
    /// What its `@access` grants; `None` for a table with no `@access`
    /// (only [`RepoIndex::of_file_all`] indexes those, for `annotate`).
    pub access: Option<Access>,
}

/// The annotated tables of the repository, by lowercase table name.
/// Hashed: it is only looked up, never listed, and every file's tables
/// are merged into it on the thread that hands results on.
#[derive(Debug, Default, Clone)]
pub struct RepoIndex {
    tables: fnv::FnvHashMap<Box<str>, Vec<AnnotatedTable>>,
}

/// A write that needs access its table's `@access` does not grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAccess<'a> {
    pub table: &'a AnnotatedTable,
    /// What the write needs in all.
    pub needs: Access,
    /// What of that the annotation lacks.
    pub lacks: Access,
}

impl RepoIndex {
    /// The annotated `CREATE EXTERNAL TABLE`s of one file.
    pub fn of_file(a: &Analysis) -> RepoIndex {
        Self::tables_of(a, false)
    }

    /// Every `CREATE EXTERNAL TABLE` of one file, with an `@access` or
    /// not (the source of one without is what its handler or LOCATION
    /// says).
    pub fn of_file_all(a: &Analysis) -> RepoIndex {
        Self::tables_of(a, true)
    }

    fn tables_of(a: &Analysis, unannotated: bool) -> RepoIndex {
        let mut index = RepoIndex::default();
        let file: Arc<str> = Arc::from(a.source.name.as_str());
        for stmt in a.scanned.statements.iter().filter(|s| s.kind == StatementKind::CreateExternalTable) {
            let Some(name) = &stmt.name else { continue };
            let (source, access) = match a.scanned.access_of(stmt) {
                Some(x) => (x.source.value, Some(x.access.as_ref().map_or(Access::READ, |x| x.value))),
                None if unannotated => {
                    let inferred = crate::lint::rules::infer_source(stmt).and_then(|(s, _)| Source::parse(s));
                    let Some(source) = inferred else { continue };
                    (source, None)
                }
                None => continue,
            };
            let key = TableKey::of(name);
            let (file, line) = (file.clone(), a.source.line(stmt.span.start));
            let (name, project) = (name.text.as_str().into(), key.project.map(String::into_boxed_str));
            let table = AnnotatedTable { file, line, name, project, source, access };
            index.tables.entry(key.table.into_boxed_str()).or_default().push(table);
        }
        index
    }

    /// Builds the index of several files.
    pub fn build(analyses: &[Analysis]) -> RepoIndex {
        let mut index = RepoIndex::default();
        for a in analyses {
            index.merge(RepoIndex::of_file(a));
        }
        index
    }

    /// Adds another index's tables (files are merged in input order),
    /// copied on this thread: kept here for the whole run, the tables a
    /// worker thread built would pin that thread's heap page by page. With
    /// glibc's per-thread arenas that was a third of `check`'s memory at
    /// 20,000 files; with mimalloc, moving them instead of copying still
    /// adds 19 % (19.7 → 23.4 MB) for no measurable gain in time.
    pub fn merge(&mut self, other: RepoIndex) {
        let mut file: Option<(Arc<str>, Arc<str>)> = None;
        let mut copy = |t: &AnnotatedTable| {
            let ours = match &file {
                Some((theirs, ours)) if Arc::ptr_eq(theirs, &t.file) => ours.clone(),
                _ => file.insert((t.file.clone(), Arc::from(&*t.file))).1.clone(),
            };
            AnnotatedTable { file: ours, ..t.clone() }
        };
        for (name, tables) in other.tables {
            match self.tables.get_mut(&name) {
                Some(ours) => ours.extend(tables.iter().map(&mut copy)),
                None => _ = self.tables.insert(Box::from(&*name), tables.iter().map(&mut copy).collect()),
            }
        }
    }

    /// Takes out the tables `of` holds (a file's own index: its tables,
    /// before the file changed).
    pub fn remove(&mut self, of: &RepoIndex) {
        for (name, gone) in &of.tables {
            if let Some(tables) = self.tables.get_mut(name) {
                tables.retain(|t| !gone.contains(t));
                if tables.is_empty() {
                    self.tables.remove(name);
                }
            }
        }
    }

    /// The annotated tables a name refers to (SPEC §9) — several when the
    /// same table is annotated in several files: `p.t` is the table `t` of
    /// project `p`, else the table `t` written without a project; an
    /// unqualified `t` is the table `t` only when one project (or none) has
    /// it.
    pub fn lookup(&self, name: &Name) -> Vec<&AnnotatedTable> {
        let key = TableKey::of(name);
        let Some(candidates) = self.tables.get(key.table.as_str()) else { return Vec::new() };
        match key.project.as_deref() {
            Some(p) if candidates.iter().any(|t| t.project.as_deref() == Some(p)) => {
                candidates.iter().filter(|t| t.project.as_deref() == Some(p)).collect()
            }
            Some(_) if candidates.iter().all(|t| t.project.is_none()) => candidates.iter().collect(),
            Some(_) => Vec::new(),
            None if candidates.iter().all(|t| t.project == candidates[0].project) => candidates.iter().collect(),
            None => Vec::new(),
        }
    }

    /// What a write needs of its table, for each annotation of it whose
    /// `@access` lacks some of it: `write` always; `delete` too when an
    /// overwrite replaces the files of an OSS table (MaxCompute deletes the
    /// old files first — FACTS §4 OSS).
    pub fn missing(&self, write: &Write) -> Vec<MissingAccess<'_>> {
        self.lookup(&write.target)
            .into_iter()
            .filter_map(|table| {
                let granted = table.access?;
                let needs = needs(write, table.source);
                let lacks = Access { read: false, write: !granted.write, delete: needs.delete && !granted.delete };
                (lacks.write || lacks.delete).then_some(MissingAccess { table, needs, lacks })
            })
            .collect()
    }
}

/// What a write needs of a table of `source`: `write` always; `delete` too
/// when an overwrite replaces the files of an OSS table (MaxCompute deletes
/// the old files first — FACTS §4 OSS). The one place both MCA016 and
/// `annotate` ask.
pub fn needs(write: &Write, source: Source) -> Access {
    Access { read: false, write: true, delete: write.kind.overwrites() && source == Source::Oss }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::source::SourceFile;

    fn index(files: &[&str]) -> RepoIndex {
        let analyses: Vec<Analysis> = files
            .iter()
            .enumerate()
            .map(|(i, t)| crate::analyse(SourceFile::new(format!("f{i}.sql"), t.to_string()), &Config::default()))
            .collect();
        RepoIndex::build(&analyses)
    }

    fn name(text: &str) -> Name {
        Name { span: 0..0, text: text.to_string() }
    }

    const DDL: &str = "-- @access oss owner=1\nCREATE EXTERNAL TABLE {} (a int) STORED AS orc LOCATION 'oss://b/p/';\n";

    #[test]
    fn projects_never_match_each_other() {
        let i = index(&[&DDL.replace("{}", "data_prod.ads_gmv")]);
        assert!(i.lookup(&name("data_dev.ads_gmv")).is_empty());
        assert_eq!(i.lookup(&name("DATA_PROD.ADS_GMV"))[0].file.as_ref(), "f0.sql");
        // Unqualified: only when one project has it.
        assert_eq!(i.lookup(&name("ads_gmv")).len(), 1);
        let i = index(&[&DDL.replace("{}", "data_prod.ads_gmv"), &DDL.replace("{}", "data_dev.ads_gmv")]);
        assert!(i.lookup(&name("ads_gmv")).is_empty());
        let found: Vec<&str> = i.lookup(&name("data_dev.ads_gmv")).iter().map(|t| &*t.file).collect();
        assert_eq!(found, vec!["f1.sql"]);
    }

    #[test]
    fn a_qualified_write_finds_the_one_unqualified_table() {
        let i = index(&[&DDL.replace("{}", "ads_gmv")]);
        assert_eq!(i.lookup(&name("data_prod.ads_gmv")).len(), 1);
        let i = index(&[&DDL.replace("{}", "ads_gmv"), &DDL.replace("{}", "other.ads_gmv")]);
        assert!(i.lookup(&name("data_prod.ads_gmv")).is_empty());
    }

    #[test]
    fn variables_are_part_of_the_name() {
        let i = index(&[&DDL.replace("{}", "tmp_ext_${bizdate}")]);
        assert_eq!(i.lookup(&name("tmp_ext_${bizdate}")).len(), 1);
        assert!(i.lookup(&name("tmp_ext_")).is_empty());
    }

    #[test]
    fn a_files_tables_come_out_as_they_went_in() {
        let a = index(&[&DDL.replace("{}", "p.t")]);
        let b = index(&[&DDL.replace("{}", "q.t")]);
        let mut all = RepoIndex::default();
        all.merge(a.clone());
        all.merge(b.clone());
        assert_eq!(all.lookup(&name("p.t")).len(), 1);
        all.remove(&a);
        assert!(all.lookup(&name("p.t")).is_empty());
        assert_eq!(all.lookup(&name("t")).len(), 1, "q.t is the only t left");
        all.remove(&b);
        assert!(all.tables.is_empty());
    }
}

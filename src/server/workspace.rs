//! What the server knows: the workspace's config, the index of its SQL
//! (for cross-file findings), and the open documents with their analyses.

use super::convert::{self, Encoding};
use crate::config::{Config, ConfigError};
use crate::lint::{Finding, Options};
use crate::repo::RepoIndex;
use crate::source::SourceFile;
use crate::{Analysis, analyse, pipeline};
use lsp_types::Uri;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An open document: its text as the editor has it, analysed.
pub struct Document {
    pub version: i32,
    pub analysis: Analysis,
}

pub struct Workspace {
    pub root: Option<PathBuf>,
    pub encoding: Encoding,
    pub config: Config,
    /// Where the config is, and why it could not be used.
    pub config_error: Option<(PathBuf, ConfigError)>,
    /// The annotated tables of every SQL file, by absolute path (open
    /// documents as the editor has them).
    tables: HashMap<PathBuf, RepoIndex>,
    /// All of them merged: what the documents are linted against, kept up
    /// to date file by file (a change costs that file's tables only).
    repo: RepoIndex,
    pub docs: HashMap<Uri, Document>,
    /// Where the rules' pages are, for the links on diagnostics.
    pub rule_docs: Option<PathBuf>,
}

impl Workspace {
    pub fn new(root: Option<PathBuf>, encoding: Encoding, rule_docs: Option<PathBuf>) -> Workspace {
        let mut ws = Workspace {
            root,
            encoding,
            config: Config::default(),
            config_error: None,
            tables: HashMap::new(),
            repo: RepoIndex::default(),
            docs: HashMap::new(),
            rule_docs,
        };
        ws.load_config();
        ws
    }

    /// (Re-)reads `mcaccess.toml` above the workspace root. A config that
    /// cannot be used leaves the defaults in force and is reported.
    pub fn load_config(&mut self) {
        let found = self.root.as_deref().and_then(Config::discover);
        (self.config, self.config_error) = match found {
            None => (Config::default(), None),
            Some(path) => match Config::load(&path) {
                Ok(c) => (c, None),
                Err(e) => (Config::default(), Some((path, e))),
            },
        };
    }

    /// The path a document is shown as: relative to the root.
    pub fn name(&self, uri: &Uri) -> String {
        let path = convert::path(uri);
        let relative = path.as_deref().and_then(|p| Some(p.strip_prefix(self.root.as_deref()?).ok()?.to_path_buf()));
        match (relative, path) {
            (Some(r), _) => r.display().to_string(),
            (None, Some(p)) => p.display().to_string(),
            (None, None) => uri.as_str().to_string(),
        }
    }

    /// Opens or replaces a document.
    pub fn set(&mut self, uri: Uri, version: i32, text: String) {
        let analysis = analyse(SourceFile::new(self.name(&uri), text), &self.config);
        if let Some(path) = convert::path(&uri) {
            self.put_tables(path, Some(RepoIndex::of_file(&analysis)));
        }
        self.docs.insert(uri, Document { version, analysis });
    }

    /// A SQL file changed on disk: its tables are read again (unless the
    /// editor has it open), or dropped when it is gone.
    pub fn disk_changed(&mut self, uri: &Uri) {
        let Some(path) = convert::path(uri).filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")))
        else {
            return;
        };
        if self.docs.contains_key(uri) {
            return;
        }
        match crate::files::read(&crate::files::Input::File(path.clone()), self.config.legacy_encoding) {
            Ok(decoded) => {
                let a = crate::analyse_decoded(self.name(uri), decoded, &self.config);
                self.put_tables(path, Some(RepoIndex::of_file(&a)));
            }
            Err(_) => self.put_tables(path, None),
        }
    }

    /// Re-analyses every open document (after the config changed).
    pub fn reanalyse(&mut self) {
        let docs: Vec<(Uri, i32, String)> =
            self.docs.iter().map(|(u, d)| (u.clone(), d.version, d.analysis.source.text.clone())).collect();
        for (uri, version, text) in docs {
            self.set(uri, version, text);
        }
    }

    /// Replaces (or, with `None`, drops) a file's tables in the index.
    pub fn put_tables(&mut self, path: PathBuf, tables: Option<RepoIndex>) {
        // The old ones go first: the new ones may equal them.
        if let Some(old) = self.tables.remove(&path) {
            self.repo.remove(&old);
        }
        if let Some(t) = tables {
            self.repo.merge(t.clone());
            self.tables.insert(path, t);
        }
    }

    /// The repository index: every file's tables.
    pub fn repo(&self) -> &RepoIndex {
        &self.repo
    }

    /// `check`'s findings for an open document.
    pub fn findings(&self, uri: &Uri, repo: &RepoIndex) -> Vec<Finding> {
        let Some(doc) = self.docs.get(uri) else { return Vec::new() };
        self.findings_planned(&doc.analysis, &doc.analysis.fixes(), repo)
    }

    /// `check`'s findings for an open document's analysis, given its fix
    /// plan (code actions need both).
    pub fn findings_planned(
        &self,
        a: &crate::Analysis,
        fixes: &crate::fix::FilePlan,
        repo: &RepoIndex,
    ) -> Vec<Finding> {
        let today = crate::lint::today();
        pipeline::check_document_planned(a, fixes, repo, &self.config, &Options::default(), &today)
    }
}

/// The annotated tables of every SQL file under `root` (run in the
/// background at start).
pub fn index(root: &Path, config: &Config) -> HashMap<PathBuf, RepoIndex> {
    let run = pipeline::for_each_file(&[root.to_path_buf()], config, |input, a| {
        let path = match input {
            crate::files::Input::File(p) => std::path::absolute(p).unwrap_or_else(|_| p.clone()),
            crate::files::Input::Stdin => PathBuf::new(),
        };
        (path, RepoIndex::of_file(&a))
    });
    run.files.into_iter().collect()
}

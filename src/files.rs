//! Finding the SQL files to work on, reading them, and writing them back
//! atomically.

use crate::encoding::{Decoded, TextEncoding};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a file's text comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// The name a report shows: the path as `Path::display` shows it
    /// (bytes that are not UTF-8 as U+FFFD), built without the formatting
    /// machinery (830 instructions a file through `to_string`, every file).
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.to_string_lossy().into_owned(),
        }
    }
}

/// `[files] exclude`: globs matched against paths relative to a root (the
/// config's directory). A path is excluded when the glob matches it, one of
/// its directories, or its name — also when it is named on the command
/// line, as pre-commit names every file it passes.
#[derive(Debug, Clone, Default)]
pub struct Exclude {
    root: PathBuf,
    patterns: Vec<String>,
    set: globset::GlobSet,
}

impl PartialEq for Exclude {
    fn eq(&self, other: &Self) -> bool {
        (&self.root, &self.patterns) == (&other.root, &other.patterns)
    }
}

impl Eq for Exclude {}

impl Exclude {
    /// Compiles `globs`; a bad one comes back with its span and why.
    pub fn new<S: Clone>(root: &Path, globs: &[(&str, S)]) -> Result<Exclude, (S, String)> {
        let mut set = globset::GlobSetBuilder::new();
        for (glob, span) in globs {
            let g = globset::GlobBuilder::new(glob).literal_separator(true).build();
            set.add(g.map_err(|e| (span.clone(), e.kind().to_string()))?);
        }
        let root = normalise(&std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()));
        let patterns = globs.iter().map(|(g, _)| g.to_string()).collect();
        Ok(Exclude { root, patterns, set: set.build().map_err(|e| (globs[0].1.clone(), e.to_string()))? })
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether `path` (as given, relative to the current directory) is
    /// excluded.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let absolute = normalise(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        let relative = absolute.strip_prefix(&self.root).unwrap_or(path);
        let name = relative.file_name().map(Path::new);
        relative.ancestors().filter(|a| !a.as_os_str().is_empty()).chain(name).any(|p| self.set.is_match(p))
    }
}

/// `a/./b/../c` → `a/c`, without asking the file system (an excluded path
/// is matched as written, links and all).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => _ = out.pop(),
            c => out.push(c),
        }
    }
    out
}

/// Expands paths: files as given, directories walked for `*.sql` (honouring
/// `.gitignore`, skipping hidden files), `-` for stdin, leaving out what
/// `exclude` names. Each file once, in a stable order. Paths that do not
/// exist are returned as errors.
pub fn collect(paths: &[PathBuf], exclude: &Exclude) -> (Vec<Input>, Vec<String>) {
    let mut inputs = Vec::new();
    let errors = walk(paths, exclude, |batch| inputs.extend(batch));
    (inputs, errors)
}

/// How many walked files are handed on at once: enough to keep a pool busy,
/// few enough that reading starts while the walk goes on.
pub(crate) const BATCH: usize = 64;

/// As [`collect`], handing the inputs to `batch` a few at a time as the walk
/// finds them, in the order `collect` returns them: each directory's entries
/// are sorted by name as it is read, so the walk itself goes in component
/// order (`a/b` before `a-b`) and nothing waits for the whole tree. Returns
/// the errors.
pub fn walk(paths: &[PathBuf], exclude: &Exclude, mut batch: impl FnMut(Vec<Input>)) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    // A file is identified by its root's canonical path and its path below
    // that root: one `realpath` per path given, not per file (a walk does not
    // follow links, so paths below a root are unique).
    // One path given: its files cannot repeat, and need no key.
    let single = paths.len() == 1;
    let mut push = |p: PathBuf, key: Option<PathBuf>, inputs: &mut Vec<Input>| {
        // `./sql/a.sql` reads better as `sql/a.sql`.
        let p = strip_dot(p);
        if key.is_none_or(|key| seen.insert(key.into_os_string())) {
            inputs.push(Input::File(p));
        }
    };
    let mut stdin = false;
    // Asked once for the whole walk, not for each directory given.
    let global_excludes = std::cell::OnceCell::new();
    for path in paths {
        if path.as_os_str() == "-" {
            if !std::mem::replace(&mut stdin, true) {
                inputs.push(Input::Stdin);
            }
            continue;
        }
        if exclude.excludes(path) {
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => errors.push(format!("{}: {}", path.display(), e)),
            Ok(m) if m.is_dir() => {
                let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                let global = *global_excludes.get_or_init(global_excludes_possible);
                for entry in sorted_walk(path, exclude, global) {
                    match entry {
                        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && is_sql(e.path()) => {
                            let p = e.into_path();
                            let key = (!single).then(|| root.join(p.strip_prefix(path).unwrap_or(&p)));
                            push(p, key, &mut inputs);
                            if inputs.len() >= BATCH {
                                batch(std::mem::take(&mut inputs));
                            }
                        }
                        Ok(_) => {}
                        Err(e) => errors.push(e.to_string()),
                    }
                }
            }
            Ok(_) => {
                let key = (!single).then(|| std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()));
                push(path.clone(), key, &mut inputs)
            }
        }
    }
    if !inputs.is_empty() {
        batch(inputs);
    }
    errors
}

/// A walk of `dir` that honours ignore files and `exclude`, each directory's
/// entries in byte order of their names.
/// `global`: whether to ask for the user's global git excludes (see
/// [`global_excludes_possible`]).
fn sorted_walk(dir: &Path, exclude: &Exclude, global: bool) -> ignore::Walk {
    let exclude = exclude.clone();
    ignore::WalkBuilder::new(dir)
        .require_git(false)
        .git_global(global)
        // Only entries of one directory are compared: their whole paths
        // differ first in their names (and, as bytes, cost no parsing of
        // components: comparing names that way doubled the walk).
        .sort_by_file_path(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()))
        .filter_entry(move |e| !exclude.excludes(e.path()))
        .build()
}

/// Whether git may have a global excludes file here: a git config file
/// that names `core.excludesFile`, or the default file
/// (`$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`). These are
/// the places `ignore` looks; where none has one, its global matcher is
/// empty, and asking for it anyway compiles a regex to read the config
/// files with: 0.3–0.4 ms on the one thread that walks, before any file is
/// read (a fifth of a run on an empty repository).
fn global_excludes_possible() -> bool {
    #[allow(deprecated)] // the same home directory `ignore` uses
    let home = std::env::home_dir();
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let config_home = var("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config")));
    let configs = [
        var("GIT_CONFIG_GLOBAL"),
        home.as_ref().map(|h| h.join(".gitconfig")),
        config_home.as_ref().map(|c| c.join("git/config")),
        Some(var("GIT_CONFIG_SYSTEM").unwrap_or_else(|| PathBuf::from("/etc/gitconfig"))),
    ];
    let names_excludes = |path: &PathBuf| {
        std::fs::read(path).is_ok_and(|b| memchr::memmem::find(&b.to_ascii_lowercase(), b"excludesfile").is_some())
    };
    configs.iter().flatten().any(names_excludes) || config_home.is_some_and(|c| c.join("git/ignore").is_file())
}

/// `path` without a leading `./`. Every path a walk of `.` yields has one:
/// its bytes are cut where they can be (comparing components cost 850
/// instructions a file, on the thread that walks before any file is read).
fn strip_dot(path: PathBuf) -> PathBuf {
    match path.to_str().and_then(|s| s.strip_prefix("./")) {
        Some(rest) if !rest.starts_with('/') => PathBuf::from(rest),
        _ => path.strip_prefix(".").map(Path::to_path_buf).unwrap_or(path),
    }
}

fn is_sql(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// Reads a file: UTF-8, or GBK when the config says legacy files are GBK.
/// Bytes that cannot be read are not an error here: the text comes back
/// lossy with its [`EncodingProblem`](crate::encoding::EncodingProblem), to
/// be reported as a finding and never written back.
pub fn read(input: &Input, legacy: TextEncoding) -> Result<Decoded, String> {
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| format!("<stdin>: {e}"))?;
            buf
        }
        Input::File(p) => read_file(p).map_err(|e| format!("{}: {e}", p.display()))?,
    };
    Ok(crate::encoding::decode(bytes, legacy))
}

/// A file's bytes, read without asking for its size first: `std::fs::read`
/// and `File`'s own `read_to_end` make a `statx` call for it, one system
/// call in five for a small file. Behind `take`, `read_to_end` reads into
/// the buffer as it grows.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(16 * 1024);
    std::io::Read::read_to_end(&mut std::io::Read::take(std::fs::File::open(path)?, u64::MAX), &mut bytes)?;
    Ok(bytes)
}

/// Replaces a file's contents atomically: a temporary file in the same
/// directory, written, flushed to disk and renamed over the original, with
/// the original's permissions. A symlink is followed: its target is
/// rewritten and the link stays.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), String> {
    stage_replacement(path, contents)?.commit()
}

/// Creates or replaces a file atomically (parent directories included). A
/// new file gets mode 0644, or 0755 when `executable`; an existing one keeps
/// its permissions.
pub fn write_new_or_replace(path: &Path, contents: &str, executable: bool) -> Result<(), String> {
    stage(path, contents, executable)?.commit()
}

/// A file's new contents, written and flushed to disk beside it but not yet
/// in its place: [`commit`](Staged::commit) renames it over the target;
/// dropping it removes the temporary file and leaves the target as it was.
/// Staging every file of a set before committing any means a failure
/// leaves the whole set untouched.
///
/// A staged file holds its path, not an open descriptor: a bundle may
/// stage more files than a process may hold open (256 by default on macOS).
pub struct Staged {
    tmp: tempfile::TempPath,
    target: PathBuf,
    shown: PathBuf,
}

impl Staged {
    /// Puts the new contents in place (a rename: atomic per file).
    pub fn commit(self) -> Result<(), String> {
        let shown = self.shown;
        self.tmp.persist(&self.target).map_err(|e| write_failure(&shown, e.error))?;
        Ok(())
    }
}

/// [`write_new_or_replace`] up to the rename.
pub fn stage(path: &Path, contents: &str, executable: bool) -> Result<Staged, String> {
    if path.exists() {
        return stage_replacement(path, contents.as_bytes());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let permissions = new_file_permissions(executable);
    stage_in(path, path, contents.as_bytes(), permissions)
}

/// [`write_atomic`] up to the rename.
fn stage_replacement(path: &Path, contents: &[u8]) -> Result<Staged, String> {
    let target = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let meta = std::fs::metadata(&target).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.permissions().readonly() {
        return Err(format!("{}: the file is read-only; it was left untouched", path.display()));
    }
    stage_in(path, &target, contents, meta.permissions())
}

#[cfg(unix)]
fn new_file_permissions(executable: bool) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(if executable { 0o755 } else { 0o644 })
}

#[cfg(not(unix))]
fn new_file_permissions(_: bool) -> std::fs::Permissions {
    std::fs::metadata(".").map(|m| m.permissions()).expect("the current directory has metadata")
}

fn stage_in(shown: &Path, target: &Path, contents: &[u8], permissions: std::fs::Permissions) -> Result<Staged, String> {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| write_failure(shown, e);
    let mut tmp = tempfile::Builder::new().prefix(".mcaccess-").suffix(".tmp").tempfile_in(dir).map_err(fail)?;
    tmp.write_all(contents).map_err(fail)?;
    tmp.as_file().set_permissions(permissions).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    Ok(Staged { tmp: tmp.into_temp_path(), target: target.to_path_buf(), shown: shown.to_path_buf() })
}

fn write_failure(shown: &Path, e: std::io::Error) -> String {
    format!("{}: cannot write: {e}; the file was left untouched", shown.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's name in a report is what `Path::display` shows, for names
    /// that are not UTF-8 too.
    #[cfg(unix)]
    #[test]
    fn a_file_is_named_as_its_path_displays() {
        use std::os::unix::ffi::OsStrExt;
        for name in
            [&b"sql/a.sql"[..], b"sql/\xe6\x95\xb0\xe6\x8d\xae.sql", b"sql/\xff\xfe-gbk-\xb1\xed.sql", b"\xe6\x95"]
        {
            let path = PathBuf::from(std::ffi::OsStr::from_bytes(name));
            assert_eq!(Input::File(path.clone()).display(), path.display().to_string(), "{name:?}");
        }
        assert_eq!(Input::Stdin.display(), "<stdin>");
    }

    #[test]
    fn files_are_read_whole_whatever_their_size() {
        let d = tempfile::tempdir().unwrap();
        for len in [0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 300_001] {
            let p = d.path().join(format!("{len}.sql"));
            let bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            assert_eq!(read_file(&p).unwrap(), bytes, "{len} bytes");
        }
        assert!(read_file(&d.path().join("missing.sql")).is_err());
    }

    #[test]
    fn a_leading_dot_is_cut_as_components_would_be() {
        for (given, cut) in
            [("./a/b.sql", "a/b.sql"), (".//a.sql", "a.sql"), ("./", ""), (".", ""), (".x/a.sql", ".x/a.sql")]
        {
            assert_eq!(strip_dot(PathBuf::from(given)), PathBuf::from(cut), "{given}");
        }
        assert_eq!(strip_dot(PathBuf::from("a/./b.sql")), PathBuf::from("a/./b.sql"));
    }

    #[test]
    fn walked_files_come_in_component_order_once_each() {
        let d = tempfile::tempdir().unwrap();
        // `!` sorts before `/`: whole paths in byte order would put `a!.sql`
        // before `a/b.sql`.
        for f in ["a-b.sql", "a/b.sql", "a/c.SQL", "z.txt", "b.sql", "a!.sql"] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let root = d.path().to_path_buf();
        let (inputs, errors) = collect(&[root.clone(), root.join("a/b.sql"), root.clone()], &Exclude::default());
        assert!(errors.is_empty());
        let names: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => p.strip_prefix(&root).unwrap().to_string_lossy().to_string(),
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(names, vec!["a/b.sql", "a/c.SQL", "a!.sql", "a-b.sql", "b.sql"]);
    }

    #[test]
    fn exclude_matches_the_path_a_directory_or_the_name() {
        let root = Path::new("/repo");
        let globs = [("legacy", 0), ("**/tmp_*.sql", 1), ("jobs/draft/*.sql", 2)];
        let x = Exclude::new(root, &globs).unwrap();
        assert!(x.excludes(Path::new("/repo/legacy/a.sql")), "a directory named by the glob");
        assert!(x.excludes(Path::new("/repo/sql/legacy")), "a name");
        assert!(x.excludes(Path::new("/repo/sql/tmp_orders.sql")));
        assert!(x.excludes(Path::new("/repo/jobs/draft/a.sql")));
        assert!(!x.excludes(Path::new("/repo/jobs/draft/deeper/a.sql")), "* does not cross /");
        assert!(!x.excludes(Path::new("/repo/sql/orders.sql")));
        assert!(!x.excludes(Path::new("/repo/legacy_2/a.sql")));
        assert_eq!(Exclude::new(root, &[("a[", 7)]).unwrap_err().0, 7);
    }
}

//! The bundle on disk: compare a directory with what would be written, and
//! write it (atomically per file, unchanged files untouched, files of roles
//! no longer used removed).

use super::sink::{Content, Outcome, Sink};
use crate::files;
use std::collections::BTreeMap;
use std::path::Path;

/// A bundle's files, each written to a [`Sink`] as soon as its turn comes,
/// so that it is compared with `DIR` while the others are still being
/// rendered, and never held if `DIR` holds it already.
pub trait Files: Sync {
    /// `each(path, content)` for every file (in parallel, as each is
    /// ready), where `content` writes the file; the paths and results, in
    /// path order.
    fn render<R: Send>(&self, each: &(dyn Fn(&str, Content<'_>) -> R + Sync)) -> Vec<(String, R)>;
}

/// Files already rendered (as tests give them).
impl Files for BTreeMap<String, String> {
    fn render<R: Send>(&self, each: &(dyn Fn(&str, Content<'_>) -> R + Sync)) -> Vec<(String, R)> {
        use rayon::prelude::*;
        self.par_iter().map(|(path, text)| (path.clone(), each(path, &|sink| sink.push_str(text)))).collect()
    }
}

/// How `DIR` differs from the bundle, one line per file, for `--check`;
/// and how many files the bundle has.
pub fn compare(out: &Path, files: &impl Files) -> (Vec<String>, usize) {
    let (changed, stale, count) = differences(out, files);
    let mut differences = Vec::new();
    for (path, content, old) in changed {
        let Some(old) = old else {
            differences.push(format!("missing:  {path}"));
            continue;
        };
        differences.push(format!("differs:  {path} ({})", how_changed(&old, &content)));
    }
    differences.extend(stale.into_iter().map(|p| format!("obsolete: {p}")));
    (differences, count)
}

/// The lines a diff would change between the first and the last line that
/// differ, at most this many (old and new together): a diff takes time in
/// the square of its changes (a line added at the top of every SQL file of
/// 20,000 changes 53,800 lines of manifest.json: 11 s).
const COUNTED: usize = 10_000;

/// How `new` differs from `old`: how many lines a diff changes, or past
/// [`COUNTED`] lines between the first and the last that differ, which
/// lines of `new` those are.
fn how_changed(old: &str, new: &str) -> String {
    use similar::DiffableStr;
    let (old, new) = (old.tokenize_lines(), new.tokenize_lines());
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (old, new) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    let changed = if old.is_empty() || new.is_empty() {
        old.len() + new.len()
    } else if old.len() + new.len() > COUNTED {
        return format!("lines {}–{} differ", prefix + 1, prefix + new.len());
    } else {
        let ops = similar::capture_diff_slices(similar::Algorithm::Myers, old, new);
        let changes = ops.iter().filter(|op| !matches!(op, similar::DiffOp::Equal { .. }));
        changes.map(|op| op.old_range().len() + op.new_range().len()).sum()
    };
    format!("{changed} line{} changed", if changed == 1 { "" } else { "s" })
}

/// A file of the bundle that is not on disk as it would be written: its
/// path, its content, and what is there (`None`: nothing readable).
type Changed = (String, String, Option<String>);

/// The bundle's files that differ from `out` (in path order), the managed
/// files under `out` it no longer produces, and how many files it has.
/// Each file is compared as it is rendered, while the directory is listed.
fn differences(out: &Path, files: &impl Files) -> (Vec<Changed>, Vec<String>, usize) {
    let differs = |path: &str, content: Content<'_>| changed(&out.join(path), content);
    let (rendered, managed) = rayon::join(|| files.render(&differs), || managed_files(out));
    let count = rendered.len();
    let produced = |p: &String| rendered.binary_search_by(|(path, _)| path.cmp(p)).is_ok();
    let stale = managed.into_iter().filter(|p| !produced(p)).collect();
    let changed = rendered.into_iter().filter_map(|(path, d)| d.map(|(content, old)| (path, content, old))).collect();
    (changed, stale, count)
}

/// Unless `path` holds what `content` writes: that, and what `path` holds
/// (`None`: nothing readable as text). The file is compared as it is
/// written, and only one that differs is written again, kept, and read
/// whole, for the diff.
fn changed(path: &Path, content: Content<'_>) -> Option<(String, Option<String>)> {
    let mut sink = Sink::compared_with(path);
    content(&mut sink);
    let new = match sink.finish() {
        Outcome::Same => return None,
        Outcome::Kept(new) => new,
        Outcome::Differs => Sink::text(content),
    };
    Some((new, std::fs::read(path).ok().and_then(|b| String::from_utf8(b).ok())))
}

/// Whether `out` can hold a bundle: a directory, or nothing yet.
pub fn usable(out: &Path) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!("{}: not a directory; --out names the directory to write the bundle to", out.display()));
    }
    Ok(())
}

/// Writes the bundle; returns (files written, files removed). Every changed
/// file is staged (written and flushed beside its target) before any is
/// renamed into place, so a failure while writing leaves `DIR` as it was.
/// Files are staged on threads of their own (`IO_THREADS`): creating and
/// flushing a file is most of the cost.
pub fn write(out: &Path, files: &impl Files) -> Result<(usize, usize), String> {
    usable(out)?;
    let (changed, stale, _) = differences(out, files);
    let stage = |(path, content, _): &Changed| files::stage(&out.join(path), content, path.ends_with(".sh"));
    let staged = on_io_threads(&changed, stage)
        .into_iter()
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| format!("{e}; no file in {} was changed", out.display()))?;
    let written = staged.len();
    for file in staged {
        file.commit()?;
    }
    for path in &stale {
        let target = out.join(path);
        std::fs::remove_file(&target).map_err(|e| format!("{}: cannot remove: {e}", target.display()))?;
        // Remove the role directories this leaves empty.
        let roles = out.join("roles");
        let mut dir = target.parent();
        while let Some(d) = dir.filter(|d| d.starts_with(&roles) && *d != out) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok((written, stale.len()))
}

/// How many files are staged at once. Staging a file waits on the disk
/// (each is flushed before any is renamed), not on a core: a new DIR of 229
/// files took 129 ms two at a time (one a core here), 101 ms 16 at a time.
const IO_THREADS: usize = 16;

/// `f` of every item, in order, on up to [`IO_THREADS`] threads of their
/// own (not the pool's, which has one a core).
fn on_io_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { return done };
            done.push((i, f(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..IO_THREADS.min(items.len())).map(|_| s.spawn(work)).collect();
        // A panic on a thread is passed on, as rayon passes it on.
        threads.into_iter().flat_map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The files under `dir` that a bundle manages, relative, `/`-separated.
fn managed_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                if super::is_managed(&rel) {
                    out.push(rel);
                }
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_failure_while_writing_leaves_the_directory_as_it_was() {
        let d = tempfile::tempdir().unwrap();
        let first = bundle(&[("SETUP.md", "old\n"), ("manifest.json", "{}\n")]);
        assert_eq!(write(d.path(), &first), Ok((2, 0)));
        // A file where the roles directory has to go.
        std::fs::write(d.path().join("roles"), "in the way\n").unwrap();
        let second = bundle(&[
            ("SETUP.md", "new\n"),
            ("manifest.json", "{\"roles\":[]}\n"),
            ("roles/1/r/trust-policy.json", "{}\n"),
        ]);
        let err = write(d.path(), &second).unwrap_err();
        assert!(
            err.contains("roles") && err.ends_with(&format!("no file in {} was changed", d.path().display())),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(d.path().join("SETUP.md")).unwrap(), "old\n");
        assert_eq!(std::fs::read_to_string(d.path().join("manifest.json")).unwrap(), "{}\n");
        assert_eq!(names(d.path()), ["SETUP.md", "manifest.json", "roles"], "no temporary file is left");
    }

    #[test]
    fn compare_lists_missing_differing_and_obsolete_files_in_path_order() {
        let d = tempfile::tempdir().unwrap();
        let old = bundle(&[
            ("SETUP.md", "a\nb\nc\n"),
            ("manifest.json", "{}\n"),
            ("roles/1/gone/permission-policy.json", "{}\n"),
            ("roles/1/r/trust-policy.json", "{}\n"),
        ]);
        assert_eq!(write(d.path(), &old), Ok((4, 0)));
        std::fs::write(d.path().join("roles/1/r/notes.txt"), "mine\n").unwrap();
        let new = bundle(&[
            ("SETUP.md", "a\nB\nc\n"),
            ("aliyun-cli.sh", "#!/bin/sh\n"),
            ("manifest.json", "{}\n"),
            ("roles/1/r/trust-policy.json", "{\"Version\": \"1\"}\n"),
        ]);
        assert_eq!(
            compare(d.path(), &new).0,
            [
                "differs:  SETUP.md (2 lines changed)",
                "missing:  aliyun-cli.sh",
                "differs:  roles/1/r/trust-policy.json (2 lines changed)",
                "obsolete: roles/1/gone/permission-policy.json",
            ]
        );
        assert_eq!(compare(d.path(), &old), (Vec::<String>::new(), 4), "notes.txt is not the bundle's");
    }

    #[test]
    fn how_a_file_changed_counted_or_past_a_size_spanned() {
        let old: String = (0..8_000).map(|i| format!("line {i}\n")).collect();
        let edited = old.replace("line 10\n", "line ten\n").replace("line 4990\n", "");
        assert_eq!(how_changed(&old, &edited), "3 lines changed");
        assert_eq!(how_changed("a\nb\n", "a\nc\n"), "2 lines changed");
        assert_eq!(how_changed("a\n", "a\nb\n"), "1 line changed");
        // Over 10,000 lines from the first change to the last, old and new
        // together: not counted.
        let edited = old.replace("line 10\n", "line ten\n").replace("line 5020\n", "");
        assert_eq!(how_changed(&old, &edited), "lines 11–5020 differ");
        // Lines only removed are counted whatever their number.
        assert_eq!(how_changed(&old, "line 0\n"), "7999 lines changed");
    }

    #[test]
    fn a_file_that_differs_is_kept_whole_with_what_is_on_disk() {
        let d = tempfile::tempdir().unwrap();
        let at = |name: &str, bytes: &[u8]| {
            std::fs::write(d.path().join(name), bytes).unwrap();
            d.path().join(name)
        };
        let text = |t: &'static str| move |sink: &mut Sink| sink.push_str(t);
        assert_eq!(changed(&at("same", b"a\nb\n"), &text("a\nb\n")), None);
        assert_eq!(changed(&at("empty", b""), &text("")), None);
        assert_eq!(changed(&at("shorter", b"a\n"), &text("a\nb\n")), Some(("a\nb\n".into(), Some("a\n".into()))));
        assert_eq!(changed(&at("binary", b"a\xff\n"), &text("a\n")), Some(("a\n".into(), None)));
        assert_eq!(changed(&d.path().join("missing"), &text("a\n")), Some(("a\n".into(), None)));
        // Written in pieces, differing in a later block: kept whole.
        let big: String = (0..200_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let pieces =
            |sink: &mut Sink| big.as_bytes().chunks(1000).for_each(|c| sink.push_str(std::str::from_utf8(c).unwrap()));
        assert_eq!(changed(&at("big", big.as_bytes()), &pieces), None);
        let mut other = big.clone().into_bytes();
        other[150_000] = b'!';
        let other = String::from_utf8(other).unwrap();
        assert_eq!(changed(&at("big-changed", other.as_bytes()), &pieces), Some((big.clone(), Some(other))));
    }

    #[test]
    fn io_threads_give_every_result_once_in_order() {
        let items: Vec<usize> = (0..1000).collect();
        let seen = std::sync::Mutex::new(std::collections::HashSet::new());
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        let out = on_io_threads(&items, |&i| {
            assert!(seen.lock().unwrap().insert(i), "{i} twice");
            threads.lock().unwrap().insert(std::thread::current().id());
            std::thread::sleep(std::time::Duration::from_micros(50));
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let threads = threads.lock().unwrap().len();
        assert!(threads > 2 && threads <= IO_THREADS, "{threads} threads");
        assert!(on_io_threads(&[] as &[usize], |&i| i).is_empty());
    }

    #[test]
    fn a_file_as_the_directory_is_an_error_and_kept() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("bundle");
        std::fs::write(&out, "mine\n").unwrap();
        let err = write(&out, &bundle(&[("SETUP.md", "a\n")])).unwrap_err();
        assert!(err.ends_with("not a directory; --out names the directory to write the bundle to"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine\n");
    }

    #[test]
    fn only_changed_files_are_written_and_unused_ones_removed() {
        let d = tempfile::tempdir().unwrap();
        let first = bundle(&[("SETUP.md", "a\n"), ("manifest.json", "{}\n"), ("roles/1/r/trust-policy.json", "{}\n")]);
        assert_eq!(write(d.path(), &first), Ok((3, 0)));
        let second = bundle(&[("SETUP.md", "b\n"), ("manifest.json", "{}\n")]);
        assert_eq!(write(d.path(), &second), Ok((1, 1)));
        assert_eq!(std::fs::read_to_string(d.path().join("SETUP.md")).unwrap(), "b\n");
        assert_eq!(names(d.path()), ["SETUP.md", "manifest.json"], "the emptied role directories go too");
    }
}

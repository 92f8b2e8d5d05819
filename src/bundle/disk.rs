//! The bundle on disk: compare a directory with what would be written, and
//! write it (atomically per file, unchanged files untouched, files of roles
//! no longer used removed).

use crate::files;
use std::collections::BTreeMap;
use std::path::Path;

/// How `DIR` differs from the bundle, one line per file, for `--check`.
pub fn compare(out: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut differences = Vec::new();
    for (path, content) in files {
        match std::fs::read_to_string(out.join(path)) {
            Err(_) => differences.push(format!("missing:  {path}")),
            Ok(old) if old != *content => {
                let changed = similar::TextDiff::from_lines(old.as_str(), content.as_str())
                    .iter_all_changes()
                    .filter(|c| c.tag() != similar::ChangeTag::Equal)
                    .count();
                differences
                    .push(format!("differs:  {path} ({changed} line{} changed)", if changed == 1 { "" } else { "s" }));
            }
            Ok(_) => {}
        }
    }
    differences.extend(stale(out, files).into_iter().map(|p| format!("obsolete: {p}")));
    differences
}

/// Writes the bundle; returns (files written, files removed).
pub fn write(out: &Path, files: &BTreeMap<String, String>) -> Result<(usize, usize), String> {
    let mut written = 0;
    for (path, content) in files {
        let target = out.join(path);
        if std::fs::read_to_string(&target).is_ok_and(|old| old == *content) {
            continue;
        }
        files::write_new_or_replace(&target, content, path.ends_with(".sh"))?;
        written += 1;
    }
    let stale = stale(out, files);
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

/// Managed files under `out` that the bundle no longer produces.
fn stale(out: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    managed_files(out).into_iter().filter(|p| !files.contains_key(p)).collect()
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

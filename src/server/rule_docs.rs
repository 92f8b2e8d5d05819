//! Each rule's documentation as a Markdown file an editor can open: the
//! link on every diagnostic's code. Written once per version under the
//! user's cache directory (`$XDG_CACHE_HOME`, else `~/.cache`); without one,
//! diagnostics carry no link.

use super::convert;
use crate::diagnostic::Code;
use lsp_types::CodeDescription;
use std::path::{Path, PathBuf};

/// The user's cache directory, if there is one.
pub fn cache_dir() -> Option<PathBuf> {
    let home = || std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"));
    std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).or_else(home)
}

/// Writes every rule's page under `cache` (unless it is there already);
/// the directory of the pages.
pub fn write_all(cache: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(cache.join("mcaccess").join(env!("CARGO_PKG_VERSION")).join("rules")).ok()?;
    for rule in crate::lint::RULES {
        let path = dir.join(format!("{}.md", rule.code()));
        let text = format!("# {} {}\n\n{}\n", rule.code(), rule.name(), rule.doc());
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            crate::files::write_new_or_replace(&path, &text, false).ok()?;
        }
    }
    Some(dir)
}

/// The link to a rule's page in `dir`.
pub fn link(dir: Option<&Path>, code: Code) -> Option<CodeDescription> {
    Some(CodeDescription { href: convert::uri(&dir?.join(format!("{code}.md")))? })
}

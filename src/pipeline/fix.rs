//! `fix` over inputs: per file, the edits, verified, then written, listed
//! or shown as a diff.

use super::{Render, Run, for_each_file, render_all};
use crate::Analysis;
use crate::config::Config;
use crate::files::{self, Input};
use crate::fix::{self as edits, Edit};
use crate::source::SourceFile;
use std::path::PathBuf;

/// What `fix` does with what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Rewrite the files (stdin: write the text to stdout).
    Write,
    /// Write nothing; list the files that would change.
    Check,
    /// Write nothing; a unified diff of what would change.
    Diff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixOutcome {
    Unchanged,
    Changed,
    /// Refused or failed: the file was left untouched.
    Failed,
}

/// `fix` on one file.
#[derive(Debug)]
pub struct FileFix {
    /// The rendered warnings and errors, and any failure (for stderr).
    pub messages: String,
    /// What goes to stdout: the fixed text (stdin), a diff, or the name of
    /// a file that would change.
    pub output: Vec<u8>,
    pub outcome: FixOutcome,
}

/// `fix` over inputs.
pub fn fix(paths: &[PathBuf], config: &Config, mode: FixMode, render: Render<'_>) -> Run<FileFix> {
    for_each_file(paths, config, |input, a| fix_file(&a, input, config, mode, render))
}

fn fix_file(a: &Analysis, input: &Input, config: &Config, mode: FixMode, render: Render<'_>) -> FileFix {
    let file = &a.source;
    let mut messages = render_all(render, file, &a.warnings());
    let plan = a.fixes();
    if !plan.blockers.is_empty() {
        messages.push_str(&render_all(render, file, &a.describe(&plan.blockers)));
        let n = plan.blockers.len();
        let e = format!("{}: not changed ({n} error{})", file.name, if n == 1 { "" } else { "s" });
        return FileFix::failed(messages, &e);
    }
    let edits = plan.edits();
    // What is written (a file, or stdout) is verified first; --check and
    // --diff write nothing.
    let verified = match mode {
        FixMode::Write => crate::apply_verified(a, &edits, config),
        FixMode::Check | FixMode::Diff => Ok(edits::apply(&file.text, &edits)),
    };
    match verified {
        Ok(new) => deliver(file, input, (mode, "would fix"), &edits, &new, messages),
        Err(e) => FileFix::failed(messages, &e),
    }
}

impl FileFix {
    pub(super) fn failed(messages: String, e: &str) -> FileFix {
        FileFix { messages: messages + &format!("error: {e}\n"), output: vec![], outcome: FixOutcome::Failed }
    }
}

/// Hands the new text over as `mode` says: written back (in the file's own
/// encoding: GBK stays GBK), listed (`{would}: <file>`), shown as a diff, or
/// sent to stdout.
pub(super) fn deliver(
    file: &SourceFile,
    input: &Input,
    (mode, would): (FixMode, &str),
    edits: &[Edit],
    new: &str,
    messages: String,
) -> FileFix {
    let Some(bytes) = file.encoding.encode(new) else {
        let e = format!("{}: the new text cannot be written in the file's encoding; left untouched", file.name);
        return FileFix::failed(messages, &e);
    };
    let outcome = if edits.is_empty() { FixOutcome::Unchanged } else { FixOutcome::Changed };
    let output = match (mode, input) {
        (FixMode::Write, Input::Stdin) => bytes.into_owned(),
        _ if edits.is_empty() => Vec::new(),
        (FixMode::Diff, _) => masked_diff(file, edits).into_bytes(),
        (FixMode::Check, _) => format!("{would}: {}\n", file.name).into_bytes(),
        (FixMode::Write, Input::File(path)) => match files::write_atomic(path, &bytes) {
            Ok(()) => Vec::new(),
            Err(e) => return FileFix::failed(messages, &e),
        },
    };
    FileFix { messages, output, outcome }
}

/// A unified diff of `edits` with the file's secrets masked (masking keeps
/// every length, so the edits apply to the masked text unchanged).
fn masked_diff(file: &SourceFile, edits: &[Edit]) -> String {
    let name = file.name.as_str();
    let old = file.secrets().mask_text(&file.text);
    let new = edits::apply(&old, edits);
    let mut text = crate::fix::diff::unified(name, &old, &new, edits);
    if !new.ends_with('\n') {
        text.push('\n');
    }
    text
}

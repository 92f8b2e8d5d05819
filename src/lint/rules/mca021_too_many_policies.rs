//! A role's permissions do not fit in the custom policies RAM lets one role
//! have.
//!
//! **What** `bundle` merges the least-privilege statements of every table
//! that shares a role ARN and splits them into documents of at most 6,144
//! characters. RAM attaches at most 5 custom policies to one role; a role
//! that needs more is this error. It is reported by `bundle`, which sees
//! every file at once; `check` does not compute policies.
//!
//! **Why** RAM would refuse the sixth attachment: the role would work for
//! some tables and fail for the others.
//!
//! **Example** Several hundred OSS tables, each under its own prefix, all
//! with `-- @access oss` and the same default role.
//!
//! **Fix** Give groups of tables roles of their own (`role=<name>` on their
//! `@access`, or `[roles]` per source in mcaccess.toml), or put the tables
//! under fewer, wider prefixes.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::policy::TooLarge;

pub const META: Meta = Meta { code: Code("MCA021"), name: "too-many-policies", severity: Severity::Error, fixable: false };

/// Nothing per file: the bundle reports this code (see the documentation).
pub fn check(_: &FileContext<'_>) -> Vec<Diagnostic> {
    Vec::new()
}

/// The finding for a role whose permissions need `e.documents` policies of
/// `max_chars`; `users` statements use it, the first `at` `file:line`.
pub fn diagnostic(arn: &str, e: &TooLarge, max_chars: usize, users: usize, at: &str) -> Diagnostic {
    let message = format!(
        "the permission policy of {arn} needs {} documents of {max_chars} characters; RAM allows {} custom policies per role ({users} statements use it, the first at {at})",
        e.documents, e.max_documents
    );
    META.diagnostic(0..0, message).help("split these statements over several roles (role=<name> on their @access)")
}

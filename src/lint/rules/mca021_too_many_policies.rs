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

use crate::diagnostic::Diagnostic;
use crate::lint::FileContext;

/// Nothing per file: the bundle reports this code (see the documentation).
pub fn check(_: &FileContext<'_>) -> Vec<Diagnostic> {
    Vec::new()
}

//! Onboarding an existing repository: `init` infers `mcaccess.toml` from
//! the SQL, `annotate` writes the `@access` lines.

pub mod annotate;
pub mod init;

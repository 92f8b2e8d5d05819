//! `annotate`: an `@access` line above every external statement that has
//! none, inferred from its DDL and the repository's writes (SPEC §10).
//!
//! What is inferred, per statement: the source (handler, LOCATION scheme,
//! JDBC URL); `cross-account uid=` when an existing rolearn names another
//! account than the owner (`uid=@alias` when `[accounts]` has it);
//! `dual-signature` for a Hologres table without a rolearn after the
//! hive-bridge `SET`; `role=` when the existing rolearn's role is not what
//! resolution would give; `access=` from the writes found in the
//! repository. Each proposal is resolved before it is written: it must
//! give back the existing rolearn exactly, or the statement is skipped with
//! the reason.

use crate::Analysis;
use crate::annotation::{self, Annotation};
use crate::config::Config;
use crate::fix::Edit;
use crate::model::{Access, Mode, RoleArn, Source};
use crate::resolve::{self, DUAL_SIGNATURE_FLAG};
use crate::scan::{Statement, StatementKind};

/// What `annotate` proposes for one file.
#[derive(Debug, Default)]
pub struct Proposals {
    /// Whole lines inserted at line starts, in order.
    pub edits: Vec<Edit>,
    /// Statements it could not annotate: their line and why.
    pub skipped: Vec<(usize, String)>,
}

/// Proposes an `@access` for each external statement of `a` that has none.
/// `needs` says what the repository's writes need of a table (by its line).
pub fn propose(a: &Analysis, config: &Config, needs: impl Fn(usize) -> Access) -> Proposals {
    let mut out = Proposals::default();
    let file = &a.source;
    if a.encoding.is_some() || a.scanned.unreadable {
        let why =
            if a.encoding.is_some() { "the file is not UTF-8 (MCA019)" } else { "the file cannot be read (MCA015)" };
        out.skipped.push((1, format!("{why}: nothing in it was annotated")));
        return out;
    }
    let mut flag_on = false;
    for stmt in &a.scanned.statements {
        if let StatementKind::Set { key, value } = &stmt.kind
            && key == DUAL_SIGNATURE_FLAG
        {
            flag_on = value.eq_ignore_ascii_case("true");
        }
        if !stmt.kind.is_external() || stmt.access.is_some() {
            continue;
        }
        let line = file.line(stmt.span.start);
        let access = match stmt.kind {
            StatementKind::Unload => Access { read: false, write: true, delete: false },
            _ => Access::READ.union(needs(line)),
        };
        match infer(stmt, config, flag_on, access).and_then(|text| insert_line(a, stmt, &text)) {
            Ok(edit) => out.edits.push(edit),
            Err(why) => out.skipped.push((line, why)),
        }
    }
    out
}

/// The `@access` text for one statement, proven to resolve to its existing
/// rolearn (when it has a well-formed one).
fn infer(stmt: &Statement, config: &Config, flag_on: bool, access: Access) -> Result<String, String> {
    if stmt.broken_access {
        return Err("its @access cannot be read (MCA001)".into());
    }
    if stmt.syntax_error.is_some() {
        return Err("the statement cannot be read (MCA015)".into());
    }
    if matches!(stmt.kind, StatementKind::CreateExternalSchema { .. }) {
        return Err("a schema's source and role are in its foreign server: write its @access by hand".into());
    }
    let source = match crate::lint::rules::infer_source(stmt) {
        None => return Err("the handler and LOCATION do not say which source it reads".into()),
        Some(("rds", _)) => return Err("RDS MySQL over JDBC uses a user and password, not a RAM role".into()),
        Some((name, _)) => Source::parse(name).expect("infer_source names a source"),
    };
    let owner = stmt.maxcompute.owner.as_ref().map(|o| o.value.clone()).or_else(|| config.owner.clone());
    let Some(owner) = owner else {
        return Err("no MaxCompute owner is known: run mcaccess init, or add -- @maxcompute owner=<uid>".into());
    };
    let existing = stmt.clauses().rolearns().first().and_then(|p| RoleArn::parse(&p.value.value).ok());
    let mut words = vec![source.name().to_string()];
    match existing {
        Some(arn) if arn.account != owner => {
            let alias = config.accounts.iter().find(|(_, uid)| *uid == arn.account).map(|(a, _)| format!("@{a}"));
            words.push(Mode::CrossAccount.name().to_string());
            words.push(format!("uid={}", alias.unwrap_or_else(|| arn.account.to_string())));
        }
        None if source == Source::Hologres && flag_on && stmt.clauses().rolearns().is_empty() => {
            words.push(Mode::DualSignature.name().to_string());
        }
        _ => {}
    }
    let access = (access != Access::READ).then(|| format!(" access={access}"));
    let text = |role: Option<&str>| {
        let role = role.map(|r| format!(" role={r}")).unwrap_or_default();
        format!("-- @access {}{role}{}", words.join(" "), access.as_deref().unwrap_or(""))
    };
    let Some(arn) = existing else {
        // A placeholder or no rolearn: the defaults, which `fix` then sets.
        return resolves(stmt, &text(None), config).map(|_| text(None));
    };
    let wanted = stmt.clauses().rolearns()[0].value.value.as_str();
    if resolves(stmt, &text(None), config)?.as_deref() == Some(wanted) {
        return Ok(text(None));
    }
    let text = text(Some(arn.role));
    match resolves(stmt, &text, config)? {
        Some(got) if got == wanted => Ok(text),
        _ if arn.role.bytes().any(|b| b.is_ascii_uppercase()) => Err(format!(
            "the rolearn's role name `{}` has upper case: RAM ARNs are lower case, so fix would change it",
            arn.role
        )),
        _ => Err(format!("no @access gives back the rolearn `{wanted}`")),
    }
}

/// The role ARN an annotation text resolves to for `stmt` (`None` for
/// dual-signature), or why it does not resolve.
fn resolves(stmt: &Statement, text: &str, config: &Config) -> Result<Option<String>, String> {
    let Ok(Annotation::Access(a)) = annotation::parse(text, 0) else {
        return Err(format!("`{text}` is not an annotation mcaccess reads"));
    };
    match resolve::plan_with(stmt, &a, config) {
        Ok(plan) => Ok(plan.role.map(|r| r.arn)),
        Err(e) => Err(format!("`{text}` does not resolve: {}", crate::lint::describe::resolve(&e).message)),
    }
}

/// The annotation as a whole line above the statement, with the
/// statement's indentation and its line's ending.
fn insert_line(a: &Analysis, stmt: &Statement, text: &str) -> Result<Edit, String> {
    let file = &a.source;
    let start = super::line_start(a, stmt.span.start);
    let indent = &file.text[start..stmt.span.start];
    if !indent.bytes().all(|b| b == b' ' || b == b'\t') {
        return Err("the statement does not start its line: an annotation line above it would describe another".into());
    }
    Ok(Edit { range: start..start, text: format!("{indent}{text}{}", super::ending(a, stmt.span.start)) })
}

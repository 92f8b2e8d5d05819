//! Recognising one statement from its significant tokens: its kind, its
//! name, every table it writes, and (for external statements) its clauses.

use super::clauses::ClauseReader;
use super::lexer::{Token, TokenKind, unquote};
use super::syntax::{Clauses, KeywordCase, MaxComputeContext, Name, Statement, StatementKind, Write, WriteKind};
use std::sync::Arc;

/// The statement's first two or three words, for messages.
pub(super) fn first_words(text: &str, sig: &[Token]) -> String {
    let words: Vec<&str> =
        sig.iter().take(3).take_while(|t| t.kind == TokenKind::Word).map(|t| &text[t.range()]).collect();
    if words.is_empty() { text[sig[0].range()].to_string() } else { words.join(" ") }
}

pub(super) fn is_kw(text: &str, t: Option<&Token>, kw: &str) -> bool {
    matches!(t, Some(t) if t.kind == TokenKind::Word && text.as_bytes()[t.range()].eq_ignore_ascii_case(kw.as_bytes()))
}

/// A punctuation token is one ASCII byte (every byte of a non-ASCII
/// character belongs to a word).
pub(super) fn is_punct(text: &str, t: Option<&Token>, c: u8) -> bool {
    matches!(t, Some(t) if t.kind == TokenKind::Punct && text.as_bytes()[t.start] == c)
}

/// Recognises one statement from its significant tokens.
pub(super) fn recognise(text: &str, sig: &[Token], maxcompute: Arc<MaxComputeContext>) -> Statement {
    let span = sig[0].start..sig[sig.len() - 1].end;
    let mut stmt = Statement {
        span,
        kind: StatementKind::Other,
        name: None,
        clauses: None,
        syntax_error: None,
        keyword_case: KeywordCase::Upper,
        access: None,
        allows: Vec::new(),
        broken_access: false,
        maxcompute,
        // No CREATE statement writes by INSERT (its column list is skimmed).
        writes: if is_kw(text, sig.first(), "CREATE") { Vec::new() } else { inserts(text, sig) },
    };
    if let Some(body_start) = head(text, sig, &mut stmt) {
        read_clauses(text, sig, &mut stmt, body_start);
    }
    stmt
}

/// The statement's kind and name from its first words; where its clauses
/// start, for the statements that have clauses mcaccess reads.
fn head(text: &str, sig: &[Token], stmt: &mut Statement) -> Option<usize> {
    let kw = |i: usize, k: &str| is_kw(text, sig.get(i), k);
    let (kind, (name, next)) = if kw(0, "CREATE") && kw(1, "EXTERNAL") && kw(2, "TABLE") {
        (StatementKind::CreateExternalTable, read_name(text, sig, skip_if_not_exists(text, sig, 3)))
    } else if kw(0, "CREATE") && kw(1, "EXTERNAL") && kw(2, "SCHEMA") {
        let (name, next) = read_name(text, sig, skip_if_not_exists(text, sig, 3));
        let server = if kw(next, "WITH") { read_name(text, sig, next + 1).0 } else { None };
        (stmt.kind, stmt.name) = (StatementKind::CreateExternalSchema { server }, name);
        return None;
    } else if kw(0, "UNLOAD") && kw(1, "FROM") {
        (StatementKind::Unload, read_name(text, sig, 2))
    } else if kw(0, "LOAD") && (kw(1, "INTO") || kw(1, "OVERWRITE")) && kw(2, "TABLE") {
        let (name, next) = read_name(text, sig, 3);
        if let Some(target) = &name {
            let kind = if kw(1, "OVERWRITE") { WriteKind::LoadOverwrite } else { WriteKind::LoadInto };
            stmt.writes.push(Write { kind, target: target.clone() });
        }
        (StatementKind::Load, (name, next))
    } else if kw(0, "INSERT") && (kw(1, "INTO") || kw(1, "OVERWRITE")) {
        let i = if kw(2, "TABLE") { 3 } else { 2 };
        (stmt.kind, stmt.name) = (StatementKind::Insert, read_name(text, sig, i).0);
        return None;
    } else if kw(0, "SET") && sig.len() > 1 {
        let last = &sig[sig.len() - 1];
        let end = if last.kind == TokenKind::Semicolon { last.start } else { stmt.span.end };
        let written = &text[sig[1].start..end];
        // Sized at once: grown a character at a time, it was three copies.
        let mut body = String::with_capacity(written.len());
        body.extend(written.chars().filter(|c| !c.is_whitespace()));
        let (key, value) = body.split_once('=').unwrap_or((&body, ""));
        stmt.kind = StatementKind::Set { key: key.to_ascii_lowercase(), value: value.to_string() };
        return None;
    } else {
        return None;
    };
    (stmt.kind, stmt.name) = (kind, name);
    Some(next)
}

/// The clauses from `body_start` on, the keyword case, the LOCATION.
fn read_clauses(text: &str, sig: &[Token], stmt: &mut Statement, body_start: usize) {
    let mut clauses = ClauseReader { text, sig, clauses: Clauses::default(), case: None };
    if let Err(d) = clauses.read(body_start) {
        stmt.syntax_error = Some(Box::new(d));
    }
    let lower = text[sig[0].range()].bytes().all(|b| b.is_ascii_lowercase());
    stmt.keyword_case = clauses.case.unwrap_or(if lower { KeywordCase::Lower } else { KeywordCase::Upper });
    let mut clauses = clauses.clauses;
    clauses.parsed_location = clauses.location.as_ref().map(|l| crate::location::parse(&l.value));
    stmt.set_clauses(clauses);
}

/// Every `INSERT INTO|OVERWRITE [TABLE] <name>` of a statement, at any
/// depth: a multi-insert `FROM src INSERT … INSERT …` and `WITH … INSERT …`
/// write as surely as a statement that starts with INSERT.
fn inserts(text: &str, sig: &[Token]) -> Vec<Write> {
    let mut out = Vec::new();
    for (i, t) in sig.iter().enumerate() {
        if t.kind != TokenKind::Word || t.end - t.start != 6 || !text[t.range()].eq_ignore_ascii_case("INSERT") {
            continue;
        }
        let kind = if is_kw(text, sig.get(i + 1), "INTO") {
            WriteKind::InsertInto
        } else if is_kw(text, sig.get(i + 1), "OVERWRITE") {
            WriteKind::InsertOverwrite
        } else {
            continue;
        };
        let at = if is_kw(text, sig.get(i + 2), "TABLE") { i + 3 } else { i + 2 };
        if let (Some(target), _) = read_name(text, sig, at) {
            out.push(Write { kind, target });
        }
    }
    out
}

/// Whether a `(` after `sig` opens a table's column list: it comes right
/// after the name of a `CREATE [EXTERNAL] TABLE`, where the clauses are read
/// from, and the clause reader passes over it as a group.
pub(super) fn column_list_next(text: &str, sig: &[Token]) -> bool {
    let kw = |i: usize, k: &str| is_kw(text, sig.get(i), k);
    let name_at = match () {
        _ if kw(0, "CREATE") && kw(1, "TABLE") => 2,
        _ if kw(0, "CREATE") && kw(1, "EXTERNAL") && kw(2, "TABLE") => 3,
        _ => return false,
    };
    read_name(text, sig, skip_if_not_exists(text, sig, name_at)).1 == sig.len()
}

/// Whether the target of every INSERT of `sig` from index `from` on is
/// read whole, as [`inserts`] reads it: a token follows its name (a `<…>`
/// placeholder needs its `>`), or the INSERT is not followed by INTO or
/// OVERWRITE. Once read whole, a target stays so as tokens are added.
pub(super) fn insert_targets_read(text: &str, sig: &[Token], from: usize) -> bool {
    let kw = |i: usize, k: &str| is_kw(text, sig.get(i), k);
    let read = |i: usize| {
        if i + 1 == sig.len() {
            return false;
        }
        if !kw(i + 1, "INTO") && !kw(i + 1, "OVERWRITE") {
            return true;
        }
        let at = if kw(i + 2, "TABLE") { i + 3 } else { i + 2 };
        if sig.len() <= at {
            return false;
        }
        let (name, end) = read_name(text, sig, at);
        end < sig.len() && (name.is_some() || !is_punct(text, sig.get(at), b'<'))
    };
    (from..sig.len()).filter(|&i| kw(i, "INSERT")).all(read)
}

/// Skips `IF NOT EXISTS` and the `[…]` brackets documentation templates put
/// around it.
fn skip_if_not_exists(text: &str, sig: &[Token], mut i: usize) -> usize {
    let bracket = is_punct(text, sig.get(i), b'[');
    if bracket {
        i += 1;
    }
    if is_kw(text, sig.get(i), "IF") && is_kw(text, sig.get(i + 1), "NOT") && is_kw(text, sig.get(i + 2), "EXISTS") {
        i += 3;
        if bracket && is_punct(text, sig.get(i), b']') {
            i += 1;
        }
        return i;
    }
    if bracket { i - 1 } else { i }
}

/// Reads a name at `i`: dotted words / quoted identifiers, or a `<…>`
/// placeholder. Returns it (if any) and the index after it.
pub(super) fn read_name(text: &str, sig: &[Token], i: usize) -> (Option<Name>, usize) {
    let Some(first) = sig.get(i) else {
        return (None, i);
    };
    let mut j = i;
    if is_punct(text, Some(first), b'<') {
        while j < sig.len() && !is_punct(text, sig.get(j), b'>') && sig[j].kind != TokenKind::Semicolon {
            j += 1;
        }
        if j == sig.len() || sig[j].kind == TokenKind::Semicolon {
            return (None, i);
        }
        j += 1;
    } else {
        loop {
            match sig.get(j) {
                Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => j += 1,
                _ => break,
            }
            if is_punct(text, sig.get(j), b'.') {
                j += 1;
            } else {
                break;
            }
        }
        if j == i {
            return (None, i);
        }
    }
    let span = first.start..sig[j - 1].end;
    if is_punct(text, Some(first), b'<') {
        return (Some(Name { text: text[span.clone()].to_string(), span }), j);
    }
    // Most names are written without backquotes or spaces: one copy.
    let plain = sig[i..j].iter().all(|t| t.kind != TokenKind::QuotedIdent)
        && sig[j - 1].end - first.start == sig[i..j].iter().map(|t| t.end - t.start).sum::<usize>();
    let name: String = if plain {
        text[span.clone()].to_string()
    } else {
        sig[i..j]
            .iter()
            .map(|t| match t.kind {
                TokenKind::QuotedIdent => unquote(&text[t.range()]),
                _ => text[t.range()].to_string(),
            })
            .collect()
    };
    (Some(Name { text: name, span }), j)
}

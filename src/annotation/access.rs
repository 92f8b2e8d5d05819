//! `-- @access <source> [<mode>] [key=value]...` → [`AccessAnnotation`].

use super::{AccessAnnotation, Item, Items, Spanned, checked, choose, once, syntax, unknown};
use crate::diagnostic::SyntaxError;
use crate::model::{Access, Entity, Mode, Scope, Source, UidRef, is_region, is_role_name, is_uid};

pub(super) const ACCESS_KEYS: [&str; 9] =
    ["uid", "owner", "role", "access", "region", "entity", "idp", "scope", "bucket"];

const SHAPE: &str = "write -- @access <source> [<mode>] [key=value]...";

/// The items of an `@access` comment: the source and mode words, then the
/// pairs, each checked in turn.
pub(super) fn access(items: Items, directive_start: usize) -> Result<AccessAnnotation, SyntaxError> {
    let mut words = Vec::new();
    let mut pairs = Vec::new();
    for item in items.0 {
        match item {
            Item::Word(w) if !pairs.is_empty() => {
                return Err(syntax(w.span.clone(), format!("unexpected word `{}` after key=value pairs", w.value))
                    .label("source and mode come first")
                    .help(SHAPE));
            }
            Item::Word(w) => words.push(w),
            Item::Pair { key, value } => pairs.push((key, value)),
        }
    }
    let (source, mode) = head(words, directive_start)?;
    let mut a = AccessAnnotation {
        source,
        mode,
        uid: None,
        owner: None,
        role: None,
        access: None,
        region: None,
        entity: None,
        idp: None,
        scope: None,
        bucket: None,
    };
    for (key, value) in pairs {
        pair(&mut a, key, value)?;
    }
    Ok(a)
}

type Head = (Spanned<Source>, Option<Spanned<Mode>>);

/// The source, then the mode if any; nothing else before the pairs.
fn head(words: Vec<Spanned<String>>, directive_start: usize) -> Result<Head, SyntaxError> {
    let source_names: Vec<&'static str> = Source::spellings().iter().map(|(s, _)| *s).collect();
    let mut words = words.into_iter();
    let Some(source_word) = words.next() else {
        return Err(syntax(directive_start..directive_start + "access".len(), "@access needs a source")
            .label("no source after @access")
            .help(format!("write -- @access <source>, where <source> is one of: {}", source_names.join(", "))));
    };
    let source = match Source::parse(&source_word.value) {
        Some(s) => Spanned { value: s, span: source_word.span.clone() },
        // A mode in first place means the source was left out.
        None if Mode::parse(&source_word.value).is_some() => {
            return Err(syntax(
                source_word.span.clone(),
                format!("expected a source before the mode `{}`", source_word.value),
            )
            .label("this is a mode")
            .help(format!(
                "write -- @access <source> {}, where <source> is one of: {}",
                source_word.value,
                source_names.join(", ")
            )));
        }
        None => return Err(unknown("source", &source_word, &source_names)),
    };
    let mode = match words.next() {
        None => None,
        Some(w) => match Mode::parse(&w.value) {
            Some(m) => Some(Spanned { value: m, span: w.span.clone() }),
            None if w.value.contains('=') || ACCESS_KEYS.contains(&w.value.as_str()) => {
                return Err(syntax(w.span.clone(), format!("`{}` needs a value", w.value))
                    .help(format!("write {}=<value>", w.value)));
            }
            None => return Err(unknown("mode", &w, &Mode::ALL.map(Mode::name))),
        },
    };
    if let Some(extra) = words.next() {
        return Err(syntax(extra.span.clone(), format!("unexpected word `{}`", extra.value))
            .label("only a source and a mode may stand before the key=value pairs")
            .help(SHAPE));
    }
    Ok((source, mode))
}

/// One `key=value`: the value checked for its key, and the key given once.
fn pair(a: &mut AccessAnnotation, key: Spanned<String>, value: Spanned<String>) -> Result<(), SyntaxError> {
    let span = value.span.clone();
    match key.value.as_str() {
        "uid" => {
            let uid = match value.value.strip_prefix('@') {
                Some(alias) if !alias.is_empty() => UidRef::Alias(alias.to_string()),
                _ => UidRef::Literal(checked(
                    is_uid(&value.value),
                    &value,
                    "an account UID",
                    "a UID is the account's digits (e.g. 1234567890123456) or @alias from [accounts] in mcaccess.toml",
                )?),
            };
            once(&mut a.uid, &key, uid, span)
        }
        "owner" => {
            let help = "the MaxCompute owner is the account's digits, e.g. 5678901234567890";
            let v = checked(is_uid(&value.value), &value, "an account UID", help)?;
            once(&mut a.owner, &key, v, span)
        }
        "role" => {
            let help = "a role name is 1–64 letters, digits, `.` or `-` (the part after role/ in the ARN)";
            let v = checked(is_role_name(&value.value), &value, "a RAM role name", help)?;
            once(&mut a.role, &key, v, span)
        }
        "access" => {
            let acc = access_words(&value)?;
            once(&mut a.access, &key, acc, span)
        }
        "region" => {
            let help = "a region id looks like cn-hangzhou or ap-southeast-1";
            let v = checked(is_region(&value.value), &value, "a region id", help)?;
            once(&mut a.region, &key, v, span)
        }
        "entity" => {
            let e = choose("entity", &value, &[("account", Entity::Account), ("idp", Entity::Idp)])?;
            once(&mut a.entity, &key, e, span)
        }
        "idp" => {
            let v = checked(!value.value.is_empty(), &value, "a SAML provider name", "write idp=<provider name>")?;
            once(&mut a.idp, &key, v, span)
        }
        "scope" => {
            let s = choose("scope", &value, &[("location", Scope::Location), ("account", Scope::Account)])?;
            once(&mut a.scope, &key, s, span)
        }
        "bucket" => {
            let ok = !value.value.is_empty() && !value.value.starts_with('/') && !value.value.contains("://");
            let help = "write bucket=<bucket>[/<prefix>], e.g. bucket=my-lake/warehouse";
            let v = checked(ok, &value, "a bucket", help)?;
            once(&mut a.bucket, &key, v, span)
        }
        _ => Err(unknown("key", &key, &ACCESS_KEYS)),
    }
}

/// `access=read,write,delete`: each word known.
fn access_words(value: &Spanned<String>) -> Result<Access, SyntaxError> {
    let mut acc = Access::default();
    let mut at = value.span.start;
    for part in value.value.split(',') {
        if acc.add(part.trim()).is_none() {
            let w = Spanned { value: part.to_string(), span: at..at + part.len() };
            return Err(unknown("access", &w, &Access::WORDS));
        }
        at += part.len() + 1;
    }
    Ok(acc)
}

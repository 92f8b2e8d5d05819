//! `-- @access`, `-- @maxcompute` and `-- @allow` comments → typed structs.
//!
//! The shape of a line is `grammar/annotation.pest`; this module is the only
//! one that sees pest pairs, and turns them into [`Annotation`] values at once.
//! Every error is a [`SyntaxError`] on the exact word, with a "did you
//! mean" help where a valid word is close. `@allow` names rules: its codes
//! are checked against the rule registry.

use crate::diagnostic::{Code, SyntaxError};
use crate::model::{Access, Entity, Mode, Scope, Source, UidRef, did_you_mean, is_region, is_uid};
use pest::Parser;
use pest::iterators::Pair;
use std::ops::Range;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/annotation.pest"]
struct AnnotationParser;

mod access;

use access::access;

/// A value with the byte range (in the file) it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// `-- @access <source> [<mode>] [key=value]...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessAnnotation {
    pub source: Spanned<Source>,
    pub mode: Option<Spanned<Mode>>,
    pub uid: Option<Spanned<UidRef>>,
    pub owner: Option<Spanned<String>>,
    pub role: Option<Spanned<String>>,
    pub access: Option<Spanned<Access>>,
    pub region: Option<Spanned<String>>,
    pub entity: Option<Spanned<Entity>>,
    pub idp: Option<Spanned<String>>,
    pub scope: Option<Spanned<Scope>>,
    pub bucket: Option<Spanned<String>>,
}

/// `-- @maxcompute owner=<uid> [region=<region>]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxComputeAnnotation {
    pub owner: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
}

/// `-- @allow <CODE>[,<CODE>]... [reason=<text>] [until=<YYYY-MM-DD>]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowAnnotation {
    pub codes: Vec<Spanned<Code>>,
    pub reason: Option<Spanned<String>>,
    pub until: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Annotation {
    Access(AccessAnnotation),
    MaxCompute(MaxComputeAnnotation),
    Allow(AllowAnnotation),
    /// `@allow-file`: the same, for every statement of the file.
    AllowFile(AllowAnnotation),
}

/// The directives this tool owns.
pub const DIRECTIVES: [&str; 4] = ["access", "maxcompute", "allow", "allow-file"];

/// What a `-- @word` comment is, from its first word alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentKind {
    /// One of ours: parse it.
    Ours,
    /// Close to one of ours (`@acess`): the suggestion and the word's range
    /// relative to the comment.
    NearMiss { suggestion: &'static str, word: Range<usize> },
    /// Not an annotation, or another tool's (`--@resource_reference{…}`).
    Foreign,
}

/// Classifies a line comment's text (starting at `--`).
pub fn classify(comment: &str) -> CommentKind {
    let rest = comment.get(2..).unwrap_or("");
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let Some(after_at) = trimmed.strip_prefix('@') else {
        return CommentKind::Foreign;
    };
    let word_len = after_at.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-').count();
    let word = &after_at[..word_len];
    let next = after_at[word_len..].chars().next();
    let ends_cleanly = matches!(next, None | Some(' ' | '\t' | '\r'));
    if DIRECTIVES.contains(&word) && ends_cleanly {
        return CommentKind::Ours;
    }
    if !ends_cleanly || word.len() < 3 {
        return CommentKind::Foreign;
    }
    let start = comment.len() - after_at.len() - 1;
    match did_you_mean(word, DIRECTIVES) {
        Some(suggestion) if !DIRECTIVES.contains(&word) => {
            CommentKind::NearMiss { suggestion, word: start..start + 1 + word_len }
        }
        _ => CommentKind::Foreign,
    }
}

/// Parses one annotation comment. `offset` is the comment's byte offset in
/// the file; every span in the result (or the error) is a file offset.
///
/// Repositories repeat the same few annotation lines thousands of times, so
/// results are cached by comment text (with spans relative to the comment)
/// and shifted to `offset`. One cache for every thread: per thread, each
/// line was parsed once a thread, and a parse costs about 16 K instructions.
pub fn parse(comment: &str, offset: usize) -> Result<Annotation, SyntaxError> {
    use std::sync::{LazyLock, RwLock};
    type Cache = RwLock<fnv::FnvHashMap<Box<str>, Result<Annotation, SyntaxError>>>;
    const MAX_CACHED: usize = 4096;
    static CACHE: LazyLock<Cache> = LazyLock::new(Default::default);
    // A poisoned lock only means a thread panicked elsewhere: the map is whole.
    let hit = CACHE.read().unwrap_or_else(|e| e.into_inner()).get(comment).cloned();
    let relative = hit.unwrap_or_else(|| {
        let result = parse_uncached(comment, 0);
        let mut cache = CACHE.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() < MAX_CACHED {
            cache.insert(comment.into(), result.clone());
        }
        result
    });
    match relative {
        Ok(mut a) => {
            a.shift(offset);
            Ok(a)
        }
        Err(mut d) => {
            d.span = d.span.start + offset..d.span.end + offset;
            Err(d)
        }
    }
}

impl<T> Spanned<T> {
    fn shift(&mut self, by: usize) {
        self.span = self.span.start + by..self.span.end + by;
    }
}

fn shift_opt<T>(s: &mut Option<Spanned<T>>, by: usize) {
    if let Some(s) = s {
        s.shift(by);
    }
}

impl Annotation {
    /// Moves every span by `by` bytes.
    fn shift(&mut self, by: usize) {
        match self {
            Annotation::Access(a) => {
                a.source.shift(by);
                shift_opt(&mut a.mode, by);
                shift_opt(&mut a.uid, by);
                shift_opt(&mut a.owner, by);
                shift_opt(&mut a.role, by);
                shift_opt(&mut a.access, by);
                shift_opt(&mut a.region, by);
                shift_opt(&mut a.entity, by);
                shift_opt(&mut a.idp, by);
                shift_opt(&mut a.scope, by);
                shift_opt(&mut a.bucket, by);
            }
            Annotation::MaxCompute(m) => {
                shift_opt(&mut m.owner, by);
                shift_opt(&mut m.region, by);
            }
            Annotation::Allow(a) | Annotation::AllowFile(a) => {
                a.codes.iter_mut().for_each(|c| c.shift(by));
                shift_opt(&mut a.reason, by);
                shift_opt(&mut a.until, by);
            }
        }
    }
}

fn parse_uncached(comment: &str, offset: usize) -> Result<Annotation, SyntaxError> {
    let mut pairs = AnnotationParser::parse(Rule::annotation, comment).map_err(|e| pest_error(comment, offset, e))?;
    let directive = pairs.next().expect("the grammar always yields a directive");
    let items = Items::collect(directive.clone(), offset);
    match directive.as_rule() {
        Rule::access => access(items, offset + directive.as_span().start()).map(Annotation::Access),
        Rule::maxcompute => maxcompute(items).map(Annotation::MaxCompute),
        Rule::allow => allow(items, offset + directive.as_span().start(), "allow").map(Annotation::Allow),
        Rule::allow_file => allow(items, offset + directive.as_span().start(), "allow-file").map(Annotation::AllowFile),
        _ => unreachable!("annotation yields only directives"),
    }
}

/// One item of an annotation: a bare word or a `key=value` pair.
#[derive(Debug)]
enum Item {
    Word(Spanned<String>),
    Pair { key: Spanned<String>, value: Spanned<String> },
}

struct Items(Vec<Item>);

impl Items {
    fn collect(directive: Pair<'_, Rule>, offset: usize) -> Items {
        let span = |p: &Pair<'_, Rule>| offset + p.as_span().start()..offset + p.as_span().end();
        let items = directive
            .into_inner()
            .map(|item| match item.as_rule() {
                Rule::word => Item::Word(Spanned { value: item.as_str().to_string(), span: span(&item) }),
                Rule::pair => {
                    let mut inner = item.into_inner();
                    let key = inner.next().expect("pair has a key");
                    let value = inner.next().expect("pair has a value");
                    let text = match value.as_rule() {
                        Rule::quoted => unescape(value.clone().into_inner().next().map_or("", |p| p.as_str())),
                        _ => value.as_str().to_string(),
                    };
                    Item::Pair {
                        key: Spanned { value: key.as_str().to_string(), span: span(&key) },
                        value: Spanned { value: text, span: span(&value) },
                    }
                }
                other => unreachable!("unexpected rule {other:?} in items"),
            })
            .collect();
        Items(items)
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

fn syntax(span: Range<usize>, message: impl Into<String>) -> SyntaxError {
    SyntaxError::new(span, message)
}

fn unknown(what: &str, word: &Spanned<String>, candidates: &[&'static str]) -> SyntaxError {
    let mut d = syntax(word.span.clone(), format!("unknown {what} `{}`", word.value)).label(format!("not a {what}"));
    d = match did_you_mean(&word.value, candidates.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("expected one of: {}", candidates.join(", "))),
    };
    d
}

/// One of a fixed set of words, or an "unknown" error with "did you mean".
fn choose<T: Copy>(what: &str, value: &Spanned<String>, options: &[(&'static str, T)]) -> Result<T, SyntaxError> {
    match options.iter().find(|(word, _)| *word == value.value) {
        Some((_, v)) => Ok(*v),
        None => Err(unknown(what, value, &options.iter().map(|(w, _)| *w).collect::<Vec<_>>())),
    }
}

/// Rejects a key given twice.
fn once<T>(
    slot: &mut Option<Spanned<T>>,
    key: &Spanned<String>,
    value: T,
    span: Range<usize>,
) -> Result<(), SyntaxError> {
    if slot.is_some() {
        return Err(syntax(key.span.clone(), format!("`{}` is given twice", key.value))
            .label("repeated here")
            .help("keep one of them"));
    }
    *slot = Some(Spanned { value, span });
    Ok(())
}

fn checked(ok: bool, value: &Spanned<String>, what: &str, help: &str) -> Result<String, SyntaxError> {
    if ok {
        Ok(value.value.clone())
    } else {
        // The span points at the value; the message quotes at most 40
        // characters of it.
        let shown: String = value.value.chars().take(40).collect();
        let more = if shown.len() < value.value.len() { "…" } else { "" };
        Err(syntax(value.span.clone(), format!("`{shown}{more}` is not {what}"))
            .label(format!("expected {what}"))
            .help(help.to_string()))
    }
}

type KeyValues = Vec<(Spanned<String>, Spanned<String>)>;

fn only_pairs(items: Items, directive: &str, keys: &[&'static str]) -> Result<KeyValues, SyntaxError> {
    let mut pairs = Vec::new();
    for item in items.0 {
        match item {
            Item::Word(w) => {
                return Err(syntax(w.span.clone(), format!("unexpected word `{}`", w.value))
                    .label("expected key=value")
                    .help(format!(
                        "@{directive} takes {}",
                        keys.iter().map(|k| format!("{k}=…")).collect::<Vec<_>>().join(" ")
                    )));
            }
            Item::Pair { key, value } => {
                if !keys.contains(&key.value.as_str()) {
                    return Err(unknown("key", &key, keys));
                }
                pairs.push((key, value));
            }
        }
    }
    Ok(pairs)
}

fn maxcompute(items: Items) -> Result<MaxComputeAnnotation, SyntaxError> {
    let mut m = MaxComputeAnnotation { owner: None, region: None };
    for (key, value) in only_pairs(items, "maxcompute", &["owner", "region"])? {
        let span = value.span.clone();
        if key.value == "owner" {
            let v = checked(
                is_uid(&value.value),
                &value,
                "an account UID",
                "the MaxCompute owner is the account's digits, e.g. 5678901234567890",
            )?;
            once(&mut m.owner, &key, v, span)?;
        } else {
            let v = checked(
                is_region(&value.value),
                &value,
                "a region id",
                "a region id looks like cn-hangzhou or ap-southeast-1",
            )?;
            once(&mut m.region, &key, v, span)?;
        }
    }
    Ok(m)
}

fn allow(mut items: Items, directive_start: usize, directive: &str) -> Result<AllowAnnotation, SyntaxError> {
    let mut codes = Vec::new();
    if let Some(Item::Word(_)) = items.0.first() {
        let Item::Word(w) = items.0.remove(0) else { unreachable!() };
        let mut at = w.span.start;
        for part in w.value.split(',') {
            let span = at..at + part.len();
            at += part.len() + 1;
            match crate::lint::rules::code(&part.to_ascii_uppercase()) {
                Some(c) => codes.push(Spanned { value: c, span }),
                None => {
                    let d = syntax(span.clone(), format!("unknown rule code `{part}`")).label("not a rule code");
                    return Err(match did_you_mean(part, crate::lint::rules::codes()) {
                        Some(s) => d.help(format!("did you mean `{s}`? `mcaccess rule` lists the rules")),
                        None => d.help("a rule code is MCA and three digits; `mcaccess rule` lists them"),
                    });
                }
            }
        }
    }
    let mut a = AllowAnnotation { codes, reason: None, until: None };
    for (key, value) in only_pairs(items, directive, &["reason", "until"])? {
        let span = value.span.clone();
        if key.value == "reason" {
            once(&mut a.reason, &key, value.value, span)?;
        } else {
            let v = checked(is_date(&value.value), &value, "a date", "write until=YYYY-MM-DD, e.g. until=2027-03-31")?;
            once(&mut a.until, &key, v, span)?;
        }
    }
    if a.codes.is_empty() {
        return Err(syntax(
            directive_start..directive_start + directive.len(),
            format!("@{directive} needs at least one rule code"),
        )
        .help(format!("write -- @{directive} <CODE>[,<CODE>]... [reason=…]")));
    }
    Ok(a)
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: Range<usize>| s[r].parse::<u32>().ok();
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(_), Some(m), Some(d)) => (1..=12).contains(&m) && (1..=31).contains(&d),
        _ => false,
    }
}

fn rule_name(rule: &Rule) -> &'static str {
    match rule {
        Rule::access | Rule::maxcompute | Rule::allow | Rule::allow_file => {
            "`access`, `maxcompute`, `allow` or `allow-file`"
        }
        Rule::pair | Rule::word => "a word or key=value",
        Rule::key => "a key",
        Rule::quoted | Rule::bare | Rule::sq_inner | Rule::dq_inner => "a value",
        Rule::EOI => "end of line",
        _ => "something else",
    }
}

/// Turns a pest error into a syntax error on the offending word.
fn pest_error(comment: &str, offset: usize, e: pest::error::Error<Rule>) -> SyntaxError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // Widen to the word at the error position (at least one character).
    let rest = &comment[pos.min(comment.len())..];
    let word_len = rest.find([' ', '\t', '\r']).unwrap_or(rest.len());
    let len = if word_len == 0 { rest.chars().next().map_or(0, char::len_utf8) } else { word_len };
    let span = offset + pos..offset + pos + len;
    let mut expected: Vec<&str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.iter().map(rule_name).collect(),
        ErrorVariant::CustomError { .. } => vec![],
    };
    expected.dedup();
    let found = &rest[..len];
    let (message, help) = if rest.starts_with(['\'', '"']) {
        let q = &rest[..1];
        ("unterminated quoted value".to_string(), format!("close the value with {q}"))
    } else if comment[..pos].ends_with('=') {
        (
            "missing value after `=`".to_string(),
            "write key=value, quoting a value with spaces: reason=\"…\"".to_string(),
        )
    } else if found.starts_with('=') {
        ("`=` without a key".to_string(), "write key=value with no spaces around `=`".to_string())
    } else if found.is_empty() {
        (
            format!("unexpected end of annotation, expected {}", expected.join(" or ")),
            "see `mcaccess --help` for the annotation syntax".to_string(),
        )
    } else {
        (
            format!("unexpected `{found}`, expected {}", expected.join(" or ")),
            "write -- @access <source> [<mode>] [key=value]...".to_string(),
        )
    };
    syntax(span, message).label("here").help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access_of(src: &str) -> AccessAnnotation {
        match parse(src, 0).unwrap() {
            Annotation::Access(a) => a,
            other => panic!("not @access: {other:?}"),
        }
    }

    fn err(src: &str) -> SyntaxError {
        parse(src, 0).unwrap_err()
    }

    #[test]
    fn parses_the_readme_example() {
        let a = access_of("-- @access tablestore cross-account uid=1234567890123456");
        assert_eq!(a.source.value, Source::Tablestore);
        assert_eq!(a.mode.unwrap().value, Mode::CrossAccount);
        assert_eq!(a.uid.unwrap().value, UidRef::Literal("1234567890123456".into()));
    }

    #[test]
    fn aliases_quotes_spans_and_crlf() {
        let src = "--@access ots uid=@ots-prod role='my-role' access=read,write\r";
        let a = access_of(src);
        assert_eq!(a.source.value, Source::Tablestore);
        assert_eq!(a.uid.unwrap().value, UidRef::Alias("ots-prod".into()));
        let role = a.role.unwrap();
        assert_eq!(role.value, "my-role");
        assert_eq!(&src[role.span], "'my-role'");
        assert_eq!(a.access.unwrap().value, Access { read: true, write: true, delete: false });
    }

    #[test]
    fn a_trailing_comment_is_allowed() {
        let a = access_of("-- @access oss access=read -- read only, owner's call\r");
        assert_eq!(a.access.unwrap().value, Access::READ);
        let a = access_of("-- @access oss --");
        assert_eq!(a.source.value, Source::Oss);
        assert!(matches!(parse("-- @allow MCA007 reason=legacy -- see ticket 42", 0), Ok(Annotation::Allow(_))));
        // `--` inside a quoted value is the value's.
        assert_eq!(access_of("-- @access oss role='a--b'").role.unwrap().value, "a--b");
    }

    #[test]
    fn cached_results_are_shifted_to_each_offset() {
        let src = "-- @access oss role=r uid=1";
        for offset in [0, 7, 1000] {
            let Annotation::Access(a) = parse(src, offset).unwrap() else { unreachable!() };
            assert_eq!(a.role.unwrap().span, offset + 20..offset + 21);
            assert_eq!(a.uid.unwrap().span, offset + 26..offset + 27);
        }
        for offset in [0, 50] {
            assert_eq!(parse("-- @access tablestor", offset).unwrap_err().span, offset + 11..offset + 20);
        }
    }

    #[test]
    fn offset_moves_spans_into_the_file() {
        let a = match parse("-- @access oss", 100).unwrap() {
            Annotation::Access(a) => a,
            _ => unreachable!(),
        };
        assert_eq!(a.source.span, 111..114);
    }

    #[test]
    fn did_you_mean_for_source_mode_and_key() {
        let d = err("-- @access tablestor");
        assert_eq!(d.span, 11..20);
        assert_eq!(d.help.as_deref(), Some("did you mean `tablestore`?"));
        let d = err("-- @access oss cross-acount uid=1");
        assert_eq!(d.help.as_deref(), Some("did you mean `cross-account`?"));
        let d = err("-- @access oss rol=x");
        assert_eq!(d.help.as_deref(), Some("did you mean `role`?"));
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let src = "-- @access oss uid=12ab";
        let d = err(src);
        assert_eq!(&src[d.span.clone()], "12ab");
        let d = err("-- @access oss role=has_underscore");
        assert!(d.message.contains("not a RAM role name"), "{}", d.message);
        let src = "-- @access oss access=read,wirte";
        let d = err(src);
        assert_eq!(&src[d.span.clone()], "wirte");
        assert_eq!(d.help.as_deref(), Some("did you mean `write`?"));
    }

    #[test]
    fn grammar_errors_are_located() {
        let src = "-- @access oss role=";
        let d = err(src);
        assert_eq!(d.message, "missing value after `=`");
        let src = "-- @allow MCA007 reason='no end";
        let d = err(src);
        assert_eq!(d.message, "unterminated quoted value");
        assert_eq!(&src[d.span.clone()], "'no");
    }

    #[test]
    fn maxcompute_and_allow() {
        match parse("-- @maxcompute owner=5678901234567890 region=cn-shanghai", 0).unwrap() {
            Annotation::MaxCompute(m) => {
                assert_eq!(m.owner.unwrap().value, "5678901234567890");
                assert_eq!(m.region.unwrap().value, "cn-shanghai");
            }
            _ => panic!(),
        }
        match parse("-- @allow MCA007,MCA008 reason=\"legacy bucket\" until=2027-01-31", 0).unwrap() {
            Annotation::Allow(a) => {
                assert_eq!(a.codes.iter().map(|c| c.value).collect::<Vec<_>>(), vec![Code("MCA007"), Code("MCA008")]);
                assert_eq!(a.reason.unwrap().value, "legacy bucket");
            }
            _ => panic!(),
        }
        assert_eq!(
            err("-- @allow MCA07").help.as_deref(),
            Some("did you mean `MCA007`? `mcaccess rule` lists the rules")
        );
        assert!(err("-- @allow MCA007 until=2027-13-01").message.contains("not a date"));
        assert!(err("-- @access oss uid=1 uid=2").message.contains("given twice"));
    }

    #[test]
    fn classify_separates_ours_near_misses_and_foreign() {
        assert_eq!(classify("-- @access oss"), CommentKind::Ours);
        assert_eq!(classify("--@allow MCA001"), CommentKind::Ours);
        assert!(matches!(classify("-- @acess oss"), CommentKind::NearMiss { suggestion: "access", .. }));
        assert_eq!(classify("--@resource_reference{\"a.jar\"}"), CommentKind::Foreign);
        assert_eq!(classify("-- @owner: data-team"), CommentKind::Foreign);
        assert_eq!(classify("-- plain comment"), CommentKind::Foreign);
        assert_eq!(classify("-- @accessible"), CommentKind::Foreign);
    }

    #[test]
    fn allow_file_is_its_own_directive() {
        match parse("-- @allow-file MCA008 reason=\"legacy endpoints\"", 0).unwrap() {
            Annotation::AllowFile(a) => assert_eq!(a.codes[0].value, Code("MCA008")),
            other => panic!("{other:?}"),
        }
        assert_eq!(classify("-- @allow-file MCA008"), CommentKind::Ours);
        assert_eq!(err("-- @allow-file reason=x").message, "@allow-file needs at least one rule code");
        assert!(matches!(parse("-- @allow MCA008", 0), Ok(Annotation::Allow(_))));
    }
}

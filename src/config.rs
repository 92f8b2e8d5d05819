//! `mcaccess.toml`: discovery, parsing and validation with line-accurate
//! errors.

use crate::encoding::TextEncoding;
use crate::model::{Source, did_you_mean, is_region, is_role_name, is_uid};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "mcaccess.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    maxcompute: RawMaxCompute,
    #[serde(default)]
    accounts: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    files: RawFiles,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaxCompute {
    owner: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

/// Default role names from `[roles]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub default: Option<String>,
    pub cross_account: Option<String>,
    pub per_source: BTreeMap<Source, String>,
}

/// A validated configuration. `Config::default()` is "no config file".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    pub owner: Option<String>,
    pub region: Option<String>,
    pub accounts: BTreeMap<String, String>,
    pub roles: Roles,
    /// Rule codes silenced everywhere (`[lint] allow`), as written.
    pub lint_allow: Vec<(String, Range<usize>)>,
    /// The file's text, for pointing at `[lint] allow` entries.
    pub text: String,
    /// `[files] encoding`: how files that are not UTF-8 are read.
    pub legacy_encoding: TextEncoding,
    /// `[files] exclude`: paths never read, even when named.
    pub exclude: crate::files::Exclude,
}

/// A config file that could not be used, pointing at the line at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

/// A config problem: where, what, and the help.
type Bad = (Option<Range<usize>>, String, Option<String>);

impl Config {
    /// Walks up from `start` for `mcaccess.toml`.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            span: None,
            message: format!("cannot read {}: {e}", path.display()),
            help: None,
        })?;
        Config::parse(path, text)
    }

    pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
        let err = |(span, message, help): Bad| ConfigError {
            path: path.to_path_buf(),
            text: text.clone(),
            span,
            message,
            help,
        };
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let message = e.message().trim().to_string();
            let help = unknown_field_help(&message);
            err((e.span(), message, help))
        })?;
        let mut cfg = Config { path: Some(path.to_path_buf()), ..Config::default() };
        cfg.maxcompute(&raw).map_err(err)?;
        cfg.roles(&raw).map_err(err)?;
        cfg.lint(&raw).map_err(err)?;
        cfg.exclude(&raw, path).map_err(err)?;
        if let Some(e) = &raw.files.encoding {
            cfg.legacy_encoding = TextEncoding::parse(e.get_ref()).ok_or_else(|| {
                let help = format!("[files] encoding takes one of: {}", TextEncoding::NAMES.join(", "));
                err((Some(e.span()), format!("unknown encoding `{}`", e.get_ref()), Some(help)))
            })?;
        }
        cfg.text = text.clone();
        Ok(cfg)
    }

    /// `[maxcompute]` and `[accounts]`.
    fn maxcompute(&mut self, raw: &RawConfig) -> Result<(), Bad> {
        let uid = |v: &Spanned<String>, what: &str| -> Result<String, Bad> {
            if is_uid(v.get_ref()) {
                return Ok(v.get_ref().clone());
            }
            let help = "a UID is the account's digits, e.g. \"5678901234567890\"".into();
            Err((Some(v.span()), format!("{what} `{}` is not an account UID", v.get_ref()), Some(help)))
        };
        if let Some(o) = &raw.maxcompute.owner {
            self.owner = Some(uid(o, "owner")?);
        }
        if let Some(r) = &raw.maxcompute.region {
            if !is_region(r.get_ref()) {
                let help = "a region id looks like \"cn-hangzhou\"".into();
                return Err((Some(r.span()), format!("`{}` is not a region id", r.get_ref()), Some(help)));
            }
            self.region = Some(r.get_ref().clone());
        }
        for (name, v) in &raw.accounts {
            self.accounts.insert(name.clone(), uid(v, &format!("account `{name}`"))?);
        }
        Ok(())
    }

    /// `[roles]`: `default`, `cross-account` and one key per source.
    fn roles(&mut self, raw: &RawConfig) -> Result<(), Bad> {
        let mut keys: Vec<&'static str> = vec!["default", "cross-account"];
        keys.extend(Source::ALL.map(Source::name));
        for (key, v) in &raw.roles {
            if !is_role_name(v.get_ref()) {
                let help = "a role name is 1–64 letters, digits, `.` or `-`".into();
                return Err((Some(v.span()), format!("`{}` is not a RAM role name", v.get_ref()), Some(help)));
            }
            let name = v.get_ref().clone();
            match key.get_ref().as_str() {
                "default" => self.roles.default = Some(name),
                "cross-account" => self.roles.cross_account = Some(name),
                other => {
                    let Some(source) = Source::parse(other) else {
                        let help = match did_you_mean(other, keys.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("[roles] takes: {}", keys.join(", ")),
                        };
                        return Err((Some(key.span()), format!("unknown key `{other}` in [roles]"), Some(help)));
                    };
                    self.roles.per_source.insert(source, name);
                }
            }
        }
        Ok(())
    }

    /// `[files] exclude`: globs relative to the config's directory.
    fn exclude(&mut self, raw: &RawConfig, path: &Path) -> Result<(), Bad> {
        let root = path.parent().unwrap_or(Path::new("."));
        let globs: Vec<(&str, Range<usize>)> =
            raw.files.exclude.iter().map(|g| (g.get_ref().as_str(), g.span())).collect();
        self.exclude = crate::files::Exclude::new(root, &globs).map_err(|(span, e)| {
            let help = "globs are relative to mcaccess.toml's directory: \"legacy/**\", \"**/tmp_*.sql\"".to_string();
            (Some(span), format!("not a glob: {e}"), Some(help))
        })?;
        Ok(())
    }

    /// `[lint] allow`: known rule codes.
    fn lint(&mut self, raw: &RawConfig) -> Result<(), Bad> {
        for a in &raw.lint.allow {
            if crate::lint::rules::code(a.get_ref()).is_none() {
                let help = match did_you_mean(a.get_ref(), crate::lint::rules::codes()) {
                    Some(s) => format!("did you mean `{s}`? `mcaccess rule` lists the rules"),
                    None => "a rule code is MCA and three digits; `mcaccess rule` lists them".to_string(),
                };
                return Err((
                    Some(a.span()),
                    format!("unknown rule code `{}` in [lint] allow", a.get_ref()),
                    Some(help),
                ));
            }
        }
        self.lint_allow = raw.lint.allow.iter().map(|a| (a.get_ref().clone(), a.span())).collect();
        Ok(())
    }

    /// The UID an alias names.
    pub fn account(&self, alias: &str) -> Option<&str> {
        self.accounts.get(alias).map(String::as_str)
    }
}

/// toml reports unknown fields as "unknown field `x`, expected one of …";
/// turn that into a "did you mean".
fn unknown_field_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(field, candidates.iter().copied()) {
        Some(s) => Some(format!("did you mean `{s}`?")),
        None => Some(format!("allowed here: {}", candidates.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("mcaccess.toml"), text.to_string())
    }

    fn line_of(e: &ConfigError) -> usize {
        e.text[..e.span.clone().unwrap().start].matches('\n').count() + 1
    }

    #[test]
    fn full_config() {
        let c = parse(
            "[maxcompute]\nowner = \"5678901234567890\"\nregion = \"cn-hangzhou\"\n[accounts]\nots-prod = \"1234567890123456\"\n[roles]\ndefault = \"mc-external\"\ncross-account = \"mc-x\"\ntablestore = \"mc-ots\"\n[lint]\nallow = [\"MCA008\"]\n",
        )
        .unwrap();
        assert_eq!(c.owner.as_deref(), Some("5678901234567890"));
        assert_eq!(c.account("ots-prod"), Some("1234567890123456"));
        assert_eq!(c.roles.per_source.get(&Source::Tablestore).map(String::as_str), Some("mc-ots"));
        assert_eq!(c.lint_allow[0].0, "MCA008");
    }

    #[test]
    fn errors_point_at_the_line() {
        let e = parse("[maxcompute]\nowner = \"12ab\"\n").unwrap_err();
        assert_eq!(line_of(&e), 2);
        let e = parse("[maxcompute]\nowner = 5\n").unwrap_err();
        assert_eq!(line_of(&e), 2);
        let e = parse("[maxcompute]\nonwer = \"1\"\n").unwrap_err();
        assert_eq!(line_of(&e), 2);
        assert_eq!(e.help.as_deref(), Some("did you mean `owner`?"));
        let e = parse("[roles]\ntablestor = \"x\"\n").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `tablestore`?"));
        let e = parse("[lint]\nallow = [\"MCA08\"]\n").unwrap_err();
        assert_eq!(line_of(&e), 2);
        assert_eq!(e.help.as_deref(), Some("did you mean `MCA008`? `mcaccess rule` lists the rules"));
        let e = parse("[files]\nencoding = \"latin1\"\n").unwrap_err();
        assert_eq!((line_of(&e), e.help.as_deref()), (2, Some("[files] encoding takes one of: utf-8, gbk, gb18030")));
        assert_eq!(parse("[files]\nencoding = \"GBK\"\n").unwrap().legacy_encoding, TextEncoding::Gbk);
        let e = parse("[maxcompute\n").unwrap_err();
        assert!(e.span.is_some());
    }
}

//! What a LOCATION string names: OSS bucket and prefix, Tablestore instance,
//! a JDBC database; the region and network of its endpoint; and whether it
//! carries credentials. Pure string analysis, no SQL and no policies.

use crate::model::is_region;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Oss(OssLocation),
    Tablestore(TablestoreLocation),
    Jdbc(JdbcLocation),
    /// `${…}`, `{…}`, `$name` or `<…>` placeholders: nothing can be scoped.
    Templated,
    /// A scheme this tool does not know (`hdfs://`, `http://`, …).
    Other {
        scheme: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssLocation {
    /// `None` for `oss://bucket/path` with no endpoint.
    pub endpoint: Option<Endpoint>,
    pub bucket: String,
    /// Object prefix without the leading `/` (may be empty).
    pub prefix: String,
    /// Byte range (in the LOCATION value) of an `ak:sk@` part.
    pub credentials: Option<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablestoreLocation {
    pub instance: String,
    pub endpoint: Endpoint,
    pub credentials: Option<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JdbcLocation {
    /// `postgresql`, `mysql`, …
    pub driver: String,
    pub endpoint: Endpoint,
    pub database: String,
    /// Byte ranges (in the LOCATION value) of `user=…` / `password=…` values.
    pub credentials: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub region: Option<String>,
    /// A classic-network `-internal` (or OSS-HDFS) endpoint.
    pub internal: bool,
}

impl Location {
    pub fn region(&self) -> Option<&str> {
        match self {
            Location::Oss(o) => o.endpoint.as_ref()?.region.as_deref(),
            Location::Tablestore(t) => t.endpoint.region.as_deref(),
            Location::Jdbc(j) => j.endpoint.region.as_deref(),
            _ => None,
        }
    }

    pub fn endpoint(&self) -> Option<&Endpoint> {
        match self {
            Location::Oss(o) => o.endpoint.as_ref(),
            Location::Tablestore(t) => Some(&t.endpoint),
            Location::Jdbc(j) => Some(&j.endpoint),
            _ => None,
        }
    }

    /// Byte ranges (in the value) of secrets written into the location.
    pub fn credentials(&self) -> Vec<Range<usize>> {
        match self {
            Location::Oss(o) => o.credentials.iter().cloned().collect(),
            Location::Tablestore(t) => t.credentials.iter().cloned().collect(),
            Location::Jdbc(j) => j.credentials.clone(),
            _ => vec![],
        }
    }

    /// The scheme as a source word (`oss`, `tablestore`, `jdbc:postgresql`).
    pub fn scheme(&self) -> String {
        match self {
            Location::Oss(_) => "oss".into(),
            Location::Tablestore(_) => "tablestore".into(),
            Location::Jdbc(j) => format!("jdbc:{}", j.driver),
            Location::Templated => "template".into(),
            Location::Other { scheme } => scheme.clone(),
        }
    }
}

/// Whether the value holds a placeholder instead of a real location.
pub fn is_templated(value: &str) -> bool {
    variable_start(value).is_some()
}

pub fn parse(value: &str) -> Location {
    if let Some(rest) = strip_prefix_ignore_case(value, "oss://") {
        return parse_oss(value, rest);
    }
    if let Some(rest) = strip_prefix_ignore_case(value, "tablestore://") {
        return parse_tablestore(value, rest);
    }
    if let Some(rest) = strip_prefix_ignore_case(value, "jdbc:")
        && let Some((driver, after)) = rest.split_once("://")
    {
        return parse_jdbc(value, driver, after);
    }
    if is_templated(value) {
        return Location::Templated;
    }
    let scheme = value.split_once(':').map_or("", |(s, _)| s).to_ascii_lowercase();
    Location::Other { scheme }
}

/// The literal part of an OSS prefix that holds variables: up to the last
/// `/` before the first variable (`logs/${bizdate}/` → `logs/`,
/// `logs/day_${bizdate}/` → `logs/`). `None` when the prefix has none.
pub fn literal_prefix(prefix: &str) -> Option<&str> {
    let first = variable_start(prefix)?;
    Some(prefix[..first].rfind('/').map_or("", |slash| &prefix[..=slash]))
}

/// Where the first variable of `value` starts (`${…}`, `{…}`, `$name`, `<…>`).
fn variable_start(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    (0..b.len()).find(|&i| {
        matches!(b[i], b'{' | b'<')
            || (b[i] == b'$' && b.get(i + 1).is_some_and(|n| *n == b'{' || n.is_ascii_alphabetic() || *n == b'_'))
    })
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    // `get` rather than indexing: the cut may fall inside a character.
    value.get(..prefix.len()).filter(|head| head.eq_ignore_ascii_case(prefix)).map(|_| &value[prefix.len()..])
}

/// `s` split around its first `b` (an ASCII byte). Locations are short: a
/// byte loop costs less than the setup of `split_once`'s search.
fn split_at(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == b)?;
    Some((&s[..i], &s[i + 1..]))
}

/// Splits `ak:sk@host…` into the credentials' range (relative to `value`) and
/// the rest.
fn split_credentials<'a>(value: &str, rest: &'a str) -> (Option<Range<usize>>, &'a str) {
    let authority_end = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
    match rest.as_bytes()[..authority_end].iter().rposition(|&b| b == b'@') {
        Some(at) => {
            let start = value.len() - rest.len();
            (Some(start..start + at), &rest[at + 1..])
        }
        None => (None, rest),
    }
}

fn parse_oss(value: &str, rest: &str) -> Location {
    let (credentials, rest) = split_credentials(value, rest);
    let (host, path) = split_at(rest, b'/').unwrap_or((rest, ""));
    // Repeated `/` collapse: `a//b/` is `a/b/`.
    let mut segments = path.split(['/']).filter(|s| !s.is_empty()).peekable();
    let (endpoint, bucket) = match split_at(host, b'.') {
        // `<bucket>.oss-<region>[-internal].aliyuncs.com`: a bucket-style host.
        Some((bucket, endpoint)) if is_bucket_host(bucket, endpoint) => {
            (Some(oss_endpoint(endpoint)), bucket.to_string())
        }
        Some(_) => (Some(oss_endpoint(host)), segments.next().unwrap_or("").to_string()),
        None => (None, host.to_string()),
    };
    let mut prefix = String::with_capacity(path.len());
    for segment in segments {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(segment);
    }
    if !prefix.is_empty() && path.ends_with('/') {
        prefix.push('/');
    }
    Location::Oss(OssLocation { endpoint, bucket, prefix, credentials })
}

/// `<bucket>.oss-cn-hangzhou[-internal].aliyuncs.com` and the OSS-HDFS
/// `<bucket>.cn-hangzhou.oss-dls.aliyuncs.com`, not the plain endpoints.
fn is_bucket_host(first: &str, rest: &str) -> bool {
    let starts = |p: &str| strip_prefix_ignore_case(rest, p).is_some();
    let oss_dls = || rest.as_bytes().windows(9).any(|w| w.eq_ignore_ascii_case(b".oss-dls."));
    (starts("oss-") && !starts("oss-dls.")) || (oss_dls() && !is_region(first))
}

impl OssLocation {
    /// The bucket and the prefix a policy can name: the prefix cut to its
    /// literal part when it holds variables. `None` when the bucket itself
    /// is a variable (or missing).
    pub fn scope(&self) -> Option<(&str, &str)> {
        if self.bucket.is_empty() || is_templated(&self.bucket) {
            return None;
        }
        Some((&self.bucket, literal_prefix(&self.prefix).unwrap_or(&self.prefix)))
    }
}

fn oss_endpoint(host: &str) -> Endpoint {
    let lower = host.to_ascii_lowercase();
    // oss-cn-hangzhou-internal.aliyuncs.com, oss-cn-hangzhou.aliyuncs.com
    let first_label = split_at(&lower, b'.').map_or(lower.as_str(), |(first, _)| first);
    if let Some(first) = first_label.strip_prefix("oss-") {
        let (region, internal) = match first.strip_suffix("-internal") {
            Some(r) => (r, true),
            None => (first, false),
        };
        return Endpoint { host: host.to_string(), region: is_region(region).then(|| region.to_string()), internal };
    }
    // OSS-HDFS: cn-hangzhou.oss-dls.aliyuncs.com
    if let Some((region, _)) = lower.split_once(".oss-dls.") {
        return Endpoint {
            host: host.to_string(),
            region: is_region(region).then(|| region.to_string()),
            internal: true,
        };
    }
    Endpoint { host: host.to_string(), region: None, internal: lower.contains("-internal") }
}

fn parse_tablestore(value: &str, rest: &str) -> Location {
    let (credentials, rest) = split_credentials(value, rest);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    let lower = host.to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    let instance = labels.first().copied().unwrap_or("").to_string();
    let region = labels.get(1).filter(|r| is_region(r)).map(|r| r.to_string());
    let internal = labels.get(2).is_some_and(|l| l.ends_with("-internal") || *l == "vpc");
    Location::Tablestore(TablestoreLocation {
        instance,
        endpoint: Endpoint { host: host.to_string(), region, internal },
        credentials,
    })
}

fn parse_jdbc(value: &str, driver: &str, after: &str) -> Location {
    let authority_end = after.find('/').unwrap_or(after.len());
    let host = after[..authority_end].split(':').next().unwrap_or("");
    let lower = host.to_ascii_lowercase();
    let path = &after[authority_end..];
    let database = path.trim_start_matches('/').split(['?', '/']).next().unwrap_or("").to_string();
    let first_label = lower.split('.').next().unwrap_or("");
    let (stem, internal) = match first_label.strip_suffix("-internal") {
        Some(s) => (s, true),
        None => (first_label, false),
    };
    let dashed: Vec<&str> = stem.split('-').collect();
    let region = [2usize, 3]
        .iter()
        .find_map(|&n| (dashed.len() > n).then(|| dashed[dashed.len() - n..].join("-")).filter(|r| is_region(r)));
    let mut credentials = Vec::new();
    if let Some(q) = value.find('?') {
        let mut at = q + 1;
        for param in value[q + 1..].split('&') {
            if let Some((k, v)) = param.split_once('=')
                && (k.eq_ignore_ascii_case("user") || k.eq_ignore_ascii_case("password"))
            {
                let start = at + k.len() + 1;
                credentials.push(start..start + v.len());
            }
            at += param.len() + 1;
        }
    }
    Location::Jdbc(JdbcLocation {
        driver: driver.to_ascii_lowercase(),
        endpoint: Endpoint { host: host.to_string(), region, internal },
        database,
        credentials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oss_forms() {
        let Location::Oss(o) = parse("oss://oss-cn-hangzhou-internal.aliyuncs.com/oss-mc-test/orc_snappy/") else {
            panic!()
        };
        assert_eq!((o.bucket.as_str(), o.prefix.as_str()), ("oss-mc-test", "orc_snappy/"));
        let e = o.endpoint.unwrap();
        assert_eq!((e.region.as_deref(), e.internal), (Some("cn-hangzhou"), true));
        let Location::Oss(o) = parse("oss://oss-cn-shanghai.aliyuncs.com/b") else { panic!() };
        assert!(!o.endpoint.unwrap().internal);
        let Location::Oss(o) = parse("oss://bucket-only/path/") else { panic!() };
        assert!(o.endpoint.is_none());
        assert_eq!(o.bucket, "bucket-only");
        let Location::Oss(o) = parse("oss://cn-hangzhou.oss-dls.aliyuncs.com/b/p") else { panic!() };
        assert_eq!(o.endpoint.unwrap().region.as_deref(), Some("cn-hangzhou"));
        let v = "oss://LTAIxx:secret@oss-cn-beijing-internal.aliyuncs.com/b/";
        let Location::Oss(o) = parse(v) else { panic!() };
        assert_eq!(&v[o.credentials.unwrap()], "LTAIxx:secret");
    }

    fn scope(v: &str) -> Option<(String, String)> {
        let Location::Oss(o) = parse(v) else { panic!("{v}") };
        o.scope().map(|(b, p)| (b.to_string(), p.to_string()))
    }

    #[test]
    fn oss_bucket_style_hosts_no_endpoint_and_double_slashes() {
        let Location::Oss(o) = parse("oss://data-lake-prod.oss-cn-hangzhou-internal.aliyuncs.com/ods/x/") else {
            panic!()
        };
        assert_eq!((o.bucket.as_str(), o.prefix.as_str()), ("data-lake-prod", "ods/x/"));
        let e = o.endpoint.unwrap();
        assert_eq!(
            (e.host.as_str(), e.region.as_deref(), e.internal),
            ("oss-cn-hangzhou-internal.aliyuncs.com", Some("cn-hangzhou"), true)
        );
        let s = |b: &str, p: &str| Some((b.to_string(), p.to_string()));
        assert_eq!(scope("oss://oss-cn-hangzhou.aliyuncs.com//lake//logs///day/"), s("lake", "logs/day/"));
        assert_eq!(scope("oss://lake/logs/file.csv"), s("lake", "logs/file.csv"));
        assert_eq!(scope("oss://lake"), s("lake", ""));
    }

    #[test]
    fn variables_scope_to_the_literal_prefix() {
        let s = |b: &str, p: &str| Some((b.to_string(), p.to_string()));
        let v = "oss://oss-cn-hangzhou-internal.aliyuncs.com/data-lake-prod/export/daily/${bizdate}/";
        assert_eq!(scope(v), s("data-lake-prod", "export/daily/"));
        assert_eq!(scope("oss://b.oss-cn-beijing.aliyuncs.com/logs/day_${bizdate}/x/"), s("b", "logs/"));
        assert_eq!(scope("oss://b/{TIME_STAMP}/"), s("b", ""));
        assert_eq!(scope("oss://b/t/$yyyymmdd/"), s("b", "t/"));
        assert_eq!(scope("oss://oss-${region}.aliyuncs.com/b/p/"), s("b", "p/"));
        assert_eq!(scope("oss://oss-cn-hangzhou.aliyuncs.com/${bucket}/p/"), None);
    }

    #[test]
    fn tablestore_and_jdbc() {
        let Location::Tablestore(t) = parse("tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com") else {
            panic!()
        };
        assert_eq!(
            (t.instance.as_str(), t.endpoint.region.as_deref(), t.endpoint.internal),
            ("cap1", Some("cn-hangzhou"), true)
        );
        let Location::Tablestore(t) = parse("tablestore://Cap1.cn-hangzhou.ots.aliyuncs.com") else { panic!() };
        assert_eq!(t.instance, "cap1");
        assert!(!t.endpoint.internal);
        let v = "jdbc:postgresql://hgprecn-cn-oew210ut-cn-hangzhou-internal.hologres.aliyuncs.com:80/mc_db?ApplicationName=MaxCompute&table=t/";
        let Location::Jdbc(j) = parse(v) else { panic!() };
        assert_eq!(
            (j.driver.as_str(), j.database.as_str(), j.endpoint.region.as_deref()),
            ("postgresql", "mc_db", Some("cn-hangzhou"))
        );
        assert!(j.endpoint.internal);
        let v = "jdbc:mysql://rm-x.mysql.rds.aliyuncs.com:3306/db?useSSL=false&user=u1&password=p@ss&table=t";
        let Location::Jdbc(j) = parse(v) else { panic!() };
        let secrets: Vec<&str> = j.credentials.iter().map(|r| &v[r.clone()]).collect();
        assert_eq!(secrets, vec!["u1", "p@ss"]);
    }

    #[test]
    fn templates() {
        for v in ["${location}", "<oss_location>"] {
            assert_eq!(parse(v), Location::Templated, "{v}");
        }
        // A bucket that is a variable cannot be scoped.
        for v in ["oss://${endpoint}/${bucket}/", "oss://{OSS_BUCKET_NAME}/x", "oss://$endpoint/b"] {
            let Location::Oss(o) = parse(v) else { panic!("{v}") };
            assert_eq!(o.scope(), None, "{v}");
        }
        assert_eq!(parse("hdfs://x/y"), Location::Other { scheme: "hdfs".into() });
        // Found by the property tests: a scheme-length cut inside a character.
        assert_eq!(parse("oTABLEtBY中文ss://x"), Location::Other { scheme: "otabletby中文ss".into() });
    }
}

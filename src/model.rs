//! The vocabulary shared by every stage: data sources, access modes and the
//! small value types an annotation can name. No stage logic lives here.

use serde::Serialize;
use std::fmt;

/// Where an external table's data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Oss,
    Tablestore,
    Hologres,
    Dlf,
    PaimonDlf,
}

impl Source {
    pub const ALL: [Source; 5] = [Source::Oss, Source::Tablestore, Source::Hologres, Source::Dlf, Source::PaimonDlf];

    /// The canonical spelling, as written in annotations and config.
    pub fn name(self) -> &'static str {
        match self {
            Source::Oss => "oss",
            Source::Tablestore => "tablestore",
            Source::Hologres => "hologres",
            Source::Dlf => "dlf",
            Source::PaimonDlf => "paimon-dlf",
        }
    }

    /// Every spelling accepted in an annotation, aliases included.
    pub fn spellings() -> &'static [(&'static str, Source)] {
        &[
            ("oss", Source::Oss),
            ("tablestore", Source::Tablestore),
            ("ots", Source::Tablestore),
            ("hologres", Source::Hologres),
            ("holo", Source::Hologres),
            ("dlf", Source::Dlf),
            ("dlf+oss", Source::Dlf),
            ("paimon-dlf", Source::PaimonDlf),
        ]
    }

    pub fn parse(word: &str) -> Option<Source> {
        Self::spellings().iter().find(|(s, _)| *s == word).map(|(_, v)| *v)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How MaxCompute reaches the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    SameAccount,
    CrossAccount,
    ServiceLinked,
    DualSignature,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::SameAccount, Mode::CrossAccount, Mode::ServiceLinked, Mode::DualSignature];

    pub fn name(self) -> &'static str {
        match self {
            Mode::SameAccount => "same-account",
            Mode::CrossAccount => "cross-account",
            Mode::ServiceLinked => "service-linked",
            Mode::DualSignature => "dual-signature",
        }
    }

    pub fn parse(word: &str) -> Option<Mode> {
        Self::ALL.into_iter().find(|m| m.name() == word)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the statement does with the data: a set of `read`, `write`, `delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Access {
    pub read: bool,
    pub write: bool,
    pub delete: bool,
}

impl Access {
    pub const READ: Access = Access { read: true, write: false, delete: false };
    pub const WORDS: [&'static str; 3] = ["read", "write", "delete"];

    /// Adds one word; `None` when it is not an access word.
    pub fn add(&mut self, word: &str) -> Option<()> {
        match word {
            "read" => self.read = true,
            "write" => self.write = true,
            "delete" => self.delete = true,
            _ => return None,
        }
        Some(())
    }

    pub fn union(self, other: Access) -> Access {
        Access { read: self.read || other.read, write: self.write || other.write, delete: self.delete || other.delete }
    }

    /// `read`, `write`, `delete`: those granted, in that order (shown once
    /// for every statement of a bundle's manifest, plan and SETUP.md, so
    /// without a list of its own each time).
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        [(self.read, "read"), (self.write, "write"), (self.delete, "delete")]
            .into_iter()
            .filter_map(|(granted, word)| granted.then_some(word))
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.words().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
}

impl Serialize for Access {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.words())
    }
}

/// Who a Hologres role trusts besides MaxCompute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    Account,
    Idp,
}

/// How far a permission policy reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Least privilege from LOCATION and properties.
    Location,
    /// `"Resource": "*"`: the seed's broad policy.
    Account,
}

/// An account named by digits or by an alias from `[accounts]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UidRef {
    Literal(String),
    Alias(String),
}

/// An account UID: digits only.
pub fn is_uid(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A RAM role name: 1–64 letters, digits, `.` and `-`.
pub fn is_role_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// A region id such as `cn-hangzhou`, `ap-southeast-1`, `eu-central-1`.
pub fn is_region(s: &str) -> bool {
    // Bytes, not `split`: this runs for every location, and a search's setup
    // costs more than these few bytes.
    let b = s.as_bytes();
    b.len() > 3
        && b[..2].iter().all(u8::is_ascii_lowercase)
        && b[2] == b'-'
        && b[3..]
            .split(|&c| c == b'-')
            .all(|p| !p.is_empty() && p.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// The closest candidate within a small edit distance, for "did you mean"
/// (the first of the closest).
///
/// A candidate whose lengths or letters already differ by more than that
/// distance, or by as much as the closest so far, is passed over without
/// computing it (`distance_at_least`): an account alias is looked up
/// among every alias of mcaccess.toml, and 5,000 misspelt aliases against
/// 5,000 took 27 s.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let letters = Letters::of(&word);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Within reach: a quarter of its length, at least 2, never all of it.
        let reach = 2.max(c.len() / 4).min(c.len().saturating_sub(1));
        let nearer_than = best.map_or(reach + 1, |(d, _)| d.min(reach + 1));
        if letters.as_ref().is_some_and(|w| distance_at_least(w, c) >= nearer_than) {
            continue;
        }
        let d = strsim::damerau_levenshtein(&word, &c.to_ascii_lowercase());
        if d < nearer_than {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// How many times each ASCII character (case folded) occurs in a word;
/// `None` for a word that is not all ASCII.
struct Letters([i32; 128]);

impl Letters {
    fn of(word: &str) -> Option<Letters> {
        let mut counts = [0i32; 128];
        for b in word.bytes() {
            let n = counts.get_mut(usize::from(b.to_ascii_lowercase()))?;
            *n = n.saturating_add(1);
        }
        Some(Letters(counts))
    }
}

/// A lower bound of the edit distance between a word and `candidate`
/// (case folded), counted without computing it: each edit changes the
/// length by at most one, and the letters by at most two (a substitution
/// takes one and gives another). 0 where `candidate` is not all ASCII.
fn distance_at_least(word: &Letters, candidate: &str) -> usize {
    let mut left = word.0;
    for b in candidate.bytes() {
        let Some(n) = left.get_mut(usize::from(b.to_ascii_lowercase())) else { return 0 };
        *n = n.saturating_sub(1);
    }
    // Letters the word has more of, and fewer of.
    let count = |n: i32| n.unsigned_abs() as usize;
    let (more, fewer) = left.iter().fold((0, 0), |(m, f), &n| (m + count(n.max(0)), f + count(n.min(0))));
    // The difference in length, or half of all the letters that differ.
    more.abs_diff(fewer).max((more + fewer).div_ceil(2))
}

/// The parts of a well-formed role ARN, `acs:ram::<uid>:role/<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleArn<'a> {
    pub account: &'a str,
    pub role: &'a str,
}

impl<'a> RoleArn<'a> {
    /// Reads an ARN, or says what is wrong with it.
    pub fn parse(arn: &'a str) -> Result<RoleArn<'a>, &'static str> {
        if arn.contains("xxx") || arn.contains("***") || arn.contains('<') || arn.contains("${") || arn.contains('{') {
            return Err("a documentation placeholder");
        }
        let rest = arn.strip_prefix("acs:ram::").ok_or("not a RAM ARN (acs:ram::<uid>:role/<name>)")?;
        let (account, role) = rest.split_once(":role/").ok_or("not a role ARN (…:role/<name>)")?;
        if !is_uid(account) {
            return Err("an ARN whose account is not a UID");
        }
        if !is_role_name(role) {
            return Err("an ARN whose role name is invalid");
        }
        Ok(RoleArn { account, role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The letters' bound never passes over a candidate within reach:
        /// it is at most the distance itself (over a small alphabet, so
        /// that words are near each other, with upper case and non-ASCII).
        #[test]
        fn the_letters_bound_the_distance(word in "[-abABé]{0,12}", candidate in "[-abABé]{0,12}") {
            let lower = (word.to_ascii_lowercase(), candidate.to_ascii_lowercase());
            let distance = strsim::damerau_levenshtein(&lower.0, &lower.1);
            if let Some(letters) = Letters::of(&lower.0) {
                proptest::prop_assert!(distance_at_least(&letters, &candidate) <= distance);
            }
        }

        /// Passing over candidates changes no suggestion.
        #[test]
        fn suggestions_are_those_of_every_distance(word in "[-abABé]{1,8}", candidates in proptest::collection::vec("[-abABé]{1,10}", 0..12)) {
            let reference = candidates
                .iter()
                .map(|c| (strsim::damerau_levenshtein(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()), c.as_str()))
                .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c);
            proptest::prop_assert_eq!(did_you_mean(&word, candidates.iter().map(String::as_str)), reference);
        }
    }

    #[test]
    fn the_letters_bound_is_what_an_edit_can_change() {
        let bound = |a: &str, b: &str| distance_at_least(&Letters::of(a).unwrap(), b);
        assert_eq!(bound("ots-prod", "ots-prod"), 0);
        assert_eq!(bound("ots-prod", "ots-dorp"), 0, "transposed letters are the same letters");
        assert_eq!(bound("ots-prod", "ots-prd"), 1);
        assert_eq!(bound("ots-prod", "ots-prox"), 1, "one substitution: one letter out, one in");
        assert_eq!(bound("ots-prod", "OTS-PROD-2"), 2, "case folded; two letters more");
        assert_eq!(bound("aaaa", "bbbb"), 4);
        assert_eq!(bound("abc", "abcé"), 0, "non-ASCII: no bound");
    }

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        let sources = Source::spellings().iter().map(|(s, _)| *s);
        assert_eq!(did_you_mean("tablestor", sources.clone()), Some("tablestore"));
        assert_eq!(did_you_mean("cross-acount", Mode::ALL.map(Mode::name)), Some("cross-account"));
        assert_eq!(did_you_mean("kafka", sources), None);
    }

    #[test]
    fn name_rules() {
        assert!(is_role_name("mc-external.v2"));
        assert!(!is_role_name("has_underscore"));
        assert!(!is_role_name(&"a".repeat(65)));
        assert!(is_region("cn-hangzhou") && is_region("ap-southeast-1"));
        assert!(!is_region("hangzhou") && !is_region("cn-"));
        assert!(is_region("cn-shanghai-finance-1") && is_region("us-west-1"));
        for not in ["cn--x", "cn-x-", "CN-hz", "c-hangzhou", "cn_hz", "cn-hz.x", "中国-hz", "cn-中"] {
            assert!(!is_region(not), "{not}");
        }
        assert!(is_uid("1234567890123456") && !is_uid("12x4") && !is_uid(""));
    }
}

//! `init`: an `mcaccess.toml` inferred from the repository's SQL — the
//! owner the rolearns name, the region of the LOCATIONs, an alias for each
//! other account, commented defaults for the rest.

use crate::Analysis;
use crate::model::RoleArn;
use crate::resolve::CROSS_ACCOUNT_ROLE;
use std::collections::{BTreeMap, BTreeSet};

/// What the SQL says about accounts and regions.
#[derive(Debug, Default)]
pub struct Survey {
    pub files: usize,
    /// External statements seen.
    pub statements: usize,
    /// Per account: how many rolearns name it, and their role names.
    pub rolearn_accounts: BTreeMap<String, (usize, BTreeSet<String>)>,
    /// Per account: how many rolearns of same-account roles name it (all but
    /// the documented cross-account role).
    pub same_account: BTreeMap<String, usize>,
    /// `@maxcompute owner=` values and how often they are written.
    pub owners: BTreeMap<String, usize>,
    /// LOCATION regions and how often they appear.
    pub regions: BTreeMap<String, usize>,
}

impl Survey {
    /// Adds one file.
    pub fn add(&mut self, a: &Analysis) {
        self.files += 1;
        for stmt in a.scanned.statements.iter().filter(|s| s.kind.is_external()) {
            self.statements += 1;
            if let Some(o) = &stmt.maxcompute.owner {
                *self.owners.entry(o.value.clone()).or_default() += 1;
            }
            if let Some(region) = stmt.clauses().parsed_location.as_ref().and_then(|l| l.region()) {
                *self.regions.entry(region.to_string()).or_default() += 1;
            }
            for entry in stmt.clauses().rolearns() {
                let Ok(arn) = RoleArn::parse(&entry.value.value) else { continue };
                let seen = self.rolearn_accounts.entry(arn.account.to_string()).or_default();
                seen.0 += 1;
                seen.1.insert(arn.role.to_string());
                if !arn.role.eq_ignore_ascii_case(CROSS_ACCOUNT_ROLE) {
                    *self.same_account.entry(arn.account.to_string()).or_default() += 1;
                }
            }
        }
    }

    pub fn merge(&mut self, other: Survey) {
        self.files += other.files;
        self.statements += other.statements;
        for (k, (n, roles)) in other.rolearn_accounts {
            let seen = self.rolearn_accounts.entry(k).or_default();
            seen.0 += n;
            seen.1.extend(roles);
        }
        for (mine, theirs) in [(&mut self.same_account, other.same_account), (&mut self.owners, other.owners)] {
            theirs.into_iter().for_each(|(k, n)| *mine.entry(k).or_default() += n);
        }
        other.regions.into_iter().for_each(|(k, n)| *self.regions.entry(k).or_default() += n);
    }

    /// The owner, and why: `@maxcompute owner=` when the files say it,
    /// else the account most same-account rolearns name.
    pub fn owner(&self) -> Option<(String, String)> {
        if let Some((o, n)) = most(&self.owners) {
            return Some((o.clone(), format!("written in {n} @maxcompute line(s)")));
        }
        let (o, n) = most(&self.same_account)?;
        let all: usize = self.same_account.values().sum();
        Some((o.clone(), format!("named by {n} of {all} same-account rolearn(s)")))
    }

    /// The most frequent LOCATION region, and why.
    pub fn region(&self) -> Option<(String, String)> {
        most(&self.regions).map(|(r, n)| (r.clone(), format!("the region of {n} LOCATION endpoint(s)")))
    }
}

/// The key seen most often (the first in order on a tie).
fn most(counts: &BTreeMap<String, usize>) -> Option<(&String, &usize)> {
    counts.iter().fold(None, |best, (k, n)| match best {
        Some((_, m)) if m >= n => best,
        _ => Some((k, n)),
    })
}

/// The config text: what was inferred, with where it came from, and the
/// other sections commented out with their defaults.
pub fn config_text(survey: &Survey, owner: Option<(String, String)>, region: Option<(String, String)>) -> String {
    let mut t = format!(
        "# mcaccess.toml for this repository, inferred from {} external statement(s) in {} file(s).\n\n[maxcompute]\n",
        survey.statements, survey.files
    );
    match &owner {
        Some((o, why)) => {
            t.push_str(&format!("# The account whose MaxCompute assumes the roles: {why}.\nowner = \"{o}\"\n"))
        }
        None => t.push_str(
            "# The account whose MaxCompute assumes the roles (no rolearn named one).\n# owner = \"<uid>\"\n",
        ),
    }
    match &region {
        Some((r, why)) => {
            let mut why = why.clone();
            why[..1].make_ascii_uppercase();
            t.push_str(&format!("# {why}.\nregion = \"{r}\"\n"))
        }
        None => t.push_str("# region = \"cn-hangzhou\"\n"),
    }
    t.push_str("\n[accounts]\n# The other accounts the rolearns name: rename an alias and write uid=@<alias>.\n");
    let owner = owner.map(|(o, _)| o);
    let mut used = BTreeSet::new();
    for (uid, (n, roles)) in survey.rolearn_accounts.iter().filter(|(u, _)| Some(*u) != owner.as_ref()) {
        let mut alias = format!("account-{}", &uid[uid.len().saturating_sub(4)..]);
        if !used.insert(alias.clone()) {
            alias = format!("account-{uid}");
        }
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        t.push_str(&format!("{alias} = \"{uid}\"  # {n} rolearn(s): {}\n", roles.join(", ")));
    }
    t.push_str(COMMENTED_DEFAULTS);
    t
}

const COMMENTED_DEFAULTS: &str = "
[roles]
# default = \"mc-external\"        # same-account role when an @access names none (aliyunodpsdefaultrole)
# cross-account = \"mc-cross\"     # cross-account role (aliyunodpsroleforotheruser)
# oss = \"mc-oss\"                 # per source: oss, tablestore, hologres, dlf, paimon-dlf

[lint]
# allow = [\"MCA008\"]              # rule codes silenced everywhere

[files]
# exclude = [\"legacy/**\"]         # never read, even when named on the command line
# encoding = \"gbk\"                # read files that are not UTF-8 as GBK
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::source::SourceFile;

    fn survey(texts: &[&str]) -> Survey {
        let mut s = Survey::default();
        for (i, t) in texts.iter().enumerate() {
            let a = crate::analyse(SourceFile::new(format!("{i}.sql"), t.to_string()), &Config::default());
            let mut one = Survey::default();
            one.add(&a);
            s.merge(one);
        }
        s
    }

    const T: &str = "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::{uid}:role/{role}') LOCATION 'oss://oss-{region}-internal.aliyuncs.com/b/t/';\n";

    fn table(uid: &str, role: &str, region: &str) -> String {
        T.replace("{uid}", uid).replace("{role}", role).replace("{region}", region)
    }

    #[test]
    fn owner_region_and_aliases_from_the_rolearns() {
        let s = survey(&[
            &table("5678901234567890", "aliyunodpsdefaultrole", "cn-hangzhou"),
            &table("5678901234567890", "mc-lake", "cn-hangzhou"),
            &table("1234567890123456", "aliyunodpsroleforotheruser", "cn-shanghai"),
            &table("1234567890123456", "aliyunodpsroleforotheruser", "cn-hangzhou"),
        ]);
        let (owner, why) = s.owner().unwrap();
        assert_eq!((owner.as_str(), why.as_str()), ("5678901234567890", "named by 2 of 2 same-account rolearn(s)"));
        assert_eq!(s.region(), Some(("cn-hangzhou".to_string(), "the region of 3 LOCATION endpoint(s)".to_string())));
        let text = config_text(&s, s.owner(), s.region());
        assert!(text.contains("# The region of 3 LOCATION endpoint(s).\nregion = \"cn-hangzhou\""), "{text}");
        assert!(
            text.contains("account-3456 = \"1234567890123456\"  # 2 rolearn(s): aliyunodpsroleforotheruser"),
            "{text}"
        );
        let c = Config::parse(std::path::Path::new("mcaccess.toml"), text).unwrap();
        assert_eq!(c.owner.as_deref(), Some("5678901234567890"));
        assert_eq!(c.account("account-3456"), Some("1234567890123456"));
    }

    #[test]
    fn maxcompute_lines_win_and_nothing_known_gives_a_commented_owner() {
        let s = survey(&[&format!("-- @maxcompute owner=1111111111111111\n{}", table("2", "r", "cn-beijing"))]);
        assert_eq!(s.owner().unwrap().0, "1111111111111111");
        let text = config_text(&survey(&["SELECT 1;"]), None, None);
        assert!(text.contains("# owner = \"<uid>\""));
        assert!(Config::parse(std::path::Path::new("mcaccess.toml"), text).is_ok());
    }
}

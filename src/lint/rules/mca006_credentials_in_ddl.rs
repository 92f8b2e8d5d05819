//! An AccessKey pair or a database password written into the DDL.
//!
//! **What** `oss://<AccessKeyId>:<AccessKeySecret>@…` and
//! `tablestore://<id>:<secret>@…` URLs (the legacy plaintext-AK form of a
//! LOCATION), and `user=`/`password=` in a JDBC URL — anywhere in the file,
//! including statements mcaccess cannot read and comments. mcaccess never
//! prints the secret: every output masks it.
//!
//! **Why** SQL lives in git; a secret there is readable by everyone with
//! the repository and stays in its history. STS through a RAM role needs no
//! key in the DDL at all.
//!
//! **Example**
//!
//! ```sql
//! LOCATION 'oss://LTAI…:…@oss-cn-hangzhou-internal.aliyuncs.com/b/t/'
//! ```
//!
//! **Fix** Remove the credentials from the LOCATION, add `-- @access oss`
//! and run `mcaccess fix` to use a role instead; rotate the exposed key.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;

pub const META: Meta = Meta { code: Code("MCA006"), name: "credentials-in-ddl", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let text = ctx.text();
    ctx.analysis
        .source
        .secrets()
        .ranges()
        .iter()
        .cloned()
        .map(|r| {
            let url = text[..r.start].rfind(['\'', '"', '`', ' ', '\t', '\n']).map_or(0, |i| i + 1);
            let jdbc = text[url..].get(..5).is_some_and(|h| h.eq_ignore_ascii_case("jdbc:"));
            let (message, help) = if jdbc {
                (
                    "database credentials in the JDBC URL",
                    "move user/password out of the SQL (for Hologres use a RAM role via @access hologres); change the exposed password",
                )
            } else {
                ("AccessKey pair in the LOCATION", "remove `<id>:<secret>@` from the LOCATION, add an @access annotation to use a RAM role, and rotate the key")
            };
            META.diagnostic(r, message).label("secret (redacted)").help(help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::of;

    #[test]
    fn finds_access_keys_and_passwords_without_printing_them() {
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://LTAIabc:s3cr3t@oss-cn-hangzhou-internal.aliyuncs.com/b/';",
        );
        assert_eq!(f.len(), 1);
        assert!(!f[0].message.contains("s3cr3t") && !f[0].help.as_ref().unwrap().contains("s3cr3t"));
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE r (a int) STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler' LOCATION 'jdbc:mysql://h:3306/db?user=u&password=p4ss&table=t';",
        );
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("JDBC"));
    }

    #[test]
    fn clean_and_templated_locations_pass() {
        assert!(of(super::META.code, "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';").is_empty());
        assert!(
            of(
                super::META.code,
                "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://${ak}:${sk}@${endpoint}/b/';"
            )
            .is_empty()
        );
    }
}

//! A LOCATION on a public endpoint instead of the classic-network one.
//!
//! **What** An `oss://` endpoint without `-internal`
//! (`oss-cn-hangzhou.aliyuncs.com`), a Tablestore endpoint on `.ots.` rather
//! than `.ots-internal.`, a Hologres JDBC host without `-internal`.
//!
//! **Why** "Use the classic network endpoint for OSS. MaxCompute does not
//! guarantee network connectivity for public endpoints"; Hologres external
//! tables work only with the classic-network domain; internal endpoints
//! also avoid traffic fees.
//!
//! **Example**
//!
//! ```sql
//! LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/bucket/path/'
//! ```
//!
//! **Fix** Use the internal endpoint:
//! `oss://oss-cn-hangzhou-internal.aliyuncs.com/bucket/path/`.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;
use crate::location::Location;

pub const META: Meta = Meta { code: Code("MCA008"), name: "public-endpoint", severity: Severity::Warning, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, loc, span) in ctx.locations() {
        let Some(ep) = loc.endpoint() else { continue };
        if ep.internal || matches!(&loc, Location::Jdbc(j) if j.driver != "postgresql") {
            continue;
        }
        let suggestion = match &loc {
            Location::Oss(_) => ep.region.as_ref().map(|r| format!("oss-{r}-internal.aliyuncs.com")),
            Location::Tablestore(t) => {
                ep.region.as_ref().map(|r| format!("{}.{r}.ots-internal.aliyuncs.com", t.instance))
            }
            _ => None,
        };
        let host_at = ctx.text()[span.clone()]
            .find(&ep.host)
            .map_or(span.clone(), |i| span.start + i..span.start + i + ep.host.len());
        out.push(
            META.diagnostic(host_at, format!("`{}` is a public endpoint", ep.host))
                .label("not the classic-network (-internal) endpoint")
                .help(match suggestion {
                    Some(s) => format!("use the internal endpoint `{s}`: MaxCompute does not guarantee connectivity to public endpoints"),
                    None => "use the classic-network `-internal` endpoint: MaxCompute does not guarantee connectivity to public endpoints".into(),
                }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::of;

    #[test]
    fn public_oss_and_tablestore_endpoints_warn() {
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/';",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].column, 63);
        assert!(f[0].help.as_ref().unwrap().contains("oss-cn-hangzhou-internal.aliyuncs.com"));
        let f = of(
            super::META.code,
            "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'tablestore://cap1.cn-hangzhou.ots.aliyuncs.com';",
        );
        assert!(f[0].help.as_ref().unwrap().contains("cap1.cn-hangzhou.ots-internal.aliyuncs.com"));
    }

    #[test]
    fn internal_endpoints_pass() {
        assert!(of(super::META.code, "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';").is_empty());
        assert!(
            of(
                super::META.code,
                "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://cn-hangzhou.oss-dls.aliyuncs.com/b/';"
            )
            .is_empty()
        );
    }
}

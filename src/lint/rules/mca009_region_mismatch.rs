//! The LOCATION's region differs from the MaxCompute project's region.
//!
//! **What** The region in the LOCATION endpoint (`oss-cn-shanghai-internal…`)
//! differs from the region configured for MaxCompute (`-- @maxcompute
//! region=`, `[maxcompute] region`), or from the annotation's own
//! `region=`.
//!
//! **Why** "MaxCompute and OSS must be in the same region"; cross-region
//! Hologres access fails with `ODPS-0010000 … Pangu request failed`; DLF,
//! OSS and MaxCompute must share a region for external schemas.
//!
//! **Example**
//!
//! ```sql
//! -- @maxcompute owner=5678901234567890 region=cn-hangzhou
//! CREATE EXTERNAL TABLE t (…) … LOCATION 'oss://oss-cn-shanghai-internal.aliyuncs.com/b/t/';
//! ```
//!
//! **Fix** Point the LOCATION at the data in the project's region, or fix
//! the configured region if it is the one that is wrong.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::lint::FileContext;

pub const META: Meta = Meta { code: Code("MCA009"), name: "region-mismatch", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (stmt, loc, span) in ctx.locations() {
        let Some(region) = loc.region() else { continue };
        // The region as written in the LOCATION (found only for a finding).
        let at = || {
            ctx.text()[span.clone()].find(region).map_or(span.clone(), |i| span.start + i..span.start + i + region.len())
        };
        if let Some(declared) =
            ctx.analysis.scanned.access_of(stmt).and_then(|a| a.region.as_ref()).filter(|r| r.value != region)
        {
            out.push(
                META.diagnostic(
                    at(),
                    format!("the LOCATION is in {region}, but the @access says region={}", declared.value),
                )
                .label(region.to_string())
                .help(format!("make them agree: region={region} or a LOCATION in {}", declared.value)),
            );
            continue;
        }
        if let Some(mc) = ctx.maxcompute_region(stmt).filter(|r| *r != region) {
            out.push(
                META.diagnostic(at(), format!("the LOCATION is in {region}, but MaxCompute runs in {mc}"))
                    .label(region.to_string())
                    .help(format!("MaxCompute reaches external data only in its own region: use a {mc} endpoint, or correct the configured region")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{OWNER, of};

    #[test]
    fn location_region_must_match() {
        let f = of(
            super::META.code,
            &format!(
                "{OWNER}CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-shanghai-internal.aliyuncs.com/b/';"
            ),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("cn-shanghai") && f[0].message.contains("cn-hangzhou"));
        let f = of(
            super::META.code,
            "-- @maxcompute owner=1\n-- @access oss region=cn-beijing\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-shanghai-internal.aliyuncs.com/b/';",
        );
        assert!(f[0].message.contains("region=cn-beijing"));
    }

    #[test]
    fn same_or_unknown_region_passes() {
        assert!(of(super::META.code, &format!("{OWNER}CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/';")).is_empty());
        assert!(of(super::META.code, "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-shanghai-internal.aliyuncs.com/b/';").is_empty());
    }
}

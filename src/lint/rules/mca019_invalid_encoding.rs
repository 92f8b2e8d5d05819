//! A file that is not valid UTF-8 (nor in the encoding the config names).
//!
//! **What** The first byte of the file that its encoding cannot read, with
//! its line and column, and whether the whole file reads as GBK (the usual
//! encoding of legacy DataWorks scripts with Chinese comments). The file
//! is still checked (every unreadable sequence read as U+FFFD), the other
//! files are not affected, and mcaccess never rewrites it.
//!
//! **Why** Rewriting bytes mcaccess cannot read could corrupt them, and a
//! policy built from text it cannot read would be a guess: `fix` leaves the
//! file untouched and `bundle` refuses until the file can be read.
//!
//! **Example**
//!
//! ```sql
//! -- 每日订单 (saved as GBK: bytes D6 D0 …, not UTF-8)
//! INSERT OVERWRITE TABLE ads_orders SELECT …;
//! ```
//!
//! **Fix** Convert the file to UTF-8 (`iconv -f GBK -t UTF-8`), or say in
//! `mcaccess.toml` that legacy files are GBK — `[files] encoding = "gbk"` —
//! and mcaccess reads and rewrites them as GBK, byte for byte.

use crate::diagnostic::{Code, Diagnostic, Meta, Severity};
use crate::encoding::EncodingProblem;
use crate::lint::FileContext;
use crate::source::SourceFile;

pub const META: Meta = Meta { code: Code("MCA019"), name: "invalid-encoding", severity: Severity::Error, fixable: false };

pub fn check(ctx: &FileContext<'_>) -> Vec<Diagnostic> {
    ctx.analysis.encoding.iter().map(|p| diagnostic(p, &ctx.analysis.source)).collect()
}

/// The finding for a file's encoding problem (every command reports it).
pub fn diagnostic(p: &EncodingProblem, file: &SourceFile) -> Diagnostic {
    // The lossy text holds U+FFFD (3 bytes) where the bad byte was.
    let span = p.offset..(p.offset + '\u{fffd}'.len_utf8()).min(file.text.len());
    let (message, help) = if p.looks_like_gbk {
        (
            format!("the file is not UTF-8 (byte 0x{:02X}); it looks like GBK", p.byte),
            "add `[files] encoding = \"gbk\"` to mcaccess.toml to read and rewrite it as GBK, or convert it: iconv -f GBK -t UTF-8",
        )
    } else {
        (
            format!("the file is not UTF-8 (byte 0x{:02X})", p.byte),
            "convert the file to UTF-8; mcaccess reads UTF-8, and GBK with [files] encoding = \"gbk\"",
        )
    };
    META.diagnostic(span, message).label("first unreadable byte").help(help)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::encoding::{TextEncoding, decode};
    use crate::lint::{FileContext, Options, RepoIndex, lint_file};
    use crate::source::SourceFile;

    #[test]
    fn a_gbk_comment_is_one_finding_and_the_rest_is_still_checked() {
        let bytes = b"-- \xd6\xd0\xce\xc4\n-- @access oss owner=1\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' LOCATION 'oss://b/p/';\n";
        let d = decode(bytes.to_vec(), TextEncoding::Utf8);
        let mut a = crate::analyse(SourceFile::new("gbk.sql", d.text), &Config::default());
        a.encoding = d.problem;
        let fixes = a.fixes();
        let config = Config::default();
        let repo = RepoIndex::default();
        let ctx = FileContext { analysis: &a, fixes: &fixes, config: &config, repo: &repo, today: "2026-11-23" };
        let f = lint_file(&ctx, &Options::default());
        let codes: Vec<_> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![super::META.code, crate::lint::rules::mca007_broad_default_role::META.code, crate::lint::rules::mca002_missing_rolearn::META.code]);
        assert_eq!((f[0].line, f[0].column), (1, 4));
        assert!(f[0].message.contains("looks like GBK"), "{}", f[0].message);
    }
}

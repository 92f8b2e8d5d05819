//! Onboarding a repository that has rolearns and no annotations: `init`,
//! `annotate`, then `fix` — run as a user runs them, on a copy of
//! tests/fixtures/onboard/repo (CRLF, Chinese comments, variables, a
//! placeholder ARN, cross-account, dual-signature, writes in another file,
//! an RDS table and a schema it cannot annotate).

mod common;

use common::{mcaccess as bin, text};
use std::path::PathBuf;
use std::process::Command;

fn copy() -> (tempfile::TempDir, PathBuf) {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onboard/repo");
    let d = tempfile::tempdir().unwrap();
    for (rel, bytes) in common::files_under(&from) {
        let to = d.path().join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    (d, from)
}

#[test]
fn init_infers_the_config_and_never_overwrites_it() {
    let (d, _) = copy();
    let o = bin(d.path(), &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let config = std::fs::read_to_string(d.path().join("mcaccess.toml")).unwrap();
    insta::assert_snapshot!("init_config", config);
    insta::assert_snapshot!("init_report", text(&o.stderr));
    std::fs::write(d.path().join("mcaccess.toml"), "# mine\n").unwrap();
    let o = bin(d.path(), &["init", "--owner", "1111111111111111"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("already exists"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(d.path().join("mcaccess.toml")).unwrap(), "# mine\n");
    std::fs::remove_file(d.path().join("mcaccess.toml")).unwrap();
    assert_eq!(bin(d.path(), &["init", "--owner", "12ab"]).status.code(), Some(2));
    assert!(!d.path().join("mcaccess.toml").exists());
    let o = bin(d.path(), &["init", "--owner", "1111111111111111", "--region", "cn-beijing"]);
    assert_eq!(o.status.code(), Some(0));
    let config = std::fs::read_to_string(d.path().join("mcaccess.toml")).unwrap();
    assert!(config.contains("owner = \"1111111111111111\"") && config.contains("region = \"cn-beijing\""));
    // The owner's own account is then another account, with an alias.
    assert!(config.contains("account-7890 = \"5678901234567890\""), "{config}");
}

#[test]
fn init_annotate_fix_keeps_every_well_formed_rolearn() {
    let (d, from) = copy();
    assert_eq!(bin(d.path(), &["init"]).status.code(), Some(0));
    let o = bin(d.path(), &["annotate", "--diff"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    insta::assert_snapshot!("annotate_diff", text(&o.stdout));
    insta::assert_snapshot!("annotate_report", text(&o.stderr));
    let o = bin(d.path(), &["annotate"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // The only bytes added are whole annotation lines, in each line's ending.
    for (rel, original) in common::files_under(&from) {
        let now = std::fs::read(d.path().join(&rel)).unwrap();
        let kept: Vec<u8> = now
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| !text(l).contains("-- @access "))
            .flatten()
            .copied()
            .collect();
        assert_eq!(kept, original, "{}: more than annotation lines changed", rel.display());
        for line in now.split_inclusive(|&b| b == b'\n').filter(|l| text(l).contains("-- @access ")) {
            let crlf = original.windows(2).any(|w| w == b"\r\n");
            assert_eq!(line.ends_with(b"\r\n"), crlf, "{}: {:?}", rel.display(), text(line));
        }
    }
    // fix then changes only the placeholder rolearn.
    let o = bin(d.path(), &["fix", "--diff"]);
    assert_eq!(o.status.code(), Some(1));
    let diff = text(&o.stdout);
    let removed: Vec<&str> = diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).collect();
    assert_eq!(
        removed,
        vec!["-WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::xxxxxx:role/aliyunodpsdefaultrole')"]
    );
    // A second run changes nothing; after fix, check finds only what annotate could not do.
    assert_eq!(bin(d.path(), &["annotate", "--check"]).status.code(), Some(0));
    assert_eq!(bin(d.path(), &["fix"]).status.code(), Some(0));
    let o = bin(d.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    // The default role (a warning each) and the schema annotate left alone.
    assert_eq!(codes, vec!["MCA007", "MCA007", "MCA004"]);
}

#[test]
fn annotate_reads_stdin_and_writes_stdout() {
    let (d, from) = copy();
    assert_eq!(bin(d.path(), &["init"]).status.code(), Some(0));
    let sql = std::fs::read(from.join("ddl/ots.sql")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcaccess"))
        .current_dir(d.path())
        .args(["annotate", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &sql).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut want = b"-- @access tablestore cross-account uid=@account-3456\r\n".to_vec();
    want.extend_from_slice(&sql);
    assert_eq!(o.stdout, want);
}

#[test]
fn add_allow_writes_a_baseline_once_and_leaves_fixable_findings_to_fix() {
    let d = tempfile::tempdir().unwrap();
    let public = "-- 公网地址\r\n-- @access oss\r\nCREATE EXTERNAL TABLE t (a int) STORED BY 'com.aliyun.odps.CsvStorageHandler'\r\nWITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole')\r\nLOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/t/';\r\n";
    let missing = "-- @access oss role=mc-lake\nCREATE EXTERNAL TABLE u (a int) STORED BY 'com.aliyun.odps.CsvStorageHandler'\nLOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/u/';\n";
    // Not UTF-8 inside a statement: never written back.
    let gbk = b"CREATE EXTERNAL TABLE g (a int) COMMENT '\xd6\xd0' STORED BY 'h' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/g/';\n";
    std::fs::write(
        d.path().join("mcaccess.toml"),
        "[maxcompute]\nowner = \"5678901234567890\"\nregion = \"cn-hangzhou\"\n",
    )
    .unwrap();
    std::fs::write(d.path().join("public.sql"), public).unwrap();
    std::fs::write(d.path().join("missing.sql"), missing).unwrap();
    std::fs::write(d.path().join("gbk.sql"), gbk).unwrap();
    let o = bin(d.path(), &["check", "--add-allow=legacy endpoint", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("1 @allow line written in 1 file"), "{}", text(&o.stderr));
    let want = public.replacen("-- @access", "-- @allow MCA007,MCA008 reason=\"legacy endpoint\"\r\n-- @access", 1);
    assert_eq!(std::fs::read_to_string(d.path().join("public.sql")).unwrap(), want);
    assert_eq!(std::fs::read_to_string(d.path().join("missing.sql")).unwrap(), missing, "fixable: left to fix");
    assert_eq!(std::fs::read(d.path().join("gbk.sql")).unwrap(), gbk);
    // Idempotent: the findings are silenced, nothing more to write.
    let o = bin(d.path(), &["check", "--add-allow", "."]);
    assert!(text(&o.stderr).contains("0 @allow lines written in 0 files"), "{}", text(&o.stderr));
    let o = bin(d.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"MCA002") && codes.contains(&"MCA019") && !codes.contains(&"MCA008"), "{codes:?}");
    assert_eq!(bin(d.path(), &["check", "--add-allow", "-"]).status.code(), Some(2));
}

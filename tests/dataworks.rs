//! A DataWorks-shaped repository (tests/fixtures/dataworks): `${bizdate}`
//! variables in names and LOCATIONs, dev and prod projects, multi-insert and
//! WITH jobs, CRLF files with Chinese comments, comma-first property lists, a
//! legacy GBK script, a plaintext AccessKey in a statement with an unclosed
//! `(`, and a generated one-line DDL of 70,000 characters. Every command is
//! run as a user runs it, on a copy.

mod common;

use std::path::Path;
use std::process::Output;

const SECRET: &str = "FakeSecretValue0123456789abcd";
const KEY_ID: &str = "LTAI5tFAKEKEYID0001";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fresh copy of the repository, with the generated one-line DDL.
fn repository() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dataworks"), d.path());
    let wide = format!(
        "-- @access oss\nCREATE EXTERNAL TABLE gen_wide (c STRING COMMENT '{}') STORED BY 'com.aliyun.odps.CsvStorageHandler' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/data-lake-prod/gen/';\n",
        "x".repeat(70_000)
    );
    std::fs::write(d.path().join("ddl/one_line.sql"), wide).unwrap();
    d
}

use common::{mcaccess as run, text};

fn all_output(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

/// No command panics, and none prints the AccessKey.
fn assert_clean(o: &Output, what: &str) {
    let all = all_output(o);
    assert!(!all.contains("panicked") && !all.contains("internal error"), "{what}: {all}");
    assert!(!all.contains(SECRET) && !all.contains(KEY_ID), "{what} printed a secret: {all}");
    assert!(matches!(o.status.code(), Some(0..=2)), "{what}: {:?}", o.status);
}

#[test]
fn every_command_runs_and_never_prints_a_secret() {
    let d = repository();
    for args in [
        &["check"][..],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["check", "--format", "github"],
        &["fix", "--diff"],
        &["fix", "--check"],
        &["plan"],
        &["plan", "--format", "json"],
        &["bundle", "--out", "out"],
    ] {
        let o = run(d.path(), args);
        assert_clean(&o, &args.join(" "));
    }
    let o = run(d.path(), &["fix", "-"]);
    assert_clean(&o, "fix -");
    // The secret's statement cannot be read; it is still found and masked.
    let json = text(&run(d.path(), &["check", "--format", "json"]).stdout);
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    let in_ak_file: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "secrets/legacy_ak.sql")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(in_ak_file, vec!["MCA004", "MCA015", "MCA006"]);
}

#[test]
fn check_sees_every_write_and_keeps_projects_apart() {
    let d = repository();
    let o = run(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let mca016: Vec<(String, u64, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "MCA016")
        .map(|f| {
            (f["file"].as_str().unwrap().into(), f["line"].as_u64().unwrap(), f["message"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        mca016,
        vec![
            (
                "jobs/daily_gmv.sql".into(),
                8,
                "INSERT OVERWRITE into the OSS table data_prod.ads_gmv deletes its old files first, but its @access grants no delete".into()
            ),
            ("jobs/daily_gmv.sql".into(), 12, "INSERT INTO writes to tmp_ext_${bizdate}, whose @access grants no write".into()),
        ],
        "the writes to data_dev.ads_gmv (in daily_gmv.sql and the GBK script) are granted"
    );
}

#[test]
fn positions_agree_in_characters_across_formats() {
    let d = repository();
    let json: serde_json::Value =
        serde_json::from_str(&text(&run(d.path(), &["check", "--format", "json"]).stdout)).unwrap();
    let human = text(&run(d.path(), &["check"]).stdout);
    let github = text(&run(d.path(), &["check", "--format", "github"]).stdout);
    let sarif: serde_json::Value =
        serde_json::from_str(&text(&run(d.path(), &["check", "--format", "sarif"]).stdout)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    for (i, f) in json.as_array().unwrap().iter().enumerate() {
        let (file, line, col) =
            (f["file"].as_str().unwrap(), f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
        assert!(human.contains(&format!("[{file}:{line}:{col}]")), "human lacks {file}:{line}:{col}");
        assert!(github.contains(&format!("file={file},line={line},col={col},")), "github lacks {file}:{line}:{col}");
        let region = &results[i]["locations"][0]["physicalLocation"]["region"];
        assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(line), Some(col)));
    }
    // A column after Chinese text counts characters: the `@access` of a CRLF
    // file whose comment has Chinese, and the 70,000-character line.
    assert!(human.contains("[ddl/ads_ext.sql:3:12]"), "{human}");
    assert!(human.contains("[ddl/one_line.sql:2:70064]") && human.contains("line 2 is cut"), "{human}");
}

#[test]
fn a_gbk_script_is_one_finding_in_every_format_and_never_rewritten() {
    let d = repository();
    let gbk = std::fs::read(d.path().join("legacy/old_job_gbk.sql")).unwrap();
    for format in ["json", "sarif", "github", "human"] {
        let o = run(d.path(), &["check", "--format", format]);
        let out = text(&o.stdout);
        assert_eq!(out.matches("MCA019").count() - usize::from(format == "sarif"), 1, "{format}: {out}");
        assert!(out.contains("looks like GBK") && out.contains("old_job_gbk.sql"), "{format}");
    }
    let o = run(d.path(), &["fix"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("mcaccess fix: 3 files fixed, 2 unchanged, 1 with errors (left untouched)"), "{err}");
    assert_eq!(std::fs::read(d.path().join("legacy/old_job_gbk.sql")).unwrap(), gbk);
    // The other files were fixed: a second run only reports the GBK file.
    let o = run(d.path(), &["fix", "--check"]);
    assert!(text(&o.stderr).contains("0 files would be fixed, 5 unchanged, 1 with errors"), "{}", text(&o.stderr));
}

#[test]
fn with_files_encoding_gbk_a_gbk_file_is_rewritten_byte_for_byte() {
    let d = repository();
    std::fs::write(
        d.path().join("mcaccess.toml"),
        "[maxcompute]\nowner = \"5678901234567890\"\n[files]\nencoding = \"gbk\"\n",
    )
    .unwrap();
    let (head, tail) = (
        "-- 旧表（GBK 编码）\n-- @access oss\nCREATE EXTERNAL TABLE legacy_gbk (c STRING COMMENT '中文列')\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'",
        "\nLOCATION 'oss://data-lake-prod/legacy/';\n",
    );
    let gbk = |s: &str| encoding_bytes(s);
    std::fs::write(d.path().join("legacy/gbk_ddl.sql"), gbk(&format!("{head}{tail}"))).unwrap();
    let o = run(d.path(), &["fix", "legacy"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let clause =
        "\nWITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole')";
    assert_eq!(std::fs::read(d.path().join("legacy/gbk_ddl.sql")).unwrap(), gbk(&format!("{head}{clause}{tail}")));
    let o = run(d.path(), &["check", "legacy"]);
    assert!(!text(&o.stdout).contains("MCA019"), "{}", text(&o.stdout));
}

/// GBK bytes of `s`, written out by hand for the characters the test uses
/// (so the test does not depend on the encoder it tests).
fn encoding_bytes(s: &str) -> Vec<u8> {
    let table: [(char, [u8; 2]); 9] = [
        ('旧', [0xBE, 0xC9]),
        ('表', [0xB1, 0xED]),
        ('（', [0xA3, 0xA8]),
        ('）', [0xA3, 0xA9]),
        ('编', [0xB1, 0xE0]),
        ('码', [0xC2, 0xEB]),
        ('中', [0xD6, 0xD0]),
        ('文', [0xCE, 0xC4]),
        ('列', [0xC1, 0xD0]),
    ];
    let mut out = Vec::new();
    for c in s.chars() {
        match table.iter().find(|(t, _)| *t == c) {
            Some((_, b)) => out.extend_from_slice(b),
            None => out.extend_from_slice(c.to_string().as_bytes()),
        }
    }
    out
}

#[test]
fn plan_and_bundle_show_whole_names_and_literal_prefixes() {
    let d = repository();
    let o = run(d.path(), &["plan", "--format", "json", "ddl"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let plan: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let tables: Vec<&str> = plan.as_array().unwrap().iter().map(|e| e["table"].as_str().unwrap()).collect();
    assert_eq!(
        tables,
        vec!["data_prod.ads_gmv", "data_dev.ads_gmv", "tmp_ext_${bizdate}", "gen_wide", "ods_ots_orders"]
    );
    let resources = |i: usize| plan[i]["permissions"][1]["Resource"][0].as_str().unwrap().to_string();
    // Bucket-style host, `//` collapsed, scoped to the literal prefix.
    assert_eq!(resources(0), "acs:oss:*:5678901234567890:data-lake-prod/export/daily/*");
    assert_eq!(resources(1), "acs:oss:*:5678901234567890:data-lake-dev/export/daily/*");
    // No endpoint: the region comes from the config.
    assert_eq!(resources(2), "acs:oss:*:5678901234567890:data-lake-prod/tmp/*");
    assert_eq!(plan[2]["region"], "cn-hangzhou");
}

#[test]
fn bundle_refuses_while_a_job_writes_more_than_its_table_grants() {
    let d = repository();
    let o = run(d.path(), &["bundle", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("MCA016") && err.contains("jobs/daily_gmv.sql:8:24"), "{err}");
    assert!(err.contains("2 writes in the repository need more access"), "{err}");
    assert!(!d.path().join("out").exists());
    // Granted, and with the GBK script and the broken legacy file left out,
    // the bundle is written.
    let ddl = std::fs::read_to_string(d.path().join("ddl/ads_ext.sql")).unwrap();
    let ddl =
        ddl.replace("-- @access oss access=read,write -- ", "-- @access oss access=read,write,delete -- ").replace(
            "-- @access oss\r\nCREATE EXTERNAL TABLE tmp_ext",
            "-- @access oss access=read,write\r\nCREATE EXTERNAL TABLE tmp_ext",
        );
    std::fs::write(d.path().join("ddl/ads_ext.sql"), ddl).unwrap();
    let o = run(d.path(), &["bundle", "--out", "out", "ddl", "jobs"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let manifest = std::fs::read_to_string(d.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"table\": \"tmp_ext_${bizdate}\""), "{manifest}");
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let d = repository();
    let o = run(d.path(), &["check", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!text(&o.stdout).contains("All checks passed"), "{}", text(&o.stdout));
    assert!(text(&o.stderr).contains("no/such/dir"), "{}", text(&o.stderr));
}

#[test]
fn a_bundle_and_a_plan_of_a_table_with_an_access_key_never_hold_it() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("ak.sql"),
        format!(
            "-- @maxcompute owner=5678901234567890\n-- @access oss access=read,write\nCREATE EXTERNAL TABLE ak_t (a STRING)\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\nLOCATION 'oss://{KEY_ID}:{SECRET}@oss-cn-hangzhou-internal.aliyuncs.com/lake/ak/';\n"
        ),
    )
    .unwrap();
    for args in [&["plan", "--format", "json"][..], &["plan"], &["fix", "--diff"], &["bundle", "--out", "out"]] {
        assert_clean(&run(d.path(), args), &args.join(" "));
    }
    let files = common::files_under(&d.path().join("out"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(SECRET) && !text.contains(KEY_ID), "{} holds the secret", path.display());
    }
    let files = files.len();
    assert!(files >= 5, "the bundle was written ({files} files)");
}

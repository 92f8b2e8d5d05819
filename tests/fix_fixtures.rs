//! `fix` on every fixture: the snapshot shows the rewritten file (or the
//! errors), and every run is checked for the edit contract and idempotence.

mod common;

use common::{assert_edit_contract, assert_idempotent, fixture_config, report, run};
use std::path::Path;

fn check_fixture(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let config = fixture_config(path);
    let r = run(&name, &text, &config);
    if let Some(out) = &r.output {
        assert_edit_contract(&text, &r.analysis.scanned, &r.plan.edits(), out);
        assert_idempotent(&name, out, &config);
    }
    report(&r)
}

#[test]
fn fix_fixtures() {
    insta::glob!("fixtures/fix/*.sql", |path| {
        let out = check_fixture(path);
        // The `error_*` fixtures, and only they, are refused.
        let name = path.file_name().unwrap().to_string_lossy();
        let refused = out.starts_with("--- not rewritten");
        assert_eq!(refused, name.starts_with("error_"), "{name}: {out}");
        insta::assert_snapshot!(out)
    });
}

#[test]
fn ddl_forms() {
    insta::glob!("fixtures/ddl-forms/*.sql", |path| insta::assert_snapshot!(check_fixture(path)));
}

/// insta normalises line endings, so the CRLF/BOM fixture is also checked
/// byte for byte.
#[test]
fn crlf_bom_and_missing_final_newline_are_kept() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix/crlf_bom_no_final_newline.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    let out = run("crlf.sql", &text, &fixture_config(&path)).output.unwrap();
    assert!(out.starts_with('\u{feff}'), "BOM kept");
    assert!(!out.ends_with('\n'), "no final newline added");
    assert_eq!(out.matches('\n').count(), out.matches("\r\n").count(), "every line ending is CRLF: {out:?}");
    assert!(out.contains("WITH SERDEPROPERTIES (\r\n  'odps.text.option.delimiter'=',',\r\n  'odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole'\r\n)"), "{out:?}");
    assert!(
        out.contains("ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.orc.OrcSerde'\r\nWITH SERDEPROPERTIES"),
        "{out:?}"
    );
    assert!(out.contains("/crlf2/';   \r\n"), "trailing spaces kept: {out:?}");
    assert!(
        out.contains("\r\nSET odps.sql.common.table.planner.ext.hive.bridge=true;\r\n-- @access hologres"),
        "{out:?}"
    );
}

/// A file that mixes LF and CRLF: each inserted line takes the ending of
/// the line it follows (byte for byte; insta would normalise).
#[test]
fn inserted_lines_take_the_ending_of_the_line_they_follow() {
    let text = "-- @maxcompute owner=5678901234567890\n-- @access oss\r\nCREATE EXTERNAL TABLE t (a int)\r\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\r\nLOCATION 'oss://b/p/';\n-- @access oss\nCREATE EXTERNAL TABLE u (a int)\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\nWITH SERDEPROPERTIES (\n  'a'='1'\r\n)\nLOCATION 'oss://b/q/';\n";
    let out = run("mixed.sql", text, &Default::default()).output.unwrap();
    let arn = "'odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole'";
    let expected = text
        .replace(
            "CsvStorageHandler'\r\nLOCATION 'oss://b/p/'",
            &format!("CsvStorageHandler'\r\nWITH SERDEPROPERTIES ({arn})\r\nLOCATION 'oss://b/p/'"),
        )
        .replace("  'a'='1'\r\n", &format!("  'a'='1',\r\n  {arn}\r\n"));
    assert_eq!(out.as_bytes(), expected.as_bytes());
}

#[test]
fn unannotated_files_come_back_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ddl-forms");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // Without its annotations (and with CRLF, to check those bytes too).
        let stripped: String = text.split_inclusive('\n').filter(|l| !l.contains("-- @")).collect();
        for input in [stripped.clone(), stripped.replace('\n', "\r\n")] {
            let r = run("x.sql", &input, &Default::default());
            let out = r.output.unwrap_or_else(|| panic!("{}: {:?}", path.display(), r.errors));
            assert_eq!(out.as_bytes(), input.as_bytes(), "{}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 20, "{seen} forms");
}

//! `check` on one fixture per rule: the snapshot holds the human report and
//! the JSON, and each fixture must produce its own rule's code.

mod common;

use common::fixture_config;
use mcaccess::lint::{Finding, Options, RepoIndex};
use mcaccess::output;
use mcaccess::report::{self, Style};
use std::path::Path;

fn lint(path: &Path) -> (Vec<Finding>, String) {
    let bytes = std::fs::read(path).unwrap();
    let config = fixture_config(path);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let decoded = mcaccess::encoding::decode(bytes, config.legacy_encoding);
    let analysis = mcaccess::analyse_decoded(name, decoded, &config);
    let repo = RepoIndex::build(std::slice::from_ref(&analysis));
    let findings = mcaccess::pipeline::check_document(&analysis, &repo, &config, &Options::default(), "2026-11-23");
    let human: String =
        findings.iter().map(|f| report::render(&f.diagnostic, &analysis.source, Style::plain())).collect();
    (findings, human)
}

#[test]
fn one_fixture_per_rule() {
    insta::glob!("fixtures/check/*.sql", |path| {
        let (findings, human) = lint(path);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if stem == "clean" {
            assert!(findings.is_empty(), "{human}");
        } else {
            let code = stem[..6].to_ascii_uppercase();
            assert!(findings.iter().any(|f| f.code.as_str() == code), "{stem} does not trigger {code}:\n{human}");
        }
        insta::assert_snapshot!(format!("{human}--- json ---\n{}\n", output::json(&findings)));
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    for rule in mcaccess::lint::RULES {
        let fixture = dir.join(format!("{}.sql", rule.module));
        // MCA021 needs a whole repository's roles: tests/bundle.rs has it.
        if rule.module == "mca021_too_many_policies" {
            continue;
        }
        assert!(fixture.is_file(), "no check fixture for {}: add {}", rule.code(), fixture.display());
    }
}

#[test]
fn secrets_never_reach_any_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/mca006_credentials_in_ddl.sql");
    let (findings, human) = lint(&path);
    for out in [human, output::json(&findings), output::sarif(&findings), output::github(&findings)] {
        assert!(!out.contains("VerySecretAccessKeySecret") && !out.contains("LTAI5tSECRETKEYID"), "{out}");
    }
}

#[test]
fn sarif_has_the_2_1_0_shape() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/mca008_public_endpoint.sql");
    let (findings, _) = lint(&path);
    let v: serde_json::Value = serde_json::from_str(&output::sarif(&findings)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "mcaccess");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 23);
    for r in rules {
        assert!(r["id"].as_str().unwrap().starts_with("MCA"));
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["help"]["markdown"].as_str().unwrap().contains("**Fix**"));
        assert!(["error", "warning"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "MCA008");
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], "MCA008");
    assert_eq!(result["level"], "warning");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "mca008_public_endpoint.sql");
    assert_eq!(loc["region"]["startLine"], 6);
    assert_eq!(loc["region"]["startColumn"], 17);
    assert_eq!(loc["region"]["endColumn"], 45, "SARIF end columns are exclusive");
}

#[test]
fn github_annotations_are_one_line_each() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/mca009_region_mismatch.sql");
    let (findings, _) = lint(&path);
    let out = output::github(&findings);
    assert_eq!(out.lines().count(), findings.len());
    assert!(out.starts_with("::error file=mca009_region_mismatch.sql,line=6,col="), "{out}");
    assert!(out.contains("title=MCA009 region-mismatch::"), "{out}");
    assert!(out.contains("%0Ahelp: "), "{out}");
}

//! `bundle`: whole-bundle snapshots of fixture repos, the seeds' own
//! documents, Terraform parsed back, the shell script checked by bash,
//! merging, splitting and determinism.

mod common;

use mcaccess::bundle::{self, Bundle};
use mcaccess::config::Config;
use mcaccess::source::SourceFile;
use mcaccess::{Analysis, analyse};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const OWNER: &str = "5678901234567890";
const DATA: &str = "1234567890123456";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Analyses every .sql file under `dir` (with its mcaccess.toml, if any).
fn analyse_dir(dir: &Path) -> Vec<Analysis> {
    let config = if dir.join("mcaccess.toml").is_file() {
        Config::load(&dir.join("mcaccess.toml")).unwrap()
    } else {
        Config::default()
    };
    let (inputs, errors) = mcaccess::files::collect(&[dir.to_path_buf()], &Default::default());
    assert!(errors.is_empty(), "{errors:?}");
    inputs
        .into_iter()
        .map(|i| {
            let mcaccess::files::Input::File(p) = i else { unreachable!() };
            let name = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
            analyse(SourceFile::new(name, std::fs::read_to_string(&p).unwrap()), &config)
        })
        .collect()
}

fn analyse_sql(sql: &str) -> Vec<Analysis> {
    vec![analyse(SourceFile::new("t.sql", sql.to_string()), &Config::default())]
}

fn build(analyses: Vec<Analysis>) -> Bundle {
    match bundle::build(analyses) {
        Ok(b) => b,
        Err(e) => panic!("{:?}", e.iter().map(|e| &e.diagnostic).collect::<Vec<_>>()),
    }
}

fn render(files: &BTreeMap<String, String>) -> String {
    files.iter().map(|(path, content)| format!("=== {path}\n{content}")).collect()
}

#[test]
fn every_source_and_mode() {
    let files = build(analyse_dir(&fixture("bundle/all_sources"))).files();
    insta::assert_snapshot!(render(&files));
}

#[test]
fn statements_sharing_a_role_merge_across_files() {
    let b = build(analyse_dir(&fixture("bundle/merge")));
    assert_eq!(b.roles.len(), 1, "role=mc-shared and role=MC-Shared are one ARN");
    let r = &b.roles[0];
    assert_eq!(r.usages.len(), 5);
    assert_eq!(r.permissions.len(), 1);
    insta::assert_snapshot!(r.permissions[0].to_pretty_json());
}

fn seed(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture("seed-policies").join(name)).unwrap();
    let text = text
        .replace("<Alibaba Cloud account ID of the MaxCompute owner>", OWNER)
        .replace("<UID>", OWNER)
        .replace("5678901234****", OWNER)
        .replace("1234567890****", DATA);
    serde_json::from_str(&text).unwrap()
}

fn role_docs(sql: &str) -> (Value, Option<Value>) {
    let b = build(analyse_sql(&format!("-- @maxcompute owner={OWNER}\n{sql}")));
    assert_eq!(b.roles.len(), 1);
    let r = &b.roles[0];
    let trust = serde_json::to_value(r.trust.as_ref().unwrap()).unwrap();
    let permissions = r.permissions.first().map(|p| serde_json::to_value(p).unwrap());
    (trust, permissions)
}

const OSS_TABLE: &str = "CREATE EXTERNAL TABLE t (a STRING) STORED BY 'com.aliyun.odps.CsvStorageHandler' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/p/';";
const OTS_TABLE: &str = "CREATE EXTERNAL TABLE t (a STRING) STORED BY 'com.aliyun.odps.TableStoreStorageHandler' WITH SERDEPROPERTIES ('tablestore.table.name'='vehicle_track') LOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com';";
const HOLO_TABLE: &str = "CREATE EXTERNAL TABLE t (a STRING) STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler' LOCATION 'jdbc:postgresql://h-cn-hangzhou-internal.hologres.aliyuncs.com:80/db?table=t/';";

#[test]
fn seed_oss_documents() {
    let (trust, permissions) = role_docs(&format!("-- @access oss scope=account\n{OSS_TABLE}"));
    assert_eq!(trust, seed("oss-same-account-trust.json"));
    assert_eq!(permissions.unwrap(), seed("oss-role-policy.json"));
    let (trust, _) = role_docs(&format!("-- @access oss cross-account uid={DATA}\n{OSS_TABLE}"));
    assert_eq!(trust, seed("oss-cross-account-trust.json"));
}

#[test]
fn seed_tablestore_documents() {
    let (trust, permissions) =
        role_docs(&format!("-- @access tablestore cross-account uid={DATA} scope=account\n{OTS_TABLE}"));
    assert_eq!(trust, seed("tablestore-cross-account-trust.json"));
    assert_eq!(trust, seed("tablestore-walkthrough-trust.json"));
    assert_eq!(permissions.unwrap(), seed("tablestore-role-policy.json"));
}

#[test]
fn seed_hologres_trust_for_both_entities() {
    let (trust, permissions) = role_docs(&format!("-- @access hologres\n{HOLO_TABLE}"));
    assert_eq!(trust, seed("hologres-account-trust.json"));
    assert_eq!(permissions, None, "Hologres needs no RAM permission policy");
    let (trust, _) = role_docs(&format!("-- @access hologres entity=idp\n{HOLO_TABLE}"));
    assert_eq!(trust, seed("hologres-idp-trust.json"));
}

#[test]
fn seed_dlf_documents() {
    let schema = "CREATE EXTERNAL SCHEMA s WITH dlf_server ON 'c.db';";
    let (trust, permissions) = role_docs(&format!("-- @access dlf scope=account\n{schema}"));
    assert_eq!(trust, seed("dlf-same-account-trust.json"));
    assert_eq!(permissions.unwrap(), seed("dlf-oss-policy.json"));
    let (trust, _) = role_docs(&format!("-- @access dlf cross-account uid={DATA} scope=account\n{schema}"));
    assert_eq!(trust, seed("dlf-cross-account-trust.json"));
}

#[test]
fn least_privilege_scopes_tablestore_to_the_seed_instance() {
    let (_, permissions) = role_docs(&format!("-- @access tablestore cross-account uid={DATA}\n{OTS_TABLE}"));
    let p = permissions.unwrap();
    let resources: Vec<&str> = p["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Resource"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        resources,
        vec![
            format!("acs:ots:cn-hangzhou:{DATA}:instance/cap1"),
            format!("acs:ots:cn-hangzhou:{DATA}:instance/cap1/table/vehicle_track")
        ]
    );
    let actions: Vec<&str> = p["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        !actions.iter().any(|a| a.contains("Put") || a.contains("Delete") || a.ends_with('*')),
        "read-only: {actions:?}"
    );
}

#[test]
fn large_policies_split_and_too_large_ones_fail() {
    let table = |i: usize| {
        format!(
            "-- @access oss role=mc-many\nCREATE EXTERNAL TABLE t{i} (a STRING) STORED BY 'h' LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/bucket-{i:03}/some/long/prefix/for/table/{i}/';\n"
        )
    };
    let sql: String = format!("-- @maxcompute owner={OWNER}\n") + &(0..120).map(table).collect::<String>();
    let b = build(analyse_sql(&sql));
    let r = &b.roles[0];
    assert!(r.permissions.len() >= 2, "{} documents", r.permissions.len());
    assert!(r.permissions.iter().all(|d| d.to_compact_json().len() <= bundle::MAX_POLICY_CHARS));
    let files = b.files();
    assert!(files.contains_key("roles/5678901234567890/mc-many/permission-policy-2.json"));
    let manifest: Value = serde_json::from_str(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["roles"][0]["permission_policies"].as_array().unwrap().len(), r.permissions.len());

    let sql: String = format!("-- @maxcompute owner={OWNER}\n") + &(0..600).map(table).collect::<String>();
    let errors = bundle::build(analyse_sql(&sql)).unwrap_err();
    assert_eq!(
        (errors.len(), errors[0].diagnostic.code),
        (1, mcaccess::lint::rules::mca021_too_many_policies::META.code)
    );
    assert!(
        errors[0].diagnostic.message.contains("RAM allows 5 custom policies per role"),
        "{}",
        errors[0].diagnostic.message
    );
}

#[test]
fn unscoped_locations_stop_the_bundle() {
    let sql = format!(
        "-- @maxcompute owner={OWNER}\n-- @access oss\nCREATE EXTERNAL TABLE t (a STRING) STORED BY 'h' LOCATION 'oss://${{endpoint}}/b/';"
    );
    let errors = bundle::build(analyse_sql(&sql)).unwrap_err();
    assert!(errors[0].diagnostic.message.contains("`${endpoint}` is a variable"), "{}", errors[0].diagnostic.message);
}

#[test]
fn terraform_parses_back_with_the_same_policies() {
    let b = build(analyse_dir(&fixture("bundle/all_sources")));
    let files = b.files();
    let body: hcl::Body = hcl::from_str(&files["terraform/main.tf"]).unwrap();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for block in body.blocks().filter(|b| b.identifier() == "resource") {
        let kind = match &block.labels()[0] {
            hcl::BlockLabel::String(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        *by_type.entry(kind.clone()).or_default() += 1;
        if kind == "alicloud_ram_policy" {
            let attr = block.body().attributes().find(|a| a.key() == "policy_document").unwrap();
            let hcl::Expression::FuncCall(call) = attr.expr() else { panic!("not jsonencode") };
            assert_eq!(call.name.to_string(), "jsonencode");
            use hcl::eval::Evaluate;
            let value = call.args[0].evaluate(&hcl::eval::Context::new()).unwrap();
            let doc: Value = serde_json::to_value(&value).unwrap();
            assert!(
                b.roles.iter().flat_map(|r| &r.permissions).any(|p| serde_json::to_value(p).unwrap() == doc),
                "{doc}"
            );
        }
    }
    let regular = b.roles.iter().filter(|r| r.role.kind == mcaccess::resolve::RoleKind::Regular).count();
    let policies: usize = b.roles.iter().map(|r| r.permissions.len()).sum();
    assert_eq!(by_type.get("alicloud_ram_role"), Some(&regular));
    assert_eq!(by_type.get("alicloud_ram_policy"), Some(&policies));
    assert_eq!(by_type.get("alicloud_ram_role_policy_attachment"), Some(&policies));
    assert_eq!(by_type.get("alicloud_resource_manager_service_linked_role"), Some(&2));
}

/// Runs a bundle's `aliyun-cli.sh` against the stateful stub `aliyun`
/// (tests/fixtures/bundle/aliyun-stub.sh) keeping RAM's state in `state`.
#[cfg(unix)]
fn run_script(script: &str, state: &Path, profiles: bool) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let bin = state.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(fixture("bundle/aliyun-stub.sh"), bin.join("aliyun")).unwrap();
    std::fs::set_permissions(bin.join("aliyun"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(state.join("aliyun-cli.sh"), script).unwrap();
    let mut c = std::process::Command::new("bash");
    c.arg(state.join("aliyun-cli.sh"))
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
        .env("ALIYUN_STATE", state);
    if profiles {
        c.env("PROFILE_5678901234567890", "mc")
            .env("PROFILE_1234567890123456", "ots")
            .env("PROFILE_2222222222222222", "lake")
            .env("LAKEHOUSE_SERVICE_NAME", "svc");
    }
    c.output().unwrap()
}

#[test]
#[cfg(unix)]
fn the_cli_script_is_valid_bash_and_quotes_its_json() {
    let b = build(analyse_dir(&fixture("bundle/all_sources")));
    let script = &b.files()["aliyun-cli.sh"];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("check.sh"), script).unwrap();
    let o = std::process::Command::new("bash").arg("-n").arg(dir.path().join("check.sh")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(script.contains("set -euo pipefail"));
    let o = run_script(script, dir.path(), true);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Every document reaches aliyun intact: each JSON argument parses, and
    // they are the bundle's documents.
    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    let docs: Vec<Value> =
        args.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    let expected: usize = b.roles.iter().map(|r| r.permissions.len() + usize::from(r.trust.is_some())).sum();
    assert_eq!(docs.len(), expected);
    let state = tempfile::tempdir().unwrap();
    let o = run_script(script, state.path(), false);
    assert!(!o.status.success(), "a missing profile stops the script");
    assert!(String::from_utf8_lossy(&o.stderr).contains("set PROFILE_"));
}

#[test]
#[cfg(unix)]
fn the_cli_script_converges_when_run_again() {
    let b = build(analyse_dir(&fixture("bundle/all_sources")));
    let script = &b.files()["aliyun-cli.sh"];
    let state = tempfile::tempdir().unwrap();
    let first = run_script(script, state.path(), true);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let out = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(out.contains("role mc-lake-writer: created") && !out.contains("updated"), "{out}");
    // Run again and again, as after every change to the SQL: nothing fails,
    // nothing is created twice, policies never pass RAM's five versions.
    for run in 2..=7 {
        let o = run_script(script, state.path(), true);
        assert!(o.status.success(), "run {run}: {}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(!out.contains("created") && !out.contains("attached"), "run {run}: {out}");
        assert!(out.contains("role mc-lake-writer: trust policy updated"), "{out}");
    }
    let policy = state.path().join("lake/policies/mc-lake-writer-policy");
    let mut versions: Vec<String> = std::fs::read_dir(&policy)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('v'))
        .collect();
    versions.sort();
    assert_eq!(versions, vec!["v3", "v4", "v5", "v6", "v7"], "the oldest non-default versions went first");
    assert_eq!(std::fs::read_to_string(policy.join("default")).unwrap().trim(), "7");
    let attached = std::fs::read_to_string(state.path().join("lake/roles/mc-lake-writer/attached")).unwrap();
    assert_eq!(attached, "mc-lake-writer-policy\n", "attached once");
    // The newest version is the bundle's document; the trust policy too.
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(policy.join("v7")).unwrap()).unwrap();
    let want: Value =
        serde_json::from_str(&b.files()["roles/2222222222222222/mc-lake-writer/permission-policy.json"]).unwrap();
    assert_eq!(doc, want);
    assert!(state.path().join("mc/roles/aliyunserviceroleformaxcomputeidentitymgmt").is_dir());
}

#[test]
fn two_runs_write_identical_bytes() {
    // Two processes (so no in-process state, hash seed or thread schedule is
    // shared), each writing a bundle; every file is compared byte for byte.
    let out = tempfile::tempdir().unwrap();
    let run = |dir: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_mcaccess"))
            .current_dir(fixture("bundle/all_sources"))
            .args(["bundle", "--out"])
            .arg(out.path().join(dir))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        common::files_under(&out.path().join(dir))
    };
    let (a, b) = (run("a"), run("b"));
    assert!(a.len() >= 10, "{} files", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs between runs", path.display());
    }
}

//! The `mcaccess` binary as a user runs it: exit codes, --check, --diff,
//! stdin, in-place writes, errors that leave files untouched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const OWNER_HEADER: &str = "-- @maxcompute owner=5678901234567890\n";
const NEEDS_FIX: &str = "-- @access oss\nCREATE EXTERNAL TABLE t (a STRING)\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\nLOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/p/';\n";
const FIXED_CLAUSE: &str =
    "WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole')";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcaccess"));
    // The tests expect human output unless they ask; CI may set GITHUB_ACTIONS.
    c.env("NO_COLOR", "1").env_remove("GITHUB_ACTIONS");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn needs_fix() -> String {
    format!("{OWNER_HEADER}{NEEDS_FIX}")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn mtime(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

#[test]
fn fix_rewrites_in_place_and_is_idempotent() {
    let d = repo(&[("sql/a.sql", &needs_fix())]);
    let o = run_in(d.path(), &["fix"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read(d.path(), "sql/a.sql").contains(FIXED_CLAUSE));
    assert!(stderr(&o).contains("1 file fixed"), "{}", stderr(&o));
    let before = mtime(&d.path().join("sql/a.sql"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = run_in(d.path(), &["fix", "sql"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("0 files fixed, 1 unchanged"), "{}", stderr(&o));
    assert_eq!(mtime(&d.path().join("sql/a.sql")), before, "an unchanged file is not rewritten");
}

#[test]
fn check_lists_files_writes_nothing_and_exits_1() {
    let d = repo(&[("a.sql", &needs_fix()), ("b.sql", "SELECT 1;\n")]);
    let o = run_in(d.path(), &["fix", "--check", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "would fix: a.sql\n");
    assert_eq!(read(d.path(), "a.sql"), needs_fix());
    let o = run_in(d.path(), &["fix", "--check", "b.sql"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn diff_prints_a_unified_diff_and_exits_1() {
    let d = repo(&[("a.sql", &needs_fix())]);
    let o = run_in(d.path(), &["fix", "--diff", "a.sql"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("--- a/a.sql\n+++ b/a.sql\n@@"), "{out}");
    assert!(out.contains(&format!("+{FIXED_CLAUSE}\n")), "{out}");
    assert_eq!(read(d.path(), "a.sql"), needs_fix(), "--diff writes nothing");
}

#[test]
fn stdin_to_stdout() {
    let mut child =
        bin().args(["fix", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(needs_fix().as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let expected = needs_fix().replace(
        "STORED BY 'com.aliyun.odps.CsvStorageHandler'\n",
        &format!("STORED BY 'com.aliyun.odps.CsvStorageHandler'\n{FIXED_CLAUSE}\n"),
    );
    assert_eq!(stdout(&o), expected);
}

#[test]
fn stdin_with_errors_prints_nothing_and_exits_2() {
    let mut child =
        bin().args(["fix", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(NEEDS_FIX.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("no MaxCompute owner account is known"), "{}", stderr(&o));
}

#[test]
fn a_file_with_errors_is_untouched_while_others_are_fixed() {
    let bad = format!("{OWNER_HEADER}-- @access tablestor\nCREATE EXTERNAL TABLE t (a STRING) STORED BY 'h';\n");
    let d = repo(&[("a_bad.sql", &bad), ("b_good.sql", &needs_fix())]);
    let o = run_in(d.path(), &["fix", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(read(d.path(), "a_bad.sql"), bad);
    assert!(read(d.path(), "b_good.sql").contains(FIXED_CLAUSE));
    let err = stderr(&o);
    assert!(err.contains("a_bad.sql:2:12") && err.contains("did you mean `tablestore`?"), "{err}");
    assert!(err.contains("1 file fixed, 0 unchanged, 1 with errors (left untouched)"), "{err}");
}

#[test]
fn config_is_found_by_walking_up_or_given() {
    let toml = "[maxcompute]\nowner = \"5678901234567890\"\n[roles]\ndefault = \"mc-external\"\n";
    let d = repo(&[("mcaccess.toml", toml), ("sql/deep/a.sql", NEEDS_FIX)]);
    let o = run_in(&d.path().join("sql/deep"), &["fix", "a.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read(d.path(), "sql/deep/a.sql").contains("role/mc-external'"));

    let other = repo(&[("cfg.toml", "[maxcompute]\nowner = \"1111111111111111\"\n"), ("a.sql", NEEDS_FIX)]);
    let o = run_in(other.path(), &["fix", "--config", "cfg.toml", "a.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read(other.path(), "a.sql").contains("acs:ram::1111111111111111:role/aliyunodpsdefaultrole"));
}

#[test]
fn bad_config_points_at_its_line() {
    let d = repo(&[("mcaccess.toml", "[maxcompute]\nowner = \"5678\"\nonwer = \"1\"\n"), ("a.sql", NEEDS_FIX)]);
    let o = run_in(d.path(), &["fix", "a.sql"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("mcaccess.toml:3:1") && err.contains("did you mean `owner`?"), "{err}");
    assert_eq!(read(d.path(), "a.sql"), NEEDS_FIX);
}

#[test]
fn non_utf8_is_an_error_and_the_file_is_kept() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = needs_fix().into_bytes();
    bytes.extend_from_slice(b"-- caf\xe9\n");
    std::fs::write(d.path().join("latin1.sql"), &bytes).unwrap();
    let o = run_in(d.path(), &["fix", "latin1.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the file is not UTF-8 (byte 0xE9)"), "{}", stderr(&o));
    assert!(stderr(&o).contains("latin1.sql:6:7"), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.path().join("latin1.sql")).unwrap(), bytes);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_and_symlinks_followed() {
    use std::os::unix::fs::PermissionsExt;
    let d = repo(&[("real/a.sql", &needs_fix())]);
    let real = d.path().join("real/a.sql");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(&real, d.path().join("link.sql")).unwrap();
    let o = run_in(d.path(), &["fix", "link.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(d.path().join("link.sql")).unwrap().file_type().is_symlink(),
        "the link stays a link"
    );
    assert!(read(d.path(), "real/a.sql").contains(FIXED_CLAUSE));
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
}

#[cfg(unix)]
#[test]
fn read_only_file_is_an_error_and_untouched() {
    let d = repo(&[("a.sql", &needs_fix())]);
    let p = d.path().join("a.sql");
    let mut perm = std::fs::metadata(&p).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&p, perm).unwrap();
    let o = run_in(d.path(), &["fix", "a.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(read(d.path(), "a.sql"), needs_fix());
}

#[test]
fn a_directory_given_twice_is_processed_once_and_gitignore_is_honoured() {
    let d = repo(&[
        ("sql/a.sql", &needs_fix()),
        ("sql/skip/b.sql", &needs_fix()),
        (".gitignore", "skip/\n"),
        ("sql/notes.txt", "x"),
    ]);
    std::fs::rename(d.path().join(".gitignore"), d.path().join("sql/.gitignore")).unwrap();
    let o = run_in(d.path(), &["fix", "--check", "sql", "sql", "sql/a.sql"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "would fix: sql/a.sql\n");
}

/// The user's global git excludes, wherever git keeps them (the default
/// file, or one a git config names), are honoured as git honours them; with
/// none, nothing is skipped.
#[test]
fn global_git_excludes_are_honoured() {
    let d = repo(&[("sql/a.sql", &needs_fix()), ("sql/skip/b.sql", &needs_fix())]);
    let home = tempfile::tempdir().unwrap();
    let fix_check = |home: &Path| {
        let mut c = bin();
        c.current_dir(d.path()).args(["fix", "--check", "sql"]).env("HOME", home);
        c.env_remove("XDG_CONFIG_HOME").env_remove("GIT_CONFIG_GLOBAL").env("GIT_CONFIG_SYSTEM", home.join("none"));
        stdout(&c.output().unwrap())
    };
    let both = "would fix: sql/a.sql\nwould fix: sql/skip/b.sql\n";
    assert_eq!(fix_check(home.path()), both, "no global excludes");
    let ignore = home.path().join(".config/git/ignore");
    std::fs::create_dir_all(ignore.parent().unwrap()).unwrap();
    std::fs::write(&ignore, "skip/\n").unwrap();
    assert_eq!(fix_check(home.path()), "would fix: sql/a.sql\n", "the default file");
    std::fs::remove_file(&ignore).unwrap();
    std::fs::write(home.path().join("mine"), "skip/\n").unwrap();
    std::fs::write(home.path().join(".gitconfig"), "[core]\n\tExcludesFile = ~/mine\n").unwrap();
    assert_eq!(fix_check(home.path()), "would fix: sql/a.sql\n", "a file named in ~/.gitconfig");
    std::fs::rename(home.path().join(".gitconfig"), home.path().join("none")).unwrap();
    assert_eq!(fix_check(home.path()), "would fix: sql/a.sql\n", "a file named in the system's git config");
}

#[test]
fn missing_path_is_an_error() {
    let d = repo(&[]);
    let o = run_in(d.path(), &["fix", "nope.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.sql"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    let o = bin().args(["fix", "--check", "--diff"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin().args(["frobnicate"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn plan_json_has_the_resolved_role_trust_and_permissions() {
    let text = format!(
        "{OWNER_HEADER}-- @access tablestore cross-account uid=1234567890123456\nCREATE EXTERNAL TABLE ots_t (a BIGINT)\nSTORED BY 'com.aliyun.odps.TableStoreStorageHandler'\nWITH SERDEPROPERTIES ('tablestore.table.name'='vehicle_track')\nLOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com';\n"
    );
    let d = repo(&[("a.sql", &text)]);
    let o = run_in(d.path(), &["plan", "--format", "json", "a.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e = &v[0];
    assert_eq!(e["line"], 3);
    assert_eq!(e["table"], "ots_t");
    assert_eq!(e["mode"], "cross-account");
    assert_eq!(e["role"]["arn"], "acs:ram::1234567890123456:role/aliyunodpsroleforotheruser");
    assert_eq!(e["trust_policy"]["Statement"][0]["Principal"]["Service"][0], "5678901234567890@odps.aliyuncs.com");
    assert_eq!(
        e["permissions"][1]["Resource"][0],
        "acs:ots:cn-hangzhou:1234567890123456:instance/cap1/table/vehicle_track"
    );
    let o = run_in(d.path(), &["plan", "a.sql"]);
    assert!(
        stdout(&o).contains("role         acs:ram::1234567890123456:role/aliyunodpsroleforotheruser"),
        "{}",
        stdout(&o)
    );
}

/// The docs' Tablestore example with the comma after the mapping missing:
/// plan refuses it as bundle does, instead of planning without a LOCATION.
#[test]
fn plan_refuses_a_statement_it_cannot_read() {
    let text = format!(
        "{OWNER_HEADER}-- @access tablestore\nCREATE EXTERNAL TABLE IF NOT EXISTS ots_vehicle_track\n(\nvid bigint,\ngt bigint\n)\nSTORED BY 'com.aliyun.odps.TableStoreStorageHandler'\nWITH SERDEPROPERTIES (\n'tablestore.columns.mapping'=':vid, :gt'\n'tablestore.table.name'='vehicle_track'\n)\nLOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com';\n"
    );
    let d = repo(&[("a.sql", &text)]);
    let o = run_in(d.path(), &["plan", "a.sql"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("missing comma between properties in SERDEPROPERTIES"), "{}", stderr(&o));
    assert!(stderr(&o).contains("[a.sql:10:41]"), "{}", stderr(&o));
}

#[test]
fn plan_names_the_foreign_server_for_schemas() {
    let text = format!(
        "{OWNER_HEADER}-- @access hologres service-linked\nCREATE EXTERNAL SCHEMA es WITH holo_server ON 'db.public';\n"
    );
    let d = repo(&[("a.sql", &text)]);
    let o = run_in(d.path(), &["plan", "a.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("foreign server `holo_server`: RoleARN acs:ram::5678901234567890:role/aliyunserviceroleformaxcomputeidentitymgmt"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_shipped_example_repo_needs_fixing_and_fix_is_clean() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let d = tempfile::tempdir().unwrap();
    copy_dir(&examples, d.path());
    let o = run_in(d.path(), &["fix", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let o = run_in(d.path(), &["fix"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(d.path(), &["fix", "--check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

const CLEAN: &str = "-- @maxcompute owner=5678901234567890 region=cn-hangzhou\n-- @access oss role=mc-lake\nCREATE EXTERNAL TABLE t (a STRING)\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\nWITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/mc-lake')\nLOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/p/';\n";

fn public_endpoint() -> String {
    CLEAN.replace("oss-cn-hangzhou-internal", "oss-cn-hangzhou")
}

#[test]
fn check_exit_codes() {
    let d = repo(&[("clean.sql", CLEAN), ("warn.sql", &public_endpoint()), ("err.sql", &needs_fix())]);
    let o = run_in(d.path(), &["check", "clean.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "All checks passed (1 file).\n");
    let o = run_in(d.path(), &["check", "warn.sql"]);
    assert_eq!(o.status.code(), Some(0), "warnings alone pass: {}", stdout(&o));
    let o = run_in(d.path(), &["check", "--deny-warnings", "warn.sql"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run_in(d.path(), &["check", "err.sql"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("(1 fixable with `mcaccess fix`)"), "{}", stdout(&o));
    let o = run_in(d.path(), &["check", "missing.sql"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_suppressions_config_allow_and_no_allow() {
    let allowed =
        format!("-- @allow MCA008 reason=\"legacy bucket\"\n{}", public_endpoint().split_once('\n').unwrap().1);
    let allowed = format!("-- @maxcompute owner=5678901234567890 region=cn-hangzhou\n{allowed}");
    let d = repo(&[("a.sql", &allowed)]);
    let o = run_in(d.path(), &["check", "--deny-warnings", "a.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_in(d.path(), &["check", "--deny-warnings", "--no-allow", "a.sql"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("MCA008"), "{}", stdout(&o));

    let d = repo(&[("mcaccess.toml", "[lint]\nallow = [\"MCA008\"]\n"), ("a.sql", &public_endpoint())]);
    let o = run_in(d.path(), &["check", "--deny-warnings", "a.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let d = repo(&[("mcaccess.toml", "[lint]\nallow = [\"MCA08\"]\n"), ("a.sql", CLEAN)]);
    let o = run_in(d.path(), &["check", "a.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `MCA008`?"), "{}", stderr(&o));
}

#[test]
fn check_formats() {
    let d = repo(&[("a.sql", &public_endpoint())]);
    let o = run_in(d.path(), &["check", "--format", "json", "a.sql"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v[0];
    for key in
        ["code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "help", "fixable"]
    {
        assert!(f.get(key).is_some(), "json lacks {key}: {f}");
    }
    assert_eq!((f["code"].as_str(), f["line"].as_u64(), f["column"].as_u64()), (Some("MCA008"), Some(6), Some(17)));
    let o = run_in(d.path(), &["check", "--format", "sarif", "a.sql"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "MCA008");
    let o = run_in(d.path(), &["check", "--format", "github", "a.sql"]);
    assert!(
        stdout(&o)
            .starts_with("::warning file=a.sql,line=6,col=17,endLine=6,endColumn=45,title=MCA008 public-endpoint::"),
        "{}",
        stdout(&o)
    );
    let o = run_in(d.path(), &["check", "a.sql"]);
    let human = stdout(&o);
    assert!(human.contains("╭─[a.sql:6:17]") && human.contains("help: use the internal endpoint"), "{human}");
    assert!(!human.contains('\u{1b}'), "no colour when piped");
}

#[test]
fn check_matches_writes_across_files() {
    let ddl = CLEAN.replace("CREATE EXTERNAL TABLE t ", "CREATE EXTERNAL TABLE ads_export ");
    let d = repo(&[("ddl/a.sql", &ddl), ("jobs/b.sql", "INSERT INTO ads_export SELECT 1;\n")]);
    let o = run_in(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "MCA016");
    assert_eq!(v[0]["file"], "jobs/b.sql");
}

#[test]
fn rule_lists_and_documents() {
    let o = bin().args(["rule"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let list = stdout(&o);
    assert_eq!(list.lines().count(), 23);
    // Fixable comes from each rule's own declaration.
    let fixable: Vec<&str> = list.lines().filter(|l| l.contains(" fix ")).map(|l| &l[..6]).collect();
    assert_eq!(fixable, vec!["MCA002", "MCA003", "MCA020"]);
    let o = bin().args(["rule", "mca006"]).output().unwrap();
    assert!(stdout(&o).starts_with("MCA006 credentials-in-ddl\n\nAn AccessKey pair"), "{}", stdout(&o));
    let o = bin().args(["rule", "MCA99"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bundle_writes_checks_and_cleans_up() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let d = tempfile::tempdir().unwrap();
    copy_dir(&examples, d.path());
    let o = run_in(d.path(), &["bundle", "--out", "bundle"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "manifest.json",
        "terraform/main.tf",
        "aliyun-cli.sh",
        "SETUP.md",
        "roles/1234567890123456/aliyunodpsroleforotheruser/trust-policy.json",
    ] {
        assert!(d.path().join("bundle").join(f).is_file(), "{f}");
    }
    let o = run_in(d.path(), &["bundle", "--out", "bundle", "--check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = run_in(d.path(), &["bundle", "--out", "bundle"]);
    assert!(stderr(&o).contains("(0 files written, 0 removed)"), "{}", stderr(&o));

    // A hand edit and a role that is no longer used make the bundle stale.
    let trust = d.path().join("bundle/roles/5678901234567890/mc-external/trust-policy.json");
    std::fs::write(&trust, "{}\n").unwrap();
    let old_role = d.path().join("bundle/roles/9999999999999999/gone/permission-policy.json");
    std::fs::create_dir_all(old_role.parent().unwrap()).unwrap();
    std::fs::write(&old_role, "{}\n").unwrap();
    let o = run_in(d.path(), &["bundle", "--out", "bundle", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("differs:  roles/5678901234567890/mc-external/trust-policy.json"), "{out}");
    assert!(out.contains("obsolete: roles/9999999999999999/gone/permission-policy.json"), "{out}");
    let o = run_in(d.path(), &["bundle", "--out", "bundle"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!old_role.exists() && !d.path().join("bundle/roles/9999999999999999").exists());
    let o = run_in(d.path(), &["bundle", "--out", "bundle", "--check"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn bundle_errors_write_nothing() {
    let text = "-- @maxcompute owner=5678901234567890\n-- @access oss\nCREATE EXTERNAL TABLE t (a STRING) STORED BY 'h' LOCATION 'oss://${endpoint}/b/';\n";
    let d = repo(&[("a.sql", text)]);
    let o = run_in(d.path(), &["bundle", "--out", "out", "a.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("MCA017") && stderr(&o).contains("nothing was written"), "{}", stderr(&o));
    assert!(!d.path().join("out").exists());
}

/// A bundle of more files than the process may hold open: staged files
/// hold no descriptor until they are renamed into place.
#[cfg(unix)]
#[test]
fn a_bundle_of_more_files_than_open_descriptors_is_written() {
    let files: Vec<(String, String)> = (0..40)
        .map(|i| {
            let text = format!(
                "-- @maxcompute owner=5678901234567890\n-- @access oss role=mc-r{i}\nCREATE EXTERNAL TABLE t{i} (a STRING) STORED AS parquet LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/t{i}/';\n"
            );
            (format!("t{i:02}.sql"), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let d = repo(&refs);
    let script = format!("ulimit -n 40 && exec {} bundle --out out .", env!("CARGO_BIN_EXE_mcaccess"));
    let o = std::process::Command::new("sh").arg("-c").arg(script).current_dir(d.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("40 roles → out (84 files written, 0 removed)"), "{}", stderr(&o));
    assert!(d.path().join("out/roles/5678901234567890/mc-r39/trust-policy.json").is_file());
}

#[test]
fn completions_and_man_page() {
    let d = tempfile::tempdir().unwrap();
    // A broken config does not stop commands about mcaccess itself.
    std::fs::write(d.path().join("mcaccess.toml"), "[maxcompute\n").unwrap();
    let o = run_in(d.path(), &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let script = d.path().join("mcaccess.bash");
    std::fs::write(&script, &o.stdout).unwrap();
    let syntax = std::process::Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(syntax.status.success(), "bash -n rejects the script: {}", String::from_utf8_lossy(&syntax.stderr));
    let text = stdout(&o);
    for sub in ["fix", "check", "bundle", "plan", "rule", "completions", "man"] {
        assert!(text.contains(sub), "no {sub} in the bash completions");
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let o = run_in(d.path(), &["completions", shell]);
        assert!(o.status.success() && !o.stdout.is_empty(), "{shell}");
    }
    let o = run_in(d.path(), &["man"]);
    assert_eq!(o.status.code(), Some(0));
    let man = stdout(&o);
    assert!(man.contains(".TH mcaccess 1"), "{man}");
    assert!(man.contains("completions") && man.contains("bundle"), "{man}");
}

#[test]
fn github_actions_defaults_to_its_format_and_an_explicit_format_wins() {
    let d =
        repo(&[("a.sql", "-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e/b/';\n")]);
    let o = bin().current_dir(d.path()).env("GITHUB_ACTIONS", "true").args(["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("::error file=a.sql,line=1,"), "{}", stdout(&o));
    let o =
        bin().current_dir(d.path()).env("GITHUB_ACTIONS", "true").args(["check", "--format", "json"]).output().unwrap();
    assert!(stdout(&o).starts_with('['), "{}", stdout(&o));
    let o = bin().current_dir(d.path()).env("GITHUB_ACTIONS", "false").args(["check"]).output().unwrap();
    assert!(stdout(&o).contains("MCA022(unresolved-account)"), "{}", stdout(&o));
}

#[test]
fn gitlab_code_quality_shape() {
    let table = "CREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e/b/';\n";
    let d = repo(&[("sql/a.sql", &format!("-- @access oss\n{table}-- @access oss\n{table}"))]);
    let o = run_in(d.path(), &["check", "--format", "gitlab", "."]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 2);
    for i in issues {
        assert_eq!(i["check_name"], "MCA022");
        assert_eq!(i["severity"], "major");
        assert_eq!(i["location"]["path"], "sql/a.sql");
        assert!(i["description"].as_str().unwrap().starts_with("MCA022 unresolved-account: "));
        let fp = i["fingerprint"].as_str().unwrap();
        assert!(fp.len() == 32 && fp.bytes().all(|b| b.is_ascii_hexdigit()), "{fp}");
    }
    assert_eq!(
        (issues[0]["location"]["lines"]["begin"].as_u64(), issues[1]["location"]["lines"]["begin"].as_u64()),
        (Some(1), Some(3))
    );
    // The same message twice in a file: two fingerprints, stable when lines move.
    assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    std::fs::write(d.path().join("sql/a.sql"), format!("\n\n-- @access oss\n{table}-- @access oss\n{table}")).unwrap();
    let moved: serde_json::Value =
        serde_json::from_slice(&run_in(d.path(), &["check", "--format", "gitlab", "."]).stdout).unwrap();
    assert_eq!(moved[0]["fingerprint"], issues[0]["fingerprint"]);
    assert_eq!(moved[0]["location"]["lines"]["begin"], 3);
}

#[test]
fn the_ci_examples_run_commands_that_exist() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let d = tempfile::tempdir().unwrap();
    copy_dir(&root.join("examples"), d.path());
    let mut seen = 0;
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join("examples/ci").join(name)).unwrap();
        for line in text.lines() {
            // `run: mcaccess …` and `- mcaccess …`, without the redirection.
            let Some(at) = line.find("mcaccess ").filter(|&i| line[..i].trim_end().ends_with(['-', ':'])) else {
                continue;
            };
            let command = line[at..].split('>').next().unwrap();
            let args: Vec<&str> = command.split_whitespace().skip(1).collect();
            let o = run_in(d.path(), &args);
            assert!(
                matches!(o.status.code(), Some(0 | 1)),
                "{name}: `{command}` exits {:?}: {}",
                o.status.code(),
                stderr(&o)
            );
            seen += 1;
        }
    }
    assert!(seen >= 4, "found {seen} mcaccess commands");
    // The pre-commit hooks: their entries, with the file names pre-commit passes.
    let hooks = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<&str> = hooks.lines().filter_map(|l| l.trim().strip_prefix("entry: ")).collect();
    assert_eq!(entries, vec!["mcaccess fix", "mcaccess check"]);
    assert_eq!(hooks.matches("types: [sql]").count(), 2);
    for entry in entries {
        let mut args: Vec<&str> = entry.split_whitespace().skip(1).collect();
        args.extend(["sql/oss/events_parquet.sql", "sql/tablestore/vehicle_track.sql"]);
        let o = run_in(d.path(), &args);
        assert!(matches!(o.status.code(), Some(0 | 1)), "`{entry}` exits {:?}: {}", o.status.code(), stderr(&o));
    }
}

#[test]
fn excluded_paths_are_never_read_even_when_named() {
    let bad = "-- @access tablestor\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';\n";
    let d = repo(&[
        ("mcaccess.toml", "[files]\nexclude = [\"legacy\", \"**/draft_*.sql\"]\n"),
        ("sql/ok.sql", "SELECT 1;\n"),
        ("legacy/old.sql", bad),
        ("sql/draft_x.sql", bad),
    ]);
    let o = run_in(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("All checks passed (1 file)."), "{}", stdout(&o));
    // pre-commit names the files: excluded ones stay excluded, from any directory.
    let o = run_in(d.path(), &["check", "legacy/old.sql", "sql/draft_x.sql", "sql/ok.sql"]);
    assert!(stdout(&o).contains("All checks passed (1 file)."), "{}", stdout(&o));
    let o = run_in(&d.path().join("sql"), &["fix", "--check", "draft_x.sql", "../legacy/old.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(d.path().join("mcaccess.toml"), "[files]\nexclude = [\"legacy[\"]\n").unwrap();
    let o = run_in(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a glob"), "{}", stderr(&o));
}

#[test]
fn a_write_is_checked_against_tables_annotated_in_later_files_and_its_allow_too() {
    let ddl = CLEAN.replace("CREATE EXTERNAL TABLE t ", "CREATE EXTERNAL TABLE ads_export ");
    // The writer comes first in input order; the table's @access comes later.
    let d = repo(&[("a_jobs/b.sql", "INSERT INTO ads_export SELECT 1;\n"), ("z_ddl/a.sql", &ddl)]);
    let o = run_in(d.path(), &["check", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "MCA016", "{v}");
    assert_eq!(v[0]["file"], "a_jobs/b.sql");
    // An @allow MCA016 on that write silences it (and is used).
    std::fs::write(
        d.path().join("a_jobs/b.sql"),
        "-- @allow MCA016 reason=\"migration\"\nINSERT INTO ads_export SELECT 1;\n",
    )
    .unwrap();
    let o = run_in(d.path(), &["check", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().all(|f| f["file"] != "a_jobs/b.sql"), "{v}");
    // Once the table grants write, the same @allow silences nothing.
    std::fs::write(d.path().join("z_ddl/a.sql"), ddl.replace("-- @access oss", "-- @access oss access=read,write"))
        .unwrap();
    let o = run_in(d.path(), &["check", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "MCA018", "{v}");
}

#[test]
fn check_reads_stdin_once_even_when_its_writes_need_the_index() {
    use std::io::Write as _;
    let sql = format!("{}INSERT INTO t SELECT 1;\n", CLEAN);
    let mut child = bin()
        .args(["check", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "MCA016", "{v}");
    assert_eq!(v[0]["file"], "<stdin>");
}

//! Pathological input: deep nesting, huge files and values, empty and
//! binary files, files that vanish, bad config. No panic, a clear error that
//! names the file, and nothing on disk changes unless fully rewritten.

mod common;

use common::{assert_edit_contract, run};
use mcaccess::config::Config;
use std::path::Path;
use std::process::{Command, Output};

const OWNER: &str = "-- @maxcompute owner=5678901234567890\n";

fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcaccess"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn two_hundred_thousand_nested_parentheses() {
    let depth = 200_000;
    let balanced = format!(
        "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a STRING, b {}{}) STORED BY 'h' LOCATION 'oss://e.x/b/';",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let r = run("deep.sql", &balanced, &Config::default());
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_edit_contract(&balanced, &r.analysis.scanned, &r.plan.edits(), r.output.as_ref().unwrap());

    let unbalanced = format!("{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t {} STORED BY 'h';", "(".repeat(depth));
    let r = run("deep.sql", &unbalanced, &Config::default());
    assert!(r.errors.iter().any(|d| d.message.contains("never closed")), "{:?}", r.errors);
    let inside = format!(
        "{OWNER}-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ({}'k'='v'{});",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let r = run("deep.sql", &inside, &Config::default());
    assert!(!r.errors.is_empty());
}

#[test]
fn ten_megabytes_sixty_thousand_statements() {
    let stmt = "-- @access oss\nCREATE EXTERNAL TABLE t_{i} (id BIGINT, name STRING, amount DECIMAL(18,2), created_at STRING, note STRING COMMENT 'padding padding padding padding padding padding padding padding')\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\nLOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/t_{i}/';\n";
    let mut text = String::from(OWNER);
    let mut i = 0;
    while text.len() < 10_000_000 || i < 60_000 {
        text.push_str(&stmt.replace("{i}", &i.to_string()));
        i += 1;
    }
    let r = run("big.sql", &text, &Config::default());
    assert!(r.errors.is_empty());
    assert_eq!(r.analysis.scanned.statements.len(), i);
    assert_eq!(r.plan.edits().len(), i);
    let out = r.output.unwrap();
    assert_eq!(out.matches("'odps.properties.rolearn'").count(), i);
    assert_edit_contract(&text, &r.analysis.scanned, &r.plan.edits(), &out);
}

#[test]
fn a_hundred_kilobyte_annotation_value() {
    let long = "a".repeat(100_000);
    let text = format!("{OWNER}-- @access oss role={long}\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';");
    let r = run("long.sql", &text, &Config::default());
    assert_eq!(r.errors.len(), 1);
    assert!(r.errors[0].message.contains("not a RAM role name"));
    let text = format!(
        "{OWNER}-- @allow MCA007 reason=\"{long}\"\n-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';"
    );
    assert!(run("long.sql", &text, &Config::default()).errors.is_empty());
    // With an owner, so the error can only be about the 100,000-digit uid.
    let text =
        format!("{OWNER}-- @access oss uid={}\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';", "1".repeat(100_000));
    let errors = run("long.sql", &text, &Config::default()).errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, format!("`{}…` is not an account UID", "1".repeat(40)));
}

#[test]
fn empty_whitespace_and_comment_only_files() {
    for text in ["", "\n", "\u{feff}", "   \r\n\t", "-- only a comment", "/* unterminated", ";;;", "\0\0\0"] {
        let r = run("e.sql", text, &Config::default());
        if let Some(out) = r.output {
            assert_eq!(out, text);
        }
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("empty.sql"), "").unwrap();
    let o = bin(d.path(), &["fix", "empty.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = bin(d.path(), &["check", "empty.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn binary_garbage_is_refused_and_kept() {
    let d = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(d.path().join("blob.sql"), &garbage).unwrap();
    for cmd in [&["fix", "blob.sql"][..], &["bundle", "--out", "out", "blob.sql"], &["plan", "blob.sql"]] {
        let o = bin(d.path(), cmd);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}");
        assert!(stderr(&o).contains("blob.sql") && stderr(&o).contains("the file is not UTF-8"), "{}", stderr(&o));
    }
    // check reports it as a finding (MCA019) and exits 1, as for any error.
    let o = bin(d.path(), &["check", "--format", "json", "blob.sql"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"code\": \"MCA019\""));
    assert_eq!(std::fs::read(d.path().join("blob.sql")).unwrap(), garbage);
    assert!(!d.path().join("out").exists());
}

#[test]
fn a_file_that_disappears_is_an_error_naming_it() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("gone.sql");
    std::fs::write(&p, "SELECT 1;").unwrap();
    let (inputs, errors) = mcaccess::files::collect(&[d.path().to_path_buf()], &Default::default());
    assert!(errors.is_empty());
    std::fs::remove_file(&p).unwrap();
    let e = mcaccess::files::read(&inputs[0], Default::default()).unwrap_err();
    assert!(e.contains("gone.sql"), "{e}");
    let e = mcaccess::files::write_atomic(&p, b"x").unwrap_err();
    assert!(e.contains("gone.sql"), "{e}");
    assert!(!p.exists(), "nothing is created in its place");
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0, "no temporary file is left behind");
}

#[cfg(unix)]
#[test]
fn dangling_symlinks_and_loops_are_errors() {
    let d = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(d.path().join("nowhere.sql"), d.path().join("dangling.sql")).unwrap();
    let o = bin(d.path(), &["fix", "dangling.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("dangling.sql"), "{}", stderr(&o));
    // Two links naming each other: an error naming the file, quickly.
    std::os::unix::fs::symlink(d.path().join("b.sql"), d.path().join("a.sql")).unwrap();
    std::os::unix::fs::symlink(d.path().join("a.sql"), d.path().join("b.sql")).unwrap();
    let o = bin_within(d.path(), &["fix", "a.sql"], 20);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a.sql: Too many levels of symbolic links"), "{}", stderr(&o));
    // A directory link back up the tree: walks do not follow links, so the
    // loop is not entered and the one real file is read once.
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::write(d.path().join("sub/real.sql"), "SELECT 1;").unwrap();
    std::os::unix::fs::symlink(d.path(), d.path().join("sub/loop")).unwrap();
    let o = bin_within(d.path(), &["fix", "--check", "sub"], 20);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 files would be fixed, 1 unchanged"), "{}", stderr(&o));
}

/// Runs the binary and fails the test if it has not finished within
/// `seconds` (a hang is a failure, not a stuck suite).
#[cfg(unix)]
fn bin_within(dir: &Path, args: &[&str], seconds: u64) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcaccess"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= seconds {
            child.kill().unwrap();
            panic!("mcaccess {args:?} ran for over {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn config_errors_point_at_their_line() {
    let cases = [
        ("[maxcompute]\nowner = \"5678901234567890\"\nregion = cn-hangzhou\n", 3, "invalid"),
        ("[maxcompute]\nowner = 5678901234567890\n", 2, "string"),
        ("[maxcompute]\nowner = \"5678901234567890\"\n[accounts]\nots-prod = \"@other\"\n", 4, "not an account UID"),
        ("[maxcompute]\nowner = \"5678901234567890\"\n\n[rolez]\n", 4, "unknown field"),
        ("[roles]\ndefault = \"has_underscore\"\n", 2, "not a RAM role name"),
    ];
    for (toml, line, words) in cases {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("mcaccess.toml"), toml).unwrap();
        std::fs::write(d.path().join("a.sql"), "SELECT 1;").unwrap();
        let o = bin(d.path(), &["check", "a.sql"]);
        assert_eq!(o.status.code(), Some(2), "{toml}");
        let err = stderr(&o);
        assert!(err.contains(&format!("mcaccess.toml:{line}:")), "{toml}\n{err}");
        assert!(err.contains(words), "{toml}\n{err}");
    }
    // An alias the config does not define, used in SQL: the SQL line, with a help.
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("mcaccess.toml"),
        "[maxcompute]\nowner = \"5678901234567890\"\n[accounts]\nots-prod = \"1234567890123456\"\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("a.sql"),
        "-- @access ots cross-account uid=@ots-prd\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h';\n",
    )
    .unwrap();
    let o = bin(d.path(), &["fix", "a.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a.sql:1:34") && stderr(&o).contains("did you mean `@ots-prod`?"), "{}", stderr(&o));
}

/// Every input the fuzzers found a problem with stays a test.
#[test]
fn fuzz_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(text) = String::from_utf8(bytes) else { continue };
        let r = run("fuzz.sql", &text, &Config::default());
        if let Some(out) = &r.output {
            assert_edit_contract(&text, &r.analysis.scanned, &r.plan.edits(), out);
            let again = run("fuzz.sql", out, &Config::default());
            assert!(again.errors.is_empty(), "{:?}", again.errors);
            assert!(again.plan.edits().is_empty());
        }
        n += 1;
    }
    assert!(n > 0);
}

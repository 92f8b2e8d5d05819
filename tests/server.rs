//! `mcaccess server`, driven as an editor drives it: in process over
//! lsp-server's memory connection, and as a child process over stdio.

mod common;

use lsp_server::{Connection, Message};
use mcaccess::server::convert::{self, Encoding};
use mcaccess::source::SourceFile;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const CONFIG: &str = "[maxcompute]\nowner = \"5678901234567890\"\nregion = \"cn-hangzhou\"\n";
const MISSING: &str = "-- 订单外表\r\n-- @access oss role=mc-lake\r\nCREATE EXTERNAL TABLE orders (id BIGINT)\r\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\r\nLOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/orders/';\r\n";

/// A client's side of either transport.
trait Client {
    fn send(&mut self, m: Value);
    fn recv(&mut self) -> Value;
}

struct Memory(Connection);

impl Client for Memory {
    fn send(&mut self, m: Value) {
        let message: Message = serde_json::from_value(m).unwrap();
        self.0.sender.send(message).unwrap();
    }
    fn recv(&mut self) -> Value {
        let m = self.0.receiver.recv_timeout(Duration::from_secs(20)).expect("the server answers");
        serde_json::to_value(m).unwrap()
    }
}

struct Stdio {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Client for Stdio {
    fn send(&mut self, m: Value) {
        let body = m.to_string();
        let stdin = self.child.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }
    fn recv(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(self.out.read_line(&mut line).unwrap() > 0, "the server closed stdout");
            // Nothing but protocol on stdout: every header is one we know.
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(": ").unwrap_or_else(|| panic!("not a header: {line:?}"));
            assert!(["Content-Length", "Content-Type"].contains(&name), "{line}");
            if name == "Content-Length" {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.out.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }
}

fn request(id: i32, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

/// Messages until the response to `id` (notifications on the way are kept).
fn response(c: &mut dyn Client, id: i32, seen: &mut Vec<Value>) -> Value {
    loop {
        let m = c.recv();
        if m["id"] == id {
            return m;
        }
        seen.push(m);
    }
}

/// The diagnostics published for `uri` at `version`.
fn diagnostics(c: &mut dyn Client, uri: &str, version: i32, seen: &mut Vec<Value>) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = seen.iter().rev().find(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        if let Some(m) = found {
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        assert!(Instant::now() < deadline, "no diagnostics for {uri} v{version}");
        let m = c.recv();
        seen.push(m);
    }
}

fn apply(text: &str, edits: &[Value]) -> String {
    let file = SourceFile::new("t.sql", text.to_string());
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let pos = |p: &Value| lsp_types::Position {
                line: p["line"].as_u64().unwrap() as u32,
                character: p["character"].as_u64().unwrap() as u32,
            };
            let range = &e["range"];
            let start = convert::offset(&file, pos(&range["start"]), Encoding::Utf16);
            let end = convert::offset(&file, pos(&range["end"]), Encoding::Utf16);
            (start, end, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort();
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, &new);
    }
    out
}

fn workspace() -> (tempfile::TempDir, String, String) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("mcaccess.toml"), CONFIG).unwrap();
    std::fs::create_dir(d.path().join("ddl")).unwrap();
    std::fs::write(d.path().join("ddl/orders.sql"), MISSING).unwrap();
    let root = convert::uri(&d.path().canonicalize().unwrap()).unwrap().as_str().to_string();
    let file = convert::uri(&d.path().canonicalize().unwrap().join("ddl/orders.sql")).unwrap().as_str().to_string();
    (d, root, file)
}

/// The editor's session of the issue: open a file with a missing rolearn,
/// see the diagnostic, take its fix, see it cleared, hover, shut down.
fn session(c: &mut dyn Client, dir: &Path, root: &str, file: &str) {
    let mut seen = Vec::new();
    c.send(request(
        1,
        "initialize",
        json!({ "capabilities": {}, "workspaceFolders": [{ "uri": root, "name": "repo" }] }),
    ));
    let init = response(c, 1, &mut seen);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    c.send(notification("initialized", json!({})));
    c.send(notification(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file, "languageId": "sql", "version": 1, "text": MISSING } }),
    ));
    let shown = diagnostics(c, file, 1, &mut seen);
    let missing = shown.iter().find(|d| d["code"] == "MCA002").unwrap_or_else(|| panic!("{shown:?}"));
    assert_eq!(missing["range"]["start"], json!({ "line": 3, "character": 10 }));
    assert!(missing["codeDescription"]["href"].as_str().unwrap().ends_with("/MCA002.md"));
    // The rule's fix is preferred and makes exactly what `mcaccess fix` writes.
    c.send(request(
        2,
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": file }, "range": missing["range"], "context": { "diagnostics": [missing] } }),
    ));
    let actions = response(c, 2, &mut seen)["result"].as_array().unwrap().clone();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(
        titles.contains(&"Allow MCA002 for this statement") && titles.contains(&"Allow MCA002 for this file"),
        "{titles:?}"
    );
    let fix = actions.iter().find(|a| a["isPreferred"] == true).expect("a preferred fix");
    let fixed = apply(MISSING, fix["edit"]["changes"][file].as_array().unwrap());
    let o = common::mcaccess(dir, &["fix", "ddl/orders.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::text(&o.stderr));
    assert_eq!(fixed.as_bytes(), std::fs::read(dir.join("ddl/orders.sql")).unwrap());
    c.send(notification(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": file, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    ));
    let shown = diagnostics(c, file, 2, &mut seen);
    assert!(shown.iter().all(|d| d["code"] != "MCA002"), "{shown:?}");
    // Hover on the @access line: the role it resolves to.
    c.send(request(
        3,
        "textDocument/hover",
        json!({ "textDocument": { "uri": file }, "position": { "line": 1, "character": 5 } }),
    ));
    let hover = response(c, 3, &mut seen);
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("acs:ram::5678901234567890:role/mc-lake"), "{text}");
    c.send(request(4, "shutdown", Value::Null));
    assert!(response(c, 4, &mut seen)["error"].is_null());
    c.send(notification("exit", Value::Null));
}

#[test]
fn in_process_over_memory() {
    let (d, root, file) = workspace();
    let (server, client) = Connection::memory();
    std::thread::scope(|s| {
        let cache = tempfile::tempdir().unwrap();
        let served = s.spawn(move || mcaccess::server::serve(&server, Some(cache.path())));
        let mut c = Memory(client);
        session(&mut c, d.path(), &root, &file);
        drop(c);
        assert_eq!(served.join().unwrap(), Ok(()));
    });
}

#[test]
fn child_process_over_stdio() {
    let (d, root, file) = workspace();
    let cache = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mcaccess"))
        .arg("server")
        .env("XDG_CACHE_HOME", cache.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut c = Stdio { child, out };
    session(&mut c, d.path(), &root, &file);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(cache.path().join("mcaccess").is_dir(), "the rule documentation is linked from the cache");
}

#[test]
fn utf8_positions_allow_actions_fix_all_rule_hover_and_a_broken_config() {
    let (d, root, file) = workspace();
    std::fs::write(d.path().join("mcaccess.toml"), "[maxcompute]\nowner = \"12ab\"\n").unwrap();
    let (server, client) = Connection::memory();
    std::thread::scope(|s| {
        let served = s.spawn(move || mcaccess::server::serve(&server, None));
        // Owned here: a failed assertion drops it, and the server ends.
        let mut c = Memory(client);
        let mut seen = Vec::new();
        let caps = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
        c.send(request(1, "initialize", json!({ "capabilities": caps, "rootUri": root })));
        assert_eq!(response(&mut c, 1, &mut seen)["result"]["capabilities"]["positionEncoding"], "utf-8");
        c.send(notification("initialized", json!({})));
        // The config error is a diagnostic on mcaccess.toml, at its line.
        let config = format!("{root}/mcaccess.toml");
        let deadline = Instant::now() + Duration::from_secs(20);
        let shown = loop {
            if let Some(m) = seen.iter().find(|m| m["params"]["uri"] == config.as_str()) {
                break m["params"]["diagnostics"].clone();
            }
            assert!(Instant::now() < deadline);
            seen.push(c.recv());
        };
        assert_eq!(shown[0]["range"]["start"]["line"], 1, "{shown}");
        std::fs::write(d.path().join("mcaccess.toml"), CONFIG).unwrap();
        c.send(notification("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": config, "type": 2 }] })));
        let text = format!("-- @allow MCA007\n{}", MISSING.replace("\r\n", "\n").replace(" role=mc-lake", ""));
        c.send(notification(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": file, "languageId": "sql", "version": 1, "text": text } }),
        ));
        let shown = diagnostics(&mut c, &file, 1, &mut seen);
        let missing = shown.iter().find(|d| d["code"] == "MCA002").unwrap();
        // UTF-8: the column counts bytes (the Chinese comment is above).
        assert_eq!(missing["range"]["start"], json!({ "line": 4, "character": 10 }));
        c.send(request(2, "textDocument/codeAction", json!({ "textDocument": { "uri": file }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } })));
        let actions = response(&mut c, 2, &mut seen)["result"].as_array().unwrap().clone();
        assert_eq!(actions.len(), 1, "{actions:?}");
        assert_eq!(actions[0]["kind"], "source.fixAll.mcaccess");
        c.send(request(
            3,
            "textDocument/hover",
            json!({ "textDocument": { "uri": file }, "position": { "line": 0, "character": 12 } }),
        ));
        let hover = response(&mut c, 3, &mut seen);
        assert!(
            hover["result"]["contents"]["value"].as_str().unwrap().starts_with("**MCA007 broad-default-role**"),
            "{hover}"
        );
        c.send(request(
            4,
            "textDocument/definition",
            json!({ "textDocument": { "uri": file }, "position": { "line": 0, "character": 0 } }),
        ));
        assert!(!response(&mut c, 4, &mut seen)["error"].is_null(), "an unknown request is an error, not a crash");
        c.send(request(5, "shutdown", Value::Null));
        response(&mut c, 5, &mut seen);
        c.send(notification("exit", Value::Null));
        drop(c);
        assert_eq!(served.join().unwrap(), Ok(()));
    });
}

/// Diagnostics for `uri` until `done` holds for them (the background index
/// may publish twice).
fn until(c: &mut dyn Client, uri: &str, seen: &mut Vec<Value>, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let last =
            seen.iter().rev().find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
        if let Some(d) = last.map(|m| m["params"]["diagnostics"].as_array().unwrap().clone()).filter(|d| done(d)) {
            return d;
        }
        assert!(Instant::now() < deadline, "never: {last:?}");
        seen.push(c.recv());
    }
}

#[test]
fn cross_file_findings_follow_the_workspace_index_and_disk_changes() {
    let (d, root, _) = workspace();
    let ddl = "-- @access oss role=mc-lake\nCREATE EXTERNAL TABLE orders (id BIGINT) STORED BY 'com.aliyun.odps.CsvStorageHandler'\nWITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/mc-lake')\nLOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/orders/';\n";
    std::fs::write(d.path().join("ddl/orders.sql"), ddl).unwrap();
    let job = format!("{root}/jobs/load.sql");
    let (server, client) = Connection::memory();
    std::thread::scope(|s| {
        let served = s.spawn(move || mcaccess::server::serve(&server, None));
        let mut c = Memory(client);
        let mut seen = Vec::new();
        let watch = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
        c.send(request(
            1,
            "initialize",
            json!({ "capabilities": watch, "workspaceFolders": [{ "uri": root, "name": "repo" }] }),
        ));
        response(&mut c, 1, &mut seen);
        c.send(notification("initialized", json!({})));
        let text = "INSERT INTO orders SELECT 1;\n";
        c.send(notification(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": job, "languageId": "sql", "version": 1, "text": text } }),
        ));
        // The table is annotated in a file that is not open: known from the index.
        until(&mut c, &job, &mut seen, |d| d.iter().any(|x| x["code"] == "MCA016"));
        assert!(seen.iter().any(|m| m["method"] == "client/registerCapability"), "it asks to watch files");
        std::fs::write(d.path().join("ddl/orders.sql"), ddl.replace("role=mc-lake", "role=mc-lake access=read,write"))
            .unwrap();
        let changed = format!("{root}/ddl/orders.sql");
        c.send(notification("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": changed, "type": 2 }] })));
        until(&mut c, &job, &mut seen, |d| d.is_empty());
        c.send(request(2, "shutdown", Value::Null));
        response(&mut c, 2, &mut seen);
        c.send(notification("exit", Value::Null));
        drop(c);
        assert_eq!(served.join().unwrap(), Ok(()));
    });
}

//! `cargo bench --manifest-path bench/Cargo.toml`
//!
//! Generates seeded repos of 200, 2,000 and 20,000 files and measures, on
//! the same files in one run:
//! - the release `mcaccess` binary: `check` (JSON, and the human report),
//!   `fix --check`, `bundle` (into a directory it keeps up to date, and into
//!   a new one each run), `plan` (wall time, median of several runs; peak
//!   RSS of the process);
//! - `cat` over every file, one process, output discarded;
//! - baselines in this process, one thread: reading the files (pre-listed
//!   paths, one `read_to_string` each: fewer system calls than `cat`), sqlparser's
//!   Hive parse-only pass and its tokenizer alone, and mcaccess's own scan +
//!   resolve (the library, one core).
//!
//! The commands, `cat` and sqlparser's parse-only pass take turns, one run
//! of each per round, each round starting one further on, so that the
//! shared machine's drift in speed falls on all of them alike (`bundle`
//! writing a new DIR runs after them).
//!
//! After the table it prints the ratios the speed targets are stated in:
//! `check` against sqlparser, `cat` and the in-process read; `fix --check`,
//! `plan` and `bundle` against `check`; 20,000 files against 2,000 in time
//! and in `check`'s peak memory.
//!
//! `MCACCESS_BENCH_SIZES=200,2000` picks the sizes; `MCACCESS_BENCH_RUNS`
//! the runs per measurement.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs the binary; returns wall time and peak RSS in KiB.
// The child is waited for by `wait4`, which also gives its peak RSS.
#[allow(clippy::zombie_processes)]
fn run(bin: &Path, dir: &Path, args: &[&str]) -> (Duration, u64) {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mcaccess runs");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child; `usage` is a valid out-pointer.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    let elapsed = start.elapsed();
    let code = libc::WEXITSTATUS(status);
    assert!(code <= 1, "{} {:?}… exited {code} in {}", bin.display(), args.first(), dir.display());
    (elapsed, usage.ru_maxrss as u64)
}

/// Runs the mcaccess commands from a small process started before the
/// bench holds anything. Linux counts a parent's resident memory at the
/// time it spawns a child into the child's peak (`ru_maxrss`): spawned by
/// the bench itself, once it holds a corpus in memory, every command would
/// report at least the bench's size as its own.
struct Spawner {
    _child: std::process::Child,
    to: std::process::ChildStdin,
    from: std::io::BufReader<std::process::ChildStdout>,
}

const SPAWNER: &str = "MCACCESS_BENCH_SPAWNER";

impl Spawner {
    fn start() -> Spawner {
        use std::process::Stdio;
        let mut child = Command::new(std::env::current_exe().expect("the bench's path"))
            .env(SPAWNER, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the spawner starts");
        let to = child.stdin.take().unwrap();
        let from = std::io::BufReader::new(child.stdout.take().unwrap());
        Spawner { _child: child, to, from }
    }

    fn run(&mut self, bin: &Path, dir: &Path, args: &[&str]) -> (Duration, u64) {
        use std::io::{BufRead, Write};
        let mut line = format!("{}\t{}", bin.display(), dir.display());
        args.iter().for_each(|a| line.push_str(&format!("\t{a}")));
        writeln!(self.to, "{line}").unwrap();
        let mut answer = String::new();
        self.from.read_line(&mut answer).unwrap();
        let (nanos, rss) = answer.trim().split_once(' ').expect("the spawner answers");
        (Duration::from_nanos(nanos.parse().unwrap()), rss.parse().unwrap())
    }

    /// The spawner's side: one command a line, tab-separated (binary,
    /// directory, arguments); answers its time in nanoseconds and its
    /// peak RSS in KiB.
    fn serve() {
        use std::io::BufRead;
        for line in std::io::stdin().lock().lines() {
            let line = line.unwrap();
            let mut fields = line.split('\t');
            let (bin, dir) = (fields.next().unwrap(), fields.next().unwrap());
            let args: Vec<&str> = fields.collect();
            let (t, rss) = run(Path::new(bin), Path::new(dir), &args);
            println!("{} {rss}", t.as_nanos());
        }
    }
}

/// A program on `PATH`.
fn which(name: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is on PATH"))
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("sql")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    (median(times), last.unwrap())
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

struct Row {
    files: usize,
    bytes: u64,
    what: String,
    time: Duration,
    rss_kib: Option<u64>,
}

fn main() {
    if std::env::var_os(SPAWNER).is_some() {
        return Spawner::serve();
    }
    let mut spawner = Spawner::start();
    let bin = build_mcaccess();
    let sizes: Vec<usize> = std::env::var("MCACCESS_BENCH_SIZES")
        .unwrap_or_else(|_| "200,2000,20000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("sizes are numbers"))
        .collect();
    let runs: usize = std::env::var("MCACCESS_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let work = std::env::temp_dir().join("mcaccess-bench");
    let _ = std::fs::remove_dir_all(&work);
    let mut rows = Vec::new();
    for &n in &sizes {
        let corpus = Corpus::write(&work, n, if n >= 20_000 { runs.min(3) } else { runs });
        let (read, texts) = read_files(&corpus);
        rows.extend(commands(&mut spawner, &bin, &corpus, &work, &texts));
        rows.push(read);
        rows.extend(baselines(&corpus, &texts));
    }
    rows.extend(one_large_file(runs));
    rows.extend(hard_files(&mut spawner, &bin, &work, runs));
    let (lines, bytes, t) = server_change(runs.max(9));
    let what = format!("mcaccess server: a change to a {lines}-line file → its diagnostics");
    rows.push(Row { files: 1, bytes, what, time: t, rss_kib: None });
    print_table(&rows);
    println!();
    print_ratios(&rows, &sizes);
    let _ = std::fs::remove_dir_all(&work);
}

/// Builds the release binary the commands are measured with.
fn build_mcaccess() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .current_dir(&root) // so that the crate's .cargo/config.toml applies
        .status()
        .expect("cargo builds mcaccess");
    assert!(status.success());
    root.join("target/release/mcaccess")
}

/// A generated repository and how many runs each measurement takes on it.
struct Corpus {
    files: usize,
    bytes: u64,
    dir: PathBuf,
    paths: Vec<PathBuf>,
    runs: usize,
}

impl Corpus {
    fn write(work: &Path, files: usize, runs: usize) -> Corpus {
        let dir = work.join(format!("repo-{files}"));
        let bytes = mcaccess_bench::write_repo(&dir, files, 42).unwrap();
        // Written to disk before it is read: while its pages were still
        // waiting to be written, `check` on 2,000 files took 27 ms, not 25.
        // SAFETY: `sync` takes no arguments and cannot fail.
        unsafe { libc::sync() };
        let paths = files_of(&dir);
        Corpus { files, bytes, dir, paths, runs }
    }

    fn row(&self, what: impl Into<String>, time: Duration, rss_kib: Option<u64>) -> Row {
        Row { files: self.files, bytes: self.bytes, what: what.into(), time, rss_kib }
    }
}

/// The row of `bundle` writing a new DIR.
const WRITING: &str = "mcaccess bundle, writing a new DIR";

/// A spawned command: its row's name, the program, its arguments for run
/// `i`, and whether its peak memory is reported.
type Spawned<'a> = (&'static str, PathBuf, Box<dyn Fn(usize) -> Vec<String> + 'a>, bool);

/// The mcaccess commands as a user runs them, and `cat`, each spawned.
/// They are run in turn, round after round (not each command's runs in a
/// row): the machine is shared and its speed drifts over seconds, and the
/// targets compare these rows with each other. `bundle` writing a new DIR
/// runs after them.
fn commands(spawner: &mut Spawner, bin: &Path, c: &Corpus, work: &Path, texts: &[String]) -> Vec<Row> {
    let fixed = |args: &'static [&'static str]| -> Box<dyn Fn(usize) -> Vec<String>> {
        Box::new(move |_| args.iter().map(|a| a.to_string()).collect())
    };
    let out = work.join(format!("bundle-{}", c.files)).to_string_lossy().to_string();
    // The DIR is written once before the rounds, so that every measured run
    // finds it up to date (until 2026-12-07 the first measured run wrote
    // every file, and its memory was the row's peak).
    spawner.run(bin, &c.dir, &["bundle", "--out", &out]);
    // Into a new DIR each run: every file is written.
    let fresh = move |i| {
        let dir = work.join(format!("bundle-{}-fresh-{i}", c.files));
        vec!["bundle".into(), "--out".into(), dir.to_string_lossy().to_string()]
    };
    // `cat` itself, one process over every file, output discarded.
    let relative: Vec<String> =
        c.paths.iter().map(|p| p.strip_prefix(&c.dir).unwrap().to_string_lossy().to_string()).collect();
    let bin = bin.to_path_buf();
    let spawned: Vec<Spawned> = vec![
        ("mcaccess check", bin.clone(), fixed(&["check", "--format", "json"]), true),
        // What a user sees by default: the human report (plain, not to a terminal).
        ("mcaccess check, human report", bin.clone(), fixed(&["check"]), true),
        ("mcaccess fix --check", bin.clone(), fixed(&["fix", "--check"]), true),
        // Into one DIR, up to date (written before the rounds).
        ("mcaccess bundle", bin.clone(), Box::new(move |_| vec!["bundle".into(), "--out".into(), out.clone()]), true),
        ("mcaccess plan", bin.clone(), fixed(&["plan", "--format", "json"]), true),
        (WRITING, bin, Box::new(fresh), true),
        ("cat, the command", which("cat"), Box::new(move |_| relative.clone()), false),
    ];
    let mut measured = vec![(Vec::new(), 0); spawned.len()];
    let mut run = |i: usize, (_, program, args, _): &Spawned, (times, peak): &mut (Vec<Duration>, u64)| {
        let args = args(i);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (t, r) = spawner.run(program, &c.dir, &args);
        times.push(t);
        *peak = (*peak).max(r);
    };
    // Writing a new DIR goes last, on its own: the system writes its
    // files back to disk over the next seconds, which slowed the commands
    // that followed it.
    let writes = spawned.iter().position(|s| s.0 == WRITING).expect("measured");
    // sqlparser's pass takes its turn too (the speed target is the ratio of
    // `check` to it), as turn `parser`. The order turns each round: a run
    // right after sqlparser's 0.3 s on one core was 5 % slower than after a
    // pause, so no command may always come after the same one.
    let turns: Vec<usize> = (0..=spawned.len()).filter(|&k| k != writes).collect();
    let parser = spawned.len();
    let (mut parse, mut rejected) = (Vec::new(), 0);
    for i in 0..c.runs {
        for k in turns.iter().cycle().skip(i % turns.len()).take(turns.len()).copied() {
            if k == parser {
                let (t, r) = time(1, || sqlparser_rejects(texts));
                parse.push(t);
                rejected = r;
            } else {
                run(i, &spawned[k], &mut measured[k]);
            }
        }
    }
    (0..c.runs).for_each(|i| run(i, &spawned[writes], &mut measured[writes]));
    let rows = spawned.iter().zip(measured);
    let mut rows: Vec<Row> =
        rows.map(|((what, _, _, rss), (times, peak))| c.row(*what, median(times), rss.then_some(peak))).collect();
    let n = c.files;
    rows.push(c.row(
        format!("sqlparser Hive parse-only, 1 thread ({rejected} of {n} files rejected)"),
        median(parse),
        None,
    ));
    rows
}

/// sqlparser's Hive parse-only pass over the texts: how many it rejects.
fn sqlparser_rejects(texts: &[String]) -> usize {
    let dialect = sqlparser::dialect::HiveDialect {};
    texts.iter().filter(|t| sqlparser::parser::Parser::parse_sql(&dialect, t).is_err()).count()
}

/// Reading every file in this process, one thread: its row, and the texts.
fn read_files(c: &Corpus) -> (Row, Vec<String>) {
    let (t, texts) = time(c.runs, || c.paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<Vec<_>>());
    (c.row("read the files in process, 1 thread", t, None), texts)
}

/// Baselines in this process, one thread, on texts already in memory.
fn baselines(c: &Corpus, texts: &[String]) -> Vec<Row> {
    let mut rows = Vec::new();
    let dialect = sqlparser::dialect::HiveDialect {};
    let (t, _) = time(c.runs, || {
        texts
            .iter()
            .map(|t| sqlparser::tokenizer::Tokenizer::new(&dialect, t).tokenize().map(|v| v.len()).unwrap_or(0))
            .sum::<usize>()
    });
    rows.push(c.row("sqlparser tokenizer only, 1 thread", t, None));
    let config = mcaccess::config::Config::load(&c.dir.join("mcaccess.toml")).unwrap();
    let (t, _) = time(c.runs, || {
        let analyse = |t: &String| mcaccess::analyse(mcaccess::source::SourceFile::new("f.sql", t.clone()), &config);
        texts.iter().map(|t| analyse(t).fixes().changes.len()).sum::<usize>()
    });
    rows.push(c.row("mcaccess scan+resolve+fix plan (library), 1 thread", t, None));
    rows
}

/// One large file: per-core throughput, mcaccess's and sqlparser's tokenizer.
fn one_large_file(runs: usize) -> Vec<Row> {
    let big: String = {
        let mut rng = mcaccess_bench::Rng::new(7);
        let mut s = String::new();
        let mut i = 0;
        while s.len() < 10_000_000 {
            s.push_str(&mcaccess_bench::file(&mut rng, i));
            i += 1;
        }
        s
    };
    let row = |what: &str, time| Row { files: 1, bytes: big.len() as u64, what: what.into(), time, rss_kib: None };
    let config = mcaccess::config::Config::default();
    let (t, _) = time(runs, || {
        mcaccess::analyse(mcaccess::source::SourceFile::new("big.sql", big.clone()), &config).fixes().changes.len()
    });
    let mut rows = vec![row("mcaccess scan+resolve+fix plan, one 10 MB file, 1 thread", t)];
    let dialect = sqlparser::dialect::HiveDialect {};
    let (t, _) =
        time(runs, || sqlparser::tokenizer::Tokenizer::new(&dialect, &big).tokenize().map(|v| v.len()).unwrap_or(0));
    rows.push(row("sqlparser tokenizer, one 10 MB file, 1 thread", t));
    rows
}

/// Files that once took time in the square of their size, each in a
/// repository of its own, run as a user would: what each holds, the
/// command, and the file.
fn hard_files(spawner: &mut Spawner, bin: &Path, work: &Path, runs: usize) -> Vec<Row> {
    let lines = |n: usize, each: &dyn Fn(usize) -> String| (0..n).map(each).collect::<String>();
    let oss = |i: usize| format!("CREATE EXTERNAL TABLE t{i} (a int) STORED AS PARQUET LOCATION 'oss://b/p{i}/';");
    let ots = |i: usize| {
        format!(
            "-- @access tablestore cross-account uid=@ots-tean-{i:04}\nCREATE EXTERNAL TABLE o{i} (a string) STORED BY 'com.aliyun.odps.TableStoreStorageHandler' WITH SERDEPROPERTIES ('tablestore.columns.mapping'=':a') LOCATION 'tablestore://i.cn-hangzhou.ots-internal.aliyuncs.com' TBLPROPERTIES ('tablestore.table.name'='o{i}');\n"
        )
    };
    // Each case: what it is, the command, the file, and more of mcaccess.toml.
    let cases: Vec<(&str, &[&str], String, String)> = vec![
        (
            "check: 20,000 external statements on one line",
            &["check"],
            lines(20_000, &|i| format!("{} ", oss(i))) + "\n",
            String::new(),
        ),
        (
            "fix --diff: 20,000 annotated statements, each fixed",
            &["fix", "--diff"],
            lines(20_000, &|i| format!("-- @access oss\n{}\n", oss(i))),
            String::new(),
        ),
        (
            "check: 200,000 INSERT … VALUES statements",
            &["check"],
            lines(200_000, &|i| format!("INSERT INTO t VALUES ({i}, 'n{i}');\n")),
            String::new(),
        ),
        (
            "check: one statement of 5,000 INSERT branches",
            &["check"],
            format!("FROM s {};\n", lines(5_000, &|i| format!("INSERT INTO TABLE t{i} SELECT a\n"))),
            String::new(),
        ),
        (
            "check: 20,000 statements with two @access each",
            &["check"],
            lines(20_000, &|i| format!("-- @access oss\n-- @access oss\n{}\n", oss(i))),
            String::new(),
        ),
        (
            "check: 2,000 misspelt account aliases, 2,000 in [accounts]",
            &["check"],
            lines(2_000, &ots),
            "[accounts]\n".to_string()
                + &lines(2_000, &|i| format!("ots-team-{i:04} = \"{}\"\n", 1_000_000_000_000_000 + i)),
        ),
    ];
    let mut rows = Vec::new();
    for (i, (what, args, text, config)) in cases.into_iter().enumerate() {
        let dir = work.join(format!("hard-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("mcaccess.toml"),
            "[maxcompute]\nowner = \"5678901234567890\"\nregion = \"cn-hangzhou\"\n".to_string() + &config,
        )
        .unwrap();
        std::fs::write(dir.join("hard.sql"), &text).unwrap();
        let args: Vec<&str> = args.iter().copied().chain(["hard.sql"]).collect();
        let results: Vec<(Duration, u64)> = (0..runs.min(5)).map(|_| spawner.run(bin, &dir, &args)).collect();
        let rss = results.iter().map(|r| r.1).max();
        let time = median(results.into_iter().map(|r| r.0).collect());
        rows.push(Row { files: 1, bytes: text.len() as u64, what: format!("mcaccess {what}"), time, rss_kib: rss });
    }
    rows
}

fn print_table(rows: &[Row]) {
    println!("| files | MB | what | time | MB/s | files/s | peak RSS |");
    println!("|---:|---:|---|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.1} | {} | {:.3} s | {:.0} | {:.0} | {} |",
            r.files,
            r.bytes as f64 / 1e6,
            r.what,
            r.time.as_secs_f64(),
            mbps(r.bytes, r.time),
            r.files as f64 / r.time.as_secs_f64(),
            r.rss_kib.map_or("".into(), |k| format!("{:.0} MB", k as f64 / 1024.0))
        );
    }
}

/// The ratios the speed targets are stated in.
fn print_ratios(rows: &[Row], sizes: &[usize]) {
    let row = |n: usize, what: &str| rows.iter().find(|r| r.files == n && r.what.starts_with(what));
    let find = |n: usize, what: &str| row(n, what).map(|r| r.time.as_secs_f64());
    for &n in sizes {
        let Some(check) = find(n, "mcaccess check") else { continue };
        if let (Some(sp), Some(read), Some(cat)) =
            (find(n, "sqlparser Hive"), find(n, "read the files"), find(n, "cat, the command"))
        {
            println!(
                "{n} files: check is {:.1}x faster than sqlparser's parse-only pass, {:.1}x the time of `cat`, {:.1}x the time of reading the files in process",
                sp / check,
                check / cat,
                check / read
            );
        }
        let others = [
            "mcaccess check, human report",
            "mcaccess fix --check",
            "mcaccess plan",
            "mcaccess bundle",
            "mcaccess bundle, writing a new DIR",
        ];
        let of_check: Vec<String> = others
            .iter()
            .filter_map(|what| rows.iter().find(|r| r.files == n && r.what == *what))
            .map(|r| format!("{} {:.2}x", r.what.trim_start_matches("mcaccess "), r.time.as_secs_f64() / check))
            .collect();
        println!("{n} files, the time of check: {}", of_check.join(", "));
    }
    if let (Some(a), Some(b)) = (find(2000, "mcaccess check"), find(20000, "mcaccess check")) {
        println!("check, 20,000 / 2,000 files: {:.1}x the time (linear would be 10x)", b / a);
    }
    let rss = |n: usize| row(n, "mcaccess check").and_then(|r| r.rss_kib);
    if let (Some(a), Some(b)) = (rss(2000), rss(20000)) {
        println!("check, 20,000 / 2,000 files: {:.2}x the peak memory (at most 2x)", b as f64 / a as f64);
    }
}

/// The language server in process: the time from a `didChange` of a
/// 10,000-line file to its `publishDiagnostics` (median of `runs`).
fn server_change(runs: usize) -> (usize, u64, Duration) {
    use lsp_server::{Connection, Message, Notification, Request, RequestId};
    use serde_json::json;
    let mut rng = mcaccess_bench::Rng::new(11);
    let mut text = String::from("-- @maxcompute owner=5678901234567890 region=cn-hangzhou\n");
    let mut i = 0;
    while text.lines().count() < 10_000 {
        text.push_str(&mcaccess_bench::file(&mut rng, i));
        i += 1;
    }
    let lines = text.lines().count();
    let (server, client) = Connection::memory();
    let served = std::thread::spawn(move || mcaccess::server::serve(&server, None));
    let send = |m: Message| client.sender.send(m).unwrap();
    let params = json!({ "capabilities": {}, "rootUri": null });
    send(Message::Request(Request::new(RequestId::from(1), "initialize".into(), params)));
    let _ = client.receiver.recv().unwrap();
    send(Message::Notification(Notification::new("initialized".into(), json!({}))));
    let uri = "file:///bench/big.sql";
    let doc = json!({ "uri": uri, "languageId": "sql", "version": 0, "text": text });
    send(Message::Notification(Notification::new("textDocument/didOpen".into(), json!({ "textDocument": doc }))));
    let wait = |version: i32| loop {
        if let Message::Notification(n) = client.receiver.recv().unwrap()
            && n.method == "textDocument/publishDiagnostics"
            && n.params["version"] == version
        {
            return;
        }
    };
    wait(0);
    let mut times = Vec::new();
    for v in 1..=runs as i32 {
        let changed = format!("{text}-- edit {v}\n");
        let params = json!({ "textDocument": { "uri": uri, "version": v }, "contentChanges": [{ "text": changed }] });
        let start = Instant::now();
        send(Message::Notification(Notification::new("textDocument/didChange".into(), params)));
        wait(v);
        times.push(start.elapsed());
    }
    send(Message::Request(Request::new(RequestId::from(2), "shutdown".into(), json!(null))));
    let _ = client.receiver.recv();
    send(Message::Notification(Notification::new("exit".into(), json!(null))));
    drop(client);
    let _ = served.join();
    (lines, text.len() as u64, median(times))
}

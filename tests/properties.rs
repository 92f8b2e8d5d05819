//! Property tests, seeded and run in `cargo test`:
//! - generated annotated DDL (random keyword case, `CREATE EXTERNAL TABLE`
//!   included; whitespace, comments, property order and layouts — comment
//!   after the last entry, comma-first —; CRLF/LF, BOM; CREATE EXTERNAL
//!   TABLE of every form, Tablestore, Hologres, UNLOAD, LOAD, SCHEMA; names
//!   with projects, backquotes and variables; every OSS LOCATION form;
//!   multi-insert and WITH writes; 72,000-character lines): `fix` succeeds,
//!   is idempotent, changes nothing outside its edits, leaves unannotated
//!   statements alone, keeps line endings, and leaves exactly the planned
//!   rolearn; every write is found; reports stay small;
//! - a GBK comment on any line: one MCA019, or with `encoding = "gbk"` the
//!   same fix as the UTF-8 twin, written back in GBK;
//! - token soup, arbitrary text (with line ends, NUL, BOM, quotes) and
//!   mutated files: no stage ever panics, and whatever `fix` does still
//!   keeps the edit contract.

mod common;

use common::{assert_edit_contract, run};
use mcaccess::config::Config;
use mcaccess::lint::{FileContext, Options, RepoIndex, lint_file};
use mcaccess::scan::{ROLEARN_KEY, scan};
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, RngSeed};

/// A fixed seed, so every run checks the same cases; `MCACCESS_SEED=<n>`
/// explores others (`MCACCESS_CASES=<n>` for more of them).
fn config(cases: u32) -> PropConfig {
    let seed = std::env::var("MCACCESS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x6d63_6163_6365_7373);
    let cases = std::env::var("MCACCESS_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(cases);
    PropConfig { cases, rng_seed: RngSeed::Fixed(seed), failure_persistence: None, ..PropConfig::default() }
}

/// A keyword in random letter case.
fn kw(word: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars().zip(upper).map(|(c, u)| if u { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
    })
}

/// Whitespace, possibly with comments (never an annotation).
fn ws() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\n    ".to_string()),
        Just(" /* a; 'b' */ ".to_string()),
        Just(" -- note; 'x'\n".to_string()),
        Just("\n-- comment line\n".to_string()),
    ]
}

fn entries() -> impl Strategy<Value = Vec<(String, String)>> {
    let pool = vec![
        ("odps.text.option.delimiter", ","),
        ("odps.text.option.header.lines.count", "1"),
        ("mcfed.parquet.compression", "ZSTD"),
        ("tablestore.table.name", "vehicle_track"),
        ("odps.text.option.encoding", "UTF-8"),
    ];
    prop::sample::subsequence(pool, 0..=3)
        .prop_shuffle()
        .prop_map(|v| v.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// `WITH SERDEPROPERTIES (…)`, in one of several layouts, maybe with a
/// (wrong) rolearn somewhere in it.
fn serde_clause() -> impl Strategy<Value = Option<String>> {
    (
        any::<bool>(),
        kw("with"),
        kw("serdeproperties"),
        entries(),
        prop::option::of(0usize..4),
        0usize..7,
        prop::bool::ANY,
    )
        .prop_map(|(present, with, sp, mut entries, rolearn_at, layout, double)| {
            if !present {
                return None;
            }
            if let Some(at) = rolearn_at {
                let at = at.min(entries.len());
                entries.insert(at, (ROLEARN_KEY.to_string(), "acs:ram::1111111111111111:role/Old-Role".to_string()));
            }
            let q = if double { '"' } else { '\'' };
            let items: Vec<String> = entries.iter().map(|(k, v)| format!("{q}{k}{q}={q}{v}{q}")).collect();
            let body = match layout {
                0 => items.join(", "),
                1 => format!("\n  {}\n", items.join(",\n  ")),
                2 => items.join(",\n                      "),
                // A comment after each comma, `)` on its own line or not.
                3 => format!("\n  {}\n", items.join(", -- c\n  ")),
                4 => format!("\n  {}", items.join(", -- c\n  ")),
                // A comment after the last entry.
                5 => format!("\n  {} -- last\n", items.join(",\n  ")),
                // Comma-first.
                _ => format!("\n    {}\n", items.join("\n  , ")),
            };
            Some(format!("{with} {sp} ({body})"))
        })
}

const LOCATION: &str = "'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/t/'";

/// A table name as DataWorks repositories write them: plain,
/// project-qualified, backquoted, with a scheduling variable.
fn table_name(i: usize) -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        format!("t{i}"),
        format!("data_prod.t{i}"),
        format!("`data_dev`.`T{i}`"),
        format!("tmp_t{i}_${{bizdate}}"),
        format!("data_prod.t{i}_{{TIME_STAMP}}"),
    ])
}

/// OSS LOCATIONs in every form: endpoint/bucket, bucket-style host, no
/// endpoint, repeated `/`, variables in the path.
fn oss_location() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        LOCATION,
        "'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/t/${bizdate}/'",
        "'oss://lake.oss-cn-hangzhou-internal.aliyuncs.com/t//p/'",
        "'oss://lake/t/{TIME_STAMP}/'",
        "'oss://oss-cn-hangzhou-internal.aliyuncs.com/lake/logs/day_$bizdate/'",
    ])
}

/// One statement and whether it is annotated.
fn statement(i: usize) -> BoxedStrategy<(String, bool)> {
    // Boxed: the nested strategy types otherwise need more stack than a
    // debug test thread has.
    let create = (kw("create"), kw("external"), kw("table")).prop_map(|(c, e, t)| format!("{c} {e} {t}"));
    (table_name(i), oss_location(), create)
        .prop_flat_map(move |(name, location, create)| {
            statement_named(i, name, location)
                .prop_map(move |(sql, annotated)| (sql.replacen("CREATE EXTERNAL TABLE", &create, 1), annotated))
        })
        .boxed()
}

fn statement_named(i: usize, name: String, oss: &'static str) -> BoxedStrategy<(String, bool)> {
    let handler = (kw("stored"), kw("by"), ws(), serde_clause(), kw("location"), ws()).prop_map({
        let name = name.clone();
        move |(stored, by, w, serde, location, w2)| {
            let serde = serde.map(|s| format!("{w}{s}")).unwrap_or_default();
            (format!("CREATE EXTERNAL TABLE {name} (a STRING){w}{stored} {by} 'com.aliyun.odps.CsvStorageHandler'{serde}{w2}{location} {oss}"), true)
        }
    });
    let serde_class = (kw("row"), kw("format"), kw("serde"), serde_clause(), kw("stored"), kw("as"), ws()).prop_map({
        let name = name.clone();
        move |(row, format, serde_kw, serde, stored, as_kw, w)| {
            let serde = serde.map(|s| format!("{w}{s}")).unwrap_or_default();
            (format!("CREATE EXTERNAL TABLE {name} (a STRING){w}{row} {format} {serde_kw} 'org.apache.hadoop.hive.ql.io.orc.OrcSerde'{serde}{w}{stored} {as_kw} orc LOCATION {oss}"), true)
        }
    });
    let bare = (
        kw("stored"),
        kw("as"),
        prop::sample::select(vec!["parquet", "ORC", "avro", "TextFile", "sequencefile", "rcfile"]),
        ws(),
    )
        .prop_map({
            let name = name.clone();
            move |(stored, as_kw, fmt, w)| {
                (format!("CREATE EXTERNAL TABLE {name} (a STRING){w}{stored} {as_kw} {fmt}{w}LOCATION {oss}"), true)
            }
        });
    let dual = (serde_clause(), ws(), kw("location")).prop_map({
        let name = name.clone();
        move |(serde, w, location)| {
            let serde = serde.map(|s| format!("{w}{s}")).unwrap_or_default();
            (format!("CREATE EXTERNAL TABLE {name} (a STRING){w}STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler'{serde}{w}{location} 'jdbc:postgresql://h-cn-hangzhou-internal.hologres.aliyuncs.com:80/db?table=t/'"), true)
        }
    });
    let unload = (serde_clause(), ws()).prop_map(move |(serde, w)| {
        let serde = serde.map(|s| format!("{w}{s}")).unwrap_or_default();
        (format!("UNLOAD FROM src INTO LOCATION {oss}{w}STORED BY 'com.aliyun.odps.CsvStorageHandler'{serde}"), true)
    });
    let load = (kw("load"), kw("overwrite"), serde_clause(), ws()).prop_map({
        let name = name.clone();
        move |(load, overwrite, serde, w)| {
            let serde = serde.map(|s| format!("{w}{s}")).unwrap_or_default();
            (format!("{load} {overwrite} TABLE {name} FROM LOCATION {oss}{w}STORED BY 'com.aliyun.odps.CsvStorageHandler'{serde}"), true)
        }
    });
    let tablestore = (serde_clause(), ws()).prop_map({
        let name = name.clone();
        move |(serde, w)| {
            let serde = serde.map(|s| format!("{w}{s}")).unwrap_or_default();
            (format!("CREATE EXTERNAL TABLE {name} (a STRING){w}STORED BY 'com.aliyun.odps.TableStoreStorageHandler'{serde}{w}LOCATION 'tablestore://ots1.cn-hangzhou.ots-internal.aliyuncs.com'"), true)
        }
    });
    let schema = (kw("schema"), ws()).prop_map(move |(schema, w)| {
        (format!("CREATE EXTERNAL {schema} IF NOT EXISTS s{i}{w}WITH holo_server ON 'db.public'"), true)
    });
    let plain = prop_oneof![
        Just(("SELECT 'a;b', \"c\" FROM t".to_string(), false)),
        Just(("SET odps.sql.hive.compatible=true".to_string(), false)),
        Just((
            format!(
                "CREATE EXTERNAL TABLE u{i} (a STRING) STORED BY 'h' WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::1:role/x') LOCATION {LOCATION}"
            ),
            false
        )),
        Just(("INSERT INTO t SELECT 1".to_string(), false)),
        // Writes anywhere in a statement.
        Just((
            format!(
                "FROM src INSERT OVERWRITE TABLE data_prod.t{i} PARTITION (ds='${{bizdate}}') SELECT a\nINSERT INTO tmp_t{i}_${{bizdate}} (a) SELECT a"
            ),
            false
        )),
        Just((format!("WITH w AS (SELECT 1 AS a)\nINSERT INTO TABLE `data_dev`.`T{i}` SELECT a FROM w"), false)),
    ];
    prop_oneof![
        3 => handler.boxed(),
        2 => serde_class.boxed(),
        2 => bare.boxed(),
        1 => unload.boxed(),
        1 => dual.boxed(),
        1 => load.boxed(),
        1 => tablestore.boxed(),
        1 => schema.boxed(),
        2 => plain.boxed()
    ]
    .boxed()
}

fn annotation(unload: bool) -> impl Strategy<Value = String> {
    let access = if unload { " access=write" } else { "" };
    prop_oneof![
        Just(format!("-- @access oss{access}")),
        Just(format!("--@access oss role=mc-lake{access}")),
        Just(format!("-- @access oss cross-account uid=1234567890123456{access}")),
    ]
}

/// A whole file: statements, annotations, separators, line endings, BOM.
fn file() -> impl Strategy<Value = String> {
    let stmts = prop::collection::vec(
        (0usize..1000).prop_flat_map(|i| (statement(i), annotation(false), annotation(true), ws())),
        1..6,
    );
    (stmts, any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), prop::bool::weighted(0.03)).prop_map(
        |(stmts, crlf, bom, final_nl, final_semi, long_line)| {
            let mut out = String::from("-- @maxcompute owner=5678901234567890\n");
            if long_line {
                // A generated comment line of 72,000 characters.
                out.push_str(&format!("-- {}\n", "长".repeat(24_000)));
            }
            let n = stmts.len();
            for (k, ((sql, annotated), ann, ann_unload, w)) in stmts.into_iter().enumerate() {
                if annotated {
                    out.push_str(if sql.starts_with("UNLOAD") {
                        &ann_unload
                    } else if sql.contains("JdbcStorageHandler") {
                        "-- @access hologres dual-signature"
                    } else if sql.contains("TableStoreStorageHandler") {
                        "-- @access ots cross-account uid=1234567890123456"
                    } else if sql.contains("holo_server") {
                        "-- @access hologres service-linked"
                    } else {
                        &ann
                    });
                    out.push('\n');
                    if w.contains('\n') {
                        out.push_str("-- another comment\n");
                    }
                }
                out.push_str(&sql);
                if k + 1 < n || final_semi {
                    out.push(';');
                }
                out.push_str(if k + 1 < n { "\n\n" } else { "" });
            }
            if final_nl {
                out.push('\n');
            }
            let out = if crlf { out.replace('\n', "\r\n") } else { out };
            if bom { format!("\u{feff}{out}") } else { out }
        },
    )
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn fix_on_generated_ddl(text in file()) {
        let cfg = Config::default();
        let r = run("gen.sql", &text, &cfg);
        prop_assert!(r.errors.is_empty(), "{:?}\n{text}", r.errors);
        let out = r.output.clone().unwrap();
        assert_edit_contract(&text, &r.analysis.scanned, &r.plan.edits(), &out);
        // Idempotent.
        let again = run("gen.sql", &out, &cfg);
        prop_assert!(again.errors.is_empty());
        prop_assert_eq!(again.plan.edits(), vec![], "second run edits\n{}", out);
        // Line endings, BOM and the final newline are kept.
        if text.contains("\r\n") {
            prop_assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
        } else {
            prop_assert!(!out.contains('\r'));
        }
        prop_assert_eq!(out.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
        prop_assert_eq!(out.ends_with('\n'), text.ends_with('\n'));
        // Every write is seen, with its whole name.
        for stmt in &r.analysis.scanned.statements {
            let sql = &text[stmt.span.clone()];
            let targets: Vec<&str> = stmt.writes.iter().map(|w| w.target.text.as_str()).collect();
            if sql.starts_with("FROM src") || sql.starts_with("WITH w") {
                let digits_after = |p: &str| -> String {
                    sql[sql.find(p).unwrap() + p.len()..].chars().take_while(char::is_ascii_digit).collect()
                };
                let want = if sql.starts_with("FROM") {
                    let i = digits_after("data_prod.t");
                    vec![format!("data_prod.t{i}"), format!("tmp_t{i}_${{bizdate}}")]
                } else {
                    vec![format!("data_dev.T{}", digits_after("`T"))]
                };
                prop_assert_eq!(targets, want);
            }
        }
        // Reports render whatever the line lengths, and stay small.
        let analyses = vec![r.analysis.clone()];
        let repo = RepoIndex::build(&analyses);
        let ctx = FileContext { analysis: &analyses[0], fixes: &r.plan, config: &cfg, repo: &repo, today: "2026-11-23" };
        for f in lint_file(&ctx, &Options::default()) {
            let shown = mcaccess::report::render(&f.diagnostic, &analyses[0].source, mcaccess::report::Style::plain());
            prop_assert!(shown.len() < 20_000, "{} bytes", shown.len());
        }
        // Every annotated statement now has exactly its planned rolearn.
        // (none for dual-signature, which also has its SET before it).
        for sp in &again.analysis.plans {
            let stmt = &again.analysis.scanned.statements[sp.statement];
            if !stmt.kind.takes_rolearn() {
                continue;
            }
            let found: Vec<&str> = stmt.clauses().rolearns().iter().map(|p| p.value.value.as_str()).collect();
            match &sp.plan.as_ref().unwrap().role {
                Some(role) => prop_assert_eq!(found, vec![role.arn.as_str()]),
                None => {
                    prop_assert!(found.is_empty());
                    prop_assert!(out[..stmt.span.start].contains("SET odps.sql.common.table.planner.ext.hive.bridge=true;"));
                }
            }
        }
    }
}

/// Pieces SQL and annotations are made of, for token soup.
fn soup() -> impl Strategy<Value = String> {
    let pieces = vec![
        "CREATE",
        "EXTERNAL",
        "TABLE",
        "SCHEMA",
        "t",
        "(",
        ")",
        "a",
        "STRING",
        ",",
        ";",
        "STORED",
        "BY",
        "AS",
        "ROW",
        "FORMAT",
        "SERDE",
        "WITH",
        "SERDEPROPERTIES",
        "TBLPROPERTIES",
        "LOCATION",
        "USING",
        "UNLOAD",
        "FROM",
        "INTO",
        "LOAD",
        "INSERT",
        "OVERWRITE",
        "SET",
        "'h'",
        "'oss://oss-cn-hangzhou-internal.aliyuncs.com/b/p/'",
        "'odps.properties.rolearn'",
        "=",
        "'acs:ram::1:role/x'",
        "\"dq\"",
        "'",
        "\"",
        "`",
        "/*",
        "*/",
        "--",
        "\n",
        "\r\n",
        " ",
        "\t",
        "-- @access oss\n",
        "-- @access hologres dual-signature\n",
        "-- @access ots cross-account uid=1\n",
        "-- @maxcompute owner=5678901234567890\n",
        "-- @allow MCA007 until=2020-01-01\n",
        "-- @acess\n",
        "@",
        "\\",
        "\r",
        "${x}",
        "<t>",
        "[",
        "]",
        "中文",
        "\u{feff}",
        "parquet",
        "orc",
        "'tablestore://i.cn-hangzhou.ots-internal.aliyuncs.com'",
        "'jdbc:mysql://h/db?user=u&password=p'",
        "'oss://AK:SK@e/b/'",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..80).prop_map(|v| v.concat())
}

/// Arbitrary text, with the characters `any::<String>()` almost never
/// produces and SQL files are full of: line ends, tabs, NUL, a BOM, quotes.
fn any_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => any::<char>(),
        1 => prop::sample::select(vec!['\n', '\r', '\t', '\0', '\u{feff}', '\'', '"', '`', ';', '-', '/', '*', '(', ')', '=', '$', '{', '}', '@', ':']),
    ];
    prop::collection::vec(c, 0..200).prop_map(|v| v.into_iter().collect())
}

/// Every stage on one text: must not panic; where fix edits, the contract
/// holds.
fn everything(text: &str) {
    let config = Config::default();
    let r = run("x.sql", text, &config);
    if let Some(out) = &r.output {
        assert_edit_contract(text, &r.analysis.scanned, &r.plan.edits(), out);
    }
    let analyses = vec![r.analysis];
    let repo = RepoIndex::build(&analyses);
    let fixes = analyses[0].fixes();
    let ctx = FileContext { analysis: &analyses[0], fixes: &fixes, config: &config, repo: &repo, today: "2026-11-23" };
    for f in lint_file(&ctx, &Options::default()) {
        let _ = mcaccess::report::render(&f.diagnostic, &analyses[0].source, mcaccess::report::Style::plain());
    }
    let _ = mcaccess::plan::entries(&analyses[0].source, &analyses[0].scanned, &analyses[0].plans);
    if let Ok(b) = mcaccess::bundle::build(analyses) {
        let _ = b.files();
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn no_stage_panics_on_token_soup(text in soup()) {
        everything(&text);
    }

    #[test]
    fn no_stage_panics_on_arbitrary_text(text in any_text()) {
        let _ = scan(&text);
        everything(&text);
    }

    #[test]
    fn annotation_parser_never_panics(rest in any_text(), directive in prop::sample::select(vec!["access", "maxcompute", "allow", "acess"])) {
        let comment = format!("-- @{directive} {rest}");
        let line = comment.split('\n').next().unwrap();
        let _ = mcaccess::annotation::parse(line, 0);
        let _ = mcaccess::annotation::classify(line);
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn mutated_files_keep_the_contract(text in file(), at in any::<prop::sample::Index>(), len in 0usize..8, insert in soup()) {
        let mut cut = at.index(text.len() + 1);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut end = (cut + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mutated = format!("{}{}{}", &text[..cut], insert, &text[end..]);
        everything(&mutated);
        let r = run("m.sql", &mutated, &Config::default());
        if let Some(out) = r.output {
            let again = run("m.sql", &out, &Config::default());
            prop_assert!(again.errors.is_empty(), "fix produced a file it cannot read:\n{out}");
            prop_assert_eq!(again.plan.edits(), vec![], "not idempotent:\n{}", out);
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// A GBK comment put at the start of any line: without `[files]
    /// encoding` it is one MCA019 finding at that line and `fix` refuses the
    /// file; with `encoding = "gbk"` the file is fixed exactly as its UTF-8
    /// twin and written back in GBK with the comment's bytes intact.
    #[test]
    fn non_utf8_bytes_in_comments(text in file(), line in any::<prop::sample::Index>()) {
        use mcaccess::encoding::{TextEncoding, decode};
        let text = text.trim_start_matches('\u{feff}');
        // A file is GBK or UTF-8, not both: the rest of it is ASCII.
        prop_assume!(text.is_ascii());
        let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        let at = starts[line.index(starts.len())];
        let gbk_comment = [b"-- \xd6\xd0\xce\xc4\xd7\xa2\xca\xcd".as_slice(), nl.as_bytes()].concat();
        let bytes = [&text.as_bytes()[..at], &gbk_comment, &text.as_bytes()[at..]].concat();
        let twin = format!("{}-- 中文注释{nl}{}", &text[..at], &text[at..]);

        let a = mcaccess::analyse_decoded("g.sql".into(), decode(bytes.clone(), TextEncoding::Utf8), &Config::default());
        let invalid_encoding = mcaccess::lint::rules::mca019_invalid_encoding::META.code;
        let e = a.errors().into_iter().find(|d| d.code == invalid_encoding).expect("an encoding finding");
        prop_assert_eq!(a.source.line_col(e.span.start), (text[..at].matches('\n').count() + 1, 4));
        prop_assert!(a.fixed().unwrap_err().iter().any(|d| d.code == invalid_encoding));

        let g = mcaccess::analyse_decoded("g.sql".into(), decode(bytes, TextEncoding::Gbk), &Config::default());
        prop_assert!(g.encoding.is_none());
        let plan = g.fixes();
        let expected = run("g.sql", &twin, &Config::default());
        prop_assert_eq!(&plan.blockers, &expected.plan.blockers);
        if let Some(out_twin) = expected.output {
            let out = mcaccess::fix::apply(&g.source.text, &plan.edits());
            prop_assert_eq!(&out, &out_twin);
            let written = TextEncoding::Gbk.encode(&out).expect("GBK can write it");
            // The comment's bytes are kept wherever the UTF-8 twin keeps the
            // comment (removing a whole clause takes a comment inside it).
            let kept = written.windows(gbk_comment.len()).any(|w| w == gbk_comment.as_slice());
            prop_assert_eq!(kept, out_twin.contains("-- 中文注释"));
        }
    }
}

/// A generated file as a team would have it before mcaccess: rolearns
/// written (by `fix`), no `@access` lines.
fn unannotated(text: &str) -> Option<String> {
    let fixed = run("gen.sql", text, &Config::default()).output?;
    let ending = if fixed.contains("\r\n") { "\r\n" } else { "\n" };
    let kept: Vec<&str> = fixed.split_inclusive('\n').filter(|l| !l.contains("@access")).collect();
    let out = kept.concat();
    Some(if out.is_empty() { ending.to_string() } else { out })
}

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn annotate_adds_whole_lines_and_keeps_every_well_formed_rolearn(text in file()) {
        let Some(before) = unannotated(&text) else { return Ok(()) };
        let cfg = Config::default();
        let a = mcaccess::analyse(mcaccess::source::SourceFile::new("gen.sql", before.clone()), &cfg);
        let proposals = mcaccess::onboard::annotate::propose(&a, &cfg, |_| Default::default());
        // Only whole annotation lines, at line starts, in the line's ending.
        for e in &proposals.edits {
            prop_assert!(e.range.is_empty());
            let at = e.range.start;
            prop_assert!(at == 0 || before[..at].ends_with('\n') || before[..at] == *"\u{feff}", "not at a line start: {at}");
            let ending = if before[at..].split('\n').next().unwrap().ends_with('\r') { "\r\n" } else { "\n" };
            let line = e.text.strip_suffix(ending).expect("the line's own ending");
            prop_assert!(!line.contains('\n') && line.trim_start().starts_with("-- @access "), "{line:?}");
        }
        let after = mcaccess::fix::apply(&before, &proposals.edits);
        let removed: String = after.split_inclusive('\n').filter(|l| !l.contains("@access")).collect();
        prop_assert_eq!(&removed, &before);
        // fix then changes no rolearn that was a well-formed ARN.
        let r = run("gen.sql", &after, &cfg);
        for c in &r.plan.changes {
            if let mcaccess::fix::RolearnProblem::Mismatch { found, .. } = &c.problem {
                prop_assert!(mcaccess::model::RoleArn::parse(found).is_err(), "fix would change {found}:\n{after}");
            }
        }
        // A second run adds nothing.
        let again = mcaccess::analyse(mcaccess::source::SourceFile::new("gen.sql", after.clone()), &cfg);
        prop_assert!(mcaccess::onboard::annotate::propose(&again, &cfg, |_| Default::default()).edits.is_empty());
    }
}

//! Scan stage: source text → annotations and statements with byte spans.
//!
//! The [`lexer`] tiles the file into tokens; `attach` splits them into
//! statements at top-level `;` and attaches annotations; `recognise`
//! recognises the statements of SPEC §1 and `clauses` records the byte
//! range of every clause `fix`, `check`, `plan` and `bundle` need. The
//! values they produce are in [`syntax`]. Nothing here knows about roles or
//! policies.

mod attach;
mod clauses;
pub mod lexer;
mod recognise;
pub mod syntax;

pub use syntax::*;

/// Scans a file's text.
pub fn scan(text: &str) -> ScannedFile {
    let mut out = ScannedFile::default();
    let result = attach::Scanner::new(text, &mut out).run();
    if let Err(d) = result {
        // Nothing after an unreadable token can be trusted.
        out = ScannedFile { problems: vec![ScanProblem::Unreadable(d)], unreadable: true, ..ScannedFile::default() };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Statement {
        let f = scan(src);
        assert_eq!(f.statements.len(), 1, "{:?}", f.statements);
        f.statements.into_iter().next().unwrap()
    }

    #[test]
    fn tablestore_seed_statement() {
        let src = "CREATE EXTERNAL TABLE ads_log_ots_pt_external\n(\nvid bigint\n)\nSTORED BY 'com.aliyun.odps.TableStoreStorageHandler'\nWITH SERDEPROPERTIES (\n'tablestore.table.name'='vehicle_track',\n'odps.properties.rolearn'='acs:ram::1234567890****:role/aliyunodpsroleforotheruser'\n)\nLOCATION 'tablestore://cap1.cn-hangzhou.ots-internal.aliyuncs.com'\nUSING 'odps-udf-example.jar'";
        let s = one(src);
        assert_eq!(s.kind, StatementKind::CreateExternalTable);
        assert_eq!(s.name.as_ref().unwrap().text, "ads_log_ots_pt_external");
        assert_eq!(s.clauses().stored_by.as_ref().unwrap().value, "com.aliyun.odps.TableStoreStorageHandler");
        let props = s.clauses().serde_properties.as_ref().unwrap();
        assert_eq!(props.entries.len(), 2);
        assert_eq!(props.entries[1].key.value, ROLEARN_KEY);
        assert_eq!(
            &src[props.entries[1].value.span.clone()],
            "'acs:ram::1234567890****:role/aliyunodpsroleforotheruser'"
        );
        assert!(s.clauses().location.as_ref().unwrap().value.starts_with("tablestore://cap1"));
        assert_eq!(s.clauses().using.as_ref().unwrap().value, "odps-udf-example.jar");
        assert!(s.syntax_error.is_none());
    }

    #[test]
    fn splits_on_semicolons_outside_strings_and_comments() {
        let f = scan(
            "SET a=1; -- x; y\nSELECT ';' /* ; */ FROM t;\nCREATE EXTERNAL TABLE t (a string) STORED AS parquet LOCATION 'oss://e/b/';",
        );
        assert_eq!(f.statements.len(), 3);
        assert_eq!(f.statements[0].kind, StatementKind::Set { key: "a".into(), value: "1".into() });
        assert_eq!(f.statements[2].kind, StatementKind::CreateExternalTable);
        let sa = f.statements[2].clauses().stored_as.clone().unwrap();
        assert!(matches!(sa.format, Format::Named(ref n) if n.text == "parquet"));
        assert_eq!(f.statements[2].keyword_case, KeywordCase::Upper);
    }

    #[test]
    fn missing_comma_is_located_between_the_properties() {
        let src = "CREATE EXTERNAL TABLE t (a int) STORED BY 'h' WITH SERDEPROPERTIES ('a'='1' 'b'='2') LOCATION 'x';";
        let d = one(src).syntax_error.unwrap();
        assert_eq!(d.span.start, src.find("'1'").unwrap() + 3);
        assert!(d.message.contains("missing comma"));
    }

    #[test]
    fn unbalanced_parentheses() {
        let src = "CREATE EXTERNAL TABLE t (a int STORED BY 'h';";
        let d = one(src).syntax_error.unwrap();
        assert_eq!(d.span, 24..25);
        let d = one("CREATE EXTERNAL TABLE t (a int)) STORED BY 'h';").syntax_error.unwrap();
        assert!(d.message.contains("without a matching"));
    }

    #[test]
    fn annotations_attach_to_the_next_statement() {
        let f = scan(
            "-- @access oss\n\n-- other comment\n-- @allow MCA007\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://e/b/';\nSELECT 1;",
        );
        assert_eq!(f.statements[0].access, Some(0));
        assert_eq!(f.statements[0].allows, vec![1]);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
    }

    #[test]
    fn dangling_and_misplaced_annotations() {
        let f = scan("-- @access oss\nSELECT 1;\n-- @access oss\n");
        assert_eq!(
            f.problems,
            vec![
                ScanProblem::DanglingAccess { span: 0..14, next: Some("SELECT".into()) },
                ScanProblem::DanglingAccess { span: 25..39, next: None }
            ]
        );
        let f = scan("CREATE EXTERNAL TABLE t (\n-- @access oss\na int) STORED BY 'h';");
        assert_eq!(f.problems, vec![ScanProblem::InsideStatement { span: 26..40 }]);
    }

    #[test]
    fn templates_do_not_break_the_scanner() {
        let src = "CREATE EXTERNAL TABLE [IF NOT EXISTS] <mc_oss_extable_name>\n(\n  <col_name> <data_type>,\n  ...\n)\n[COMMENT <table_comment>]\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\n[WITH serdeproperties (\n  ['<property_name>'='<property_value>',...]\n)]\nLOCATION '<oss_location>';";
        let s = one(src);
        assert_eq!(s.name.unwrap().text, "<mc_oss_extable_name>");
        let d = s.syntax_error.unwrap();
        assert!(d.help.unwrap().contains("documentation template"));
    }

    #[test]
    fn unterminated_string_makes_the_file_unreadable() {
        let f = scan("CREATE EXTERNAL TABLE t LOCATION 'oss://x;\n");
        assert!(f.unreadable);
        let [ScanProblem::Unreadable(e)] = &f.problems[..] else { panic!("{:?}", f.problems) };
        assert_eq!(e.span.start, 33);
    }

    #[test]
    fn a_missing_quote_is_reported_where_its_string_starts() {
        // Line 4 lacks its closing quote; every later quote pairs wrongly
        // and the lexer fails only at the last one, thousands of lines on.
        let mut src = String::from(
            "SET a=1;\n-- '引号' in a comment\nCREATE EXTERNAL TABLE t (a int) STORED BY 'h'\nLOCATION 'oss://b/p/;\n",
        );
        for i in 0..5_000 {
            src.push_str(&format!("INSERT INTO t{i} SELECT 'v{i}', \"x\" FROM s;\n"));
        }
        let f = scan(&src);
        assert!(f.unreadable);
        let [ScanProblem::Unreadable(d)] = &f.problems[..] else { panic!("{:?}", f.problems) };
        assert_eq!(d.span.start, src.find("'oss://").unwrap());
        assert_eq!(d.message, "unterminated string");
        assert!(d.help.as_ref().unwrap().contains("close it with '"));
    }

    #[test]
    fn skimming_column_lists_changes_nothing() {
        let forms = [
            "CREATE EXTERNAL TABLE t (a int, {X}) STORED BY 'h' LOCATION 'oss://b/p/';\nSELECT 1;",
            "-- @access oss\ncreate external table if not exists p.`t` ({X}\n) with serdeproperties ('k'='v');",
            "CREATE TABLE [IF NOT EXISTS] <t> ( {X} ) INSERT INTO x SELECT 1;",
            "CREATE EXTERNAL TABLE t {X} STORED AS orc LOCATION 'oss://b/p/';",
            "SELECT a, {X} FROM t;\nselect 1",
            "INSERT OVERWRITE TABLE t {X} SELECT {X};",
            "FROM s {X} INSERT INTO a {X} INSERT INTO b SELECT 1;",
            "FROM s INSERT INTO a {X} INSERT OVERWRITE TABLE b {X} INSERT INTO c SELECT {X} INSERT INTO d SELECT 1;",
            "with x as (select 1) {X}",
            "insert into {X} select 1;",
        ];
        for x in super::lexer::tests::tricky_texts(3_000) {
            for form in forms {
                let text = form.replace("{X}", &x);
                let skimmed = scan(&text);
                attach::NO_SKIM.set(true);
                let whole = scan(&text);
                attach::NO_SKIM.set(false);
                assert_eq!(skimmed, whole, "in {text:?}");
            }
        }
    }

    #[test]
    fn the_statement_at_a_byte_is_the_first_whose_region_holds_it() {
        let text = "SELECT 1; -- @allow MCA007\nSELECT 2; SELECT 3;\n\n-- @access oss\n-- @allow MCA004\nCREATE EXTERNAL TABLE t (a int)\nLOCATION 'oss://b/p/'; SELECT 4;\r\n-- tail\n";
        let source = crate::source::SourceFile::new("t.sql", text.to_string());
        let f = scan(text);
        let mut seen = std::collections::BTreeSet::new();
        for at in 0..=text.len() + 1 {
            let linear = f.statements.iter().position(|s| f.region(&source, s).contains(&at));
            assert_eq!(f.statement_at(&source, at), linear, "at {at}");
            seen.insert(linear);
        }
        // Every statement, and bytes of none, were met.
        assert_eq!(seen.len(), f.statements.len() + 1);
    }

    #[test]
    fn each_statement_keeps_the_maxcompute_values_above_it() {
        let f = scan(
            "SELECT 0;\n-- @maxcompute owner=111\nSELECT 1;\n-- @maxcompute region=cn-beijing\nSELECT 2;\n-- @maxcompute owner=222\nSELECT 3;",
        );
        let values: Vec<_> = f
            .statements
            .iter()
            .map(|s| {
                let value = |v: &Option<crate::annotation::Spanned<String>>| v.as_ref().map(|v| v.value.clone());
                (value(&s.maxcompute.owner), value(&s.maxcompute.region))
            })
            .collect();
        let some = |v: &str| Some(v.to_string());
        assert_eq!(
            values,
            [(None, None), (some("111"), None), (some("111"), some("cn-beijing")), (some("222"), some("cn-beijing"))]
        );
    }

    #[test]
    fn a_second_access_names_the_line_of_the_first() {
        let one = |t: &str| {
            format!("-- @access oss\n-- @access oss\nCREATE EXTERNAL TABLE {t} (a int) LOCATION 'oss://b/{t}/';\n")
        };
        let f = scan(&[one("a"), "\n".repeat(3), one("b"), one("c")].concat());
        let lines: Vec<usize> = f
            .problems
            .iter()
            .filter_map(|p| match p {
                ScanProblem::SecondAccess { first_line, .. } => Some(*first_line),
                _ => None,
            })
            .collect();
        assert_eq!(lines, [1, 7, 10]);
    }

    #[test]
    fn a_multi_insert_of_thousands_of_branches_writes_each_target() {
        let branches: Vec<String> =
            (0..2_000).map(|i| format!("INSERT INTO TABLE p.t{i} SELECT a, 'x;' WHERE b > {i}")).collect();
        let s = one(&format!("FROM s {};", branches.join("\n")));
        let targets: Vec<&str> = s.writes.iter().map(|w| w.target.text.as_str()).collect();
        let expected: Vec<String> = (0..2_000).map(|i| format!("p.t{i}")).collect();
        assert_eq!(targets, expected);
    }

    #[test]
    fn a_table_without_columns_has_its_properties_read() {
        let s = one(
            "CREATE EXTERNAL TABLE t STORED BY 'h' WITH SERDEPROPERTIES ('a'='1', 'b'='(2;') LOCATION 'oss://b/p/';",
        );
        assert_eq!(s.clauses().serde_properties.as_ref().unwrap().entries.len(), 2);
        let s =
            one("CREATE EXTERNAL TABLE t (a DECIMAL(18,2) COMMENT ')''', b `(`) STORED BY 'h' LOCATION 'oss://b/p/';");
        assert_eq!(s.clauses().location.as_ref().unwrap().value, "oss://b/p/");
        let d = one("CREATE EXTERNAL TABLE t (a DECIMAL(18,2 COMMENT 'x' STORED BY 'h';").syntax_error.unwrap();
        assert!(d.message.contains("never closed"), "{}", d.message);
    }

    #[test]
    fn unload_load_insert_schema() {
        let f = scan(
            "UNLOAD FROM sale_detail INTO LOCATION 'oss://e/b/p/' STORED BY 'com.aliyun.odps.CsvStorageHandler' WITH SERDEPROPERTIES ('odps.properties.rolearn'='x') PROPERTIES ('odps.text.option.gzip.output.enabled'='true');\nLOAD OVERWRITE TABLE ambulance FROM LOCATION 'oss://e/b/' STORED BY 'h';\nINSERT OVERWRITE TABLE ext_t SELECT 1;\nCREATE EXTERNAL SCHEMA IF NOT EXISTS es WITH srv ON 'cat.db';",
        );
        let kinds: Vec<_> = f.statements.iter().map(|s| s.kind.describe()).collect();
        assert_eq!(kinds, vec!["UNLOAD", "LOAD", "INSERT", "CREATE EXTERNAL SCHEMA"]);
        assert_eq!(f.statements[0].name.as_ref().unwrap().text, "sale_detail");
        assert!(f.statements[0].clauses().properties.is_some());
        assert_eq!(f.statements[2].name.as_ref().unwrap().text, "ext_t");
        match &f.statements[3].kind {
            StatementKind::CreateExternalSchema { server } => {
                assert_eq!(server.as_ref().unwrap().text, "srv")
            }
            _ => panic!(),
        }
    }
}

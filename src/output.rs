//! Machine formats for `check` findings: JSON (SPEC §5), SARIF 2.1.0 (typed
//! structs, serialised by serde) and GitHub workflow commands.

use crate::diagnostic::{Code, Severity};
use crate::lint::{Finding, RULES};
use serde::Serialize;

/// SPEC §5's JSON: an array of findings.
pub fn json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).expect("findings serialise")
}

#[derive(Serialize)]
pub struct SarifLog {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<SarifRun>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRun {
    pub tool: SarifTool,
    pub column_kind: &'static str,
    pub results: Vec<SarifResult>,
}

#[derive(Serialize)]
pub struct SarifTool {
    pub driver: SarifDriver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifDriver {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: Vec<SarifRule>,
}

#[derive(Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Serialize)]
pub struct MultiformatText {
    pub text: String,
    pub markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRule {
    pub id: &'static str,
    pub name: &'static str,
    pub short_description: Text,
    pub full_description: Text,
    pub help: MultiformatText,
    pub default_configuration: SarifConfiguration,
}

#[derive(Serialize)]
pub struct SarifConfiguration {
    pub level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    pub physical_location: SarifPhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifPhysicalLocation {
    pub artifact_location: SarifArtifact,
    pub region: SarifRegion,
}

#[derive(Serialize)]
pub struct SarifArtifact {
    pub uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRegion {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A SARIF 2.1.0 log with every rule (and its documentation) and every
/// finding.
pub fn sarif(findings: &[Finding]) -> String {
    let mut log = sarif_log();
    log.runs[0].results = findings.iter().map(sarif_result).collect();
    serde_json::to_string_pretty(&log).expect("SARIF serialises")
}

/// The SARIF log with every rule and no results.
fn sarif_log() -> SarifLog {
    let rules = RULES
        .iter()
        .map(|r| {
            let doc = r.doc();
            SarifRule {
                id: r.code().as_str(),
                name: r.name(),
                short_description: Text { text: r.summary() },
                full_description: Text { text: doc.clone() },
                help: MultiformatText { text: doc.clone(), markdown: doc },
                default_configuration: SarifConfiguration { level: level(r.meta.severity) },
            }
        })
        .collect();
    SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![SarifRun {
            tool: SarifTool { driver: SarifDriver { name: "mcaccess", version: env!("CARGO_PKG_VERSION"), rules } },
            column_kind: "unicodeCodePoints",
            results: Vec::new(),
        }],
    }
}

fn sarif_result(f: &Finding) -> SarifResult {
    SarifResult {
        rule_id: f.code.as_str(),
        rule_index: RULES.iter().position(|r| r.code() == f.code).expect("every code has a rule"),
        level: level(f.severity),
        message: Text {
            text: match &f.help {
                Some(h) => format!("{}\nhelp: {h}", f.message),
                None => f.message.clone(),
            },
        },
        locations: vec![SarifLocation {
            physical_location: SarifPhysicalLocation {
                artifact_location: SarifArtifact { uri: uri_path(&f.file) },
                region: SarifRegion {
                    start_line: f.line,
                    start_column: f.column,
                    end_line: f.end_line,
                    end_column: f.end_column,
                },
            },
        }],
    }
}

/// GitHub workflow commands: one `::error …::message` line per finding.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let message = match &f.help {
            Some(h) => format!("{}\nhelp: {h}", f.message),
            None => f.message.clone(),
        };
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            level(f.severity),
            escape_property(&f.file),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            escape_property(&format!("{} {}", f.code, f.name)),
            escape_data(&message)
        ));
    }
    out
}

/// A relative path as a URI reference (RFC 3986): `/` separators, every
/// byte outside the unreserved set percent-encoded (spaces, Chinese, `%`).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(uri_path("sql/报表 v2/a%b.sql"), "sql/%E6%8A%A5%E8%A1%A8%20v2/a%25b.sql");
        assert_eq!(uri_path("dir\\a.sql"), "dir/a.sql");
    }

    #[test]
    fn github_escapes() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}

/// One issue of a GitLab Code Quality report (the subset of the Code
/// Climate spec GitLab reads).
#[derive(Serialize)]
pub struct CodeQualityIssue {
    pub description: String,
    pub check_name: String,
    pub fingerprint: String,
    pub severity: &'static str,
    pub location: CodeQualityLocation,
}

#[derive(Serialize)]
pub struct CodeQualityLocation {
    pub path: String,
    pub lines: CodeQualityLines,
}

#[derive(Serialize)]
pub struct CodeQualityLines {
    pub begin: usize,
    pub end: usize,
}

/// GitLab Code Quality JSON (`artifacts: reports: codequality:`). The
/// fingerprint is stable while a finding stays: file, code, message and
/// which occurrence of them it is — not the line, so findings survive
/// edits above them.
pub fn gitlab(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(&gitlab_issues(findings)).expect("issues serialise")
}

/// The Code Quality issues of some findings (a file's at least: the
/// occurrences are counted per file).
fn gitlab_issues(findings: &[Finding]) -> Vec<CodeQualityIssue> {
    let mut seen: std::collections::HashMap<(&str, Code, &str), usize> = std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| {
            let n = seen.entry((f.file.as_str(), f.code, f.message.as_str())).or_default();
            *n += 1;
            let key = format!("{}\0{}\0{}\0{n}", f.file, f.code, f.message);
            CodeQualityIssue {
                description: format!("{} {}: {}", f.code, f.name, f.message),
                check_name: f.code.to_string(),
                fingerprint: fingerprint(&key),
                severity: if f.severity == Severity::Error { "major" } else { "minor" },
                location: CodeQualityLocation {
                    path: f.file.clone(),
                    lines: CodeQualityLines { begin: f.line, end: f.end_line },
                },
            }
        })
        .collect()
}

/// 128 bits of FNV-1a (two 64-bit lanes) as 32 hex digits: stable across
/// runs, platforms and Rust versions.
fn fingerprint(key: &str) -> String {
    let lane = |offset: u64| key.bytes().fold(offset, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{:016x}{:016x}", lane(0xcbf2_9ce4_8422_2325), lane(0x6c62_272e_07bb_0142))
}

/// A machine format written file by file as findings arrive, to the same
/// bytes as the whole-report functions above ([`json`], [`sarif`],
/// [`github`], [`gitlab`]) followed by a line break (none for github).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    Json,
    Sarif,
    Github,
    Gitlab,
}

impl Machine {
    /// One file's items as [`ReportWriter::push`] takes them: each
    /// pretty-printed at its depth in the report, joined by the format's
    /// separator.
    pub fn chunk(self, findings: &[Finding]) -> String {
        match self {
            Machine::Json => pretty_items(findings, self.depth()),
            Machine::Sarif => pretty_items(&findings.iter().map(sarif_result).collect::<Vec<_>>(), self.depth()),
            Machine::Gitlab => pretty_items(&gitlab_issues(findings), self.depth()),
            Machine::Github => findings.chunks(1).map(github).collect(),
        }
    }

    /// How deep an item sits in the pretty-printed report.
    fn depth(self) -> usize {
        match self {
            Machine::Sarif => 8,
            _ => 2,
        }
    }

    /// What comes before the first item and after the last one.
    fn frame(self) -> (String, String) {
        match self {
            Machine::Json | Machine::Gitlab => ("[".into(), "]\n".into()),
            Machine::Github => (String::new(), String::new()),
            Machine::Sarif => {
                let skeleton = serde_json::to_string_pretty(&sarif_log()).expect("SARIF serialises");
                let at = skeleton.find("\"results\": []").expect("the skeleton has results") + "\"results\": [".len();
                (skeleton[..at].to_string(), format!("{}\n", &skeleton[at..]))
            }
        }
    }
}

/// Items of a pretty-printed JSON array, as they sit in it at `depth`:
/// each pretty-printed at that indentation, joined by `,` and a line break
/// (what [`ReportWriter::push`] takes).
pub fn pretty_items<T: serde::Serialize>(items: &[T], depth: usize) -> String {
    let mut out = Vec::with_capacity(640 * items.len());
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.resize(out.len() + depth, b' ');
        write_indented(&mut out, v, depth);
    }
    String::from_utf8(out).expect("serde writes UTF-8")
}

/// `value` in serde_json's pretty format, byte for byte what
/// `to_string_pretty` prints, with each line's indentation written at once
/// (serde_json writes it two spaces at a time: a fifth of the bundle's
/// JSON cost).
pub fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(256);
    write_indented(&mut out, value, 0);
    String::from_utf8(out).expect("serde writes UTF-8")
}

/// [`pretty`], written to `out` as it is serialised.
pub fn write_pretty<T: serde::Serialize + ?Sized>(out: impl std::io::Write, value: &T) {
    write_indented(out, value, 0);
}

/// Writes `value` pretty-printed with every line but the first indented by
/// `depth` spaces more.
fn write_indented<T: serde::Serialize + ?Sized>(out: impl std::io::Write, value: &T, depth: usize) {
    let mut ser = serde_json::Serializer::with_formatter(out, Indented { depth, level: 0, has_value: false });
    value.serialize(&mut ser).expect("a typed value serialises");
}

/// serde_json's pretty format (two spaces a level) with every line indented
/// by `depth` spaces more: an item printed where it sits in the report, in
/// one pass (printing it at depth 0 and indenting each line after was a
/// third of the JSON report's cost).
struct Indented {
    depth: usize,
    level: usize,
    has_value: bool,
}

impl Indented {
    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        const SPACES: [u8; 64] = [b' '; 64];
        let mut n = self.depth + 2 * self.level;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.new_line(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.new_line(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes a machine report item by item: nothing but the small frame and
/// the current file's items is held.
pub struct ReportWriter<W: std::io::Write> {
    out: W,
    machine: Machine,
    tail: String,
    /// How many non-empty chunks were written.
    chunks: usize,
}

impl<W: std::io::Write> ReportWriter<W> {
    pub fn new(machine: Machine, mut out: W) -> std::io::Result<Self> {
        let (head, tail) = machine.frame();
        out.write_all(head.as_bytes())?;
        Ok(ReportWriter { out, machine, tail, chunks: 0 })
    }

    /// One file's items, as [`Machine::chunk`] joined them.
    pub fn push(&mut self, chunk: &str) -> std::io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.machine != Machine::Github {
            self.out.write_all(if self.chunks == 0 { b"\n" } else { b",\n" })?;
        }
        self.out.write_all(chunk.as_bytes())?;
        self.chunks += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        if self.chunks > 0 && self.machine != Machine::Github {
            let pad = " ".repeat(self.machine.depth() - 2);
            self.out.write_all(format!("\n{pad}").as_bytes())?;
        }
        self.out.write_all(self.tail.as_bytes())?;
        self.out.flush()
    }
}

#[cfg(test)]
mod streaming {
    use super::*;

    #[test]
    fn a_pretty_array_written_in_chunks_is_the_whole_array() {
        let items: Vec<serde_json::Value> = (0..5)
            .map(
                |i| serde_json::json!({ "n": i, "text": "line\nbreak 中文", "list": [1, { "deep": [] }], "empty": {} }),
            )
            .collect();
        let whole = serde_json::to_string_pretty(&items).unwrap() + "\n";
        for cut in [0, 1, 3, 5] {
            let mut out = Vec::new();
            let mut w = ReportWriter::new(Machine::Json, &mut out).unwrap();
            w.push(&pretty_items(&items[..cut], 2)).unwrap();
            w.push(&pretty_items(&items[cut..cut], 2)).unwrap();
            w.push(&pretty_items(&items[cut..], 2)).unwrap();
            w.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole, "cut at {cut}");
        }
    }

    #[test]
    fn pretty_is_serde_jsons_pretty_print() {
        // Deeper than the 64 spaces written at once.
        let deep = (0..40).fold(serde_json::json!(1), |v, _| serde_json::json!({ "a": [v] }));
        let values = [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!("s"),
            serde_json::json!({ "k": [1, { "deep": [], "e": {} }, "中文\n"], "n": null, "o": { "x": [true] } }),
            deep,
        ];
        for v in values {
            assert_eq!(pretty(&v), serde_json::to_string_pretty(&v).unwrap());
        }
    }

    #[test]
    fn streamed_reports_are_byte_for_byte_the_whole_ones() {
        let text = "-- @access oss\nCREATE EXTERNAL TABLE t (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/';\n-- @access oss\nCREATE EXTERNAL TABLE u (a int) STORED AS orc LOCATION 'oss://oss-cn-hangzhou.aliyuncs.com/b/';\n";
        let findings = crate::lint::testing::lint_repo(&[("a.sql", text), ("b.sql", text)], &Default::default());
        assert!(findings.len() >= 4);
        let (a, b): (Vec<Finding>, Vec<Finding>) = findings.iter().cloned().partition(|f| f.file == "a.sql");
        for (machine, whole) in [
            (Machine::Json, json(&findings) + "\n"),
            (Machine::Sarif, sarif(&findings) + "\n"),
            (Machine::Gitlab, gitlab(&findings) + "\n"),
            (Machine::Github, github(&findings)),
        ] {
            let mut out = Vec::new();
            let mut w = ReportWriter::new(machine, &mut out).unwrap();
            w.push(&machine.chunk(&a)).unwrap();
            w.push(&machine.chunk(&[])).unwrap();
            w.push(&machine.chunk(&b)).unwrap();
            w.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole, "{machine:?}");
            let mut out = Vec::new();
            ReportWriter::new(machine, &mut out).unwrap().finish().unwrap();
            let empty = match machine {
                Machine::Json => json(&[]) + "\n",
                Machine::Sarif => sarif(&[]) + "\n",
                Machine::Gitlab => gitlab(&[]) + "\n",
                Machine::Github => String::new(),
            };
            assert_eq!(String::from_utf8(out).unwrap(), empty, "{machine:?} empty");
        }
    }
}

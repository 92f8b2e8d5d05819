//! A realistic, seeded MaxCompute data repo: N files of 1–5 statements with
//! 5–60 columns, comments, ordinary DDL and DML between annotated external
//! tables of every source and form.

use std::fmt::Write;
use std::path::Path;

/// xorshift64*: small, seeded, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const TYPES: [&str; 8] = ["BIGINT", "STRING", "DOUBLE", "DECIMAL(18,2)", "DATETIME", "BOOLEAN", "INT", "VARCHAR(64)"];
const WORDS: [&str; 12] =
    ["order", "user", "amount", "region", "device", "event", "price", "status", "created", "updated", "channel", "sku"];

fn columns(rng: &mut Rng, out: &mut String) {
    let n = rng.range(5, 60);
    out.push_str("(\n");
    for i in 0..n {
        let name = format!("{}_{}", rng.pick(&WORDS), i);
        let _ = write!(out, "    {name:<20} {}", rng.pick(&TYPES));
        if rng.chance(70) {
            let _ = write!(out, " COMMENT '{} of the {}; see wiki'", rng.pick(&WORDS), rng.pick(&WORDS));
        }
        out.push_str(if i + 1 < n { ",\n" } else { "\n" });
    }
    out.push(')');
}

/// An OSS location and the role that owns its dataset: one role per bucket
/// and area, as a team would split them.
fn location(rng: &mut Rng, i: usize) -> (String, String) {
    let bucket = rng.below(8);
    let area = rng.pick(&WORDS);
    (
        format!("oss://oss-cn-hangzhou-internal.aliyuncs.com/lake-{bucket}/{area}/t_{i}/"),
        format!(" role=mc-lake-{bucket}-{area}"),
    )
}

/// One external statement with its annotation.
fn external(rng: &mut Rng, i: usize, out: &mut String) {
    let kind = rng.below(10);
    let (location, role) = location(rng, i);
    match kind {
        0..=2 => {
            let _ = writeln!(out, "-- @access oss{role}");
            let _ = writeln!(out, "CREATE EXTERNAL TABLE IF NOT EXISTS ods_csv_{i}");
            columns(rng, out);
            let _ = writeln!(out, "\nPARTITIONED BY (ds STRING)\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'");
            if rng.chance(60) {
                out.push_str("WITH SERDEPROPERTIES (\n    'odps.text.option.delimiter'=',',\n    'odps.text.option.header.lines.count'='1'\n)\n");
            }
            let _ = write!(out, "LOCATION '{location}'");
        }
        3..=4 => {
            let _ = writeln!(out, "-- @access oss access=read,write{role}");
            let _ = writeln!(out, "create external table if not exists ods_parquet_{i}");
            columns(rng, out);
            let _ = write!(out, "\npartitioned by (dt string)\nstored as parquet\nlocation '{location}'");
        }
        5 => {
            let instance = rng.below(16);
            let _ = writeln!(out, "-- @access tablestore cross-account uid=@ots-prod role=mc-ots-cap{instance}");
            let _ = writeln!(out, "CREATE EXTERNAL TABLE ots_{i}");
            columns(rng, out);
            let _ = write!(
                out,
                "\nSTORED BY 'com.aliyun.odps.TableStoreStorageHandler'\nWITH SERDEPROPERTIES (\n'tablestore.columns.mapping'=':vid, :gt, longitude',\n'tablestore.table.name'='track_{i}',\n'odps.properties.rolearn'='acs:ram::1234567890****:role/aliyunodpsroleforotheruser'\n)\nLOCATION 'tablestore://cap{instance}.cn-hangzhou.ots-internal.aliyuncs.com'"
            );
        }
        6 => {
            let _ = writeln!(out, "-- @access hologres role=aliyunodpsholorole");
            let _ = writeln!(out, "CREATE EXTERNAL TABLE holo_{i}");
            columns(rng, out);
            let _ = write!(
                out,
                "\nstored BY 'com.aliyun.odps.jdbc.JdbcStorageHandler'\nWITH serdeproperties (\n  'odps.properties.rolearn'='<ram_arn>')\nlocation 'jdbc:postgresql://hgprecn-cn-x-cn-hangzhou-internal.hologres.aliyuncs.com:80/db?ApplicationName=MaxCompute&table=t_{i}/'\ntblproperties (\n  'mcfed.mapreduce.jdbc.driver.class'='org.postgresql.Driver',\n  'odps.federation.jdbc.target.db.type'='holo'\n)"
            );
        }
        7 => {
            let _ = writeln!(out, "-- @access oss access=write{role}");
            let _ = write!(
                out,
                "UNLOAD FROM (SELECT * FROM dwd_{} WHERE ds = '${{bizdate}}')\nINTO LOCATION '{location}'\nSTORED BY 'com.aliyun.odps.CsvStorageHandler'\nWITH SERDEPROPERTIES ('odps.text.option.gzip.output.enabled'='true')",
                rng.pick(&WORDS)
            );
        }
        8 => {
            let _ = writeln!(out, "-- @access oss{role}");
            let _ = writeln!(out, "CREATE EXTERNAL TABLE ods_orc_{i}");
            columns(rng, out);
            let _ = write!(
                out,
                "\nROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.orc.OrcSerde'\nWITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::5678901234567890:role/aliyunodpsdefaultrole')\nSTORED AS ORC\nLOCATION '{location}'"
            );
        }
        _ => {
            // An unannotated external table.
            let _ = writeln!(out, "CREATE EXTERNAL TABLE legacy_{i}");
            columns(rng, out);
            let _ = write!(out, "\nSTORED AS TEXTFILE\nLOCATION '{location}'");
        }
    }
    out.push_str(";\n\n");
}

/// Ordinary SQL between the external tables.
fn ordinary(rng: &mut Rng, i: usize, out: &mut String) {
    match rng.below(4) {
        0 => {
            let _ = writeln!(out, "CREATE TABLE IF NOT EXISTS dwd_{i}");
            columns(rng, out);
            out.push_str("\nPARTITIONED BY (ds STRING)\nLIFECYCLE 365;\n\n");
        }
        1 => {
            let _ = write!(
                out,
                "INSERT OVERWRITE TABLE dwd_{i} PARTITION (ds = '${{bizdate}}')\nSELECT a.{w}_id, b.{v}, SUM(a.amount) AS total -- daily roll-up; keep ';' safe\nFROM ods_{w} a\nJOIN dim_{v} b ON a.{v}_id = b.id\nWHERE a.ds = '${{bizdate}}' AND b.status <> 'deleted'\nGROUP BY a.{w}_id, b.{v};\n\n",
                w = rng.pick(&WORDS),
                v = rng.pick(&WORDS)
            );
        }
        2 => out.push_str("SET odps.sql.hive.compatible=true;\nSET odps.sql.type.system.odps2=true;\n\n"),
        _ => {
            let _ = write!(
                out,
                "/* {} pipeline, owner: data-platform */\nMSCK REPAIR TABLE ods_csv_{i} ADD PARTITIONS;\n\n",
                rng.pick(&WORDS)
            );
        }
    }
}

/// One file of 1–5 statements.
pub fn file(rng: &mut Rng, n: usize) -> String {
    let mut out = String::from("--@resource_reference{\"udf.jar\"}\n-- @owner: data-platform\n");
    let statements = rng.range(1, 5);
    for k in 0..statements {
        let i = n * 10 + k;
        if rng.chance(50) { external(rng, i, &mut out) } else { ordinary(rng, i, &mut out) }
    }
    out
}

/// Writes `files` SQL files (and an mcaccess.toml) under `dir`, in
/// subdirectories of 100 files. Returns the total bytes of SQL.
pub fn write_repo(dir: &Path, files: usize, seed: u64) -> std::io::Result<u64> {
    let mut rng = Rng::new(seed);
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("mcaccess.toml"),
        "[maxcompute]\nowner = \"5678901234567890\"\nregion = \"cn-hangzhou\"\n\n[accounts]\nots-prod = \"1234567890123456\"\n",
    )?;
    let mut bytes = 0;
    for n in 0..files {
        let sub = dir.join(format!("sql/part_{:03}", n / 100));
        if n % 100 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let text = file(&mut rng, n);
        bytes += text.len() as u64;
        std::fs::write(sub.join(format!("job_{n:05}.sql")), text)?;
    }
    Ok(bytes)
}

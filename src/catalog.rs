//! RAM actions per data source, as the seed documents list them.

/// The seed's OSS action list (AliyunODPSRolePolicy).
pub const OSS_ALL: [&str; 7] = [
    "oss:ListBuckets",
    "oss:GetObject",
    "oss:ListObjects",
    "oss:PutObject",
    "oss:DeleteObject",
    "oss:AbortMultipartUpload",
    "oss:ListParts",
];

/// OSS, least privilege: bucket-level read.
pub const OSS_BUCKET_READ: [&str; 1] = ["oss:ListObjects"];
/// OSS, least privilege: object-level actions per access word.
pub const OSS_OBJECT_READ: [&str; 1] = ["oss:GetObject"];
pub const OSS_OBJECT_WRITE: [&str; 3] = ["oss:PutObject", "oss:AbortMultipartUpload", "oss:ListParts"];
pub const OSS_OBJECT_DELETE: [&str; 1] = ["oss:DeleteObject"];

/// The seed's Tablestore action list.
pub const OTS_ALL: [&str; 10] = [
    "ots:ListTable",
    "ots:DescribeTable",
    "ots:GetRow",
    "ots:PutRow",
    "ots:UpdateRow",
    "ots:DeleteRow",
    "ots:GetRange",
    "ots:BatchGetRow",
    "ots:BatchWriteRow",
    "ots:ComputeSplitPointsBySize",
];

/// Tablestore, least privilege: instance-level and table-level actions.
pub const OTS_INSTANCE_READ: [&str; 1] = ["ots:ListTable"];
pub const OTS_TABLE_READ: [&str; 5] =
    ["ots:DescribeTable", "ots:GetRow", "ots:GetRange", "ots:BatchGetRow", "ots:ComputeSplitPointsBySize"];
pub const OTS_TABLE_WRITE: [&str; 3] = ["ots:PutRow", "ots:UpdateRow", "ots:BatchWriteRow"];
pub const OTS_TABLE_DELETE: [&str; 1] = ["ots:DeleteRow"];

/// The seed's DLF action list (DLF+OSS custom policy).
pub const DLF_ALL: [&str; 49] = [
    "dlf:CreateFunction",
    "dlf:BatchGetPartitions",
    "dlf:ListDatabases",
    "dlf:CreateLock",
    "dlf:UpdateFunction",
    "dlf:BatchUpdateTables",
    "dlf:DeleteTableVersion",
    "dlf:UpdatePartitionColumnStatistics",
    "dlf:ListPartitions",
    "dlf:DeletePartitionColumnStatistics",
    "dlf:BatchUpdatePartitions",
    "dlf:GetPartition",
    "dlf:BatchDeleteTableVersions",
    "dlf:ListFunctions",
    "dlf:DeleteTable",
    "dlf:GetTableVersion",
    "dlf:AbortLock",
    "dlf:GetTable",
    "dlf:BatchDeleteTables",
    "dlf:RenameTable",
    "dlf:RefreshLock",
    "dlf:DeletePartition",
    "dlf:UnLock",
    "dlf:GetLock",
    "dlf:GetDatabase",
    "dlf:GetFunction",
    "dlf:BatchCreatePartitions",
    "dlf:ListPartitionNames",
    "dlf:RenamePartition",
    "dlf:CreateTable",
    "dlf:BatchCreateTables",
    "dlf:UpdateTableColumnStatistics",
    "dlf:ListTableNames",
    "dlf:UpdateDatabase",
    "dlf:GetTableColumnStatistics",
    "dlf:ListFunctionNames",
    "dlf:ListPartitionsByFilter",
    "dlf:GetPartitionColumnStatistics",
    "dlf:CreatePartition",
    "dlf:CreateDatabase",
    "dlf:DeleteTableColumnStatistics",
    "dlf:ListTableVersions",
    "dlf:BatchDeletePartitions",
    "dlf:ListCatalogs",
    "dlf:UpdateTable",
    "dlf:ListTables",
    "dlf:DeleteDatabase",
    "dlf:BatchGetTables",
    "dlf:DeleteFunction",
];

/// The read-only part of the seed's DLF list: its Get, List and BatchGet actions.
pub fn dlf_read() -> Vec<&'static str> {
    DLF_ALL
        .iter()
        .copied()
        .filter(|a| {
            let name = a.trim_start_matches("dlf:");
            name.starts_with("Get") || name.starts_with("List") || name.starts_with("BatchGet")
        })
        .collect()
}

/// The order actions are listed in: by service (oss, ots, dlf, others),
/// then as the seed documents list them — the two numbers returned — then
/// by name. A total order, so merged policies are deterministic, and a
/// policy built from a seed's own list comes out in the seed's order.
pub fn action_rank(action: &str) -> (usize, usize) {
    let lists: [&[&str]; 3] = [&OSS_ALL, &OTS_ALL, &DLF_ALL];
    let service = action.split(':').next().unwrap_or("");
    let rank = ["oss", "ots", "dlf"].iter().position(|s| *s == service).unwrap_or(3);
    let index = lists.get(rank).and_then(|l| l.iter().position(|a| *a == action)).unwrap_or(usize::MAX);
    (rank, index)
}

/// SerDe class for a bare `STORED AS <fmt>` (FACTS §1.0).
pub fn serde_for_format(format: &str) -> Option<&'static str> {
    Some(match format.to_ascii_uppercase().as_str() {
        "SEQUENCEFILE" | "TEXTFILE" => "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "RCFILE" => "org.apache.hadoop.hive.serde2.columnar.LazyBinaryColumnarSerDe",
        "ORC" | "ORCFILE" => "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "PARQUET" => "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "AVRO" => "org.apache.hadoop.hive.serde2.avro.AvroSerDe",
        "CFILE" => "com.aliyun.apsara.serde.CFileSerDe",
        "ALIORC" => "com.aliyun.apsara.serde.AliOrcSerDe",
        _ => return None,
    })
}

pub const KNOWN_FORMATS: [&str; 8] =
    ["TEXTFILE", "SEQUENCEFILE", "RCFILE", "ORC", "ORCFILE", "PARQUET", "AVRO", "ALIORC"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlf_read_is_the_get_list_batchget_subset() {
        let r = dlf_read();
        assert!(
            r.contains(&"dlf:GetTable") && r.contains(&"dlf:ListCatalogs") && r.contains(&"dlf:BatchGetPartitions")
        );
        assert!(!r.contains(&"dlf:CreateTable") && !r.contains(&"dlf:BatchDeleteTables"));
        assert_eq!(r.len(), 20);
    }
}

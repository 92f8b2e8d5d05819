-- Raw order exports, landed as CSV by the shop backend.
-- @access oss
CREATE EXTERNAL TABLE IF NOT EXISTS ods_orders_csv
(
    order_id    BIGINT,
    customer_id BIGINT,
    amount      DECIMAL(18,2),
    created_at  STRING
)
PARTITIONED BY (ds STRING)
STORED BY 'com.aliyun.odps.CsvStorageHandler'
WITH SERDEPROPERTIES (
    'odps.text.option.delimiter'=',',
    'odps.text.option.header.lines.count'='1'
)
LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/shop-lake/raw/orders/';

MSCK REPAIR TABLE ods_orders_csv ADD PARTITIONS;

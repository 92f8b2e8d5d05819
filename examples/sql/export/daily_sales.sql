-- Daily sales export for the finance team.
-- @access oss access=write
UNLOAD FROM (SELECT ds, SUM(amount) AS total FROM dwd_orders WHERE ds = '${bizdate}' GROUP BY ds)
INTO LOCATION 'oss://oss-cn-hangzhou-internal.aliyuncs.com/shop-lake/exports/daily_sales/'
STORED BY 'com.aliyun.odps.CsvStorageHandler'
WITH SERDEPROPERTIES ('odps.text.option.gzip.output.enabled'='true');

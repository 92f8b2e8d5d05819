-- Serving copy of orders in Hologres, read through STS.
-- @access hologres role=aliyunodpsholorole
CREATE EXTERNAL TABLE IF NOT EXISTS holo_orders_ext
(
    order_id BIGINT,
    status   STRING
)
STORED BY 'com.aliyun.odps.jdbc.JdbcStorageHandler'
WITH SERDEPROPERTIES (
  'odps.properties.rolearn'='<ram_arn>')
LOCATION 'jdbc:postgresql://hgprecn-cn-oew210ut-cn-hangzhou-internal.hologres.aliyuncs.com:80/shop?ApplicationName=MaxCompute&currentSchema=public&table=orders/'
TBLPROPERTIES (
  'mcfed.mapreduce.jdbc.driver.class'='org.postgresql.Driver',
  'odps.federation.jdbc.target.db.type'='holo',
  'odps.federation.jdbc.colmapping'='order_id:order_id,status:status'
);

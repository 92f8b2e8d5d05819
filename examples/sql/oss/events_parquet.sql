-- Click events written by Flink as Parquet.
-- @access oss
create external table if not exists ods_click_events
(
    event_id   string,
    user_id    bigint,
    event_time timestamp
)
partitioned by (dt string)
stored as parquet
location 'oss://oss-cn-hangzhou-internal.aliyuncs.com/shop-lake/events/click/';

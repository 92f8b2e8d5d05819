--@resource_reference{"udf-shop.jar"}
-- @owner: data-platform
-- Daily job: no annotations here, mcaccess leaves it byte for byte.
INSERT OVERWRITE TABLE dwd_orders PARTITION (ds = '${bizdate}')
SELECT order_id, customer_id, amount, created_at
FROM ods_orders_csv
WHERE ds = '${bizdate}';

SET odps.namespace.schema=true;

-- The lake catalog in DLF. The role goes on the foreign server, not in SQL:
-- `mcaccess plan` says which RoleARN `shop_dlf` needs.
-- @access dlf bucket=shop-lake/warehouse
CREATE EXTERNAL SCHEMA IF NOT EXISTS shop_lake
WITH shop_dlf
ON 'shop_catalog.shop_db';

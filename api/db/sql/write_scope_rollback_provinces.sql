SELECT DISTINCT p FROM (
    SELECT z.province_code AS p FROM upload_changes c JOIN zones z ON z.id = c.zone_id
    WHERE c.upload_id = :u
    UNION ALL
    SELECT c.previous ->> 'province_code' FROM upload_changes c
    WHERE c.upload_id = :u AND c.table_name = 'zones'
) q WHERE p IS NOT NULL ORDER BY p

-- The critical flags of the latest result of each province (:runs paired with :provinces),
-- with the zone's name and kind, by province, zone and rule.
WITH chosen AS (
    SELECT unnest(CAST(:runs AS bigint[])) AS run_id,
           unnest(CAST(:provinces AS text[])) AS province_code
)
SELECT f.zone_code, z.name AS zone_name, z.kind, f.province_code, f.code, f.severity,
       f.message_vi, f.message_en
FROM flags f
JOIN run_parts rp ON rp.part_id = f.run_id
JOIN chosen s ON s.run_id = rp.run_id AND s.province_code = f.province_code
LEFT JOIN zones z ON z.code = f.zone_code
WHERE f.severity = 'critical'
ORDER BY f.province_code, f.zone_code NULLS FIRST, f.code

-- What identifies each flag of run :run (in province :province, or all): zone, province, rule,
-- severity and the zone's name; what "flags raised and cleared" compares.
SELECT f.zone_code, z.name AS zone_name, f.province_code, f.code, f.severity
FROM flags f
LEFT JOIN zones z ON z.code = f.zone_code
WHERE f.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run) AND (CAST(:province AS text) IS NULL OR f.province_code = :province)
ORDER BY f.province_code, f.zone_code NULLS FIRST, f.code

-- Flags of one run, most severe first; every filter optional.
SELECT f.id, f.zone_code, z.name AS zone_name, z.kind, f.province_code, f.code, f.severity,
       f.value, f.threshold, f.unit, f.message_vi, f.message_en, f.details
FROM flags f
LEFT JOIN zones z ON z.code = f.zone_code
WHERE f.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run)
  AND (CAST(:province AS text) IS NULL OR f.province_code = :province)
  AND (CAST(:code AS text) IS NULL OR f.code = :code)
  AND (CAST(:severity AS text) IS NULL OR f.severity = :severity)
  AND (CAST(:zone AS text) IS NULL OR f.zone_code = :zone)
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         f.zone_code NULLS LAST, f.code

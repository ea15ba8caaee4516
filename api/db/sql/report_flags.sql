-- Flags of run :run on the given zones, plus the province-level flags; most severe first.
SELECT f.zone_code, f.province_code, f.code, f.severity, f.value, f.threshold, f.unit,
       f.message_vi, f.message_en
FROM flags f
WHERE f.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run)
  AND (f.zone_code = ANY(:codes) OR (f.zone_code IS NULL AND f.province_code = :province))
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         f.zone_code NULLS FIRST, f.code

-- Per-province statistics of the newest complete national run of one admin version: the
-- density row of each province's part merged with its clusters (from the clusters part).
SELECT ps.province_code, jsonb_object_agg(e.key, e.value) AS stats
FROM province_stats ps
CROSS JOIN LATERAL jsonb_each(ps.stats) e
WHERE ps.run_id IN (
    SELECT part_id FROM run_parts WHERE run_id = (
        SELECT id FROM analysis_runs
        WHERE status = 'complete' AND admin_version = :version AND province_code IS NULL
        ORDER BY id DESC LIMIT 1))
GROUP BY ps.province_code
ORDER BY ps.province_code

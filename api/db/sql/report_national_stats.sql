-- Per-province statistics of the newest complete national run of one admin version.
SELECT ps.province_code, ps.stats
FROM province_stats ps
WHERE ps.run_id = (
    SELECT id FROM analysis_runs
    WHERE status = 'complete' AND admin_version = :version AND province_code IS NULL
    ORDER BY id DESC LIMIT 1)
ORDER BY ps.province_code

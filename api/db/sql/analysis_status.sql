-- Per partition of :version: its latest stored result, whether the national snapshot holds it,
-- and how far its analysis has caught up with its edits.
WITH latest AS (
    SELECT DISTINCT ON (province_code) province_code, id, computed_at, flag_counts
    FROM province_results WHERE admin_version = :version
    ORDER BY province_code, id DESC
), snapshot AS (
    SELECT partitions, finished_at FROM analysis_runs
    WHERE admin_version = :version AND status = 'complete' AND partitions IS NOT NULL
    ORDER BY id DESC LIMIT 1
)
SELECT s.province_code AS code, l.id AS result_id, l.computed_at, l.flag_counts,
       s.dirty_seq, s.done_seq, s.failed_seq, s.error, s.failed_at,
       (SELECT (partitions ->> s.province_code)::bigint FROM snapshot) AS snapshot_result_id,
       (SELECT r.computed_at FROM province_results r
        WHERE r.id = (SELECT (partitions ->> s.province_code)::bigint FROM snapshot))
           AS snapshot_computed_at
FROM (
    -- every partition with edits to follow or a stored result (an in-transaction analysis
    -- stores results without the queue's bookkeeping)
    SELECT a.province_code, a.dirty_seq, a.done_seq, a.failed_seq, a.error, a.failed_at
    FROM analysis_state a WHERE a.admin_version = :version
    UNION ALL
    SELECT l.province_code, 0, 0, NULL, NULL, NULL FROM latest l
    WHERE NOT EXISTS (SELECT 1 FROM analysis_state a
                      WHERE a.admin_version = :version AND a.province_code = l.province_code)
) s
LEFT JOIN latest l ON l.province_code = s.province_code
ORDER BY s.province_code

-- Only rows an earlier upload can have journalled are probed: the rows this upload updated or
-- closed (a row it inserted is new), and the zones its boundary and footprint rows belong to
-- (did an earlier upload insert that zone?), except zones it inserted itself or whose zone row
-- it changed (that row's own probe finds the insert). Each probe is a LATERAL subquery behind
-- OFFSET 0, which the planner cannot flatten into a join: it stays one lookup on
-- ix_upload_changes_row per probed row, so the plan does not depend on the journal's
-- statistics. (With statistics taken while the journal was small, a flattened join probed
-- every earlier zone insert against a bitmap of this upload's 150,000 journal rows: minutes,
-- right after a 50,000-feature commit.)
WITH mine AS MATERIALIZED (
    SELECT table_name, row_id, zone_id, action FROM upload_changes WHERE upload_id = :u
), probes AS MATERIALIZED (
    SELECT table_name, row_id, min(kind) = 1 AS zone_insert FROM (
        SELECT table_name, row_id, 0 AS kind FROM mine WHERE action <> 'insert'
        UNION ALL
        SELECT 'zones', zone_id, 1 FROM mine WHERE table_name <> 'zones'
        UNION ALL
        SELECT 'zones', row_id, 2 FROM mine WHERE table_name = 'zones' AND action = 'insert'
    ) q GROUP BY table_name, row_id HAVING max(kind) < 2
)
SELECT DISTINCT e.upload_id FROM probes p CROSS JOIN LATERAL (
    SELECT earlier.upload_id FROM upload_changes earlier
    WHERE earlier.table_name = p.table_name AND earlier.row_id = p.row_id
    AND earlier.upload_id <> :u AND (NOT p.zone_insert OR earlier.action = 'insert')
    OFFSET 0
) e

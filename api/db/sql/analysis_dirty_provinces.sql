-- The partitions an upload's commit or rollback touches, in every admin version analysed live:
-- provinces within :margin (degrees) of a touched zone's boundary before or after, provinces
-- holding a new cluster (CCN established from :ccn_from) of the stored province of a touched
-- cluster (the Decree 32 rule compares new clusters with the others of their province), and ''
-- (zones near no province) when a touched zone has no boundary.
WITH touched AS (
    SELECT DISTINCT zone_id FROM upload_changes WHERE upload_id = :upload
), shapes AS MATERIALIZED (  -- a few rows: computed first, then tested per province
    SELECT pb.geom FROM planning_boundaries pb JOIN touched t ON t.zone_id = pb.zone_id
    WHERE pb.valid_to IS NULL
    UNION ALL
    SELECT pb.geom FROM planning_boundaries pb
    JOIN upload_changes c ON c.table_name = 'planning_boundaries' AND c.row_id = pb.id
    WHERE c.upload_id = :upload
    UNION ALL
    SELECT previous_geom FROM upload_changes
    WHERE upload_id = :upload AND previous_geom IS NOT NULL
), stored AS (
    SELECT z.province_code FROM zones z JOIN touched t ON t.zone_id = z.id WHERE z.kind = 'CCN'
    UNION
    SELECT c.previous ->> 'province_code' FROM upload_changes c
    WHERE c.upload_id = :upload AND c.table_name = 'zones' AND c.previous ->> 'kind' = 'CCN'
), peers AS MATERIALIZED (
    SELECT pb.geom FROM zones z
    JOIN current_planning_boundaries pb ON pb.zone_id = z.id
    WHERE z.province_code IN (SELECT province_code FROM stored WHERE province_code IS NOT NULL)
      AND z.kind = 'CCN' AND z.status <> 'cancelled'
      AND z.established_on >= CAST(:ccn_from AS date)
), versions AS (
    SELECT DISTINCT admin_version FROM analysis_state
)
SELECT v.admin_version, p.code AS province_code
FROM versions v JOIN provinces p ON p.admin_version = v.admin_version
WHERE EXISTS (SELECT 1 FROM shapes s
              WHERE s.geom && ST_Expand(p.geom, :margin) AND ST_DWithin(s.geom, p.geom, :margin))
   OR EXISTS (SELECT 1 FROM peers s WHERE s.geom && p.geom AND ST_Intersects(s.geom, p.geom))
UNION
SELECT v.admin_version, '' FROM versions v
WHERE EXISTS (SELECT 1 FROM touched t
              WHERE NOT EXISTS (SELECT 1 FROM current_planning_boundaries pb
                                WHERE pb.zone_id = t.zone_id))
ORDER BY 1, 2

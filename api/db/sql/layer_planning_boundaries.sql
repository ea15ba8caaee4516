-- Approved planning boundaries: the current version of each zone, or every version (history)
-- when :all_versions, simplified by :tolerance_deg. Filters are optional.
SELECT z.code, z.name, z.kind, pb.version, pb.decision_ref, pb.approved_on, pb.valid_from,
       pb.valid_to, (pb.valid_to IS NULL) AS is_current,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS area_ha,
       ST_AsGeoJSON(CASE WHEN :tolerance_deg > 0
                         THEN ST_SimplifyPreserveTopology(pb.geom, :tolerance_deg)
                         ELSE pb.geom END, :digits) AS geometry
FROM planning_boundaries pb
JOIN zones z ON z.id = pb.zone_id
WHERE (:all_versions OR pb.valid_to IS NULL)
  AND (CAST(:province AS text) IS NULL OR z.province_code = :province)
  AND (CAST(:zone AS text) IS NULL OR z.code = :zone)
  AND (CAST(:xmin AS double precision) IS NULL
       OR pb.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
ORDER BY z.code, pb.version
LIMIT :limit

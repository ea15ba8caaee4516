-- Every planning-boundary version of one zone, newest first, with the area (ha, on the
-- ellipsoid) each version added to and removed from the version before it.
SELECT pb.version, pb.decision_ref, pb.approved_on, pb.valid_from, pb.valid_to,
       (pb.valid_to IS NULL) AS is_current,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS area_ha,
       CAST(round(CAST(ST_Area(ST_Difference(pb.geom, prev.geom)::geography) / 10000.0
                       AS numeric), 2) AS double precision) AS added_ha,
       CAST(round(CAST(ST_Area(ST_Difference(prev.geom, pb.geom)::geography) / 10000.0
                       AS numeric), 2) AS double precision) AS removed_ha,
       pb.upload_id
FROM planning_boundaries pb
LEFT JOIN planning_boundaries prev ON prev.zone_id = pb.zone_id AND prev.version = pb.version - 1
WHERE pb.zone_id = :zone_id
ORDER BY pb.version DESC

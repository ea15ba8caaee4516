-- Every planning-boundary version of one zone, newest first.
SELECT pb.version, pb.decision_ref, pb.approved_on, pb.valid_from, pb.valid_to,
       (pb.valid_to IS NULL) AS is_current,
       CAST(round(CAST(pb.area_ha AS numeric), 2) AS double precision) AS area_ha,
       pb.upload_id
FROM planning_boundaries pb
WHERE pb.zone_id = :zone_id
ORDER BY pb.version DESC

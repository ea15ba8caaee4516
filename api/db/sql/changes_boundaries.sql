-- Planning boundaries re-approved after :since: every version after the first whose validity
-- starts after :since, with the area it added to and removed from the version before (ha, on
-- the ellipsoid).
SELECT z.code, z.name, z.kind, z.province_code, pb.version, pb.decision_ref, pb.approved_on,
       pb.valid_from, prev.area_ha AS previous_ha, pb.area_ha,
       ST_Area(ST_Difference(pb.geom, prev.geom)::geography) / 10000.0 AS added_ha,
       ST_Area(ST_Difference(prev.geom, pb.geom)::geography) / 10000.0 AS removed_ha
FROM planning_boundaries pb
JOIN zones z ON z.id = pb.zone_id
JOIN planning_boundaries prev ON prev.zone_id = pb.zone_id AND prev.version = pb.version - 1
WHERE pb.valid_from > :since
  AND (CAST(:codes AS text[]) IS NULL OR z.code = ANY(:codes))
ORDER BY pb.valid_from, z.code

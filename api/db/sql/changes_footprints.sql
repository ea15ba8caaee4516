-- Footprints observed after :since, with the zone's planned area of the boundary in force
-- then: built share = footprint area / planned area.
SELECT z.code, z.name, z.kind, z.province_code, af.source, af.observed_on, af.area_ha,
       pb.area_ha AS planned_ha,
       af.area_ha / NULLIF(pb.area_ha, 0) AS built_share
FROM actual_footprints af
JOIN zones z ON z.id = af.zone_id
LEFT JOIN LATERAL (
    SELECT area_ha FROM planning_boundaries b
    WHERE b.zone_id = af.zone_id AND b.valid_from <= af.observed_on
    ORDER BY b.valid_from DESC LIMIT 1) pb ON true
WHERE af.observed_on > :since
  AND (CAST(:codes AS text[]) IS NULL OR z.code = ANY(:codes))
ORDER BY af.observed_on, z.code

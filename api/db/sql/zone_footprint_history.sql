-- Every actual-footprint observation of one zone, newest first, with its built share: the
-- part inside the planning boundary in force on the observation day (else the oldest one)
-- over that boundary's area.
SELECT af.source, af.observed_on,
       CAST(round(CAST(af.area_ha AS numeric), 2) AS double precision) AS area_ha,
       ST_Area(ST_Intersection(af.geom, pb.geom)::geography) / 10000.0
           / NULLIF(pb.area_ha, 0) AS built_share,
       af.upload_id
FROM actual_footprints af
LEFT JOIN LATERAL (
    SELECT b.geom, b.area_ha FROM planning_boundaries b
    WHERE b.zone_id = af.zone_id
    ORDER BY (b.valid_from <= af.observed_on) DESC, b.valid_from DESC
    LIMIT 1) pb ON true
WHERE af.zone_id = :zone_id
ORDER BY af.observed_on DESC, af.id DESC

-- Every actual-footprint observation of one zone, newest first.
SELECT af.source, af.observed_on,
       CAST(round(CAST(af.area_ha AS numeric), 2) AS double precision) AS area_ha,
       af.upload_id
FROM actual_footprints af
WHERE af.zone_id = :zone_id
ORDER BY af.observed_on DESC, af.id DESC

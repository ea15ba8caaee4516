-- The latest actual footprint of each zone (ties on the date broken by the newest row).
SELECT DISTINCT ON (af.zone_id)
       z.code AS zone_code, af.source, af.observed_on, af.geom AS geometry
FROM actual_footprints af
JOIN zones z ON z.id = af.zone_id
WHERE z.code = ANY(:codes)
ORDER BY af.zone_id, af.observed_on DESC, af.id DESC

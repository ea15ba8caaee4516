-- The latest actual footprint of each of the zones :codes (ties on the date broken by the newest
-- row): one index probe per zone (ix_actual_footprints_zone), no sort of the footprints.
SELECT z.code AS zone_code, af.source, af.observed_on, af.geom AS geometry
FROM zones z
CROSS JOIN LATERAL (
    SELECT a.source, a.observed_on, a.geom
    FROM actual_footprints a
    WHERE a.zone_id = z.id
    ORDER BY a.observed_on DESC, a.id DESC
    LIMIT 1
) af
WHERE z.code = ANY(:codes)
ORDER BY z.id

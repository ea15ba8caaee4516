-- Mapbox vector tile of actual footprints (every observation), simplified per zoom.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 0.02), 4326) AS env_4326
),
features AS (
    SELECT z.code AS zone_code, z.kind, af.source, af.observed_on::text AS observed_on,
           af.area_ha,
           ST_AsMVTGeom(ST_Transform(ST_Simplify(af.geom, :tolerance_deg, true), 3857), b.env,
                        4096, 64, true) AS geom
    FROM actual_footprints af
    -- OFFSET 0 keeps this a lookup by primary key per footprint of the tile: a hash join
    -- would read every zone for a tile of a few hundred footprints
    CROSS JOIN LATERAL (SELECT zz.code, zz.kind FROM zones zz WHERE zz.id = af.zone_id
                        OFFSET 0) z
    CROSS JOIN bounds b
    WHERE af.geom && b.env_4326
)
SELECT ST_AsMVT(features.*, 'actual-footprints', 4096, 'geom') FROM features
WHERE geom IS NOT NULL

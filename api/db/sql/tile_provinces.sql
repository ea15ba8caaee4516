-- Mapbox vector tile of the provinces of one admin version; the simplified geometry below z8.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 0.02), 4326) AS env_4326
),
features AS (
    SELECT p.code, p.name_vi, p.name_en, p.admin_version, p.area_km2,
           ST_AsMVTGeom(ST_Transform(ST_Simplify(
               CASE WHEN :z < 8 THEN COALESCE(p.geom_simplified, p.geom) ELSE p.geom END,
               :tolerance_deg, true), 3857), b.env, 4096, 64, true) AS geom
    FROM provinces p
    CROSS JOIN bounds b
    WHERE p.admin_version = :version AND p.geom && b.env_4326
)
SELECT ST_AsMVT(features.*, :layer, 4096, 'geom') FROM features WHERE geom IS NOT NULL

-- Province boundaries of one admin version for the web map, simplified by :tolerance_deg
-- (starting from the pre-simplified geometry when :use_simplified) with :digits decimals; with a
-- bbox only the provinces it touches, clipped to it (a clipped edge is invisible off-screen).
-- label_lon/label_lat: a point inside the whole province (its widest part), for its name.
SELECT code, name_vi, name_en, admin_version, area_km2,
       round(ST_X(ST_PointOnSurface(COALESCE(geom_simplified, geom)))::numeric, 4)::float8
           AS label_lon,
       round(ST_Y(ST_PointOnSurface(COALESCE(geom_simplified, geom)))::numeric, 4)::float8
           AS label_lat,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(
           CASE WHEN CAST(:xmin AS double precision) IS NULL
                THEN CASE WHEN :use_simplified THEN COALESCE(geom_simplified, geom) ELSE geom END
                ELSE ST_ClipByBox2D(geom, ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
           END, :tolerance_deg), :digits) AS geometry
FROM provinces
WHERE admin_version = :version
  AND (CAST(:province AS text) IS NULL OR code = :province)
  AND (CAST(:xmin AS double precision) IS NULL
       OR geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
ORDER BY code

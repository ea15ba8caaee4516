-- Actual footprints: the latest observation of each zone, or every observation when
-- :all_versions, simplified by :tolerance_deg. Filters are optional.
WITH observed AS (
    SELECT af.*, row_number() OVER (PARTITION BY af.zone_id
                                    ORDER BY af.observed_on DESC, af.id DESC) AS recency
    FROM actual_footprints af
    JOIN zones z ON z.id = af.zone_id
    WHERE (CAST(:province AS text) IS NULL OR z.province_code = :province)
      AND (CAST(:zone AS text) IS NULL OR z.code = :zone)
      AND (CAST(:xmin AS double precision) IS NULL
           OR af.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326))
)
SELECT z.code, z.name, z.kind, o.source, o.observed_on, (o.recency = 1) AS is_latest,
       CAST(round(CAST(o.area_ha AS numeric), 2) AS double precision) AS area_ha,
       ST_AsGeoJSON(CASE WHEN :tolerance_deg > 0
                         THEN ST_SimplifyPreserveTopology(o.geom, :tolerance_deg)
                         ELSE o.geom END, :digits) AS geometry
FROM observed o
JOIN zones z ON z.id = o.zone_id
WHERE :all_versions OR o.recency = 1
ORDER BY z.code, o.observed_on
LIMIT :limit

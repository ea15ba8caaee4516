-- Heat-map points: zone centres (of their bounding boxes: cheap, and a zone is a few pixels at
-- most at heat-map zooms) binned in a grid of :cell_deg degrees, each bin at the mean centre
-- of its zones, with the zone count and their planned area in hectares (boundary area when the
-- declared one is missing). The grid keeps the answer small at any data size.
WITH centres AS (
    SELECT (ST_XMin(b) + ST_XMax(b)) / 2 AS lon, (ST_YMin(b) + ST_YMax(b)) / 2 AS lat, area_ha
    FROM (
        SELECT CAST(z.current_geom AS box2d) AS b,
               COALESCE(z.planned_area_ha, pb.area_ha, 0) AS area_ha
        FROM zones z
        LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id
        WHERE (CAST(:province AS text) IS NULL OR z.province_code = :province)
          AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)
    ) shapes
    WHERE b IS NOT NULL
)
SELECT round(CAST(avg(lat) AS numeric), 4) AS lat, round(CAST(avg(lon) AS numeric), 4) AS lon,
       count(*) AS zones, sum(area_ha) AS area_ha
FROM centres
GROUP BY floor(lon / :cell_deg), floor(lat / :cell_deg)

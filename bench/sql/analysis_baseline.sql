-- "The database does it all": the analysis metrics in one hand-written PostGIS query.
--
-- One row per zone (planned, actual, intersection, encroachment and unbuilt ha, IoU,
-- Hausdorff m), one row per pair of overlapping planning boundaries (overlap ha) and one row
-- per pair of planning boundaries at most :distance_m apart edge to edge (the neighbour graph
-- that density clustering runs on). Areas and distances in the zone's UTM zone (WGS 84 /
-- UTM 48N west of 108° E, 49N east of it). The neighbour search is ST_DWithin on a stored
-- UTM 48N copy of the boundary (planning_boundaries.geom_m, GiST-indexed; both added by
-- bench/analysis_vs_sql.py): 3.5× faster than ST_DWithin on geography over a geography
-- index, and 7× faster than transforming in the join, for ≤ 0.3 % scale error at 5 km.
-- Output columns: kind ('zone' | 'overlap' | 'near'), code_a, code_b, then seven numbers.
WITH planned AS (
    SELECT z.code, pb.geom,
           CASE WHEN ST_X(ST_Centroid(pb.geom)) < 108 THEN 32648 ELSE 32649 END AS srid
    FROM zones z JOIN current_planning_boundaries pb ON pb.zone_id = z.id
),
actual AS (
    SELECT DISTINCT ON (af.zone_id) z.code, af.geom
    FROM actual_footprints af JOIN zones z ON z.id = af.zone_id
    ORDER BY af.zone_id, af.observed_on DESC, af.id DESC
),
pairs AS (
    SELECT z.code, p.srid,
           ST_Transform(p.geom, p.srid) AS p_m, ST_Transform(a.geom, p.srid) AS a_m
    FROM zones z
    LEFT JOIN planned p ON p.code = z.code
    LEFT JOIN actual a ON a.code = z.code
),
measured AS (
    SELECT code, ST_Area(p_m) AS p_m2, ST_Area(a_m) AS a_m2,
           ST_Area(ST_Intersection(p_m, a_m)) AS i_m2,
           ST_HausdorffDistance(p_m, a_m) AS hausdorff_m
    FROM pairs
),
zone_rows AS (
    SELECT 'zone' AS kind, code AS code_a, NULL::text AS code_b,
           p_m2 / 1e4 AS planned_ha, a_m2 / 1e4 AS actual_ha, i_m2 / 1e4 AS intersection_ha,
           i_m2 / NULLIF(p_m2 + a_m2 - i_m2, 0) AS iou,
           (a_m2 - i_m2) / 1e4 AS encroachment_ha, (p_m2 - i_m2) / 1e4 AS unbuilt_ha,
           hausdorff_m
    FROM measured
),
overlap_rows AS (
    SELECT 'overlap', za.code, zb.code,
           ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom),
                                CASE WHEN ST_X(ST_Centroid(a.geom)) < 108 THEN 32648 ELSE 32649 END))
               / 1e4,
           NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8
    FROM current_planning_boundaries a
    JOIN current_planning_boundaries b ON ST_Intersects(a.geom, b.geom)
    JOIN zones za ON za.id = a.zone_id
    JOIN zones zb ON zb.id = b.zone_id AND za.code < zb.code
),
near_rows AS (
    SELECT 'near', za.code, zb.code, NULL::float8, NULL::float8, NULL::float8, NULL::float8,
           NULL::float8, NULL::float8, NULL::float8
    FROM planning_boundaries a
    JOIN planning_boundaries b
      ON ST_DWithin(a.geom_m, b.geom_m, :distance_m)
     AND a.valid_to IS NULL AND b.valid_to IS NULL
    JOIN zones za ON za.id = a.zone_id
    JOIN zones zb ON zb.id = b.zone_id AND za.code < zb.code
)
SELECT * FROM zone_rows
UNION ALL SELECT * FROM overlap_rows
UNION ALL SELECT * FROM near_rows

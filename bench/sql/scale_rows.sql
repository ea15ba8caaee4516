-- National-scale synthetic rows, generated in SQL (seconds, not minutes): :zones zones spread
-- over Vietnam's extent, each with a point, a current planning boundary (every fifth with an
-- older closed version as well), an actual footprint, two flags, zone metrics with an
-- encroachment for every third, and a density cluster per 0.1° cell holding three zones or more, in one complete analysis
-- run. Used by the index-plan test (tests/integration/test_index_plans.py) and the read
-- benchmark (bench/ogc_vs_tipg.py). Deterministic: setseed fixes random().
SELECT setseed(0.42);

INSERT INTO zones (code, kind, name, province_code, status, established_on, planned_area_ha,
                   industrial_land_ha, leased_land_ha, is_synthetic, location)
SELECT 'G' || lpad(i::text, 7, '0'), (ARRAY['KKT', 'KCN', 'CCN'])[1 + i % 3],
       'Khu công nghiệp ' || i, lpad((1 + i % 34)::text, 2, '0'), 'operating',
       date '2005-01-01' + (i % 6000), 50 + i % 400, 40 + i % 300, i % 200, true,
       ST_SetSRID(ST_MakePoint(102.2 + random() * 7.2, 8.6 + random() * 14.6), 4326)
FROM generate_series(1, :zones) i;

-- One in ten zones has no boundary (it is drawn at its point).
INSERT INTO planning_boundaries (zone_id, version, decision_ref, approved_on, valid_from,
                                 valid_to, geom)
SELECT z.id, 1, 'QĐ ' || z.id || '/2010', date '2010-01-01', date '2010-01-01',
       CASE WHEN z.id % 5 = 0 THEN date '2018-01-01' END,
       ST_Multi(ST_Expand(z.location, 0.004 + (z.id % 7) * 0.001))
FROM zones z WHERE z.code LIKE 'G%' AND z.id % 10 <> 1;

INSERT INTO planning_boundaries (zone_id, version, decision_ref, approved_on, valid_from, geom)
SELECT z.id, 2, 'QĐ ' || z.id || '/2018', date '2018-01-01', date '2018-01-01',
       ST_Multi(ST_Expand(z.location, 0.006))
FROM zones z WHERE z.code LIKE 'G%' AND z.id % 5 = 0 AND z.id % 10 <> 1;

INSERT INTO actual_footprints (zone_id, source, observed_on, geom)
SELECT z.id, 'synthetic', date '2024-06-01',
       ST_Multi(ST_Expand(ST_Translate(z.location, 0.002, 0.001), 0.004))
FROM zones z WHERE z.code LIKE 'G%';

INSERT INTO analysis_runs (status, admin_version, zone_count, finished_at)
VALUES ('complete', '2025-34', :zones, now());

INSERT INTO flags (run_id, zone_code, province_code, code, severity, value, threshold, unit,
                   message_vi, message_en)
SELECT r.id, z.code, z.province_code, c.code, c.severity, 0.5, 0.8, 'ratio', 'cờ', 'flag'
FROM zones z
CROSS JOIN (SELECT max(id) AS id FROM analysis_runs) r
CROSS JOIN (VALUES ('FOOTPRINT_MISMATCH', 'warning'), ('LOW_OCCUPANCY', 'info')) c(code, severity)
WHERE z.code LIKE 'G%';

INSERT INTO zone_metrics (run_id, zone_code, kind, province_code, status, encroachment_ha,
                          worst_severity, encroachment_geom)
SELECT r.id, z.code, z.kind, z.province_code, z.status, 1.5, 'warning',
       CASE WHEN z.id % 3 = 0
            THEN ST_Multi(ST_Expand(ST_Translate(z.location, 0.005, 0), 0.001)) END
FROM zones z CROSS JOIN (SELECT max(id) AS id FROM analysis_runs) r
WHERE z.code LIKE 'G%';

INSERT INTO clusters (run_id, cluster_id, province_code, members, total_area_ha,
                      mean_occupancy, hull)
SELECT r.id, row_number() OVER (ORDER BY cell.cx, cell.cy), cell.province_code, cell.members,
       300, 0.3, cell.hull
FROM (SELECT floor(ST_X(z.location) / 0.1) AS cx, floor(ST_Y(z.location) / 0.1) AS cy,
             min(z.province_code) AS province_code, array_agg(z.code) AS members,
             ST_ConvexHull(ST_Collect(z.location)) AS hull
      FROM zones z WHERE z.code LIKE 'G%'
      GROUP BY 1, 2 HAVING count(*) >= 3) cell
CROSS JOIN (SELECT max(id) AS id FROM analysis_runs) r;

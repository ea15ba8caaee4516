-- Flag counts of the latest result of each province: the runs :runs paired with the provinces
-- :provinces they cover (runs[i] covers provinces[i]; a run's rows are those of its parts). Grouping sets: one row per province,
-- one per rule, one for the whole country (by_province / by_rule say which).
WITH chosen AS (
    SELECT unnest(CAST(:runs AS bigint[])) AS run_id,
           unnest(CAST(:provinces AS text[])) AS province_code
), picked AS (
    SELECT f.province_code, f.code, f.severity, f.zone_code, z.kind
    FROM flags f
    JOIN run_parts rp ON rp.part_id = f.run_id
    JOIN chosen s ON s.run_id = rp.run_id AND s.province_code = f.province_code
    LEFT JOIN zones z ON z.code = f.zone_code
)
SELECT GROUPING(province_code) = 0 AS by_province, GROUPING(code) = 0 AS by_rule,
       province_code, code,
       CAST(count(*) FILTER (WHERE severity = 'critical') AS integer) AS critical,
       CAST(count(*) FILTER (WHERE severity = 'warning') AS integer) AS warning,
       CAST(count(*) FILTER (WHERE severity = 'info') AS integer) AS info,
       CAST(count(DISTINCT zone_code) AS integer) AS zones,
       CAST(count(DISTINCT COALESCE(zone_code, 'province:' || province_code)) AS integer)
           AS subjects,
       CAST(count(DISTINCT zone_code) FILTER (WHERE severity = 'critical') AS integer)
           AS critical_zones,
       CAST(count(DISTINCT zone_code) FILTER (WHERE kind = 'CCN') AS integer) AS ccn_zones,
       CAST(count(DISTINCT zone_code) FILTER (WHERE code IN ('UNBUILT', 'SLOW_DEPLOYMENT'))
            AS integer) AS slow_zones,
       CAST(count(DISTINCT zone_code) FILTER (WHERE code IN ('UNBUILT', 'SLOW_DEPLOYMENT')
                                              AND kind = 'CCN') AS integer) AS slow_ccn
FROM picked
GROUP BY GROUPING SETS ((province_code), (code), ())

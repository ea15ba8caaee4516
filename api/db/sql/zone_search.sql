-- Zones whose name (diacritics folded by zonemap_fold) matches :pattern (a LIKE pattern built
-- from the folded query), or whose code starts with :code_prefix; names starting with the query
-- first, then shorter names.
SELECT z.code, z.name, z.kind, z.province_code, p.name_vi AS province_name,
       ST_X(ST_PointOnSurface(z.current_geom)) AS lon,
       ST_Y(ST_PointOnSurface(z.current_geom)) AS lat
FROM zones z
LEFT JOIN provinces p ON p.admin_version = '2025-34' AND p.code = z.province_code
WHERE zonemap_fold(z.name) LIKE :pattern OR lower(z.code) LIKE :code_prefix
ORDER BY (lower(z.code) = :exact) DESC, (zonemap_fold(z.name) LIKE :prefix_pattern) DESC,
         length(z.name), z.code
LIMIT :limit

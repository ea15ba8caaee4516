-- The outlines of :version around a partition's zones (:box, EPSG:4326), and :province itself.
SELECT code, name_vi, name_en, admin_version, area_km2, geom AS geometry
FROM provinces
WHERE admin_version = :version
  AND (code = :province OR geom && ST_GeomFromText(:box, 4326))
ORDER BY code

SELECT code, name_vi, name_en, admin_version, area_km2, geom AS geometry
FROM provinces
WHERE admin_version = :version
ORDER BY code

-- Every province of one admin version, simplified: the neighbours and the inset of Vietnam.
SELECT code, name_vi, name_en, area_km2, COALESCE(geom_simplified, geom) AS geometry
FROM provinces
WHERE admin_version = :version
ORDER BY code

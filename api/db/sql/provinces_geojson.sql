-- Provinces of one admin version as GeoJSON features (simplified geometry on request).
SELECT code, name_vi, name_vi_full, name_en, unit_type, admin_version, area_km2,
       valid_from, valid_to, merged_from, parent_code_2025,
       ST_AsGeoJSON(CASE WHEN :simplified THEN COALESCE(geom_simplified, geom) ELSE geom END, 6)
           AS geometry
FROM provinces
WHERE admin_version = :version
ORDER BY code

-- One province of one admin version, with its full-resolution outline.
SELECT code, name_vi, name_vi_full, name_en, admin_version, area_km2, valid_from,
       geom AS geometry
FROM provinces
WHERE admin_version = :version AND code = :code

-- One province of an admin version: names, area and extent (EPSG:4326 degrees).
SELECT code, name_vi, name_vi_full, name_en, admin_version, area_km2,
       ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax
FROM provinces
WHERE admin_version = :version AND code = :code

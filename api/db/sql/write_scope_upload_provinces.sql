SELECT DISTINCT p FROM (
    SELECT s.province_code AS p FROM upload_features s WHERE s.upload_id = :u
    UNION ALL
    SELECT s.geom_province_code FROM upload_features s WHERE s.upload_id = :u
    UNION ALL
    SELECT z.province_code FROM upload_features s JOIN zones z ON z.code = s.code
    WHERE s.upload_id = :u
) q WHERE p IS NOT NULL ORDER BY p

-- Zones entered in the register after :since (a date), among :codes (NULL: everywhere).
SELECT z.code, z.name, z.kind, z.province_code, z.status, z.established_on,
       z.planned_area_ha, CAST(z.created_at AS date) AS entered_on
FROM zones z
WHERE CAST(z.created_at AS date) > :since
  AND (CAST(:codes AS text[]) IS NULL OR z.code = ANY(:codes))
ORDER BY z.created_at, z.code

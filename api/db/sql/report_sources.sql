-- Where the data of the given zones comes from: footprint sources with their date range.
SELECT af.source, count(DISTINCT af.zone_id) AS zones,
       min(af.observed_on) AS first_observed, max(af.observed_on) AS last_observed
FROM actual_footprints af
JOIN zones z ON z.id = af.zone_id
WHERE z.code = ANY(:codes)
GROUP BY af.source
ORDER BY af.source

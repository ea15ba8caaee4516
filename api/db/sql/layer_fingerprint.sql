-- Changes whenever zones or their planning boundaries are inserted, updated or deleted: used to
-- know when a cached aggregate layer (the heat map) is stale.
SELECT (SELECT count(*) FROM zones) AS zones,
       (SELECT max(id) FROM zones) AS last_zone,
       (SELECT max(updated_at) FROM zones) AS last_update,
       (SELECT count(*) FROM planning_boundaries) AS boundaries,
       (SELECT max(id) FROM planning_boundaries) AS last_boundary

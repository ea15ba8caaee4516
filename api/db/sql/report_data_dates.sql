-- The first and the last date the register holds anything: zones entered, planning boundaries
-- in force, footprints observed, analyses finished.
SELECT min(first_on) AS first_on, max(last_on) AS last_on
FROM (
    SELECT CAST(min(created_at) AS date) AS first_on, CAST(max(updated_at) AS date) AS last_on
    FROM zones
    UNION ALL
    SELECT min(valid_from), max(valid_from) FROM planning_boundaries
    UNION ALL
    SELECT min(observed_on), max(observed_on) FROM actual_footprints
    UNION ALL
    SELECT CAST(min(finished_at) AS date), CAST(max(finished_at) AS date)
    FROM analysis_runs WHERE status = 'complete'
) dates

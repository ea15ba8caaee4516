-- The uploads that changed one zone (its attributes, boundaries or footprints), newest commit
-- first (commit order, not upload id), then the never committed ones.
SELECT u.id, u.kind, u.filename, u.status, u.uploaded_by, u.source_crs, u.encoding,
       u.created_at, u.commit_seq, u.committed_at, u.rolled_back_at
FROM uploads u
WHERE u.id IN (
    SELECT c.upload_id FROM upload_changes c WHERE c.zone_id = :zone_id
    UNION SELECT pb.upload_id FROM planning_boundaries pb WHERE pb.zone_id = :zone_id
    UNION SELECT af.upload_id FROM actual_footprints af WHERE af.zone_id = :zone_id
)
ORDER BY u.commit_seq DESC NULLS LAST, u.id DESC

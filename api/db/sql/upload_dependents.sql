-- Every committed upload that depends on :u, directly or through other committed uploads,
-- newest commit first: rolled back in that order, each one's own check passes.
WITH RECURSIVE later (id) AS (
    SELECT d.upload_id FROM upload_dependencies d JOIN uploads u ON u.id = d.upload_id
    WHERE d.earlier_upload_id = :u AND u.status = 'committed'
    UNION
    SELECT d.upload_id FROM later l JOIN upload_dependencies d ON d.earlier_upload_id = l.id
    JOIN uploads u ON u.id = d.upload_id WHERE u.status = 'committed'
)
SELECT u.id, u.commit_seq, u.filename, u.uploaded_by, u.committed_at
FROM later l JOIN uploads u ON u.id = l.id ORDER BY u.commit_seq DESC

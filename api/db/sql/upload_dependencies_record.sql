INSERT INTO upload_dependencies (upload_id, earlier_upload_id)
SELECT :u, u.id FROM uploads u WHERE u.id = ANY(:earlier) AND u.status = 'committed'
RETURNING earlier_upload_id

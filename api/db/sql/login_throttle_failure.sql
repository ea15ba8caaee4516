INSERT INTO login_throttle AS t (key, failures, last_failure_at, blocked_until)
VALUES (:key, 1, now(), NULL)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.locked_at IS NULL AND t.last_failure_at < now() - make_interval(
        secs => :forget) THEN 1 ELSE t.failures + 1 END,
    last_failure_at = now()
RETURNING failures

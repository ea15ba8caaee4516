"""Access control: who is asking (tokens, session cookies), what they may do (roles and
province scopes, enforced by row-level security where zone data is written), CSRF, rate and
size limits, and the audit log of every write.

No FastAPI routes here; ``api/deps.py`` turns these into dependencies.
"""

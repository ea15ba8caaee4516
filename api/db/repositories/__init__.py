"""The database's reads and writes, one module per table group (the SQL under api/db/sql too).

SQL is written one way: a statement of a line or two is a ``text()`` in the repository, a
longer one is a file in ``api/db/sql`` loaded with ``query(name)``; values are always bind
parameters. Only the OGC feature queries, whose filters, sort and paging come from the request,
are composed with SQLAlchemy Core (``ogc_collections``, ``ogc_cql2``,
``ogc_features``). Bulk writes use COPY (``bulk``).
"""

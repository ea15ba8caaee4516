"""OGC API - Features over HTTP: the routes (``routes``, ``items``), what they share
(``common``) and their query parameters (``params``). The queries themselves live under
``api.db.repositories`` (``ogc_features``, ``ogc_collections``, ``ogc_cql2``)."""

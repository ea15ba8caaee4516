"""Flag rules of DESIGN.md (``rules``, ``ccn`` for industrial clusters), what they share
(``common``) and their thresholds (``thresholds``, ``thresholds.yaml``)."""

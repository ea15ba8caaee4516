"""Coordinate reference systems: the storage CRS, metric helpers, CRS parsing and guessing
(``systems``) and VN-2000 with its official transformation to WGS 84 (``vn2000``)."""

"""Reading uploaded GIS files: archives, formats, CRS (VN-2000), text encodings, validation,
mapping.

``geo.ingest.upload.prepare_upload`` is the entry point: file in, decoded, mapped, reprojected and
checked features out (EPSG:4326).
"""

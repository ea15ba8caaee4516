"""Domain exceptions raised by ``geo``.

Every error carries a stable snake_case ``code`` (for APIs and logs) and a user-facing message
that says what is wrong and what to do.
"""

from __future__ import annotations

from typing import Any


class GeoError(Exception):
    """Base class of every error raised by ``geo``."""

    code: str = "geo_error"
    parameter: str | None = None
    """The input the error is about (a request parameter, a column), when there is one."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        parameter: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if parameter is not None:
            self.parameter = parameter
        self.details: dict[str, Any] = dict(details or {})


class EncodingAmbiguousError(GeoError):
    """The text encoding of a file's attributes cannot be decided; the user must pass one."""

    code = "encoding_ambiguous"


class UnknownCRSError(GeoError):
    """A coordinate reference system given as text could not be understood."""

    code = "unknown_crs"


class UnknownEncodingError(GeoError):
    """A text encoding name that ``geo.ingest.encoding`` does not support."""

    code = "unknown_encoding"


class ThresholdsError(GeoError):
    """A thresholds file or override is invalid: unknown key, missing key, bad or negative value."""

    code = "invalid_thresholds"


class MissingColumnsError(GeoError):
    """An input GeoDataFrame lacks columns that the analysis needs."""

    code = "missing_columns"


class AdminVersionError(GeoError):
    """The provinces given to an analysis mix admin versions or name none."""

    code = "invalid_admin_version"


class UnknownProvinceError(GeoError):
    """A province code that the named admin version does not have."""

    code = "unknown_province"
    parameter = "province"


class SyntheticInputError(GeoError):
    """The inputs of the synthetic zone generator are unusable (provinces, scale or version)."""

    code = "synthetic_input_invalid"


# --- Upload pipeline (geo.ingest: io, validate, mapping, upload) ------------------------------


class UploadFileError(GeoError):
    """A GIS file cannot be read as uploaded (format, archive, size or content problem)."""

    code = "upload_file_invalid"


class UnsupportedFormatError(UploadFileError):
    """The file is none of the supported formats (zipped shapefile, GeoPackage, GeoJSON, KML)."""

    code = "unsupported_format"


class NotAZipError(UploadFileError):
    """A file named or sent as a zip archive is not one."""

    code = "not_a_zip"


class UnsafeArchiveError(UploadFileError):
    """A zip member would be written outside the extraction folder (zip-slip)."""

    code = "unsafe_archive"


class ZipBombError(UploadFileError):
    """A zip declares far more uncompressed data, or a higher ratio, than the limits allow."""

    code = "zip_bomb"


class FileTooLargeError(UploadFileError):
    """The uploaded file is larger than the configured limit."""

    code = "file_too_large"


class NoShapefileError(UploadFileError):
    """A zip holds no ``.shp`` (nor any other readable layer)."""

    code = "no_layer"


class IncompleteShapefileError(UploadFileError):
    """A shapefile lacks one of its mandatory sidecar files (``.shx``, ``.dbf``)."""

    code = "shapefile_incomplete"


class CorruptFileError(UploadFileError):
    """The file is truncated or damaged and GDAL cannot read it."""

    code = "file_corrupt"


class EmptyLayerError(UploadFileError):
    """The chosen layer has no features."""

    code = "empty_layer"


class LayerChoiceError(UploadFileError):
    """The file holds several layers and none (or an unknown one) was chosen."""

    code = "layer_choice"


class CRSUndeterminedError(GeoError):
    """The file has no CRS and the user did not give one; ``details`` lists the ranked guesses."""

    code = "crs_missing"


class CoordinatesCRSMismatchError(GeoError):
    """The coordinates do not fit the declared CRS (e.g. metres declared as degrees)."""

    code = "crs_coordinates_mismatch"

"""Domain exceptions raised by ``geo``.

Every error carries a stable snake_case ``code`` (for APIs and logs) and a user-facing message
that says what is wrong and what to do.
"""

from __future__ import annotations

from typing import Any


class GeoError(Exception):
    """Base class of every error raised by ``geo``."""

    code: str = "geo_error"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = dict(details or {})


class EncodingAmbiguousError(GeoError):
    """The text encoding of a file's attributes cannot be decided; the user must pass one."""

    code = "encoding_ambiguous"


class UnknownCRSError(GeoError):
    """A coordinate reference system given as text could not be understood."""

    code = "unknown_crs"


class UnknownEncodingError(GeoError):
    """A text encoding name that ``geo.encoding`` does not support."""

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


class SyntheticInputError(GeoError):
    """The inputs of the synthetic zone generator are unusable (provinces, scale or version)."""

    code = "synthetic_input_invalid"

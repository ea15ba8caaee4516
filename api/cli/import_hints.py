"""What ``zonemap import`` adds to an error: the command-line way to fix it, and the JSON
document printed under ``--json`` when the import is refused.

``geo`` says what to change (the encoding, the CRS, the axes, a column); this module says which
option does that on the command line.
"""

from __future__ import annotations

from typing import Any

_HINTS = {
    "encoding_ambiguous": "Pass the encoding that reads correctly with --encoding NAME.",
    "crs_missing": "Pass --crs NAME (e.g. --crs VN2000-TM3-105.75 or --crs EPSG:4326), or "
    "--accept-crs-guess to use the first one.",
    "crs_coordinates_mismatch": "Pass the right CRS with --crs NAME.",
    "swapped_axes": "Pass --swap-axes to exchange longitude and latitude.",
    "invalid_mapping": "Map a field to a column with --map FIELD=COLUMN (quote names with "
    "spaces), or give every feature one value with --set FIELD=VALUE.",
    "missing_field": "Map it with --map FIELD=COLUMN, give one value to every feature with "
    "--set FIELD=VALUE, or (for code) make codes from the feature ids with --code-prefix PREFIX.",
    "quarantine_not_accepted": "Pass --skip-bad to commit the other features without them.",
    "layer_choice": "Choose one with --layer NAME.",
}


def hint_for(code: str) -> str | None:
    """The command-line hint for an error ``code``, if any."""
    return _HINTS.get(code)


def with_hint(exc: Exception) -> str:
    """The error's message followed by the command-line hint for its code (and its errors')."""
    message = getattr(exc, "message", str(exc))
    codes = [getattr(exc, "code", "")]
    details = getattr(exc, "details", None)
    if isinstance(details, dict):
        codes += [e.get("code", "") for e in details.get("errors", [])]
    hints = [h for h in dict.fromkeys(hint_for(c) for c in codes) if h]
    return message + "".join(f"\n{h}" for h in hints)


def error_document(message: str, exc: Exception | None) -> dict[str, Any]:
    """The ``--json`` document of a refused import: ``errors`` filled, the diagnosis if any."""
    from api.services import upload_documents as docs

    prepared = getattr(exc, "prepared", None)
    doc: dict[str, Any] = (
        docs.report_document(prepared, None) if prepared is not None else {"upload_id": None}
    )
    doc["status"] = "refused"
    doc["error_code"] = getattr(exc, "code", "error") if exc is not None else "invalid_arguments"
    doc["message"] = message
    doc["errors"] = doc.get("errors") or [message]
    details = getattr(exc, "details", None)
    if details:
        doc["details"] = details
    return doc

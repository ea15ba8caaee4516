"""Repair mojibake value by value in text that is already Unicode (GeoJSON, GeoPackage, KML).

A UTF-8 file can still carry garbled Vietnamese, because some converter decoded bytes with the
wrong code page before writing it:

* **double-encoded UTF-8**: UTF-8 bytes read as CP1252 and written again as UTF-8
  (``Nhá»‹p giáº£n Ä‘Æ¡n`` for ``Nhịp giản đơn``);
* **TCVN3 or VNI read as CP1252** (``Khu c«ng nghiÖp``, ``Khu coâng nghieäp``).

``repair_text`` tries each way back on one value and keeps a repair only when it reads clearly
better as Vietnamese; clean values are never touched. ``strip_control`` removes control
characters (NUL included) and says so, instead of letting a driver cut the text at them.
"""

from __future__ import annotations

import re

from geo.ingest.encoding import decode_bytes, encode_text, vietnamese_score

__all__ = ["REPAIRS", "repair_text", "strip_control"]

#: The ways back, in the order they are tried: how the value was garbled → what it was.
REPAIRS = ("utf-8", "tcvn3", "vni")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MOJIBAKE_HINT_RE = re.compile(
    "[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
_MIN_GAIN = 0.3


def strip_control(text: str) -> tuple[str, bool]:
    r"""Remove control characters (C0 but tab and line breaks, DEL, C1) from ``text``.

    Returns the cleaned text and whether anything was removed.

    Examples
    --------
    >>> strip_control("Khu\x00 công nghiệp")
    ('Khu công nghiệp', True)
    """
    cleaned = _CONTROL_RE.sub("", text)
    return cleaned, cleaned != text


def repair_text(text: str, *, prefer: str | None = None) -> tuple[str, str | None]:
    """Undo one level of mojibake in ``text``; return the text and the repair used (or None).

    ``prefer`` (one of ``REPAIRS``) is tried first and wins ties, so that the values of one
    column are repaired the same way.

    Examples
    --------
    >>> repair_text("Nhá»‹p giáº£n Ä‘Æ¡n")
    ('Nhịp giản đơn', 'utf-8')
    >>> repair_text("Khu c«ng nghiÖp")
    ('Khu công nghiệp', 'tcvn3')
    >>> repair_text("Khu công nghiệp Tiên Sơn")
    ('Khu công nghiệp Tiên Sơn', None)
    """
    if text.isascii() or not _MOJIBAKE_HINT_RE.search(text):
        return text, None
    before = vietnamese_score(text)
    if before >= 1.0:
        return text, None
    order = ([prefer] if prefer in REPAIRS else []) + [r for r in REPAIRS if r != prefer]
    best, best_score, how = text, before, None
    for repair in order:
        fixed = _undo(text, repair)
        if fixed is None or fixed == text:
            continue
        score = vietnamese_score(fixed)
        if score >= before + _MIN_GAIN and score > best_score:
            best, best_score, how = fixed, score, repair
    return best, how


def _undo(text: str, actual: str) -> str | None:
    """``text`` re-encoded as CP1252 and decoded as ``actual``; None when it cannot be."""
    try:
        raw = encode_text(text, "cp1252")
    except UnicodeEncodeError:
        return None
    if actual == "utf-8":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return decode_bytes(raw, actual)

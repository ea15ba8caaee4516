"""Numbers, shares and dates written the way each language reads them: the one formatter of
flag messages, pages and reports.

Vietnamese writes 1.234,5 (dot for thousands, comma for decimals) and dd/mm/yyyy; English
1,234.5 and yyyy-mm-dd.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def format_number(
    value: Any, lang: str, *, digits: int = 1, unit: str | None = None, trim: bool = True
) -> str:
    """``value`` with at most ``digits`` decimals (exactly ``digits`` when not ``trim``, so
    table columns line up), grouped thousands and an optional unit; an en dash for a missing
    value.

    Examples
    --------
    >>> format_number(1234.56, "vi", unit="ha"), format_number(1234.56, "en", unit="ha")
    ('1.234,6 ha', '1,234.6 ha')
    >>> format_number(None, "en")
    '–'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{text} {unit}" if unit else text


def format_share(value: Any, lang: str, *, digits: int = 1, trim: bool = True) -> str:
    """A share 0–1 as a percentage: ``format_share(0.375, "en") == '37.5 %'``."""
    if value is None:
        return "–"
    return format_number(float(value) * 100, lang, digits=digits, unit="%", trim=trim)


def format_date(value: Any, lang: str) -> str:
    """An ISO date (string, date or datetime) as dd/mm/yyyy in Vietnamese, yyyy-mm-dd in
    English."""
    if value in (None, ""):
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()

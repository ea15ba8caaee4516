"""Flags as a person reads them: titles, severity names and colours, in both languages.

The analysis stores each flag's own sentence in Vietnamese and English (``message_vi`` /
``message_en``); this module adds the short title of each flag code and picks the sentence of
the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from geo.vocabulary import FLAG_CODES, SEVERITIES
from web.i18n import LABELS, translate

__all__ = ["FLAG_CODES", "SEVERITIES", "flag_message", "flag_title", "severity_legend"]


# Fill colours of a zone by its worst flag (ColorBrewer RdYlBu, readable by most colour-blind
# viewers); a zone without flags is a quiet blue-grey.
SEVERITY_COLOURS: Final = {
    "critical": "#d7191c",
    "warning": "#fdae61",
    "info": "#ffffbf",
    "none": "#abd9e9",
}
UNFLAGGED_KIND_COLOURS: Final = {"KKT": "#0072B2", "KCN": "#56B4E9", "CCN": "#009E73"}
"""Colours of zones without flags, by kind (Okabe–Ito blue, sky blue, bluish green): none of
them red, orange or yellow, and none used by another layer."""


def flag_title(code: str, lang: str) -> str:
    """Short title of flag ``code`` in ``lang``; an unknown code is shown as it is.

    Examples
    --------
    >>> flag_title("ENCROACHMENT", "en")
    'Built outside the approved boundary'
    >>> flag_title("NEW_RULE", "vi")
    'NEW_RULE'
    """
    key = f"flag.{code}"
    return translate(key, lang) if key in LABELS[lang] else code


def flag_message(flag: Mapping[str, Any], lang: str) -> str:
    """The flag's own explanation in ``lang`` (``message_vi`` or ``message_en``), falling back
    to the other language when one is empty."""
    first, second = ("message_en", "message_vi") if lang == "en" else ("message_vi", "message_en")
    return str(flag.get(first) or flag.get(second) or "")


def severity_legend(lang: str) -> list[dict[str, str]]:
    """Legend rows of the zone colours: by worst flag, most severe first, then the zones
    without flags by kind."""
    flagged = [
        {"label": translate(f"severity.{name}", lang), "colour": colour, "shape": "fill"}
        for name, colour in SEVERITY_COLOURS.items()
        if name != "none"
    ]
    none = translate("severity.none", lang)
    unflagged = [
        {"label": f"{none} – {kind}", "colour": colour, "shape": "fill"}
        for kind, colour in UNFLAGGED_KIND_COLOURS.items()
    ]
    return flagged + unflagged

"""The GIS staff's upload page: choose a file and its kind, preview it on the map with what was
detected (CRS, encoding, field mapping, repairs, errors), adjust the mapping, commit, roll back.

The page only renders the form and the map; ``web/static/js/zonemap-upload.js`` talks to
``/api/uploads`` and draws the preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from geo.vocabulary import UPLOAD_KINDS
from web.i18n import translate
from web.maps.app import build_app_map, render_app_page
from web.maps.pages import admin_layers

ACCEPTED_SUFFIXES: Final = (".zip", ".gpkg", ".geojson", ".json", ".kml", ".kmz")


def render_upload_page(
    *,
    lang: str,
    max_upload_mb: int,
    me: Mapping[str, Any] | None = None,
    csrf_token: str = "",
    province_names: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Render ``/upload`` in ``lang``.

    Parameters
    ----------
    lang : {"vi", "en"}
        Page language.
    max_upload_mb : int
        The server's upload limit in megabytes, shown next to the file input.
    me : mapping, optional
        Who is uploading: ``name``, ``role``, ``provinces`` (labels in ``lang``),
        ``all_provinces`` and ``via`` (a ``session`` gets a sign-out button).
    csrf_token : str
        Posted back by the sign-out form.
    province_names : mapping, optional
        ``code`` → ``name_vi``/``name_en`` of the 2025-34 provinces: messages name provinces.

    Examples
    --------
    >>> html = render_upload_page(lang="en", max_upload_mb=200)
    >>> "Upload GIS data" in html and 'name="kind"' in html
    True
    """
    names = province_names or {}
    upload = {
        "url": "/api/uploads",
        "historyUrl": "/api/uploads?limit=30",
        "maxBytes": max_upload_mb * 1024**2,
        "provinces": {code: province_label(code, names, lang) for code in names},
    }
    m = build_app_map(layers=admin_layers(lang)[:1], lang=lang, extra={"upload": upload})
    return render_app_page(
        m,
        template="upload.html",
        title=translate("page.upload.title", lang),
        lang=lang,
        kinds=UPLOAD_KINDS,
        accept=",".join(ACCEPTED_SUFFIXES),
        max_upload_mb=max_upload_mb,
        me=me,
        csrf_token=csrf_token,
    )


def province_label(code: str, names: Mapping[str, Mapping[str, str]], lang: str) -> str:
    """A province by name in ``lang`` with its code: ``"Hà Nội (01)"``; the code alone when
    unknown.

    Examples
    --------
    >>> province_label("01", {"01": {"name_vi": "Hà Nội", "name_en": "Ha Noi"}}, "vi")
    'Hà Nội (01)'
    """
    found = names.get(code)
    if not found:
        return code
    name = found.get("name_en") if lang == "en" and found.get("name_en") else found["name_vi"]
    return f"{name} ({code})"

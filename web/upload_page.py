"""The GIS staff's upload page: choose a file and its kind, preview it on the map with what was
detected (CRS, encoding, field mapping, repairs, errors), adjust the mapping, commit, roll back.

The page only renders the form and the map; ``web/static/js/zonemap-upload.js`` talks to
``/api/uploads`` and draws the preview.
"""

from __future__ import annotations

from typing import Final

from web.i18n import translate
from web.map_app import build_app_map, render_app_page
from web.map_pages import admin_layers

UPLOAD_KINDS: Final = ("zones", "planned", "actual", "buildings")
ACCEPTED_SUFFIXES: Final = (".zip", ".gpkg", ".geojson", ".json", ".kml", ".kmz")


def render_upload_page(*, lang: str, max_upload_mb: int) -> str:
    """Render ``/upload`` in ``lang``.

    Parameters
    ----------
    lang : {"vi", "en"}
        Page language.
    max_upload_mb : int
        The server's upload limit in megabytes, shown next to the file input.

    Examples
    --------
    >>> html = render_upload_page(lang="en", max_upload_mb=200)
    >>> "Upload GIS data" in html and 'name="kind"' in html
    True
    """
    upload = {"url": "/api/uploads", "historyUrl": "/api/uploads?limit=30",
              "maxBytes": max_upload_mb * 1024**2}  # fmt: skip
    m = build_app_map(layers=admin_layers(lang)[:1], lang=lang, extra={"upload": upload})
    return render_app_page(
        m, template="upload.html", title=translate("page.upload.title", lang), lang=lang,
        kinds=UPLOAD_KINDS, accept=",".join(ACCEPTED_SUFFIXES), max_upload_mb=max_upload_mb,
    )  # fmt: skip

"""Error pages in the visitor's language."""

from __future__ import annotations

from web.env import make_env
from web.i18n import translate


def render_not_found_page(*, lang: str, message: str) -> str:
    """Render the 404 page: a title, ``message`` (already in ``lang``) and a way back.

    Examples
    --------
    >>> "Không tìm thấy" in render_not_found_page(lang="vi", message="Không có khu này.")
    True
    """
    return (
        make_env()
        .get_template("not_found.html")
        .render(lang=lang, title=translate("page.not_found.title", lang), message=message)
    )

"""The admin's user page (``/admin/users``): every user with role, provinces by name, state and
live tokens, and forms to add, disable/enable, re-scope, set a password or remove. Each form
posts back the CSRF token it was rendered with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from web.env import make_env
from web.i18n import translate
from web.upload_page import province_label


def render_admin_users_page(
    *,
    lang: str,
    users: Sequence[Mapping[str, Any]],
    province_names: Mapping[str, Mapping[str, str]],
    csrf_token: str,
    me: str,
    message: str | None = None,
    error: str | None = None,
) -> str:
    """Render ``/admin/users`` in ``lang``.

    ``province_names`` maps a 2025-34 code to its ``name_vi``/``name_en``; ``message`` and
    ``error`` are already in ``lang``.

    Examples
    --------
    >>> html = render_admin_users_page(lang="en", users=[], province_names={},
    ...                                csrf_token="t", me="root")
    >>> "Users" in html and 'value="t"' in html
    True
    """
    label = {code: province_label(code, province_names, lang) for code in province_names}
    return (
        make_env()
        .get_template("admin_users.html")
        .render(
            lang=lang,
            title=translate("page.admin.title", lang),
            users=users,
            province_label=lambda code: label.get(code, code),
            provinces=province_names,
            csrf_token=csrf_token,
            me=me,
            message=message,
            error=error,
        )
    )

"""The login page (``/login``): a name and password form, or who is signed in and a button to
sign out. The caller hands in the CSRF token the form must post back."""

from __future__ import annotations

from web.env import make_env
from web.i18n import translate


def render_login_page(
    *,
    lang: str,
    csrf_token: str,
    next_url: str = "/",
    error: str | None = None,
    user_name: str | None = None,
) -> str:
    """Render ``/login`` in ``lang``.

    Parameters
    ----------
    lang : {"vi", "en"}
        Page language.
    csrf_token : str
        Token put in the form's hidden ``csrf_token`` field.
    next_url : str
        Local path to go to after a successful login.
    error : str, optional
        Message (already in ``lang``) shown above the form, e.g. after a wrong password.
    user_name : str, optional
        When set, the visitor is signed in: show the name and a sign-out button instead.

    Examples
    --------
    >>> html = render_login_page(lang="en", csrf_token="abc")
    >>> 'name="password"' in html and 'value="abc"' in html and "Sign in" in html
    True
    """
    return (
        make_env()
        .get_template("login.html")
        .render(
            lang=lang,
            title=translate("page.login.title", lang),
            csrf_token=csrf_token,
            next_url=next_url,
            error=error,
            user_name=user_name,
        )
    )

"""The jinja2 environment that renders zonemap's HTML pages.

Templates are looked up first in an optional override folder (a deployment can restyle a page
without forking), then in ``web/templates``. Autoescaping is on for every template.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Final

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from web.assets import asset_url
from web.i18n import SUPPORTED_LANGS, translate

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"


@cache
def make_env(override_dir: Path | None = None) -> Environment:
    """The jinja2 environment for zonemap pages, one per override folder.

    Cached: every page render shares it, so each template is compiled once per process
    (a fresh environment per render compiled it again every time). Treat it as read-only.

    Parameters
    ----------
    override_dir : Path, optional
        Folder whose templates win over the packaged ones of the same name.

    Returns
    -------
    jinja2.Environment
        Autoescaping, strict about undefined variables, with globals ``t(key)`` (translate into
        the ``lang`` of the render context), ``asset_url(path)`` and ``supported_langs``.
    """
    loaders = [FileSystemLoader(str(TEMPLATES_DIR))]
    if override_dir is not None:
        loaders.insert(0, FileSystemLoader(str(override_dir)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=_translate_in_context, asset_url=asset_url, supported_langs=SUPPORTED_LANGS
    )
    return env


@pass_context
def _translate_in_context(context: Context, key: str) -> str:
    lang: Any = context.get("lang")
    return translate(key, lang)

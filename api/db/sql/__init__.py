"""Hand-written PostGIS queries, loaded by name."""

from functools import cache
from importlib.resources import files

from sqlalchemy import TextClause, text


@cache
def query(name: str) -> TextClause:
    return text(files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8"))

"""CQL2-text (Basic CQL2) filters → SQLAlchemy conditions with bind parameters.

The text is parsed by pygeofilter's CQL2-text grammar; the syntax tree is then walked here.
Identifiers resolve only through the collection's property allowlist and every literal becomes
a bind parameter, so no part of the filter text is ever pasted into SQL.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from pygeofilter import ast
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text
from sqlalchemy import ColumnElement, and_, literal, not_, or_

from api.db.repositories.ogc_collections import TYPES, Collection, source
from api.errors import OgcInvalidParameterError

MAX_FILTER_CHARS = 4000
_COMPARISONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Equal: operator.eq,
    ast.NotEqual: operator.ne,
    ast.LessThan: operator.lt,
    ast.LessEqual: operator.le,
    ast.GreaterThan: operator.gt,
    ast.GreaterEqual: operator.ge,
}
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int, float),
    "boolean": (bool,),
    "date": (dt.date,),
}


def cql2_condition(collection: Collection, filter_text: str) -> ColumnElement[bool]:
    """Parse ``filter_text`` (CQL2-text) into a condition on ``ogc_collections.source``.

    Raises ``OgcInvalidParameterError`` (parameter ``filter``) on a syntax error, an unknown
    property, an unsupported operator or a literal of the wrong type.
    """
    if len(filter_text) > MAX_FILTER_CHARS:
        _fail(f"the filter is longer than {MAX_FILTER_CHARS} characters")
    try:
        tree = parse_cql2_text(filter_text)
    except Exception as exc:  # lark raises several unrelated classes for bad input
        _fail(f"the filter is not valid CQL2 text ({_first_line(exc)})")
    return _Translator(collection).condition(tree)


class _Translator:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.src = source(collection)

    def condition(self, node: Any) -> ColumnElement[bool]:
        if isinstance(node, ast.And):
            return and_(self.condition(node.lhs), self.condition(node.rhs))
        if isinstance(node, ast.Or):
            return or_(self.condition(node.lhs), self.condition(node.rhs))
        if isinstance(node, ast.Not):
            return not_(self.condition(node.sub_node))
        if type(node) in _COMPARISONS:
            kind = self._kind_of(node.lhs, node.rhs)
            return _COMPARISONS[type(node)](
                self.operand(node.lhs, kind), self.operand(node.rhs, kind)
            )
        return self.predicate(node)

    def predicate(self, node: Any) -> ColumnElement[bool]:
        if isinstance(node, ast.Between):
            kind = self._kind_of(node.lhs, node.low, node.high)
            cond = self.operand(node.lhs, kind).between(
                self.operand(node.low, kind), self.operand(node.high, kind)
            )
        elif isinstance(node, ast.Like):
            col = self.operand(node.lhs, "string")
            pattern = self.operand(node.pattern, "string")
            cond = (
                col.ilike(pattern, escape="\\") if node.nocase else col.like(pattern, escape="\\")
            )
        elif isinstance(node, ast.In):
            kind = self._kind_of(node.lhs, *node.sub_nodes)
            cond = self.operand(node.lhs, kind).in_([self.operand(v, kind) for v in node.sub_nodes])
        elif isinstance(node, ast.IsNull):
            col = self.operand(node.lhs, None)
            cond = col.is_(None)
        else:
            _fail(
                f"'{type(node).__name__}' is not supported: use comparisons, AND/OR/NOT, "
                "LIKE, IN, BETWEEN and IS NULL on the collection's properties"
            )
        return not_(cond) if getattr(node, "not_", False) else cond

    def operand(self, node: Any, kind: str | None) -> Any:
        if isinstance(node, ast.Attribute):
            return self.src.c[self._property(node.name).name]
        if isinstance(node, bool | int | float | str | dt.date):
            if kind and not _fits(node, kind):
                _fail(f"the value {node!r} does not match a {kind} property")
            return literal(node, TYPES[kind or _literal_kind(node)]())
        _fail(f"'{type(node).__name__}' is not supported as an operand in Basic CQL2")
        return None  # unreachable

    def _property(self, name: str) -> Any:
        prop = self.collection.property(name)
        if prop is None:
            _fail(
                f"unknown property '{name}' in the filter: queryable properties of "
                f"'{self.collection.id}' are {', '.join(self.collection.property_names)}"
            )
        return prop

    def _kind_of(self, *nodes: Any) -> str | None:
        for node in nodes:
            if isinstance(node, ast.Attribute):
                return self._property(node.name).type
        return None


def _fits(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False
    return isinstance(value, _PY_TYPES[kind])


def _literal_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "date" if isinstance(value, dt.date) else "string"


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0][:200] if lines else type(exc).__name__


def _fail(message: str) -> None:
    raise OgcInvalidParameterError(f"filter: {message}", parameter="filter")


def equals_condition(collection: Collection, name: str, raw: str) -> ColumnElement[bool]:
    """``?name=value`` query parameter → ``name = value`` typed by the property's schema."""
    prop = collection.property(name)
    if prop is None:
        raise OgcInvalidParameterError(f"unknown property '{name}'", parameter=name)
    try:
        value = _coerce(raw, prop.type)
    except ValueError:
        raise OgcInvalidParameterError(
            f"{name} must be a {prop.type}, got '{raw}'", parameter=name
        ) from None
    return source(collection).c[prop.name] == literal(value, TYPES[prop.type]())


def _coerce(raw: str, kind: str) -> Any:
    if kind == "number":
        return float(raw)
    if kind == "integer":
        return int(raw)
    if kind == "date":
        return dt.date.fromisoformat(raw)
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise ValueError(raw)
        return raw.lower() == "true"
    return raw

"""How each kind of map layer looks: colours, outline styles, popup fields and legend entries.

Layers are loaded by the browser from API URLs, so styles cannot be Python callables: they are
plain JSON-serialisable configs that ``web/static/js/zonemap-map.js`` turns into Leaflet style
and popup functions, keyed on ``feature.properties``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from geo.vocabulary import ZONE_KINDS, ZONE_STATUSES
from web.i18n import translate

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
KIND_COLOURS: Final = {"KKT": "#0072B2", "KCN": "#D55E00", "CCN": "#009E73"}
UNKNOWN_KIND_COLOUR: Final = "#777777"
PROVINCE_LINE_COLOUR: Final = "#6b6b6b"
PROVINCE_LAND_COLOUR: Final = "#f4f1ea"

LOCALES: Final = {"vi": "vi-VN", "en": "en-GB"}


@dataclass(frozen=True)
class PopupField:
    """One row of a feature popup.

    ``props`` are feature property names tried in order (the first non-empty value is shown),
    ``codes`` are coded values shown translated as ``value_prefix + code`` (``"status."`` +
    ``"operating"``), ``unit_key`` names the unit label appended to numbers, ``decimals`` the
    maximum fraction digits.
    """

    label_key: str
    props: tuple[str, ...]
    value_prefix: str = ""
    codes: tuple[str, ...] = ()
    unit_key: str | None = None
    decimals: int = 1


ZONE_POPUP_FIELDS: Final = (
    PopupField("field.name", ("name",)),
    PopupField("field.code", ("code",)),
    PopupField("field.kind", ("kind",), value_prefix="kind.", codes=ZONE_KINDS),
    PopupField("field.status", ("status",), value_prefix="status.", codes=ZONE_STATUSES),
    PopupField("field.planned_area", ("planned_area_ha", "area_ha"), unit_key="unit.ha"),
    PopupField("field.industrial_land", ("industrial_land_ha",), unit_key="unit.ha"),
    PopupField("field.leased_land", ("leased_land_ha",), unit_key="unit.ha"),
)


def province_popup_fields(lang: str) -> tuple[PopupField, ...]:
    """Popup rows of a province: name in the page language (falling back to Vietnamese), area."""
    name_props = ("name_en", "name_vi") if lang == "en" else ("name_vi_full", "name_vi")
    return (
        PopupField("field.province", name_props),
        PopupField("field.code", ("code",)),
        PopupField("field.area", ("area_km2",), unit_key="unit.km2", decimals=0),
    )


def zone_style() -> dict[str, Any]:
    """Style config of zone polygons: filled, coloured by ``feature.properties.kind``."""
    return {
        "base": {"weight": 1.5, "opacity": 1.0, "fillOpacity": 0.45},
        "colour_by": "kind",
        "colours": dict(KIND_COLOURS),
        "fallback": UNKNOWN_KIND_COLOUR,
        "highlight": {"weight": 3, "fillOpacity": 0.65},
    }


def province_style(*, is_base: bool) -> dict[str, Any]:
    """Style config of province boundaries.

    As the base layer (no tile layer) provinces are drawn as filled land so the map reads as a
    map; over tiles they are thin outlines only.
    """
    if is_base:
        base = {"color": PROVINCE_LINE_COLOUR, "weight": 0.8, "fillColor": PROVINCE_LAND_COLOUR}
        base |= {"fillOpacity": 1.0}
    else:
        base = {"color": PROVINCE_LINE_COLOUR, "weight": 1.0, "fill": False}
    return {"base": base, "highlight": {"weight": 2.0}}


def popup_config(fields: tuple[PopupField, ...], *, lang: str) -> dict[str, Any]:
    """Translate popup fields into the JSON config read by ``zonemap.bindFeature`` in the page.

    Coded values (zone kinds, statuses) are translated; unknown codes are shown as they are.
    """
    return {
        "locale": LOCALES[lang],
        "fields": [_field_config(field, lang=lang) for field in fields],
    }


def _field_config(field: PopupField, *, lang: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "label": translate(field.label_key, lang),
        "props": list(field.props),
        "decimals": field.decimals,
    }
    if field.unit_key is not None:
        config["unit"] = translate(field.unit_key, lang)
    if field.codes:
        config["values"] = {
            code: translate(field.value_prefix + code, lang) for code in field.codes
        }
    return config


def legend_entries(*, lang: str, has_zones: bool, has_provinces: bool) -> list[dict[str, str]]:
    """Legend rows (``label``, ``colour``, ``shape`` of "fill" or "line") for the layers shown."""
    entries = []
    if has_zones:
        entries += [
            {"label": f"{kind} – {translate('kind.' + kind, lang)}", "colour": colour}
            | {"shape": "fill"}
            for kind, colour in KIND_COLOURS.items()
        ]
    if has_provinces:
        label = translate("legend.province_boundary", lang)
        entries.append({"label": label, "colour": PROVINCE_LINE_COLOUR, "shape": "line"})
    return entries

"""Interface text in Vietnamese (the default) and English.

Every label a page or map shows is looked up here by a dotted key, so both languages always
cover the same labels (a unit test compares the key sets). Vietnamese text is UTF-8 in Unicode
NFC with diacritics.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

SUPPORTED_LANGS: Final = ("vi", "en")
DEFAULT_LANG: Final = "vi"

_VI: Final = {
    "app.name": "zonemap",
    "app.tagline": "Bản đồ khu kinh tế, khu công nghiệp và cụm công nghiệp Việt Nam",
    "page.home.title": "Bản đồ khu kinh tế, khu công nghiệp, cụm công nghiệp",
    "nav.home": "Bản đồ",
    "lang.switch": "Ngôn ngữ",
    "lang.vi": "Tiếng Việt",
    "lang.en": "English",
    "footer.demo_data": "Dữ liệu minh họa tổng hợp, không phải số liệu chính thức.",
    "layer.provinces": "Ranh giới tỉnh",
    "layer.zones": "Khu kinh tế, khu công nghiệp, cụm công nghiệp",
    "layer.kkt": "Khu kinh tế",
    "layer.kcn": "Khu công nghiệp",
    "layer.ccn": "Cụm công nghiệp",
    "layer.basemap": "Bản đồ nền",
    "kind.KKT": "Khu kinh tế",
    "kind.KCN": "Khu công nghiệp",
    "kind.CCN": "Cụm công nghiệp",
    "status.planned": "Quy hoạch",
    "status.under_construction": "Đang xây dựng",
    "status.operating": "Đang hoạt động",
    "status.suspended": "Tạm dừng",
    "status.cancelled": "Đã hủy",
    "field.name": "Tên",
    "field.code": "Mã",
    "field.kind": "Loại hình",
    "field.status": "Tình trạng",
    "field.planned_area": "Diện tích quy hoạch",
    "field.industrial_land": "Đất công nghiệp",
    "field.leased_land": "Đất đã cho thuê",
    "field.province": "Tỉnh, thành phố",
    "field.area": "Diện tích",
    "unit.ha": "ha",
    "unit.km2": "km²",
    "legend.title": "Chú giải",
    "legend.province_boundary": "Ranh giới tỉnh",
    "map.fullscreen": "Toàn màn hình",
    "map.fullscreen_exit": "Thoát toàn màn hình",
    "map.load_error": "Không tải được lớp dữ liệu",
}

_EN: Final = {
    "app.name": "zonemap",
    "app.tagline": "Map of Vietnam's economic zones, industrial parks and industrial clusters",
    "page.home.title": "Economic zones, industrial parks and clusters",
    "nav.home": "Map",
    "lang.switch": "Language",
    "lang.vi": "Tiếng Việt",
    "lang.en": "English",
    "footer.demo_data": "Synthetic demo data, not official figures.",
    "layer.provinces": "Province boundaries",
    "layer.zones": "Economic zones, industrial parks and clusters",
    "layer.kkt": "Economic zones",
    "layer.kcn": "Industrial parks",
    "layer.ccn": "Industrial clusters",
    "layer.basemap": "Base map",
    "kind.KKT": "Economic zone",
    "kind.KCN": "Industrial park",
    "kind.CCN": "Industrial cluster",
    "status.planned": "Planned",
    "status.under_construction": "Under construction",
    "status.operating": "Operating",
    "status.suspended": "Suspended",
    "status.cancelled": "Cancelled",
    "field.name": "Name",
    "field.code": "Code",
    "field.kind": "Type",
    "field.status": "Status",
    "field.planned_area": "Planned area",
    "field.industrial_land": "Industrial land",
    "field.leased_land": "Leased land",
    "field.province": "Province",
    "field.area": "Area",
    "unit.ha": "ha",
    "unit.km2": "km²",
    "legend.title": "Legend",
    "legend.province_boundary": "Province boundary",
    "map.fullscreen": "Full screen",
    "map.fullscreen_exit": "Exit full screen",
    "map.load_error": "Could not load the layer",
}

LABELS: Final = MappingProxyType({"vi": MappingProxyType(_VI), "en": MappingProxyType(_EN)})


def normalize_lang(value: str | None) -> str:
    """Return ``value`` if it is a supported language code, else the default ("vi").

    Use it on user input such as a ``?lang=`` query parameter.

    Examples
    --------
    >>> normalize_lang("en"), normalize_lang("fr"), normalize_lang(None)
    ('en', 'vi', 'vi')
    """
    if value is not None and value.strip().lower() in SUPPORTED_LANGS:
        return value.strip().lower()
    return DEFAULT_LANG


def translate(key: str, lang: str = DEFAULT_LANG) -> str:
    """Return the interface label ``key`` in language ``lang``.

    Parameters
    ----------
    key : str
        Dotted label key, e.g. ``"layer.provinces"``.
    lang : str
        One of `SUPPORTED_LANGS`.

    Raises
    ------
    ValueError
        If ``lang`` is not supported (normalise user input with `normalize_lang` first).
    KeyError
        If ``key`` is not a known label: every label must exist in both languages.

    Examples
    --------
    >>> translate("layer.provinces", "vi"), translate("layer.provinces", "en")
    ('Ranh giới tỉnh', 'Province boundaries')
    """
    if lang not in LABELS:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(SUPPORTED_LANGS)}")
    try:
        return LABELS[lang][key]
    except KeyError:
        raise KeyError(f"no label {key!r} in web/i18n.py; add it for every language") from None

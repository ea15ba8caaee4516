"""Interface text in Vietnamese (the default) and English.

Every label a page or map shows is looked up here by a dotted key, so both languages always
cover the same labels (a unit test compares the key sets). Vietnamese text is UTF-8 in Unicode
NFC with diacritics.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from web.i18n.admin import ADMIN_EN, ADMIN_VI
from web.i18n.pages import PAGES_EN, PAGES_VI
from web.i18n.quarantine import QUARANTINE_EN, QUARANTINE_VI
from web.i18n.reports import REPORTS_EN, REPORTS_VI

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
    "report.title": "Báo cáo khu kinh tế, khu công nghiệp, cụm công nghiệp",
    "report.province_code": "mã",
    "report.admin_version": "Phiên bản địa giới hành chính",
    "report.generated_on": "Ngày lập",
    "report.run_id": "Lượt phân tích",
    "report.run_finished": "hoàn tất ngày",
    "report.no_run_short": "chưa có",
    "report.toc": "Mục lục",
    "report.page": "Trang",
    "report.back": "Quay lại trang tỉnh",
    "report.none": "Không có",
    "report.no_flags": "Không có khu nào bị cảnh báo.",
    "report.generated_by": "Lập bằng zonemap",
    "report.synthetic": "Dữ liệu minh họa tổng hợp, không phải số liệu chính thức.",
    "report.notice.no_run": "Chưa có lượt phân tích nào và cơ sở dữ liệu chưa có khu nào: "
    "báo cáo chỉ gồm ranh giới tỉnh.",
    "report.notice.run_created": "Chưa có lượt phân tích nào cho tỉnh này: một lượt phân tích "
    "đã được chạy để lập báo cáo.",
    "report.notice.no_zones": "Tỉnh này không có khu kinh tế, khu công nghiệp hay cụm công "
    "nghiệp nào trong cơ sở dữ liệu.",
    "report.section.map": "Bản đồ tỉnh",
    "report.section.summary": "Số liệu tổng hợp",
    "report.section.charts": "Biểu đồ",
    "report.section.zones": "Danh sách các khu",
    "report.section.flagged": "Các khu cần chú ý",
    "report.section.sources": "Nguồn dữ liệu",
    "report.province_flags": "Cảnh báo cấp tỉnh",
    "report.sum.indicator": "Chỉ tiêu",
    "report.sum.province": "Tỉnh",
    "report.sum.national_median": "Trung vị cả nước",
    "report.sum.national_na": "Chưa có lượt phân tích toàn quốc để so sánh với trung vị.",
    "report.sum.zones": "Số khu",
    "report.sum.by_status": "Tình trạng",
    "report.sum.density": "Mật độ (số khu / 1.000 km²)",
    "report.sum.area_density": "Diện tích khu (ha / 1.000 km²)",
    "report.sum.planned_ha": "Tổng diện tích quy hoạch",
    "report.sum.actual_ha": "Tổng diện tích thực tế",
    "report.sum.occupancy": "Tỷ lệ lấp đầy",
    "report.sum.nn_mean": "Khoảng cách đến khu gần nhất, trung bình",
    "report.sum.nn_median": "Khoảng cách đến khu gần nhất, trung vị",
    "report.sum.nn_min": "Khoảng cách đến khu gần nhất, nhỏ nhất",
    "report.sum.clark_evans": "Chỉ số Clark–Evans R",
    "report.sum.flags": "Cảnh báo theo mức độ",
    "report.ce.clustered": "R < 1 và có ý nghĩa thống kê (p < 0,05): các khu phân bố tập trung "
    "thành cụm, dày hơn phân bố ngẫu nhiên.",
    "report.ce.dispersed": "R > 1 và có ý nghĩa thống kê (p < 0,05): các khu phân bố dàn đều, "
    "thưa hơn phân bố ngẫu nhiên.",
    "report.ce.random": "Không khác biệt có ý nghĩa so với phân bố ngẫu nhiên (p ≥ 0,05).",
    "report.ce.undefined": "Không xác định được (cần ít nhất hai khu có ranh giới).",
    "report.severity.critical": "Nghiêm trọng",
    "report.severity.warning": "Cảnh báo",
    "report.severity.info": "Thông tin",
    "report.col.established": "Thành lập",
    "report.col.planned_ha": "QH (ha)",
    "report.col.actual_ha": "Thực tế (ha)",
    "report.col.iou": "IoU",
    "report.col.encroachment_ha": "Lấn ra (ha)",
    "report.col.occupancy": "Lấp đầy",
    "report.col.flags": "Cảnh báo",
    "report.chart.planned": "Diện tích quy hoạch",
    "report.chart.actual": "Diện tích thực tế",
    "report.chart.area_axis": "Diện tích (ha)",
    "report.chart.occupancy_axis": "Tỷ lệ lấp đầy (%)",
    "report.chart.area_title": "Diện tích quy hoạch và thực tế của các khu lớn nhất.",
    "report.chart.occupancy_title": "Tỷ lệ lấp đầy theo khu, thấp nhất trước (đỏ: dưới 30 %).",
    "report.map.critical": "Cảnh báo nghiêm trọng",
    "report.map.warning": "Cảnh báo",
    "report.map.info": "Thông tin",
    "report.map.no_flag": "Không có cảnh báo",
    "report.map.planned": "Ranh giới quy hoạch",
    "report.map.actual": "Hiện trạng thực tế",
    "report.map.encroachment": "Phần lấn ra ngoài ranh giới",
    "report.map.cluster": "Cụm khu mật độ cao",
    "report.map.province": "Tỉnh báo cáo",
    "report.map.caption": "Phép chiếu WGS 84 / UTM; chấm tròn: vị trí khu, tô màu theo cảnh "
    "báo nặng nhất. Ô nhỏ: vị trí tỉnh trong cả nước.",
    "report.source.zones": "Danh mục khu",
    "report.source.synthetic": "bộ dữ liệu minh họa tổng hợp của zonemap",
    "report.source.register": "cơ sở dữ liệu zonemap",
    "report.source.actual": "Hiện trạng",
    "report.source.zones_unit": "khu",
    "report.source.observed": "quan sát",
    "report.source.boundaries": "Ranh giới hành chính",
    "report.source.valid_from": "hiệu lực từ",
    "report.source.run": "Kết quả phân tích",
    "page.login.title": "Đăng nhập",
    "login.name": "Tên người dùng",
    "login.password": "Mật khẩu",
    "login.submit": "Đăng nhập",
    "login.failed": "Tên người dùng hoặc mật khẩu không đúng.",
    "login.throttled": "Quá nhiều lần đăng nhập sai. Hãy thử lại sau {seconds} giây.",
    "login.locked": "Tài khoản bị khóa sau quá nhiều lần đăng nhập sai. Hãy nhờ quản trị viên "
    "mở khóa.",
    "login.signed_in_as": "Đang đăng nhập với tên",
    "login.logout": "Đăng xuất",
    "login.token_note": "Phần mềm GIS và tập lệnh dùng mã truy cập API (zonemap token create).",
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
    "report.title": "Report on economic zones, industrial parks and industrial clusters",
    "report.province_code": "code",
    "report.admin_version": "Admin boundary version",
    "report.generated_on": "Date",
    "report.run_id": "Analysis run",
    "report.run_finished": "completed",
    "report.no_run_short": "none",
    "report.toc": "Contents",
    "report.page": "Page",
    "report.back": "Back to the province page",
    "report.none": "None",
    "report.no_flags": "No zone is flagged.",
    "report.generated_by": "Produced by zonemap",
    "report.synthetic": "Synthetic demo data, not official figures.",
    "report.notice.no_run": "No analysis run exists and the database holds no zones: this "
    "report shows the province boundary only.",
    "report.notice.run_created": "No analysis run covered this province: one was run to "
    "produce this report.",
    "report.notice.no_zones": "This province has no economic zone, industrial park or "
    "industrial cluster in the database.",
    "report.section.map": "Province map",
    "report.section.summary": "Summary",
    "report.section.charts": "Charts",
    "report.section.zones": "All zones",
    "report.section.flagged": "Zones needing attention",
    "report.section.sources": "Data sources",
    "report.province_flags": "Province-level flags",
    "report.sum.indicator": "Indicator",
    "report.sum.province": "Province",
    "report.sum.national_median": "National median",
    "report.sum.national_na": "No national analysis run yet to compare with the median.",
    "report.sum.zones": "Zones",
    "report.sum.by_status": "Status",
    "report.sum.density": "Density (zones / 1,000 km²)",
    "report.sum.area_density": "Zone area (ha / 1,000 km²)",
    "report.sum.planned_ha": "Total planned area",
    "report.sum.actual_ha": "Total actual footprint",
    "report.sum.occupancy": "Occupancy",
    "report.sum.nn_mean": "Distance to the nearest zone, mean",
    "report.sum.nn_median": "Distance to the nearest zone, median",
    "report.sum.nn_min": "Distance to the nearest zone, shortest",
    "report.sum.clark_evans": "Clark–Evans R",
    "report.sum.flags": "Flags by severity",
    "report.ce.clustered": "R < 1 and significant (p < 0.05): the zones are clustered, closer "
    "together than a random pattern.",
    "report.ce.dispersed": "R > 1 and significant (p < 0.05): the zones are spread out more "
    "evenly than a random pattern.",
    "report.ce.random": "Not significantly different from a random pattern (p ≥ 0.05).",
    "report.ce.undefined": "Undefined (needs at least two zones with a boundary).",
    "report.severity.critical": "Critical",
    "report.severity.warning": "Warning",
    "report.severity.info": "Information",
    "report.col.established": "Established",
    "report.col.planned_ha": "Planned (ha)",
    "report.col.actual_ha": "Actual (ha)",
    "report.col.iou": "IoU",
    "report.col.encroachment_ha": "Encroach. (ha)",
    "report.col.occupancy": "Occupancy",
    "report.col.flags": "Flags",
    "report.chart.planned": "Planned area",
    "report.chart.actual": "Actual footprint",
    "report.chart.area_axis": "Area (ha)",
    "report.chart.occupancy_axis": "Occupancy (%)",
    "report.chart.area_title": "Planned and actual area of the largest zones.",
    "report.chart.occupancy_title": "Occupancy by zone, lowest first (red: below 30%).",
    "report.map.critical": "Critical flag",
    "report.map.warning": "Warning flag",
    "report.map.info": "Information flag",
    "report.map.no_flag": "No flag",
    "report.map.planned": "Planning boundary",
    "report.map.actual": "Actual footprint",
    "report.map.encroachment": "Encroachment beyond the boundary",
    "report.map.cluster": "Dense cluster of zones",
    "report.map.province": "Reported province",
    "report.map.caption": "Projection WGS 84 / UTM; dots: zone locations, coloured by their "
    "worst flag. Inset: the province in Vietnam.",
    "report.source.zones": "Zone register",
    "report.source.synthetic": "zonemap synthetic demo set",
    "report.source.register": "zonemap database",
    "report.source.actual": "Actual footprints",
    "report.source.zones_unit": "zones",
    "report.source.observed": "observed",
    "report.source.boundaries": "Admin boundaries",
    "report.source.valid_from": "in force since",
    "report.source.run": "Analysis results",
    "page.login.title": "Sign in",
    "login.name": "User name",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.failed": "Wrong user name or password.",
    "login.throttled": "Too many failed sign-ins. Try again in {seconds} seconds.",
    "login.locked": "This account is locked after too many failed sign-ins. Ask an admin to "
    "unlock it.",
    "login.signed_in_as": "Signed in as",
    "login.logout": "Sign out",
    "login.token_note": "GIS software and scripts use an API token (zonemap token create).",
}

_VI.update(PAGES_VI)  # labels of the map, upload and error pages
_EN.update(PAGES_EN)
_VI.update(QUARANTINE_VI)  # the upload page's diagnosis and quarantine
_EN.update(QUARANTINE_EN)

_VI.update(REPORTS_VI)  # labels of the national report, DOCX, XLSX and changes
_EN.update(REPORTS_EN)

_VI.update(ADMIN_VI)  # the user administration page
_EN.update(ADMIN_EN)

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
        raise KeyError(f"no label {key!r} in web/i18n; add it for every language") from None

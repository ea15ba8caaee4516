"""Labels of the upload page's diagnosis: quarantined features, their reasons, the encoding
picker, the swapped-axes fix and the page's own hints (Vietnamese and English)."""

from __future__ import annotations

from typing import Final

QUARANTINE_VI: Final = {
    "upload.constants": "Giá trị chung cho mọi đối tượng (vd. kind=KCN)",
    "upload.code_prefix": "Tiền tố mã khi tệp không có cột mã (mã = tiền tố + số hiệu đối tượng)",
    "upload.quarantine": "Đối tượng bị cách ly",
    "upload.quarantine_note": "{count} đối tượng lỗi sẽ không được ghi. Tải chúng về để sửa rồi "
    "tải lên lại.",
    "upload.accept_quarantine": "Đồng ý ghi các đối tượng tốt và bỏ qua {count} đối tượng bị "
    "cách ly",
    "upload.quarantine_download": "Tải các đối tượng bị cách ly (GeoJSON)",
    "upload.quarantine_layer": "Đối tượng bị cách ly",
    "upload.diagnosis": "Chẩn đoán từng đối tượng",
    "upload.reason.ok": "hợp lệ",
    "upload.reason.geometry_missing": "không có hình học",
    "upload.reason.non_finite": "tọa độ không phải là số (NaN)",
    "upload.reason.null_island": "nằm ở (0, 0)",
    "upload.reason.swapped_axes": "đảo kinh độ và vĩ độ",
    "upload.reason.crs_mismatch": "tọa độ không khớp hệ tọa độ",
    "upload.reason.scale_error": "sai bậc độ lớn (thiếu dấu thập phân)",
    "upload.reason.outside_vietnam": "nằm ngoài Việt Nam",
    "upload.reason.wrong_geometry_type": "sai kiểu hình học",
    "upload.reason.invalid_geometry": "hình học không hợp lệ, không sửa được",
    "upload.reason.invalid_geometry_repaired": "hình học không hợp lệ, đã sửa (vẫn ghi)",
    "upload.swap_axes": "Đổi chỗ kinh độ và vĩ độ rồi xem trước lại",
    "upload.choose_encoding": "Chọn bảng mã cho chữ tiếng Việt đọc đúng:",
    "upload.use_encoding": "Dùng bảng mã này",
    "upload.repaired_text": "Chữ lỗi phông đã được sửa",
    "upload.hint.crs_missing": "Nhập hệ tọa độ vào ô “Hệ tọa độ” (vd. VN2000-TM3-105.75) rồi "
    "xem trước lại.",
    "upload.hint.crs_coordinates_mismatch": "Nhập đúng hệ tọa độ vào ô “Hệ tọa độ” rồi xem trước "
    "lại.",
    "upload.hint.swapped_axes": "Bấm nút bên dưới để đổi chỗ kinh độ và vĩ độ.",
    "upload.hint.invalid_mapping": "Sửa ánh xạ trường: chọn một cột có trong tệp.",
    "upload.hint.missing_field": "Ánh xạ trường thiếu vào một cột, hoặc nhập một giá trị chung.",
    "upload.hint.quarantine_not_accepted": "Đánh dấu ô đồng ý bỏ qua các đối tượng bị cách ly.",
    "error.swapped_axes": "Kinh độ và vĩ độ bị đảo chỗ.",
    "error.quarantine_not_accepted": "Còn đối tượng bị cách ly chưa được chấp nhận.",
    "error.non_finite": "Có tọa độ không phải là số.",
    "error.null_island": "Quá nhiều đối tượng nằm ở (0, 0).",
    "error.scale_error": "Quá nhiều tọa độ sai bậc độ lớn.",
    "error.outside_vietnam": "Quá nhiều đối tượng nằm ngoài Việt Nam.",
    "error.geometry_missing": "Quá nhiều đối tượng không có hình học.",
    "error.wrong_geometry_type": "Sai kiểu hình học cho loại dữ liệu này.",
    "error.invalid_geometry": "Quá nhiều hình học không hợp lệ.",
    "error.value_too_long": "Có giá trị quá dài.",
    "error.invalid_mapping": "Ánh xạ trường không hợp lệ.",
    "error.missing_field": "Thiếu trường bắt buộc.",
    "error.outside_province_scope": "Dữ liệu nằm ngoài tỉnh bạn được phép sửa.",
}

QUARANTINE_EN: Final = {
    "upload.constants": "One value for every feature (e.g. kind=KCN)",
    "upload.code_prefix": "Code prefix when the file has no code column (code = prefix + "
    "feature id)",
    "upload.quarantine": "Quarantined features",
    "upload.quarantine_note": "{count} broken feature(s) will not be written. Download them, fix "
    "them and upload them again.",
    "upload.accept_quarantine": "Write the good features and leave out the {count} quarantined "
    "one(s)",
    "upload.quarantine_download": "Download the quarantined features (GeoJSON)",
    "upload.quarantine_layer": "Quarantined features",
    "upload.diagnosis": "Diagnosis per feature",
    "upload.reason.ok": "fine",
    "upload.reason.geometry_missing": "no geometry",
    "upload.reason.non_finite": "a coordinate is not a number (NaN)",
    "upload.reason.null_island": "lies at (0, 0)",
    "upload.reason.swapped_axes": "longitude and latitude swapped",
    "upload.reason.crs_mismatch": "coordinates do not fit the CRS",
    "upload.reason.scale_error": "scale error (missing decimal point)",
    "upload.reason.outside_vietnam": "outside Vietnam",
    "upload.reason.wrong_geometry_type": "wrong geometry type",
    "upload.reason.invalid_geometry": "invalid geometry, not repairable",
    "upload.reason.invalid_geometry_repaired": "invalid geometry, repaired (kept)",
    "upload.swap_axes": "Swap longitude and latitude and preview again",
    "upload.choose_encoding": "Choose the encoding in which the Vietnamese text reads correctly:",
    "upload.use_encoding": "Use this encoding",
    "upload.repaired_text": "Garbled text repaired",
    "upload.hint.crs_missing": "Enter the CRS in the “CRS” box (e.g. VN2000-TM3-105.75) and "
    "preview again.",
    "upload.hint.crs_coordinates_mismatch": "Enter the right CRS in the “CRS” box and preview "
    "again.",
    "upload.hint.swapped_axes": "Press the button below to swap longitude and latitude.",
    "upload.hint.invalid_mapping": "Correct the field mapping: choose a column of the file.",
    "upload.hint.missing_field": "Map the missing field to a column, or enter one value for all.",
    "upload.hint.quarantine_not_accepted": "Tick the box to leave the quarantined features out.",
    "error.swapped_axes": "Longitude and latitude are swapped.",
    "error.quarantine_not_accepted": "Quarantined features were not accepted.",
    "error.non_finite": "A coordinate is not a number.",
    "error.null_island": "Too many features lie at (0, 0).",
    "error.scale_error": "Too many coordinates with a scale error.",
    "error.outside_vietnam": "Too many features lie outside Vietnam.",
    "error.geometry_missing": "Too many features have no geometry.",
    "error.wrong_geometry_type": "Wrong geometry type for this kind of data.",
    "error.invalid_geometry": "Too many invalid geometries.",
    "error.value_too_long": "A value is too long.",
    "error.invalid_mapping": "The field mapping is not valid.",
    "error.missing_field": "A required field is missing.",
    "error.outside_province_scope": "The data lies outside the provinces you may edit.",
}

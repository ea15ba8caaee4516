"""Labels of the national report, the editable formats (DOCX, XLSX) and the changes section,
in Vietnamese and English (merged into ``web.i18n.LABELS``). Sentences with ``{name}`` fields
are filled with numbers already written in the report's language."""

from __future__ import annotations

from typing import Final

REPORTS_VI: Final = {
    "nat.title": "Báo cáo rà soát khu kinh tế, khu công nghiệp, cụm công nghiệp toàn quốc",
    "nat.subtitle": "Kết quả rà soát theo Chỉ thị số 07/CT-TTg ngày 02/3/2012 của Thủ tướng "
    "Chính phủ",
    "prov.subtitle": "Tình hình khu kinh tế, khu công nghiệp, cụm công nghiệp của {name}",
    "doc.national_motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "doc.motto": "Độc lập - Tự do - Hạnh phúc",
    "doc.number": "Số: {number}",
    "doc.kind": "BÁO CÁO",
    "doc.date": "{place}, ngày {day:02d} tháng {month:02d} năm {year}",
    "doc.addressee": "Kính gửi: {addressee}.",
    "doc.recipients": "Nơi nhận:",
    "doc.draft_note": "Nội dung do zonemap soạn tự động từ số liệu; cơ quan ban hành rà soát, "
    "chỉnh sửa trước khi ký.",
    "doc.summary": "Tóm tắt",
    "doc.findings": "Tình hình chung",
    "doc.conclusions": "Kết luận",
    "doc.recommendations": "Kiến nghị",
    "doc.template": "Mẫu biểu",
    "doc.more_rows": "… và {n} dòng nữa (đầy đủ trong tệp Excel).",
    "doc.sources": "Nguồn dữ liệu",
    "doc.data_date": "Số liệu đến ngày",
    "doc.analysis": "Kết quả phân tích",
    "doc.thresholds": "Ngưỡng cảnh báo",
    "doc.generated_on": "Ngày lập",
    "doc.total": "Cả nước",
    "doc.total_province": "Cộng",
    "doc.sheet_sources": "Nguồn",
    "doc.sheet_about": "Thông tin",
    "nat.sec.kpis": "Số liệu tổng hợp toàn quốc",
    "nat.sec.directive": "Các nội dung của Chỉ thị 07/CT-TTg",
    "nat.sec.map": "Mật độ khu bị cảnh báo theo tỉnh",
    "nat.sec.provinces": "Các tỉnh, thành phố xếp theo tỷ lệ khu bị cảnh báo",
    "nat.sec.critical": "Các cảnh báo nghiêm trọng",
    "nat.sec.thresholds": "Ngưỡng cảnh báo đã dùng",
    "nat.tab.kind_status": "Số khu theo loại hình và tình trạng",
    "nat.tab.areas": "Diện tích và tỷ lệ lấp đầy theo loại hình",
    "nat.tab.rules": "Cảnh báo theo quy tắc và mức độ",
    "nat.map.caption": "Số khu bị cảnh báo trên 1.000 km² diện tích tự nhiên của tỉnh; "
    "phép chiếu WGS 84 / UTM 48N.",
    "nat.map.legend": "Khu bị cảnh báo / 1.000 km²",
    "nat.map.none": "0 (không có)",
    "rcol.rank": "Hạng",
    "rcol.code": "Mã",
    "rcol.province": "Tỉnh, thành phố",
    "rcol.kind": "Loại hình",
    "rcol.zones": "Số khu",
    "rcol.total": "Tổng",
    "rcol.zone": "Tên khu",
    "rcol.zone_code": "Mã khu",
    "rcol.rule": "Quy tắc",
    "rcol.severity": "Mức độ",
    "rcol.message": "Nội dung",
    "rcol.planned_ha": "Diện tích tự nhiên theo quy hoạch (ha)",
    "rcol.industrial_ha": "Diện tích đất công nghiệp có thể cho thuê (ha)",
    "rcol.leased_ha": "Diện tích đất đã cho thuê (ha)",
    "rcol.occupancy": "Tỷ lệ lấp đầy (%)",
    "rcol.projects": "Số dự án (nếu có số liệu)",
    "rcol.wastewater": "Số khu có nhà máy xử lý nước thải tập trung đang hoạt động",
    "rcol.wastewater_status": "Nhà máy xử lý nước thải tập trung",
    "rcol.flagged": "Số khu bị cảnh báo",
    "rcol.flagged_share": "Tỷ lệ khu bị cảnh báo (%)",
    "rcol.critical_zones": "Số khu có cảnh báo nghiêm trọng",
    "rcol.flag_density": "Khu bị cảnh báo / 1.000 km²",
    "rcol.established": "Ngày thành lập",
    "rcol.status": "Tình trạng",
    "rcol.entered_on": "Ngày nhập",
    "rcol.version": "Phiên bản",
    "rcol.decision": "Quyết định",
    "rcol.valid_from": "Hiệu lực từ",
    "rcol.previous_ha": "Diện tích trước (ha)",
    "rcol.area_ha": "Diện tích (ha)",
    "rcol.added_ha": "Tăng (ha)",
    "rcol.removed_ha": "Giảm (ha)",
    "rcol.source": "Nguồn",
    "rcol.observed_on": "Ngày quan sát",
    "rcol.actual_ha": "Diện tích hiện trạng (ha)",
    "rcol.built_share": "Tỷ lệ đã xây dựng (%)",
    "rcol.threshold": "Ngưỡng",
    "rcol.value": "Giá trị",
    "rcol.indicator": "Chỉ tiêu",
    "rcol.iou": "IoU",
    "rcol.encroachment_ha": "Lấn ra ngoài ranh giới (ha)",
    "rcol.flags": "Cảnh báo",
    "ww.operating": "đang hoạt động",
    "ww.building": "đang xây dựng",
    "ww.none": "chưa có",
    "tpl.kcn": "Theo các chỉ tiêu của chế độ báo cáo định kỳ về khu công nghiệp, khu kinh tế "
    "(Nghị định 35/2022/NĐ-CP) và cụm công nghiệp (Nghị định 32/2024/NĐ-CP): diện tích tự "
    "nhiên, đất công nghiệp cho thuê, đất đã cho thuê, tỷ lệ lấp đầy, số dự án, xử lý nước thải. "
    "Gần đúng: tên và thứ tự cột dựng lại từ thông tin công khai, không sao chép biểu mẫu chính "
    "thức; số dự án chỉ có khi cơ sở dữ liệu có số liệu.",
    "tpl.none": "Bảng riêng của zonemap (không theo biểu mẫu chính thức).",
    "dir.intro": "Mỗi nội dung của Chỉ thị được trả lời bằng các số liệu liên quan, tính theo "
    "cùng một cách cho mọi tỉnh.",
    "dir.planning.title": "Chất lượng quy hoạch",
    "dir.planning.text": "{mismatch} khu có hiện trạng lệch so với quy hoạch; {encroach} khu "
    "lấn ra ngoài ranh giới được duyệt; {outside} khu nằm ngoài quy hoạch; {overlap} khu chồng "
    "lấn khu khác; {cross} khu nằm trên nhiều tỉnh.",
    "dir.fast.title": "Thành lập quá nhiều, quá nhanh",
    "dir.fast.text": "Cả nước có {zones} khu ({kkt} khu kinh tế, {kcn} khu công nghiệp, {ccn} "
    "cụm công nghiệp), bình quân {density} khu trên 1.000 km²; {dense} khu thuộc các cụm khu "
    "quá dày mà sử dụng kém; {planned} khu mới ở giai đoạn quy hoạch.",
    "dir.thin.title": "Đầu tư dàn trải",
    "dir.thin.text": "Tỷ lệ lấp đầy chung {occupancy} ({leased} ha đã cho thuê trên {industrial} "
    "ha đất công nghiệp có thể cho thuê); {unleased} ha chưa cho thuê; {low} khu có tỷ lệ lấp "
    "đầy thấp; {unbuilt} khu chậm triển khai.",
    "dir.ccn.title": "Cụm công nghiệp không đúng quy định, kém hiệu quả, chậm triển khai",
    "dir.ccn.text": "Trong {ccn} cụm công nghiệp: {size} cụm có quy mô ngoài quy định; {newexp} "
    "cụm thành lập hoặc mở rộng trái điều kiện; {slow} cụm chậm triển khai; {low} cụm có tỷ lệ "
    "lấp đầy thấp.",
    "dir.freeze.title": "Tạm dừng thành lập mới, mở rộng cụm công nghiệp",
    "dir.freeze.text": "{moratorium} cụm công nghiệp được thành lập hoặc mở rộng trong thời gian "
    "tạm dừng theo Chỉ thị (từ 02/3/2012).",
    "sum.national": "Cả nước có {zones} khu trên {provinces} tỉnh, thành phố (địa giới hành "
    "chính {version}); {flagged} khu ({share}) có ít nhất một cảnh báo, trong đó {critical} khu "
    "có cảnh báo nghiêm trọng.",
    "sum.top_provinces": "Các tỉnh có tỷ lệ khu bị cảnh báo cao nhất: {names}.",
    "sum.occupancy": "Tỷ lệ lấp đầy chung {occupancy} ({leased} ha trên {industrial} ha).",
    "sum.top_rule": "Cảnh báo nhiều nhất thuộc quy tắc “{rule}” ({zones} khu).",
    "sum.many_flagged": "{n} tỉnh, thành phố có trên một phần ba số khu bị cảnh báo.",
    "sum.no_flags": "Chưa có cảnh báo nào.",
    "rec.critical": "Kiểm tra tại thực địa {critical} khu có cảnh báo nghiêm trọng (danh sách "
    "kèm theo) và xử lý các trường hợp lấn ra ngoài ranh giới được duyệt.",
    "rec.provinces": "Đề nghị các tỉnh có tỷ lệ khu bị cảnh báo cao ({names}) báo cáo giải trình "
    "và đề xuất phương án điều chỉnh quy hoạch.",
    "rec.freeze": "Tiếp tục tạm dừng thành lập mới, mở rộng cụm công nghiệp ở những địa phương "
    "mà các cụm hiện có chưa được lấp đầy.",
    "rec.data": "Cập nhật ranh giới hiện trạng và số liệu đất đã cho thuê của các khu còn "
    "thiếu để lần báo cáo sau đầy đủ hơn.",
    "prov.sum": "{name} có {zones} khu; {flagged} khu có ít nhất một cảnh báo, trong đó "
    "{critical} khu có cảnh báo nghiêm trọng.",
    "prov.rec.critical": "Kiểm tra tại thực địa các khu có cảnh báo nghiêm trọng và báo cáo kết "
    "quả xử lý.",
    "prov.sec.summary": "Số liệu tổng hợp",
    "prov.sec.zones": "Danh sách các khu",
    "prov.sec.flagged": "Các khu có cảnh báo",
    "prov.sec.map": "Bản đồ",
    "ch.section": "Thay đổi kể từ ngày {date}",
    "ch.section_plain": "Thay đổi so với báo cáo trước",
    "ch.basis.given": "So sánh với ngày {date} do người lập báo cáo chọn.",
    "ch.basis.previous_report": "So sánh với báo cáo trước cùng địa bàn, lập ngày {date}.",
    "ch.none_earlier": "Chưa có báo cáo trước cùng địa bàn để so sánh (chọn ngày bằng --since).",
    "ch.no_changes": "Không có thay đổi nào kể từ ngày {date}.",
    "ch.added": "Khu mới nhập vào cơ sở dữ liệu",
    "ch.removed": "Khu không còn trong cơ sở dữ liệu: {codes}.",
    "ch.removed_none": "Không có khu nào bị xóa khỏi cơ sở dữ liệu.",
    "ch.removed_unknown": "Không xác định được khu bị xóa: không có báo cáo nào được lập trước "
    "ngày {date}.",
    "ch.boundaries": "Ranh giới quy hoạch được phê duyệt lại",
    "ch.footprints": "Hiện trạng được quan sát",
    "ch.raised": "Cảnh báo mới",
    "ch.cleared": "Cảnh báo đã hết",
    "ch.flags_unknown": "Không so sánh được cảnh báo: chưa có lượt phân tích nào hoàn tất trước "
    "ngày {date}.",
    "ch.empty": "Không có.",
    "dl.national": "Báo cáo toàn quốc",
    "dl.editable": "Bản chỉnh sửa được",
    "dl.docx": "Word (DOCX)",
    "dl.xlsx": "Excel (XLSX)",
    "dl.pdf": "PDF",
    "dl.html": "HTML",
    # how current the flags a report reads are
    "report.analysis.as_of": "cảnh báo tính lúc",
    "report.analysis.current": "hiện hành",
    "report.analysis.pending": "đang cập nhật…",
    "report.analysis.failed": "lần phân tích gần nhất bị lỗi, cảnh báo chưa phải mới nhất",
    "report.notice.analysis_pending": "Cảnh báo của một số tỉnh đang được cập nhật (đang cập "
    "nhật…): số liệu dưới đây có thể thay đổi trong ít phút.",
    "report.notice.analysis_failed": "Lần phân tích gần nhất của một số tỉnh bị lỗi: cảnh báo "
    "của các tỉnh đó là kết quả cũ, chưa phải mới nhất (xem trạng thái phân tích).",
}

REPORTS_EN: Final = {
    "nat.title": "National review of economic zones, industrial parks and industrial clusters",
    "nat.subtitle": "Review under Directive 07/CT-TTg of 2 March 2012 of the Prime Minister",
    "prov.subtitle": "Economic zones, industrial parks and industrial clusters of {name}",
    "doc.national_motto": "SOCIALIST REPUBLIC OF VIETNAM",
    "doc.motto": "Independence - Freedom - Happiness",
    "doc.number": "No.: {number}",
    "doc.kind": "REPORT",
    "doc.date": "{place}, {year}-{month:02d}-{day:02d}",
    "doc.addressee": "To: {addressee}.",
    "doc.recipients": "Recipients:",
    "doc.draft_note": "Drafted automatically by zonemap from the data; the issuing agency reviews "
    "and edits it before signing.",
    "doc.summary": "Summary",
    "doc.findings": "Overview",
    "doc.conclusions": "Conclusions",
    "doc.recommendations": "Recommendations",
    "doc.template": "Template",
    "doc.more_rows": "… and {n} more rows (all of them in the Excel file).",
    "doc.sources": "Data sources",
    "doc.data_date": "Data as of",
    "doc.analysis": "Analysis",
    "doc.thresholds": "Flag thresholds",
    "doc.generated_on": "Generated on",
    "doc.total": "Whole country",
    "doc.total_province": "Total",
    "doc.sheet_sources": "Sources",
    "doc.sheet_about": "About",
    "nat.sec.kpis": "National figures",
    "nat.sec.directive": "The points of Directive 07/CT-TTg",
    "nat.sec.map": "Flagged zones per province area",
    "nat.sec.provinces": "Provinces ranked by the share of flagged zones",
    "nat.sec.critical": "Critical flags",
    "nat.sec.thresholds": "Flag thresholds used",
    "nat.tab.kind_status": "Zones by kind and status",
    "nat.tab.areas": "Areas and occupancy by kind",
    "nat.tab.rules": "Flags by rule and severity",
    "nat.map.caption": "Flagged zones per 1,000 km² of the province's natural area; "
    "WGS 84 / UTM 48N projection.",
    "nat.map.legend": "Flagged zones / 1,000 km²",
    "nat.map.none": "0 (none)",
    "rcol.rank": "Rank",
    "rcol.code": "Code",
    "rcol.province": "Province",
    "rcol.kind": "Kind",
    "rcol.zones": "Zones",
    "rcol.total": "Total",
    "rcol.zone": "Zone",
    "rcol.zone_code": "Zone code",
    "rcol.rule": "Rule",
    "rcol.severity": "Severity",
    "rcol.message": "Finding",
    "rcol.planned_ha": "Natural area as planned (ha)",
    "rcol.industrial_ha": "Leasable industrial land (ha)",
    "rcol.leased_ha": "Leased land (ha)",
    "rcol.occupancy": "Occupancy (%)",
    "rcol.projects": "Projects (where known)",
    "rcol.wastewater": "Zones with an operating central wastewater plant",
    "rcol.wastewater_status": "Central wastewater plant",
    "rcol.flagged": "Flagged zones",
    "rcol.flagged_share": "Share of zones flagged (%)",
    "rcol.critical_zones": "Zones with a critical flag",
    "rcol.flag_density": "Flagged zones / 1,000 km²",
    "rcol.established": "Established",
    "rcol.status": "Status",
    "rcol.entered_on": "Entered on",
    "rcol.version": "Version",
    "rcol.decision": "Decision",
    "rcol.valid_from": "Valid from",
    "rcol.previous_ha": "Area before (ha)",
    "rcol.area_ha": "Area (ha)",
    "rcol.added_ha": "Added (ha)",
    "rcol.removed_ha": "Removed (ha)",
    "rcol.source": "Source",
    "rcol.observed_on": "Observed on",
    "rcol.actual_ha": "Footprint area (ha)",
    "rcol.built_share": "Built share (%)",
    "rcol.threshold": "Threshold",
    "rcol.value": "Value",
    "rcol.indicator": "Indicator",
    "rcol.iou": "IoU",
    "rcol.encroachment_ha": "Outside the boundary (ha)",
    "rcol.flags": "Flags",
    "ww.operating": "operating",
    "ww.building": "under construction",
    "ww.none": "none",
    "tpl.kcn": "Follows the indicators of the periodic reports on industrial parks and economic "
    "zones (Decree 35/2022/NĐ-CP) and industrial clusters (Decree 32/2024/NĐ-CP): natural area, "
    "leasable industrial land, leased land, occupancy, projects, wastewater treatment. "
    "Approximate: column names and order rebuilt from public information, not a copy of the "
    "official form; projects only where the register has the figure.",
    "tpl.none": "zonemap's own table (no official form).",
    "dir.intro": "Each point of the Directive is answered with the figures that bear on it, "
    "computed the same way for every province.",
    "dir.planning.title": "Planning quality",
    "dir.planning.text": "{mismatch} zones differ on the ground from their plan; {encroach} "
    "are built outside the approved boundary; {outside} lie outside any approved planning; "
    "{overlap} overlap another zone; {cross} span several provinces.",
    "dir.fast.title": "Too many, too fast",
    "dir.fast.text": "The country has {zones} zones ({kkt} economic zones, {kcn} industrial "
    "parks, {ccn} industrial clusters), {density} per 1,000 km² on average; {dense} zones "
    "belong to dense, under-used groups; {planned} are still only planned.",
    "dir.thin.title": "Investment spread thin",
    "dir.thin.text": "Overall occupancy is {occupancy} ({leased} ha leased of {industrial} ha "
    "of leasable industrial land); {unleased} ha are not leased; {low} zones have a low "
    "occupancy; {unbuilt} are slow to build.",
    "dir.ccn.title": "Clusters that are non-compliant, inefficient or slow",
    "dir.ccn.text": "Of {ccn} industrial clusters: {size} are outside the legal size; {newexp} "
    "were created or expanded against the rules; {slow} are slow to build; {low} have a low "
    "occupancy.",
    "dir.freeze.title": "The freeze on new and expanded clusters",
    "dir.freeze.text": "{moratorium} industrial clusters were created or expanded during the "
    "Directive's freeze (from 2 March 2012).",
    "sum.national": "The country has {zones} zones in {provinces} provinces (admin version "
    "{version}); {flagged} zones ({share}) have at least one flag, {critical} of them a critical "
    "one.",
    "sum.top_provinces": "Provinces with the highest share of flagged zones: {names}.",
    "sum.occupancy": "Overall occupancy is {occupancy} ({leased} ha of {industrial} ha).",
    "sum.top_rule": "Most flags come from the rule “{rule}” ({zones} zones).",
    "sum.many_flagged": "{n} provinces have more than a third of their zones flagged.",
    "sum.no_flags": "No flags yet.",
    "rec.critical": "Inspect on site the {critical} zones with a critical flag (list attached) "
    "and act on every construction outside an approved boundary.",
    "rec.provinces": "Ask the provinces with the highest share of flagged zones ({names}) to "
    "explain and propose planning adjustments.",
    "rec.freeze": "Keep the freeze on new and expanded clusters where the existing clusters "
    "are not yet filled.",
    "rec.data": "Complete the missing footprints and leased-land figures so the next report is "
    "more complete.",
    "prov.sum": "{name} has {zones} zones; {flagged} have at least one flag, {critical} of them "
    "a critical one.",
    "prov.rec.critical": "Inspect on site the zones with a critical flag and report the action "
    "taken.",
    "prov.sec.summary": "Summary figures",
    "prov.sec.zones": "Zones",
    "prov.sec.flagged": "Flagged zones",
    "prov.sec.map": "Map",
    "ch.section": "Changes since {date}",
    "ch.section_plain": "Changes since the previous report",
    "ch.basis.given": "Compared with {date}, as chosen by the report's author.",
    "ch.basis.previous_report": "Compared with the previous report of the same area, written "
    "on {date}.",
    "ch.none_earlier": "No earlier report of the same area to compare with (choose a date "
    "with --since).",
    "ch.no_changes": "No changes since {date}.",
    "ch.added": "Zones entered in the register",
    "ch.removed": "Zones no longer in the register: {codes}.",
    "ch.removed_none": "No zone was removed from the register.",
    "ch.removed_unknown": "Removed zones unknown: no report was written before {date}.",
    "ch.boundaries": "Planning boundaries re-approved",
    "ch.footprints": "Footprints observed",
    "ch.raised": "Flags raised",
    "ch.cleared": "Flags cleared",
    "ch.flags_unknown": "Flags not compared: no analysis had finished by {date}.",
    "ch.empty": "None.",
    "dl.national": "National report",
    "dl.editable": "Editable copies",
    "dl.docx": "Word (DOCX)",
    "dl.xlsx": "Excel (XLSX)",
    "dl.pdf": "PDF",
    "dl.html": "HTML",
    # how current the flags a report reads are
    "report.analysis.as_of": "flags as of",
    "report.analysis.current": "current",
    "report.analysis.pending": "updating…",
    "report.analysis.failed": "the last analysis failed, the flags are not current",
    "report.notice.analysis_pending": "The flags of some provinces are being updated "
    "(updating…): the figures below may change within minutes.",
    "report.notice.analysis_failed": "The last analysis of some provinces failed: their flags "
    "are an older result, not current (see the analysis status).",
}

"""The reconciliation lists as a file: every machine of the lists (no agent, not connected,
unowned in the console, confirmed), with which views saw it, for a unit or the province."""

from __future__ import annotations

from datetime import datetime, timezone

from collector.counting import reconcile
from collector.counting.states import UnknownUnit
from collector.exports.files import export_file
from collector.exports.xlsx_layout import SheetWriter
from collector.formats.formatting import LOCAL_TZ, date, datetime_local
from collector.formats.state_words import state_word
from collector.store.units import get_unit

LIST_LABELS = {
    "no_agent": "Chưa có agent avroll",
    "not_connected": "Đã cài, chưa kết nối được với máy chủ quản trị",
    "not_in_ksc": "Đã cài, không có trong danh sách KSC",
    "unowned": "Có trong KSC, tên máy không theo đơn vị nào",
    "confirmed": "Đã xác nhận: đã cài, kết nối, đặt đúng tên, có trong danh sách KSC",
}
VIEW_LABELS = {"avroll": "avroll", "ksc": "KSC", "directory": "AD"}
COLUMNS = (
    "STT",
    "Danh sách",
    "Tên máy",
    "Đơn vị",
    "Nguồn thấy máy",
    "Trạng thái (avroll)",
    "Kết nối KSC lần cuối",
    "Địa chỉ IP (KSC)",
    "Nhóm trong KSC",
    "OU (AD)",
    "Đăng nhập AD lần cuối",
    "Ghi chú",
)
WIDTHS = (5, 20, 17, 8, 12, 14, 12, 13, 16, 18, 11, 14)
SHARED_NOTE = "Tên máy dùng chung: chỉ khớp theo IP"


def _cells(number, row):
    return [
        number,
        LIST_LABELS[row["list"]],
        row["name"],
        row["unit"] or "",
        ", ".join(VIEW_LABELS[view] for view in row["views"]),
        state_word(row["avroll_state"]) if row["avroll_state"] else "",
        date(row["ksc_last_connected_at"]),
        row["ksc_ip"] or "",
        row["ksc_group"] or "",
        row["directory_ou"] or "",
        date(row["directory_last_logon_at"]),
        SHARED_NOTE if row["shared_name"] else "",
    ]


def sources_line(imports):
    """Which imports the lists come from, as one line."""
    parts = []
    for source, label in (("ksc", "KSC"), ("directory", "AD")):
        found = imports.get(source)
        parts.append(
            f"{label}: nhập lúc {datetime_local(found['imported_at'])}"
            if found
            else f"{label}: chưa nhập"
        )
    return "Nguồn: " + "; ".join(parts)


def to_xlsx(title, imports, rows):
    sheet = SheetWriter("Đối chiếu", WIDTHS, landscape=True)
    sheet.line(
        "Đối chiếu máy tính giữa avroll, Kaspersky Security Center và Active Directory",
        bold=True,
        size=13,
    )
    sheet.line(title, bold=True)
    sheet.line(sources_line(imports), italic=True, align="left")
    sheet.blank()
    sheet.header(COLUMNS)
    for number, row in enumerate(rows, 1):
        sheet.table_row(_cells(number, row))
    sheet.blank()
    sheet.line(
        f"Tổng số: {len(rows)} dòng (một máy có thể nằm ở hai danh sách)", bold=True, align="left"
    )
    return sheet


def build_reconcile_export(db, fmt, unit=None, list_name=None, result=None):
    """The lists for a unit (its descendants included) or the province, one list or all."""
    found = None
    if unit is not None:
        found = get_unit(db, unit)
        if found is None:
            raise UnknownUnit(unit)
    result = result or reconcile.reconcile(db)
    rows = reconcile.machines(db, unit=unit, list_name=list_name, result=result)
    rows.sort(
        key=lambda row: (reconcile.LISTS.index(row["list"]), row["unit"] or "", row["netbios"])
    )
    today = datetime.now(timezone.utc).astimezone(LOCAL_TZ).date()
    who = f"Đơn vị: {found['name']} ({found['code']})" if found else "Toàn tỉnh"
    which = LIST_LABELS[list_name].lower() if list_name else "tất cả danh sách"
    title = f"{who} — {which} — ngày {today.strftime('%d/%m/%Y')}"
    stem = "-".join(
        [
            "doi-chieu",
            found["code"] if found else "tinh",
            *([list_name.replace("_", "-")] if list_name else []),
            today.isoformat(),
        ]
    )
    return export_file(
        stem,
        fmt,
        lambda: to_xlsx(title, result.imports, rows),
        lambda: (COLUMNS, [_cells(n, row) for n, row in enumerate(rows, 1)]),
    )

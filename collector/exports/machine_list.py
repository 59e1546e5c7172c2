"""A unit's list of machines ("danh sách các máy sẽ được cài đặt" that units must send), one
tab of the unit page at a time, with what each machine last reported.

The user's department is not collected by the agent: the column is there, empty, for the unit
to fill in.
"""

from __future__ import annotations

from collector.counting.inventory import products_by_report
from collector.counting.machine_states import list_tab
from collector.counting.products import is_mandated
from collector.counting.states import UnknownUnit, when_for
from collector.exports.files import day_text, export_file
from collector.exports.xlsx_layout import GB_FORMAT, SheetWriter
from collector.formats.formatting import date, day
from collector.formats.state_words import state_word
from collector.store import settings
from collector.store.machines import addresses_by_report, product_dates_by_report
from collector.store.paging import PER_PAGE_MAX
from collector.store.units import get_unit

TAB_TITLES = {
    "all": "tất cả máy tính",
    "installed": "máy đã cài đặt",
    "missing": "máy chưa cài đặt",
    "exempt": "máy được miễn (RAM dưới ngưỡng)",
    "misnamed": "máy đặt tên sai hướng dẫn",
    "stale": "máy quá hạn báo cáo",
    "duplicates": "tên máy bị trùng",
    "not_connected": "máy đã cài chưa kết nối máy chủ quản trị",
    "licence_expiring": "máy sắp hết hạn bản quyền",
}
COLUMNS = (
    "STT",
    "Tên máy",
    "Đơn vị",
    "Bộ phận sử dụng",
    "Hệ điều hành",
    "RAM lắp đặt (GB)",
    "Phần mềm phòng, chống mã độc",
    "Network Agent",
    "Trạng thái",
    "Đặt tên theo hướng dẫn",
    "Địa chỉ IP",
    "Kết nối máy chủ quản trị",
    "Liên lạc máy chủ quản trị gần nhất",
    "Cập nhật mẫu",
    "Hạn bản quyền",
    "Báo cáo gần nhất",
    "Mã máy",
)
# At 11 points in landscape, one line per machine: the machine id (36 characters) fits its
# column unwrapped, so an A4 page holds 36 machines (README, "Exports").
WIDTHS = (5, 16, 9, 12, 22, 7, 30, 8, 21, 8, 14, 8, 10, 10, 10, 10, 31)
TABLE_SIZE = 11
DEPARTMENT_NOTE = 'Cột "Bộ phận sử dụng": avroll không thu thập thông tin này, đơn vị tự điền.'


def _mandated_dates(dates, families):
    """The signature date and licence end of the mandated product (else of any product that
    tells them)."""
    ordered = sorted(dates, key=lambda product: not is_mandated(product["name"], families))
    return (
        next((p["signatures_updated_at"] for p in ordered if p["signatures_updated_at"]), None),
        next((p["licence_expires_on"] for p in ordered if p["licence_expires_on"]), None),
    )


def _machine(row, products, ips=(), dates=(), families=()):
    ram = row["ram_installed_bytes"]
    signatures, licence = _mandated_dates(dates, families)
    return {
        "hostname": row["hostname"],
        "machine_id": row["machine_id"],
        "unit": row["unit"],
        "department": None,  # not collected by the agent
        "os_name": row["os_name"],
        "ram_installed_gb": None if ram is None else round(ram / 2**30, 1),
        "antivirus": products,
        "management_agent": row["mgmt_installed"],
        "state": row["state"],
        "follows_guideline": row["follows_guideline"],
        "ips": list(ips),
        "connected": row["connected"],
        "last_connected_at": row["last_connected_at"],
        "signatures_updated_at": signatures,
        "licence_expires_on": licence,
        "last_seen_at": row["last_seen_at"],
    }


def machine_page(db, unit, tab="all", as_of=None, page=1, per_page=PER_PAGE_MAX, **options):
    """One page of a unit's machines (the province's when `unit` is None) in a tab, each as
    the list shows it; the Page of `list_machine_states()` (which takes `options`: search,
    filters, order) with those rows."""
    found = list_tab(db, tab, as_of=as_of, unit=unit, page=page, per_page=per_page, **options)
    ids = [row["report_id"] for row in found.rows]
    products, ips = products_by_report(db, ids), addresses_by_report(db, ids)
    dates = product_dates_by_report(db, ids)
    families = settings.current(db)["required_product"]
    rows = [
        _machine(
            row,
            products[row["report_id"]],
            ips[row["report_id"]],
            dates[row["report_id"]],
            families,
        )
        for row in found.rows
    ]
    return type(found)(rows, found.total, found.page, found.per_page)


def all_machines(db, unit, first, tab="all", as_of=None, **options):
    """Every machine of the tab (of the province when `unit` is None), read a page at a
    time as the file is written; `first` is the first page, read before the file starts
    (a bad tab or filter is an error, not a cut file)."""
    found = first
    while True:
        yield from found.rows
        if found.page >= found.pages:
            return
        found = machine_page(db, unit, tab, as_of, found.page + 1, **options)


def _yes_no(value):
    return "" if value is None else ("Có" if value else "Không")


def _cells(number, machine):
    return [
        number,
        machine["hostname"],
        machine["unit"],
        machine["department"],
        machine["os_name"],
        machine["ram_installed_gb"],
        "; ".join(machine["antivirus"]),
        _yes_no(machine["management_agent"]),
        state_word(machine["state"]),
        _yes_no(machine["follows_guideline"]),
        ", ".join(machine["ips"]),
        _yes_no(machine["connected"]),
        date(machine["last_connected_at"]),
        date(machine["signatures_updated_at"]),
        day(machine["licence_expires_on"]),
        date(machine["last_seen_at"]),
        machine["machine_id"],
    ]


def to_xlsx(unit, tab, as_of, machines, described=""):
    sheet = SheetWriter(
        "Danh sách máy", WIDTHS, landscape=True, one_line_rows=True, table_size=TABLE_SIZE
    )
    sheet.line(
        "Danh sách các máy tính sẽ được cài đặt phần mềm phòng, chống mã độc tập trung",
        bold=True,
        size=13,
    )
    place = f"Đơn vị: {unit['name']} ({unit['code']})" if unit else "Toàn tỉnh"
    sheet.line(f"{place} — {TAB_TITLES[tab]}{described} — đến ngày {day_text(as_of)}", bold=True)
    sheet.line(DEPARTMENT_NOTE, italic=True, align="left")
    sheet.blank()
    sheet.header(COLUMNS)
    formats = (None,) * 5 + (GB_FORMAT,)
    count = 0
    for count, machine in enumerate(machines, 1):
        sheet.table_row(_cells(count, machine), formats)
    sheet.blank()
    sheet.line(f"Tổng số: {count} máy tính", bold=True, align="left")
    return sheet


def csv_rows(machines):
    return COLUMNS, (_cells(number, machine) for number, machine in enumerate(machines, 1))


# How the title line names the filters of a list downloaded from /machines.
FILTER_WORDS = {
    "query": "tìm “{}”",
    "state": "trạng thái: {}",
    "follows_guideline": "{}",
    "mismatch": "đăng ký cho đơn vị khác",
    "duplicates": "tên máy bị trùng",
}


def describe(options):
    """The filters as words for the title line (", tìm “DESKTOP”, …"), empty without any."""
    words = []
    for key, template in FILTER_WORDS.items():
        value = options.get(key)
        if value is None or value is False or value == "":
            continue
        if key == "state":
            value = state_word(value).lower()
        elif key == "follows_guideline":
            value = "đặt tên đúng hướng dẫn" if value else "đặt tên chưa đúng hướng dẫn"
        words.append(template.format(value))
    return "".join(", " + word for word in words)


def build_machines_export(db, unit, fmt, tab="all", as_of=None, **options):
    """The machine list file of a unit (of the whole province when `unit` is None) for one
    tab as of a date (today when None); `options` filter and order it as
    `list_machine_states()` does."""
    found = None
    if unit is not None:
        found = get_unit(db, unit)
        if found is None:
            raise UnknownUnit(unit)
    day = when_for(db, as_of).as_of.isoformat()
    code = found and found["code"]
    first = machine_page(db, code, tab, day, **options)
    stem = f"danh-sach-may-{code or 'toan-tinh'}-{tab}-{day}"
    described = describe(options)

    def rows():
        return all_machines(db, code, first, tab, day, **options)

    return export_file(
        stem, fmt, lambda: to_xlsx(found, tab, day, rows(), described), lambda: csv_rows(rows())
    )

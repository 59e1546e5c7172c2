"""A national collector's figures: the provinces' own, as each pushed them, added up and
never recounted (`store/national.py` keeps them as signed).

- *rate* of a province: its appendix's grand total, installed over allocated, as it signed;
  the nation's: the provinces' installed over their allocated, summed.
- *DTI rate* (letter 003's footnote: "Tỷ lệ hệ thống thông tin được triển khai giám sát an
  toàn thông tin và cài đặt đầy đủ phần mềm phòng chống mã độc tập trung"): avroll counts
  computers, not information systems, so it gives the machine-level measure of it: the
  machines with the mandated product installed *and* connected to the Administration Server
  (monitored centrally, their data reaching the national centre) over the licences
  allocated. It is never above the install rate.
"""

from __future__ import annotations

from datetime import date, timedelta

from collector.store import national
from collector.store.units import list_units

NATION_GROUP = "Các tỉnh, thành phố"
PENDING_NOTE = "Chưa gửi số liệu ngày này"


def _ratio(part, whole):
    return None if not whole or part is None else part / whole


def _figures(total):
    """A province's row from its pushed grand total."""
    return {
        "allocated": total["allocated"],
        "installed": total["installed"],
        "rate": total["rate"],
        "connected": total["connected"],
        "misnamed": total["misnamed"],
        "seen": total["seen"],
        "dti_rate": _ratio(total["connected"], total["allocated"]),
    }


def _sum(rows):
    pushed = [row for row in rows if row.get("as_of")]
    allocated = sum(row["allocated"] or 0 for row in pushed) if pushed else None
    installed = sum(row["installed"] for row in pushed)
    connected = sum(row["connected"] or 0 for row in pushed)
    return {
        "allocated": allocated,
        "installed": installed,
        "rate": _ratio(installed, allocated),
        "connected": connected,
        "misnamed": sum(row["misnamed"] or 0 for row in pushed),
        "seen": sum(row["seen"] for row in pushed),
        "dti_rate": _ratio(connected, allocated),
    }


def provinces_table(db, as_of=None):
    """Each province (a unit of this collector) with its newest day pushed on or before
    `as_of` (all days when None) and its last push; and the nation's sums of those rows."""
    latest = national.latest_days(db, as_of)
    pushes = national.last_pushes(db)
    rows = []
    for unit in list_units(db):
        code = unit["code"]
        row = {
            "code": code,
            "name": unit["name"],
            "as_of": None,
            "last_push": pushes.get(code),
            "allocated": None,
            "installed": 0,
            "rate": None,
            "connected": None,
            "misnamed": None,
            "seen": 0,
            "dti_rate": None,
        }
        if code in latest:
            day, figures = latest[code]
            row.update(_figures(figures["total"]), as_of=day)
        rows.append(row)
    return {"as_of": as_of, "provinces": rows, "total": _sum(rows)}


def not_pushed_since(db, moment):
    """The provinces whose last push is before `moment` (a stored time), or that never
    pushed: `[{"code", "name", "last_push"}]`."""
    pushes = national.last_pushes(db)
    return [
        {"code": unit["code"], "name": unit["name"], "last_push": pushes.get(unit["code"])}
        for unit in list_units(db)
        if pushes.get(unit["code"]) is None or pushes[unit["code"]] < moment
    ]


def trend(db, code):
    """A province's figures day by day as it pushed them, oldest first, in the shape the
    trend chart draws (`date`, `allocated`, `installed`, `connected`)."""
    return [
        {
            "date": day,
            "allocated": figures["total"]["allocated"],
            "installed": figures["total"]["installed"],
            "connected": figures["total"]["connected"],
        }
        for day, figures in national.days_of(db, code)
    ]


def province_day(db, code, as_of):
    """What a province pushed for a day (rows and total, with when it came), or None."""
    return national.day_figures(db, code.upper(), as_of)


def _appendix_row(unit, figures):
    if figures is None:
        return {
            "code": unit["code"],
            "name": unit["name"],
            "group": NATION_GROUP,
            "allocated": None,
            "installed_official": 0,
            "install_rate": None,
            "connected": None,
            "seen": 0,
            "pending": True,
        }
    total = figures["total"]
    return {
        "code": unit["code"],
        "name": unit["name"],
        "group": NATION_GROUP,
        "allocated": total["allocated"],
        "installed_official": total["installed"],
        "install_rate": total["rate"],
        "connected": total["connected"],
        "seen": total["seen"],
    }


def national_report(db, as_of):
    """The national appendix as of a day, in `rollup()`'s shape so the province's appendix
    writer lays it out the same: one section of provinces, each its own grand total for
    exactly that day (a province that has not pushed it shows none), and the sum. A
    province's misnamed machines are in its total already: no misnamed row is added."""
    day = date.fromisoformat(as_of).isoformat()
    rows = []
    for unit in list_units(db):
        stored = national.day_figures(db, unit["code"], day)
        rows.append(_appendix_row(unit, stored and stored["figures"]))
    allocated = [row["allocated"] for row in rows if row["allocated"] is not None]
    total = {
        "code": None,
        "name": "Tổng cộng",
        "group": NATION_GROUP,
        "allocated": sum(allocated) if allocated else None,
        "installed_official": sum(row["installed_official"] for row in rows),
        "connected": sum(row["connected"] or 0 for row in rows),
        "seen": sum(row["seen"] for row in rows),
    }
    total["install_rate"] = _ratio(total["installed_official"], total["allocated"])
    return {
        "as_of": day,
        "parent": None,
        "parent_own": None,
        "sections": [{"group": NATION_GROUP, "units": rows, "misnamed": False, "total": total}]
        if rows
        else [],
        "misnamed": {"installed_official": 0, "section": 1},
        "total": total,
    }


def stale_since_default(now):
    """The default of "not pushed since": two days before `now` (a nightly push missed)."""
    return now - timedelta(days=2)

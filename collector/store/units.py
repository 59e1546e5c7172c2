"""Units: who receives licences, under which parent, with whose contacts; the import rules.

Every way units are written (the CLI import, and the pages later) goes through
`save_units()`: it checks every row first, reports every problem with its line number, and
writes all rows or none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from collector.formats.spreadsheets import read_table, write_csv
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.in_force import BEGINNING, BadEffectiveDate, check_after_latest, effective_day
from shared.report import text_problem

COLUMNS = (
    "code",
    "name",
    "group",
    "parent",
    "allocated",
    "leader_name",
    "leader_phone",
    "officer_name",
    "officer_phone",
    "email",
)
REQUIRED_COLUMNS = ("code", "name")
# Headings as Vietnamese officers write them, compared without case or extra spaces.
HEADINGS = {
    "code": ("mã", "mã đơn vị", "ký hiệu"),
    "name": ("tên đơn vị", "đơn vị", "tên"),
    "group": ("nhóm", "nhóm đơn vị", "khối"),
    "parent": ("đơn vị cấp trên", "mã đơn vị cấp trên", "cấp trên"),
    "allocated": (
        "số lượng bản quyền được phân bổ",
        "số bản quyền được phân bổ",
        "bản quyền được phân bổ",
        "phân bổ",
        "số lượng phân bổ",
    ),
    "leader_name": ("lãnh đạo", "họ tên lãnh đạo", "lãnh đạo phụ trách", "đầu mối lãnh đạo"),
    "leader_phone": ("điện thoại lãnh đạo", "số điện thoại lãnh đạo", "sđt lãnh đạo"),
    "officer_name": (
        "cán bộ",
        "họ tên cán bộ",
        "cán bộ phụ trách",
        "cán bộ đầu mối",
        "đầu mối cán bộ",
    ),
    "officer_phone": ("điện thoại cán bộ", "số điện thoại cán bộ", "sđt cán bộ"),
    "email": ("e-mail", "thư điện tử", "địa chỉ email", "địa chỉ thư điện tử", "email liên hệ"),
}
IGNORED_HEADINGS = ("stt", "tt", "no", "#", "ghi chú", "note")
CODE = re.compile(r"[A-Za-z0-9]{1,15}")
PHONE = re.compile(r"[0-9+(). -]{3,30}")
# One address, plain enough for any mail server: no display name, no spaces, no quotes.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
COUNT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,7}")  # 5137 or 5.137
TEXT_MAX = 200


class UnitImportError(Exception):
    """Units were refused: `errors` lists every problem, each with its line number."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Saved:
    """What `save_units()` wrote."""

    created: int
    updated: int


def _folded(text):
    return " ".join(unicodedata.normalize("NFC", text).casefold().strip(" :*").split())


HEADING_COLUMNS = {
    _folded(alias): column for column, aliases in HEADINGS.items() for alias in (column, *aliases)
}


def columns_of(header):
    """The column each heading holds (None for ignored ones), or UnitImportError."""
    columns: list[str | None] = []
    errors: list[str] = []
    for number, heading in enumerate(header, 1):
        key = _folded(heading)
        if not key or key in IGNORED_HEADINGS:
            columns.append(None)
        elif key in HEADING_COLUMNS:
            column = HEADING_COLUMNS[key]
            if column in columns:
                errors.append(f"header: column '{heading}' appears twice")
            columns.append(column)
        else:
            errors.append(
                f"header: unknown column {number} '{heading}' (expected {', '.join(COLUMNS)})"
            )
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        errors.append(f"header: missing column(s) {', '.join(missing)}")
    if errors:
        raise UnitImportError(errors)
    return columns


def _count(text):
    if not COUNT.fullmatch(text):
        raise ValueError
    return int(text.replace(".", ""))


def _check_row(line, row, problems):
    """One row's values, cleaned (codes upper case, counts as integers); problems appended."""

    def problem(text):
        problems.append(f"line {line}: {text}")

    unit: dict[str, Any] = {
        column: (row[column].strip() or None) for column in COLUMNS if column in row
    }
    for column, text in unit.items():
        if text and (found := text_problem(text)):
            problem(f"{column} {found}")
    code = unit.get("code") or ""
    if not CODE.fullmatch(code):
        problem(f"code '{code}' must be 1 to 15 letters or digits (it is used in computer names)")
    unit["code"] = code.upper()
    if not unit.get("name"):
        problem("name is empty")
    for column in ("name", "group", "leader_name", "officer_name"):
        if len(unit.get(column) or "") > TEXT_MAX:
            problem(f"{column} is longer than {TEXT_MAX} characters")
    if "group" in unit:
        unit["group"] = unit["group"] or ""
    if unit.get("parent"):
        if not CODE.fullmatch(unit["parent"]):
            problem(f"parent '{unit['parent']}' is not a unit code")
        unit["parent"] = unit["parent"].upper()
    if unit.get("allocated") is not None:
        try:
            unit["allocated"] = _count(unit["allocated"])
        except ValueError:
            problem(
                f"allocated '{unit['allocated']}' is not a whole number of licences "
                "(leave it empty when none)"
            )
    for column in ("leader_phone", "officer_phone"):
        if unit.get(column) and not PHONE.fullmatch(unit[column]):
            problem(f"{column} '{unit[column]}' is not a phone number")
    if unit.get("email") and (len(unit["email"]) > 254 or not EMAIL.fullmatch(unit["email"])):
        problem(f"email '{unit['email']}' is not an e-mail address")
    return unit


def _check_tree(db, units, lines, problems):
    """Parents must exist (in the file or the database) and never loop back."""
    parents = dict(db.execute("SELECT code, parent FROM units").fetchall())
    for unit in units:
        if "parent" in unit or unit["code"] not in parents:
            parents[unit["code"]] = unit.get("parent")
    for unit in units:
        code, parent = unit["code"], unit.get("parent")
        if not parent:
            continue
        if parent not in parents:
            problems.append(f"line {lines[code]}: parent '{parent}' is not a known unit")
            continue
        seen = {code}
        while parent and parent not in seen:
            seen.add(parent)
            parent = parents.get(parent)
        if parent:
            problems.append(
                f"line {lines[code]}: unit '{code}' would be its own ancestor (via '{parent}')"
            )


def _line_number(problem):
    return int(problem.split(":")[0].split()[-1]) if problem.startswith("line ") else 0


def check_units(db, records, problems=()):
    """The cleaned units of `(line, {column: text})` records, or UnitImportError listing
    every problem (with those already found) by line number."""
    problems, units = list(problems), []
    lines: dict = {}
    for line, row in records:
        unit = _check_row(line, row, problems)
        if unit["code"] in lines:
            problems.append(
                f"line {line}: code '{unit['code']}' is also on line {lines[unit['code']]}"
            )
            continue
        lines[unit["code"]] = line
        units.append(unit)
    _check_tree(db, units, lines, problems)
    if problems:
        raise UnitImportError(sorted(problems, key=_line_number))
    return units


def save_units(db, records, actor=None, effective_from=None):
    """Check every record, then upsert them all by code in one transaction (or nothing)."""
    return write_units(db, check_units(db, records), actor, effective_from)


VERSIONED = ("name", "group", "parent", "allocated")


def _record_versions(db, codes, created, given_day):
    """Keep the version of each unit written: a new unit's from the beginning (units exist
    before avroll counts them), a change from today, unless the admin gave a day."""
    for code in codes:
        row = db.execute(
            'SELECT name, "group", parent, allocated FROM units WHERE code = ?', [code]
        ).fetchone()
        latest = db.execute(
            'SELECT effective_from, name, "group", parent, allocated FROM '
            "unit_versions WHERE code = ? ORDER BY effective_from DESC LIMIT 1",
            [code],
        ).fetchone()
        if latest is not None and tuple(latest[1:]) == tuple(row):
            continue
        day = given_day or (BEGINNING if code in created else effective_day())
        check_after_latest(latest and latest[0], day, f"unit {code}")
        db.execute(
            'INSERT OR REPLACE INTO unit_versions (code, name, "group", parent, '
            "allocated, effective_from, recorded_at) VALUES (?, ?, ?, ?, ?, ?, "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [code, *row, day],
        )


def write_units(db, units, actor=None, effective_from=None):
    """Upsert checked units by code in one transaction, audited as done by `actor` (None:
    whoever runs this command line); columns absent stay as they were. The changes take
    effect from `effective_from` (YYYY-MM-DD; default: today for a change, the beginning
    for a new unit): figures as of an earlier day keep the values then in force."""
    try:
        given_day = effective_from and effective_day(effective_from)
    except BadEffectiveDate as exc:
        raise UnitImportError([str(exc)]) from None
    created = updated = 0
    new_codes = set()
    with write_transaction(db):
        allocated_before = dict(db.execute("SELECT code, allocated FROM units").fetchall())
        existing = set(allocated_before)
        position = db.execute("SELECT coalesce(max(position), 0) FROM units").fetchone()[0]
        for unit in units:
            columns = [column for column in COLUMNS if column in unit]
            if unit["code"] in existing:
                assignments = ", ".join(f'"{column}" = :{column}' for column in columns)
                # Column names come from COLUMNS, never from the file.
                db.execute(f"UPDATE units SET {assignments} WHERE code = :code", unit)  # noqa: S608
                updated += 1
            else:
                position += 1
                names = ", ".join(f'"{column}"' for column in (*columns, "position"))
                values = ", ".join(f":{column}" for column in (*columns, "position"))
                db.execute(
                    f"INSERT INTO units ({names}) VALUES ({values})",  # noqa: S608
                    dict(unit, position=position),
                )
                new_codes.add(unit["code"])
                created += 1
        allocations = {
            unit["code"]: [allocated_before.get(unit["code"]), unit["allocated"]]
            for unit in units
            if "allocated" in unit and allocated_before.get(unit["code"]) != unit["allocated"]
        }
        try:
            _record_versions(db, [unit["code"] for unit in units], new_codes, given_day)
        except BadEffectiveDate as exc:
            raise UnitImportError([str(exc)]) from None
        audit.record(
            db,
            actor or audit.cli_actor(),
            "units.save",
            {
                "created": created,
                "updated": updated,
                "codes": [unit["code"] for unit in units],
                "allocations": allocations,
                "effective_from": given_day,
            },
        )
    return Saved(created, updated)


def import_units(db, path, actor=None, effective_from=None):
    """Read a CSV or XLSX units file and save it with `save_units()`."""
    header, rows = read_table(path)
    columns = columns_of(header)
    problems = []
    records = []
    for line, cells in rows:
        if any(cells[len(columns) :]):
            problems.append(f"line {line}: more cells than columns in the header")
        records.append(
            (
                line,
                {
                    column: cell
                    for column, cell in zip(columns, cells, strict=False)
                    if column is not None
                },
            )
        )
    return write_units(db, check_units(db, records, problems), actor, effective_from)


# Each unit as it was on a day: its latest version in force then (units not yet created
# that day are absent); contacts and order are today's.
UNITS_AS_OF = """
    SELECT u.code, coalesce(v.name, u.name) AS name,
           iif(v.code IS NULL, u."group", v."group") AS "group",
           iif(v.code IS NULL, u.parent, v.parent) AS parent,
           iif(v.code IS NULL, u.allocated, v.allocated) AS allocated,
           u.leader_name, u.leader_phone, u.officer_name, u.officer_phone
    FROM units u LEFT JOIN unit_versions v ON v.code = u.code AND v.effective_from = (
        SELECT max(effective_from) FROM unit_versions
        WHERE code = u.code AND effective_from <= :day)
    -- A unit written without versions (straight SQL) is taken as it is now.
    WHERE v.code IS NOT NULL
       OR NOT EXISTS (SELECT 1 FROM unit_versions w WHERE w.code = u.code)
    ORDER BY u.position, u.code"""


def list_units(db, as_of=None):
    """Every unit, in the order they were first imported; with `as_of` (a date, or
    YYYY-MM-DD), as each was on that day."""
    if as_of is not None:
        return list(db.query(UNITS_AS_OF, {"day": str(as_of)}))
    return list(
        db.query(
            'SELECT code, name, "group", parent, allocated, leader_name, '
            "leader_phone, officer_name, officer_phone, email FROM units "
            "ORDER BY position, code"
        )
    )


def unit_parents(db):
    """Every unit's code and parent only (what finding a subtree needs)."""
    return list(db.query("SELECT code, parent FROM units"))


def get_unit(db, code):
    """One unit by code (any case), or None."""
    rows = list(
        db.query(
            'SELECT code, name, "group", parent, allocated, leader_name, '
            "leader_phone, officer_name, officer_phone, email FROM units "
            "WHERE code = ?",
            [code.upper()],
        )
    )
    return rows[0] if rows else None


def count_units(db):
    return db.execute("SELECT count(*) FROM units").fetchone()[0]


def export_units(db, stream):
    """Write every unit as CSV in the import format, so the file can be edited and imported."""
    write_csv(stream, COLUMNS, ([unit[column] for column in COLUMNS] for unit in list_units(db)))

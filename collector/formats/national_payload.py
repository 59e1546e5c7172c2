"""What a province pushes to the national collector, checked field by field before anything
is stored: its appendix as of a day (the rows of the table it would print, each unit's
connected and misnamed beside them, the section totals and the grand total) and its issued
reports with their files. A province's collector may be taken over: every value is bounded
and typed, and a problem is named, never stored.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date

# One appendix row as pushed, in this order (exports/rollup_appendix.Line, plus misnamed).
ROW_FIELDS = (
    "kind",
    "section",
    "group",
    "stt",
    "code",
    "name",
    "allocated",
    "installed",
    "rate",
    "note",
    "connected",
    "misnamed",
)
KINDS = ("unit", "section_total", "parent_own", "misnamed", "total")
TOTAL_FIELDS = ("allocated", "installed", "rate", "connected", "misnamed", "seen")
MAX_ROWS = 5000
MAX_COUNT = 10**9
MAX_FILES = 8
MAX_FILE_BYTES = 4 * 1024 * 1024
FILENAME = re.compile(r"[A-Za-z0-9._-]{1,120}")
NUMBER = re.compile(r"[0-9A-Za-zÀ-ỹĐđ/.\- ]{1,40}")


class BadPayload(ValueError):
    """A push that cannot be stored; `problems` names each wrong field."""

    def __init__(self, problems):
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


def _day(value, path, problems):
    try:
        return (
            date.fromisoformat(value).isoformat()
            if isinstance(value, str) and len(value) == 10
            else problems.append(f"{path}: a date YYYY-MM-DD")
        )
    except ValueError:
        problems.append(f"{path}: a date YYYY-MM-DD")
    return None


def _count(value, path, problems, nullable=True):
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        problems.append(f"{path}: a whole number from 0 to {MAX_COUNT}")


def _rate(value, path, problems):
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000
    ):
        problems.append(f"{path}: a rate (a fraction) or null")


def _text(value, path, problems, limit=255, nullable=True):
    if value is None and nullable:
        return
    if not isinstance(value, str) or len(value) > limit or not value.isprintable():
        problems.append(f"{path}: printable text of at most {limit} characters")


def _row(row, path, problems):
    if not isinstance(row, list) or len(row) != len(ROW_FIELDS):
        problems.append(f"{path}: a list of {len(ROW_FIELDS)} values ({', '.join(ROW_FIELDS)})")
        return
    cells = dict(zip(ROW_FIELDS, row, strict=True))
    if cells["kind"] not in KINDS:
        problems.append(f"{path}.kind: one of {', '.join(KINDS)}")
    for field in ("section", "stt"):
        _count(cells[field], f"{path}.{field}", problems)
    for field, limit in (("group", 255), ("code", 32), ("name", 500), ("note", 1000)):
        _text(cells[field], f"{path}.{field}", problems, limit)
    for field in ("allocated", "connected", "misnamed"):
        _count(cells[field], f"{path}.{field}", problems)
    _count(cells["installed"], f"{path}.installed", problems, nullable=False)
    _rate(cells["rate"], f"{path}.rate", problems)


def check_day(payload):
    """`(as_of, figures)` of a day's push, or BadPayload."""
    problems = []
    if not isinstance(payload, dict):
        raise BadPayload(["the body: a JSON object"])
    as_of = _day(payload.get("as_of"), "as_of", problems)
    _text(payload.get("computed_at"), "computed_at", problems, 40, nullable=False)
    rows, total = payload.get("rows"), payload.get("total")
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
        problems.append(f"rows: a list of 1 to {MAX_ROWS} rows")
        rows = []
    for number, row in enumerate(rows):
        _row(row, f"rows[{number}]", problems)
        if len(problems) > 50:
            break
    if not isinstance(total, dict) or set(total) != set(TOTAL_FIELDS):
        problems.append(f"total: an object of {', '.join(TOTAL_FIELDS)}")
    else:
        for field in TOTAL_FIELDS:
            if field == "rate":
                _rate(total[field], "total.rate", problems)
            else:
                _count(total[field], f"total.{field}", problems, nullable=field == "allocated")
    if problems:
        raise BadPayload(problems)
    return as_of, {"rows": rows, "total": total}


def check_issued(payload):
    """`(report, {filename: bytes})` of an issued report's push, or BadPayload; each file's
    SHA-256 is checked by the caller against the bytes."""
    problems = []
    if not isinstance(payload, dict):
        raise BadPayload(["the body: a JSON object"])
    number = payload.get("number")
    if not isinstance(number, str) or not NUMBER.fullmatch(number):
        problems.append("number: the report's number, 1 to 40 letters, digits, / . - or spaces")
    issued_on = _day(payload.get("issued_on"), "issued_on", problems)
    as_of = _day(payload.get("as_of"), "as_of", problems)
    _text(payload.get("parent"), "parent", problems, 32)
    _text(payload.get("issued_at"), "issued_at", problems, 40, nullable=False)
    files = payload.get("files")
    found = {}
    if not isinstance(files, list) or not 1 <= len(files) <= MAX_FILES:
        problems.append(f"files: a list of 1 to {MAX_FILES} files")
        files = []
    for position, item in enumerate(files):
        path = f"files[{position}]"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("filename"), str)
            or not FILENAME.fullmatch(item["filename"])
        ):
            problems.append(f"{path}.filename: 1 to 120 letters, digits, . _ or -")
            continue
        try:
            body = base64.b64decode(item.get("body") or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            problems.append(f"{path}.body: base64")
            continue
        if not body or len(body) > MAX_FILE_BYTES:
            problems.append(f"{path}.body: 1 byte to {MAX_FILE_BYTES} bytes")
        found[item["filename"]] = body
    if problems:
        raise BadPayload(problems)
    return {
        "number": number,
        "issued_on": issued_on,
        "as_of": as_of,
        "parent": payload.get("parent"),
        "issued_at": payload["issued_at"],
    }, found

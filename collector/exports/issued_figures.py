"""The figures an issued report went out with, beside those the door counts today for the
same date and scope. Late data (a PC's spool, a report stored by hand, an allocation dated
back) can still move a day already reported; the issued files never change, so the
issued page says which rows would now read otherwise, issued value → today's."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from openpyxl import load_workbook

from collector.counting import figures
from collector.counting.rollup import rollup
from collector.counting.states import UnknownUnit, when_for
from collector.exports.rollup_appendix import (
    APPENDIX_STEM,
    COLUMNS,
    MISNAMED_LABEL,
    PARENT_OWN,
    appendix_lines,
)
from collector.store.issued_reports import issued_file

# The appendix's rows an issued report keeps (section totals add these up).
KEPT_LINES = ("unit", "misnamed", "parent_own", "total")
COMPARED = ("installed", "allocated")
APPENDIX = APPENDIX_STEM + "-"  # the issued appendix's file name holds it


def figures_of(report):
    """The rows of a roll-up an issued report keeps, with the figures its appendix prints:
    each unit's, the misnamed row, the parent's own machines and the total."""
    return [
        {
            "kind": line.kind,
            "code": line.code,
            "name": line.name,
            "allocated": line.allocated,
            "installed": line.installed,
        }
        for line in appendix_lines(report)
        if line.kind in KEPT_LINES
    ]


def read_back(body, parent, today):
    """The figures of an appendix issued before they were kept, read back from its XLSX
    (the rows `to_xlsx` writes), each unit's code found by its name among `today`'s rows
    (the names in force that day; none when two units share it)."""
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    lines = sheet.iter_rows(max_col=len(COLUMNS), values_only=True)
    for line in lines:
        if line and line[0] == COLUMNS[0]:
            break
    codes: dict[str, list] = {}
    for row in today:
        if row["kind"] == "unit":
            codes.setdefault(row["name"], []).append(row["code"])
    found = []
    for stt, name, allocated, installed, *_ in lines:
        if not isinstance(name, str) or not isinstance(installed, int):
            continue  # a section's heading, the notes under the table
        if name == "Tổng cộng":
            kind, code = "total", None
        elif name == MISNAMED_LABEL:
            kind, code = "misnamed", None
        elif name.endswith(PARENT_OWN):
            kind, code = "parent_own", parent
        elif isinstance(stt, int):
            same = codes.get(name, [])
            kind, code = "unit", same[0] if len(same) == 1 else None
        else:
            continue  # a section's total
        found.append(
            {
                "kind": kind,
                "code": code,
                "name": name,
                "allocated": allocated,
                "installed": installed,
            }
        )
    return found


def issue_figures(db, as_of, parent):
    """The figures as of `as_of` under `parent`, to keep with a report issued from them."""
    return figures_of(rollup(db, as_of=as_of, parent=parent, duplicates_limit=1))


@dataclass(frozen=True)
class Moved:
    """One figure of one row that reads otherwise today than when issued."""

    kind: str  # unit, misnamed, parent_own, total
    code: str | None
    name: str
    figure: str  # installed or allocated
    issued: int | None
    today: int | None


def differences(issued, today):
    """The figures that differ, row by row in today's order (rows only issued last): a
    unit may appear (a unit added since counts from the beginning) or go."""
    before = {(row["kind"], row["code"]): row for row in issued}
    after = {(row["kind"], row["code"]): row for row in today}
    keys = list(after) + [key for key in before if key not in after]
    found = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        row = new or old
        for figure in COMPARED:
            was = old[figure] if old else None
            now = new[figure] if new else None
            if was != now:
                found.append(Moved(row["kind"], row["code"], row["name"], figure, was, now))
    return found


@dataclass(frozen=True)
class Check:
    """An issued report beside today's count: `state` is `same`, `moved` (see `changes`),
    `pending` (its day's figures are being kept: cheap again in a moment), `unknown`
    (neither its figures nor its appendix were kept) or `gone` (its unit no longer
    exists)."""

    state: str
    changes: list[Moved] = field(default_factory=list)


def check(db, issued, kept_only=False):
    """Today's figures for an issued report's date and scope beside those it went out with
    (kept with it, or for one issued before they were, read back from its appendix).
    With `kept_only` (pages), a past day whose figures are not kept yet is not counted from
    the reports (the keeper is asked to keep it): `pending`."""
    as_of, parent = issued["as_of"], issued["parent"]
    appendix = next((f for f in issued["files"] if APPENDIX in f["filename"]), None)
    if issued["figures"] is None and appendix is None:
        return Check("unknown")
    key = ("issued", as_of, parent)
    with figures.reading(db):
        if (
            kept_only
            and not when_for(db, as_of).current
            and not figures.is_cached(db, key)
            and not figures.day_is_kept(db, date.fromisoformat(as_of))
        ):
            return Check("pending")
        try:
            today = figures.cached(db, key, lambda: issue_figures(db, as_of, parent))
        except UnknownUnit:
            return Check("gone")
        issued_rows = issued["figures"]
        if issued_rows is None and appendix is not None:
            try:
                issued_rows = figures.cached(
                    db,
                    ("issued appendix", issued["id"], appendix["sha256"]),
                    lambda: read_back(
                        issued_file(db, issued["id"], appendix["filename"]), parent, today
                    ),
                )
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                return Check("unknown")
    changes = differences(issued_rows, today)
    return Check("moved" if changes else "same", changes)

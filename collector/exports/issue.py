"""Issuing a report: the officer gives the number and date the letter was signed with; the
appendix (XLSX) and the report letter (DOCX) are made once more with them filled in, and
their bytes are kept (`store.issued_reports`), to download later exactly as sent."""

from __future__ import annotations

from datetime import datetime

from collector.counting.states import UnknownUnit, when_for
from collector.exports.letterhead import Issue
from collector.exports.report_letter import build_report_letter
from collector.exports.rollup_appendix import build_rollup_export
from collector.formats.formatting import LOCAL_TZ
from collector.store.issued_reports import save_issued
from collector.store.units import get_unit


def issue_report(db, number, issued_on=None, as_of=None, parent=None, actor="cli"):
    """Make and keep the issued report's files; `(id, {filename: bytes})`. The figures are
    as of `as_of` (default today), the issue date defaults to today; BadIssue, BadAsOf,
    UnknownUnit or DuplicateIssue when refused (nothing is stored then)."""
    when = when_for(db, as_of)
    if parent is not None and get_unit(db, parent) is None:
        raise UnknownUnit(parent)
    today = datetime.now(LOCAL_TZ).date()
    as_of = when.as_of.isoformat()
    issue = Issue.checked(number, issued_on or today.isoformat(), as_of=as_of, today=today)
    parent = parent.upper() if parent else None
    made = (build_rollup_export(db, "xlsx", as_of=as_of, parent=parent, issue=issue),
            build_report_letter(db, as_of=as_of, parent=parent, issue=issue))
    files = {f"so-{issue.number}-{file.filename}": file.body for file in made}
    report_id = save_issued(db, issue.number, issue.issued_on, as_of, parent, files, actor)
    return report_id, files

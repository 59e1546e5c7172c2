"""Issuing a report or a reminder: the officer gives the number and date the letter was
signed with; its files are made once more with them filled in, and their bytes are kept
(`store.issued_reports`), to download later exactly as sent. A report is its appendix
(XLSX) and letter (DOCX); a reminder is its letter, the appendix it cites and the form the
units answer on (Biểu mẫu 2, "có mẫu báo cáo kèm theo"). The appendix's figures are kept
beside the files, so late data that would move them is shown (`issued_figures.py`)."""

from __future__ import annotations

from datetime import datetime

from collector.counting import figures
from collector.counting.states import UnknownUnit, when_for
from collector.exports.deployment_need import build_deployment_need_export
from collector.exports.issued_figures import issue_figures
from collector.exports.letterhead import Issue
from collector.exports.reminder_letter import build_reminder_letter
from collector.exports.report_letter import build_report_letter
from collector.exports.rollup_appendix import build_rollup_export
from collector.formats.formatting import LOCAL_TZ
from collector.store.issued_reports import save_issued
from collector.store.units import get_unit


def _checked(db, number, issued_on, as_of, parent):
    """The figures' date, the scope and the Issue, or the error refusing them."""
    when = when_for(db, as_of)
    if parent is not None and get_unit(db, parent) is None:
        raise UnknownUnit(parent)
    today = datetime.now(LOCAL_TZ).date()
    as_of = when.as_of.isoformat()
    issue = Issue.checked(number, issued_on or today.isoformat(), as_of=as_of, today=today)
    return as_of, parent.upper() if parent else None, issue


def issue_report(db, number, issued_on=None, as_of=None, parent=None, actor="cli"):
    """Make and keep the issued report's files; `(id, {filename: bytes})`. The figures are
    as of `as_of` (default today), the issue date defaults to today; BadIssue, BadAsOf,
    UnknownUnit or DuplicateIssue when refused (nothing is stored then)."""
    as_of, parent, issue = _checked(db, number, issued_on, as_of, parent)
    with figures.reading(db):  # one snapshot: the files and the figures kept agree
        kept = issue_figures(db, as_of, parent)
        made = (
            build_rollup_export(db, "xlsx", as_of=as_of, parent=parent, issue=issue),
            build_report_letter(db, as_of=as_of, parent=parent, issue=issue),
        )
    files = {f"so-{issue.number}-{file.filename}": file.body for file in made}
    report_id = save_issued(
        db, issue.number, issue.issued_on, as_of, parent, files, actor, figures=kept
    )
    return report_id, files


def issue_reminder(
    db, number, issued_on=None, below=None, deadline=None, as_of=None, parent=None, actor="cli"
):
    """Make and keep the issued reminder's files, as `issue_report` does; BadReminder or
    BadRate besides when its rate or deadline is refused."""
    as_of, parent, issue = _checked(db, number, issued_on, as_of, parent)
    with figures.reading(db):
        kept = issue_figures(db, as_of, parent)
        made = (
            build_reminder_letter(
                db, below=below, deadline=deadline, as_of=as_of, parent=parent, issue=issue
            ),
            build_rollup_export(db, "xlsx", as_of=as_of, parent=parent, issue=issue),
            build_deployment_need_export(db, "xlsx", unit=parent, as_of=as_of, issue=issue),
        )
    files = {f"so-{issue.number}-{file.filename}": file.body for file in made}
    reminder_id = save_issued(
        db,
        issue.number,
        issue.issued_on,
        as_of,
        parent,
        files,
        actor,
        kind="reminder",
        figures=kept,
    )
    return reminder_id, files

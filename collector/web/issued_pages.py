"""The issued-documents page: issue a report or a reminder (administrators) and download,
byte for byte, the files that went out with each one (administrators and viewers); under
each, what late data would change in its figures today (its reconciliation)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from collector.counting.states import BadAsOf, UnknownUnit
from collector.exports.files import ExportFile
from collector.exports.issue import issue_reminder, issue_report
from collector.exports.issued_figures import check
from collector.exports.letterhead import BadIssue
from collector.exports.reminder_letter import BadReminder
from collector.exports.reminders import BadRate
from collector.store.db import get_db
from collector.store.issued_reports import DuplicateIssue, issued_file, issued_reports
from collector.web.access import actor, current_user, require_role
from collector.web.export_downloads import send_export

bp = Blueprint("issued", __name__, url_prefix="/reports/issued")


@bp.before_request
@require_role("admin", "viewer")
def provincial_officers_only():
    """Issued reports are the province's: unit officers get 403."""


@bp.route("", methods=["GET", "POST"])
def issued_list():
    """The list, and (POST, administrators) issuing one: kind (report or reminder), number,
    issued_on, as_of; a reminder's below and deadline."""
    db, error = get_db(), None
    if request.method == "POST":
        if current_user()["role"] != "admin":
            abort(403)
        form = request.form
        number, issued_on = form.get("number", ""), form.get("issued_on") or None
        as_of = form.get("as_of") or None
        try:
            if form.get("kind") == "reminder":
                report_id, _ = issue_reminder(
                    db,
                    number,
                    issued_on,
                    below=form.get("below") or None,
                    deadline=form.get("deadline") or None,
                    as_of=as_of,
                    actor=actor(),
                )
            else:
                report_id, _ = issue_report(db, number, issued_on, as_of=as_of, actor=actor())
            return redirect(url_for("issued.issued_list", issued=report_id))
        except (BadIssue, BadAsOf, DuplicateIssue, UnknownUnit, BadReminder, BadRate) as exc:
            error = str(exc)
    reports = issued_reports(db)
    return render_template(
        "issued_reports.html",
        reports=reports,
        checks={report["id"]: check(db, report, kept_only=True) for report in reports},
        error=error,
        posted=request.form if error else {},
        issued=request.args.get("issued", type=int),
    ), 422 if error else 200


@bp.get("/<report_id>/<filename>")
def issued_download(report_id, filename):
    """One file of an issued report, exactly the bytes kept when it was issued."""
    if not report_id.isdigit() or len(report_id) > 12:
        abort(404)
    body = issued_file(get_db(), int(report_id), filename)
    if body is None:
        abort(404)
    return send_export(lambda: ExportFile(filename, body))

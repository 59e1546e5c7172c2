"""The `exports` blueprint: each export as a download, held to the officer's units.

At most EXPORTS_AT_ONCE files are made at a time (others get 503 and Retry-After), so a
burst of exports cannot take every server thread from agents and the health check, and one
officer (or read token) makes at most EXPORTS_PER_OFFICER of them, so one cannot take every
slot from the others; each file streams to the browser as it is made (CSV row by row, XLSX
from a temporary file).
"""

from __future__ import annotations

import threading

from flask import Blueprint, Response, abort, current_app, render_template, request

from collector.counting.machine_states import BadFilter
from collector.counting.states import BadAsOf, UnknownUnit
from collector.exports.deployment_need import build_deployment_need_export
from collector.exports.files import FORMATS
from collector.exports.machine_list import build_machines_export
from collector.exports.reminder_letter import BadReminder, build_reminder_letter
from collector.exports.reminders import BadRate
from collector.exports.report_letter import build_report_letter
from collector.exports.reporting_status import build_reporting_status_export
from collector.exports.rollup_appendix import build_rollup_export
from collector.exports.survey import build_survey_export
from collector.store.db import get_db
from collector.web.access import OutOfScope, current_user, scoped_unit
from collector.web.machine_lists import list_filters, list_options

bp = Blueprint("exports", __name__, url_prefix="/exports")
FMT = "<fmt>"  # xlsx or csv; any other answers 404


RETRY_AFTER_SECONDS = 15
EXPORTS_PER_OFFICER = 1


class Slots:
    """The export slots, and who holds them."""

    def __init__(self, total):
        self.total = total
        self.lock = threading.Lock()
        self.held = {}  # who -> slots held

    def take(self, who):
        with self.lock:
            if (
                sum(self.held.values()) >= self.total
                or self.held.get(who, 0) >= EXPORTS_PER_OFFICER
            ):
                return False
            self.held[who] = self.held.get(who, 0) + 1
            return True

    def give_back(self, who):
        with self.lock:
            self.held[who] -= 1
            if not self.held[who]:
                del self.held[who]


class Released:
    """The file's chunks; the export slot is given back once they are all read, or when
    the server closes the response (the browser went away), even if it was never read."""

    def __init__(self, chunks, release):
        self.chunks, self.release, self.open = chunks, release, True

    def __iter__(self):
        try:
            yield from self.chunks
        finally:
            self.close()

    def close(self):
        if self.open:
            self.open = False
            getattr(self.chunks, "close", lambda: None)()
            self.release()


def _slots():
    slots = current_app.extensions.setdefault(
        "avroll_export_slots", Slots(current_app.config["EXPORTS_AT_ONCE"])
    )
    slots.total = current_app.config["EXPORTS_AT_ONCE"]
    return slots


def _who():
    """Whose export this is: the officer (a read token's holder too), else the address."""
    user = current_user()
    return ("user", user["username"]) if user else ("address", request.remote_addr)


def _busy():
    page = render_template(
        "error.html",
        status=503,
        message="Other files are being exported; try again in a few minutes.",
    )
    response = Response(page, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def send_export(make):
    """The ExportFile `make()` returns, streamed as an attachment while it holds one of the
    EXPORTS_AT_ONCE slots; 503 when none frees up. What `make()` raises is raised (the slot
    given back) for the caller to answer."""
    slots, who = _slots(), _who()
    if not slots.take(who):  # waiting would hold a server thread meanwhile
        return _busy()
    try:
        made = make()
        body = Released(made.chunks(), lambda: slots.give_back(who))
    except BaseException:
        slots.give_back(who)
        raise
    response = Response(body, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(build, fmt, *args, **kwargs):
    """The file `build()` makes as an attachment; 400 for a bad date or tab, 404 for an
    unknown unit or format, 503 while EXPORTS_AT_ONCE others are being made."""
    if fmt not in FORMATS:
        abort(404)
    return _attachment(build, *args, fmt=fmt, **kwargs)


def _attachment(build, *args, **kwargs):
    """`build(db, …)`'s file as an attachment; 400 for what the officer typed wrong, 404
    for an unknown unit."""
    try:
        return send_export(lambda: build(get_db(), *args, **kwargs))
    except (BadAsOf, BadFilter, BadReminder, BadRate) as exc:
        abort(400, str(exc))
    except UnknownUnit:
        abort(404)


def _as_of():
    return request.args.get("as_of") or None


def _scoped(unit):
    """`unit` when this officer may see it (for `parent=`: their own unit when none asked)."""
    try:
        return scoped_unit(get_db(), current_user(), unit)
    except OutOfScope:
        abort(404)


@bp.get(f"/rollup.{FMT}")
def rollup(fmt):
    """The install-rate appendix: ?as_of=YYYY-MM-DD, ?parent=CODE."""
    return _download(
        build_rollup_export, fmt, as_of=_as_of(), parent=_scoped(request.args.get("parent"))
    )


@bp.get(f"/units/<code>/machines.{FMT}")
def unit_machines(code, fmt):
    """A unit's machine list: ?tab=all|installed|missing|exempt|misnamed|stale|duplicates."""
    return _download(
        build_machines_export,
        fmt,
        _scoped(code),
        tab=request.args.get("tab") or "all",
        as_of=_as_of(),
    )


@bp.get(f"/machines.{FMT}")
def machines(fmt):
    """The /machines list as a file, with the page's filters and order (?q, ?unit, ?state,
    ?naming, ?duplicates, ?mismatch, ?as_of, ?sort, ?desc); the whole province (or the
    officer's units) when no unit is asked."""
    try:
        options = list_options(get_db(), list_filters())
    except OutOfScope:
        abort(404)
    unit = options.pop("unit")
    return _download(build_machines_export, fmt, unit, as_of=options.pop("as_of"), **options)


@bp.get(f"/units/<code>/survey.{FMT}")
def survey(code, fmt):
    """Biểu mẫu 1 of the Bac Ninh 2026 survey, pre-filled for the unit."""
    return _download(build_survey_export, fmt, _scoped(code), as_of=_as_of())


@bp.get(f"/deployment-need.{FMT}")
def deployment_need(fmt):
    """Biểu mẫu 2, the deployment need: ?unit=CODE (a unit officer: theirs), else the
    province's."""
    return _download(
        build_deployment_need_export, fmt, unit=_scoped(request.args.get("unit")), as_of=_as_of()
    )


@bp.get(f"/reporting-status.{FMT}")
def reporting_status(fmt):
    """Who has answered: machines reporting and contacts, per unit; ?parent=CODE."""
    return _download(
        build_reporting_status_export,
        fmt,
        as_of=_as_of(),
        parent=_scoped(request.args.get("parent")),
    )


@bp.get("/report-letter.docx")
def report_letter():
    """Draft of the covering report letter (letter 002): ?as_of=, ?parent=."""
    return _attachment(
        build_report_letter, as_of=_as_of(), parent=_scoped(request.args.get("parent"))
    )


@bp.get("/reminder-letter.docx")
def reminder_letter():
    """Draft of the reminder to the units below a rate (letter 004): ?below=90,
    ?deadline=YYYY-MM-DD, ?as_of=, ?parent=."""
    return _attachment(
        build_reminder_letter,
        below=request.args.get("below") or None,
        deadline=request.args.get("deadline") or None,
        as_of=_as_of(),
        parent=_scoped(request.args.get("parent")),
    )

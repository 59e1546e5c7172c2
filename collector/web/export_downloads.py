"""The `exports` blueprint: each export as a download, held to the officer's units."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from collector.counting.machine_states import BadFilter
from collector.counting.rollup import BadAsOf, UnknownUnit
from collector.exports.files import FORMATS
from collector.exports.machine_list import build_machines_export
from collector.exports.reporting_status import build_reporting_status_export
from collector.exports.rollup_appendix import build_rollup_export
from collector.exports.survey import build_survey_export
from collector.store.db import get_db
from collector.web.access import OutOfScope, current_user, scoped_unit
from collector.web.machine_lists import list_filters, list_options

bp = Blueprint("exports", __name__, url_prefix="/exports")
FMT = "<fmt>"  # xlsx or csv; any other answers 404


def _download(build, fmt, *args, **kwargs):
    """The file `build()` makes as an attachment; 400 for a bad date or tab, 404 for an
    unknown unit or format."""
    if fmt not in FORMATS:
        abort(404)
    try:
        made = build(get_db(), *args, fmt=fmt, **kwargs)
    except (BadAsOf, BadFilter) as exc:
        abort(400, str(exc))
    except UnknownUnit:
        abort(404)
    response = Response(made.body, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


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
    return _download(build_rollup_export, fmt, as_of=_as_of(),
                     parent=_scoped(request.args.get("parent")))


@bp.get(f"/units/<code>/machines.{FMT}")
def unit_machines(code, fmt):
    """A unit's machine list: ?tab=all|installed|missing|exempt|misnamed|stale|duplicates."""
    return _download(build_machines_export, fmt, _scoped(code),
                     tab=request.args.get("tab") or "all", as_of=_as_of())


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


@bp.get(f"/reporting-status.{FMT}")
def reporting_status(fmt):
    """Who has answered: machines reporting and contacts, per unit; ?parent=CODE."""
    return _download(build_reporting_status_export, fmt, as_of=_as_of(),
                     parent=_scoped(request.args.get("parent")))

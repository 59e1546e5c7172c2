"""The exports' JSON twins under /api/v1, held to the officer's units like the downloads."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from collector.counting.machine_states import UnknownTab
from collector.counting.states import BadAsOf, UnknownUnit
from collector.exports.machine_list import machine_page
from collector.exports.reporting_status import build_reporting_status
from collector.exports.survey import build_survey
from collector.store.db import get_db
from collector.store.paging import PER_PAGE_DEFAULT
from collector.web.access import OutOfScope, current_user, scoped_unit
from collector.web.errors import json_error
from collector.web.request_args import int_arg

bp = Blueprint("exports_api", __name__, url_prefix="/api/v1")


def _answer(build, unit, **kwargs):
    """`{"ok": true, ...build()}`; 400 for a bad date or tab, 404 for a unit not found or
    not this officer's."""
    db = get_db()
    try:
        return jsonify({"ok": True, **build(db, scoped_unit(db, current_user(), unit), **kwargs)})
    except (BadAsOf, UnknownTab) as exc:
        return json_error(400, str(exc))
    except (UnknownUnit, OutOfScope) as exc:
        return json_error(404, f"no unit with code '{exc}'")


def _machines(db, unit, **kwargs):
    found = machine_page(db, unit, **kwargs)
    return {
        "unit": unit.upper(),
        "tab": kwargs["tab"],
        "machines": found.rows,
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "pages": found.pages,
    }


@bp.get("/units/<code>/machines")
def unit_machines(code):
    """A unit's machine list as JSON: ?tab=, ?as_of=, ?page=, ?per_page=."""
    return _answer(
        _machines,
        code,
        tab=request.args.get("tab") or "all",
        as_of=request.args.get("as_of") or None,
        page=int_arg("page", 1),
        per_page=int_arg("per_page", PER_PAGE_DEFAULT),
    )


@bp.get("/units/<code>/survey")
def survey(code):
    """Biểu mẫu 1's figures for the unit as JSON: ?as_of=."""
    return _answer(build_survey, code, as_of=request.args.get("as_of") or None)


@bp.get("/reporting-status")
def reporting_status():
    """Who has answered, per unit, as JSON: ?parent=CODE, ?as_of=."""
    return _answer(
        build_reporting_status, request.args.get("parent"), as_of=request.args.get("as_of") or None
    )

"""The JSON API under /api/v1: agents post reports here, tools read machines."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from collector import machine_states, machines
from collector.db import get_db
from collector.errors import json_error
from collector.guideline import naming_answer
from collector.ingest import ReportConflict, store_report
from collector.rollup import BadAsOf, UnknownUnit, rollup
from shared.report import validate

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def read_json_body():
    """The request's JSON object, or an error response (415 not JSON, 400 unreadable)."""
    if request.mimetype != "application/json":
        return None, json_error(415, "send the report as application/json")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError) as exc:
        return None, json_error(400, "the body is not valid JSON: {}".format(
            str(exc)[:200] if isinstance(exc, ValueError) else "nested too deeply"))


@bp.post("/reports")
def post_report():
    report, error = read_json_body()
    if error is not None:
        return error
    problems = validate(report)
    if problems:
        return json_error(422, "the report does not follow schema version 1", problems[:50])
    try:
        stored = store_report(get_db(), report)
    except ReportConflict:
        return json_error(409, "this report_id was already used by another machine")
    body = {"ok": True, "report_id": stored.report_id, "machine_id": stored.machine_id,
            "duplicate": stored.duplicate,
            "naming": naming_answer(get_db(), report["machine"]["hostname"],
                                    report["agent"].get("unit_code"))}
    return jsonify(body), 200 if stored.duplicate else 201


def _int_arg(name, default):
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


@bp.get("/machines")
def list_machines():
    page = machines.list_machines(get_db(), page=_int_arg("page", 1),
                                  per_page=_int_arg("per_page", machines.PER_PAGE_DEFAULT),
                                  query=request.args.get("q", "").strip() or None)
    return jsonify({"ok": True, "machines": page.rows, "total": page.total,
                    "page": page.page, "per_page": page.per_page, "pages": page.pages})


@bp.get("/machines/<machine_id>")
def get_machine(machine_id):
    db = get_db()
    machine = machines.get_machine(db, machine_id)
    if machine is None:
        return json_error(404, "no machine with this id")
    machine["names"] = machines.machine_names(db, machine_id)
    machine["history"] = machines.machine_history(db, machine_id)
    return jsonify({"ok": True, "machine": machine})


@bp.get("/health")
def health():
    get_db().execute("SELECT 1")
    return jsonify({"ok": True})


@bp.get("/rollup")
def get_rollup():
    """The install-rate report: ?as_of=YYYY-MM-DD (default today), ?parent=CODE."""
    try:
        report = rollup(get_db(), as_of=request.args.get("as_of") or None,
                        parent=request.args.get("parent") or None)
    except BadAsOf as exc:
        return json_error(400, str(exc))
    except UnknownUnit as exc:
        return json_error(404, f"no unit with code '{exc}'")
    return jsonify({"ok": True, **report})


def _flag_arg(name):
    value = request.args.get(name)
    return None if value in (None, "") else value.lower() in ("1", "true", "yes")


@bp.get("/rollup/machines")
def get_machine_states():
    """Machines with their computed state as of a date, filtered, paginated."""
    try:
        page = machine_states.list_machine_states(
            get_db(), as_of=request.args.get("as_of") or None,
            unit=request.args.get("unit") or None, state=request.args.get("state") or None,
            follows_guideline=_flag_arg("follows_guideline"), mismatch=_flag_arg("mismatch"),
            duplicates=bool(_flag_arg("duplicates")), query=request.args.get("q") or None,
            page=_int_arg("page", 1), per_page=_int_arg("per_page", machines.PER_PAGE_DEFAULT))
    except (BadAsOf, machine_states.BadFilter) as exc:
        return json_error(400, str(exc))
    except UnknownUnit as exc:
        return json_error(404, f"no unit with code '{exc}'")
    return jsonify({"ok": True, "machines": page.rows, "total": page.total,
                    "page": page.page, "per_page": page.per_page, "pages": page.pages})

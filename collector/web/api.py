"""The JSON API under /api/v1: agents post reports here, tools read machines."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from collector.counting import figures, machine_states
from collector.counting.rollup import rollup
from collector.counting.states import BadAsOf, UnknownUnit
from collector.formats.timefmt import now_stored
from collector.store import enrollment, held, machines
from collector.store.db import get_db
from collector.store.enrollment import NotAuthenticated, WrongMachine
from collector.store.guideline import naming_answer
from collector.store.ingest import ReportConflict, prepare_report, write_report
from collector.web.access import (
    OutOfScope,
    current_user,
    scoped_unit,
    visible_machine,
    visible_machine_ids,
)
from collector.web.errors import json_error
from collector.web.report_writer import report_writer
from collector.web.request_args import flag_arg, int_arg, machines_answer
from collector.web.throttle import throttles
from shared.report import canonical_machine_id, validate

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SENT_AT_HEADER = "X-Avroll-Sent-At"  # the agent's clock when it sent (agent/delivery/transport)


def read_json_body():
    """The request's JSON object, or an error response (415 not JSON, 400 unreadable)."""
    if request.mimetype != "application/json":
        return None, json_error(415, "send the report as application/json")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError) as exc:
        return None, json_error(
            400,
            "the body is not valid JSON: {}".format(
                str(exc)[:200] if isinstance(exc, ValueError) else "nested too deeply"
            ),
        )


def parse_report():
    """The request's report, parsed and checked against the schema, or an error response:
    all the work a report costs before the database (`tests/bench` times it alone)."""
    report, error = read_json_body()
    if error is not None:
        return None, error
    problems = validate(report)
    if problems:
        return None, json_error(422, "the report does not follow schema version 1", problems[:50])
    return report, None


def not_authenticated():
    response = json_error(
        401, "send an enrollment token or this machine's credential as Authorization: Bearer ..."
    )
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def wrong_machine(exc):
    return json_error(403, str(exc))


def identify_agent(db):
    """Who sends this request (a new agent's token, or a machine's credential), or the 401
    or 400 to answer."""
    try:
        return enrollment.identify(
            db,
            enrollment.bearer_secret(request.headers.get("Authorization")),
            proposed=request.headers.get("X-Avroll-Credential"),
        ), None
    except NotAuthenticated:
        return None, not_authenticated()
    except enrollment.BadProposal as exc:
        return None, json_error(400, str(exc))


def store_report(db, agent, report, sent_at=None):
    """Check the machine against its sender, store the report through the writer and
    answer as `POST /reports` does (201, or 200 for a report stored already)."""
    machine_id = canonical_machine_id(report["machine"]["machine_id"])
    try:
        admission = enrollment.check(
            db,
            agent,
            machine_id,
            report["machine"].get("hardware_uuid"),
            reread=False,
            hostname=report["machine"]["hostname"],
        )
    except enrollment.HeldForAdmin as exc:
        return held_for_admin(agent, machine_id, exc)
    except WrongMachine as exc:
        return wrong_machine(exc)
    except NotAuthenticated:
        return not_authenticated()
    except enrollment.Refused as exc:  # an administrator refused it
        return json_error(403, str(exc))
    # Counted against the machine the report is stored under and the credential sending
    # it, not the id it reports: a clone enrolled with a PC's id cannot silence the PC.
    keys = [("machine", admission.key)]
    if agent.machine_id is not None:
        keys.append(("credential", agent.machine_id))
    reports_window = throttles().reports
    if not reports_window.allow(*keys):
        response = json_error(429, "too many reports from this machine; try again later")
        response.headers["Retry-After"] = str(reports_window.retry_after(*keys))
        return response
    prepared = prepare_report(report, now_stored(), sent_at)
    try:
        # Committed (with the other reports of its batch) before this returns.
        stored = report_writer().run(lambda db: write_report(db, prepared, agent))
    except ReportConflict:
        return json_error(409, "this report_id was already used by another machine")
    except enrollment.HeldForAdmin as exc:  # held since the check above
        return held_for_admin(agent, machine_id, exc)
    except WrongMachine as exc:
        return wrong_machine(exc)
    except NotAuthenticated:
        return not_authenticated()
    except enrollment.Refused as exc:
        return json_error(403, str(exc))
    body = {
        "ok": True,
        "report_id": stored.report_id,
        "machine_id": stored.machine_id,
        "duplicate": stored.duplicate,
        "naming": naming_answer(
            db,
            report["machine"]["hostname"],
            report["agent"].get("unit_code"),
            counted=figures.machine(db, stored.machine_id),
        ),
    }
    if stored.credential:
        body["credential"] = stored.credential  # sent once; the collector keeps its hash
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if stored.duplicate else 201


def held_for_admin(agent, machine_id, exc):
    """`403` with `"held": true` while an administrator has not decided the enrollment: the
    agent keeps its report and tries again on its next run (every agent keeps a report
    spooled on a 403; one older than its answer checks sets a 202 aside). A plain `403` when the
    token has too many requests waiting or another agent's request holds this id; `429`
    past the reports' rate for this request."""
    keys = [("held", agent.token_id, machine_id)]
    reports_window = throttles().reports
    if not reports_window.allow(*keys):
        response = json_error(429, "too many reports from this machine; try again later")
        response.headers["Retry-After"] = str(reports_window.retry_after(*keys))
        return response
    try:
        report_writer().run(lambda db: enrollment.hold(db, agent, exc))
    except held.TooManyWaiting:
        return json_error(
            403,
            "this enrollment token has as many enrollments waiting for an administrator "
            "as it may: an administrator must decide them first",
        )
    except held.AnotherProposal:
        return json_error(
            403,
            f"another agent's enrollment of machine id {machine_id} with this token "
            "waits for an administrator",
        )
    return json_error(403, str(exc), held=True)


@bp.post("/reports")
def post_report():
    db = get_db()
    agent, refused = identify_agent(db)
    if refused is not None:
        return refused
    report, error = parse_report()
    if error is not None:
        return error
    return store_report(db, agent, report, request.headers.get(SENT_AT_HEADER))


@bp.get("/machines")
def list_machines():
    db = get_db()
    page = machines.list_machines(
        db,
        page=int_arg("page", 1),
        per_page=int_arg("per_page", machines.PER_PAGE_DEFAULT),
        query=request.args.get("q", "").strip() or None,
        machine_ids=visible_machine_ids(db, current_user()),
    )
    return machines_answer(page)


@bp.get("/machines/<machine_id>")
def get_machine(machine_id):
    """One machine by its id, or by its name when one machine reports under it (409 with
    the ids when several do)."""
    db = get_db()
    try:
        machine_id = machines.resolve_machine(db, machine_id)
    except machines.UnknownMachine:
        return json_error(404, "no machine with this id or name")
    except machines.AmbiguousMachine as exc:
        # Only the officer's own machines are named (or chosen, when one of them is).
        seen = [
            found
            for found in exc.machine_ids
            if visible_machine(db, current_user(), found) is not None
        ]
        if len(seen) > 1:
            return json_error(409, f"{len(seen)} machines report under this name", seen)
        machine_id = seen[0] if seen else machine_id
    machine = visible_machine(db, current_user(), machine_id)
    if machine is None:
        return json_error(404, "no machine with this id or name")
    machine["names"] = machines.machine_names(db, machine_id)
    machine["history"] = machines.machine_history(db, machine_id)
    report = machine.pop("report")
    user = current_user()
    if user is not None and user["role"] == "admin":
        machine["report"] = report
    else:  # the board UUID in it is what a token holder needs to pose as this PC
        machine["products"] = (report.get("antivirus") or {}).get("products") or []
    return jsonify({"ok": True, "machine": machine})


@bp.get("/health")
def health():
    get_db().execute("SELECT 1")
    return jsonify({"ok": True})


@bp.get("/rollup")
def get_rollup():
    """The install-rate report: ?as_of=YYYY-MM-DD (default today), ?parent=CODE."""
    db = get_db()
    try:
        parent = scoped_unit(db, current_user(), request.args.get("parent"))
        report = rollup(db, as_of=request.args.get("as_of") or None, parent=parent)
    except BadAsOf as exc:
        return json_error(400, str(exc))
    except (UnknownUnit, OutOfScope) as exc:
        return json_error(404, f"no unit with code '{exc}'")
    return jsonify({"ok": True, **report})


@bp.get("/rollup/machines")
def get_machine_states():
    """Machines with their computed state as of a date, filtered, paginated."""
    db = get_db()
    try:
        page = machine_states.list_machine_states(
            db,
            as_of=request.args.get("as_of") or None,
            unit=scoped_unit(db, current_user(), request.args.get("unit")),
            state=request.args.get("state") or None,
            follows_guideline=flag_arg("follows_guideline"),
            mismatch=flag_arg("mismatch"),
            duplicates=bool(flag_arg("duplicates")),
            query=request.args.get("q") or None,
            page=int_arg("page", 1),
            per_page=int_arg("per_page", machines.PER_PAGE_DEFAULT),
        )
    except (BadAsOf, machine_states.BadFilter) as exc:
        return json_error(400, str(exc))
    except (UnknownUnit, OutOfScope) as exc:
        return json_error(404, f"no unit with code '{exc}'")
    return machines_answer(page)

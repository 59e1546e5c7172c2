"""The HTML pages officers read: the overview, the machine list and one machine, the audit
log. Units have theirs in `unit_pages.py`, administrators in `admin_pages.py`."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, url_for

from collector.counting import machine_states
from collector.counting.machine_history import history_with_states
from collector.counting.states import BadAsOf, UnknownUnit
from collector.store import audit, machines, settings
from collector.store.db import get_db
from collector.store.guideline import naming_answer
from collector.store.lifecycle import machine_lifecycle, today
from collector.store.units import list_units
from collector.web.access import (
    OutOfScope,
    current_user,
    require_role,
    scoped_unit,
    visible_held,
    visible_machine,
    visible_unit_codes,
)
from collector.web.machine_lists import (
    LIST_COLUMNS,
    list_filters,
    list_options,
    query_without_page,
    with_products_and_addresses,
)
from collector.web.overview import overview
from collector.web.request_args import export_url, page_number, text_arg
from collector.web.trend_box import page_trend

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The overview: totals, the rate chart and what needs action, for the officer's scope."""
    db = get_db()
    try:
        parent = scoped_unit(db, current_user(), None)
        figures = overview(db, as_of=text_arg("as_of"), parent=parent)
        trend = page_trend(db, parent, figures["as_of"], figures["total"])
    except BadAsOf:
        abort(400)
    except UnknownUnit:
        abort(404)
    return render_template(
        "overview.html",
        o=figures,
        t=figures["total"],
        trend=trend,
        held=visible_held(db, current_user()),
    )


@bp.get("/machines")
def machine_list():
    """Machines with their state now: search by name, IP, MAC or id; filter by unit, state,
    naming, shared names and name/enrolment mismatches; sort by a column."""
    return machine_list_page()


def machine_list_page(error=None, done=None, status=200):
    """The machine list, with the outcome of a bulk action (`error`, or how many `done`)."""
    db = get_db()
    filters = list_filters()
    try:
        page = machine_states.list_machine_states(
            db, **list_options(db, filters), page=page_number()
        )
    except (BadAsOf, machine_states.BadFilter):
        abort(400)
    except (OutOfScope, UnknownUnit):
        abort(404)
    return render_template(
        "machines.html",
        page=with_products_and_addresses(db, page),
        filters=filters,
        states=machine_states.STATE_FILTERS,
        columns=LIST_COLUMNS,
        export_args=query_without_page(),
        units=visible_units(db),
        error=error,
        done=done,
        today=today().isoformat(),
    ), status


def visible_units(db):
    """The units this officer may pick (every unit for admins and viewers)."""
    codes = visible_unit_codes(db, current_user())
    return [unit for unit in list_units(db) if codes is None or unit["code"] in codes]


@bp.get("/machines/<machine_id>")
def machine_detail(machine_id):
    """One machine, by its id, or by its name when one machine reports under it."""
    db = get_db()
    if visible_machine(db, current_user(), machine_id) is None:
        try:
            found = machines.resolve_machine(db, machine_id)
        except (machines.UnknownMachine, machines.AmbiguousMachine):
            abort(404)
        if found != machine_id and visible_machine(db, current_user(), found) is not None:
            return redirect(url_for("pages.machine_detail", machine_id=found))
    return machine_page(machine_id)


def machine_page(machine_id, error=None, status=200):
    """The machine's page (404 outside the officer's units), with an action's `error`."""
    db = get_db()
    user = current_user()
    machine = visible_machine(db, user, machine_id)
    if machine is None:
        abort(404)
    state = machine_states.machine_state(db, machine["machine_id"])
    warning_days = settings.current(db)["licence_warning_days"]
    twins = [
        twin
        for twin in machines.name_twins(db, machine["machine_id"], machine["hostname"])
        if visible_machine(db, user, twin["machine_id"]) is not None
    ]
    return render_template(
        "machine.html",
        machine=machine,
        state=state,
        counted=machine_states.counted_for(state),
        twins=twins,
        products=machines.product_dates(db, machine["latest_report_id"]),
        licence_warning_days=warning_days,
        licence_until=(today() + timedelta(days=warning_days)).isoformat(),
        naming=naming_answer(db, machine["hostname"], machine["agent_unit_code"], counted=state),
        names=machines.machine_names(db, machine_id),
        lifecycle=machine_lifecycle(db, machine["machine_id"]),
        units=list_units(db),
        history=history_with_states(db, machine_id),
        error=error,
        today=today().isoformat(),
    ), status


@bp.get("/audit")
@require_role("admin")
def audit_log():
    return render_template("audit.html", page=audit.recent(get_db(), page=page_number()))


@bp.app_template_filter("pager_args")
def pager_args(args, page_number):
    """The current query string, with another page number."""
    return urlencode(dict(args.to_dict(), page=page_number))


@bp.app_template_filter("with_args")
def with_args(args, **changes):
    """The current query string with some arguments changed (None removes one)."""
    merged = dict(args.to_dict(), **changes)
    merged.pop("page", None)  # another filter or order starts again at page 1
    return urlencode({key: value for key, value in merged.items() if value is not None})


ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


@bp.app_template_filter("roman")
def roman(number):
    """Section numbers as the appendix writes them: I, II, III, IV..."""
    text = ""
    for value, letters in ROMAN:
        while number >= value:
            text, number = text + letters, number - value
    return text


@bp.app_context_processor
def page_helpers():
    return {"export_url": export_url}

"""The HTML pages officers read: the overview, the machine list and one machine, the audit
log. Units have theirs in `unit_pages.py`, administrators in `admin_pages.py`."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template

from collector.counting import machine_states
from collector.counting.machine_history import history_with_states
from collector.counting.states import BadAsOf, UnknownUnit
from collector.counting.trends import daily_figures
from collector.store import audit, machines
from collector.store.db import get_db
from collector.store.guideline import naming_answer
from collector.store.lifecycle import machine_lifecycle
from collector.store.units import list_units
from collector.web.access import (
    OutOfScope,
    current_user,
    require_role,
    scoped_unit,
    visible_machine,
)
from collector.web.i18n import current_language
from collector.web.machine_lists import (
    LIST_COLUMNS,
    list_filters,
    list_options,
    query_without_page,
    with_products_and_addresses,
)
from collector.web.overview import overview
from collector.web.request_args import export_url, page_number, text_arg
from collector.web.trend_chart import issued_marks, trend_chart

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The overview: totals, the rate chart and what needs action, for the officer's scope."""
    db = get_db()
    try:
        parent = scoped_unit(db, current_user(), None)
        figures = overview(db, as_of=text_arg("as_of"), parent=parent)
        trend = trend_chart(daily_figures(db, parent, end=figures["as_of"],
                                          end_total=figures["total"]),
                            issued_marks(db, parent, current_language()))
    except BadAsOf:
        abort(400)
    except UnknownUnit:
        abort(404)
    return render_template("overview.html", o=figures, t=figures["total"], trend=trend)


@bp.get("/machines")
def machine_list():
    """Machines with their state now: search by name, IP, MAC or id; filter by unit, state,
    naming, shared names and name/enrolment mismatches; sort by a column."""
    db = get_db()
    filters = list_filters()
    try:
        page = machine_states.list_machine_states(db, **list_options(db, filters),
                                                  page=page_number())
    except (BadAsOf, machine_states.BadFilter):
        abort(400)
    except (OutOfScope, UnknownUnit):
        abort(404)
    return render_template("machines.html", page=with_products_and_addresses(db, page),
                           filters=filters, states=machine_states.STATE_FILTERS,
                           columns=LIST_COLUMNS, export_args=query_without_page())


@bp.get("/machines/<machine_id>")
def machine_detail(machine_id):
    db = get_db()
    machine = visible_machine(db, current_user(), machine_id)
    if machine is None:
        abort(404)
    return render_template(
        "machine.html", machine=machine,
        state=machine_states.machine_state(db, machine["machine_id"]),
        naming=naming_answer(db, machine["hostname"], machine["agent_unit_code"]),
        names=machines.machine_names(db, machine_id),
        lifecycle=machine_lifecycle(db, machine["machine_id"]), units=list_units(db),
        history=history_with_states(db, machine_id))


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

"""The units pages: the rollup table as the official appendix lays it out, and one unit with
its figures, contacts, children and machines."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from collector.counting import figures
from collector.counting.machine_states import SORTS, tab_counts
from collector.counting.states import BadAsOf, UnknownUnit
from collector.counting.units_table import FLAGS, SORT_KEYS, parent_units, units_table
from collector.store import enrollment, settings
from collector.store.db import get_db
from collector.web.access import (
    OutOfScope,
    current_user,
    may_see_unit,
    scoped_unit,
    visible_unit_codes,
)
from collector.web.machine_lists import LIST_COLUMNS, with_products_and_addresses
from collector.web.request_args import choice_arg, page_number, text_arg
from collector.web.trend_box import page_trend
from collector.web.unit_view import TABS, unit_machines, unit_summary

bp = Blueprint("unit_pages", __name__)


@bp.get("/units")
def unit_list():
    """The rollup table: ?as_of, ?parent, ?group, ?flag, ?sort and ?desc."""
    db = get_db()
    try:
        parent = scoped_unit(db, current_user(), text_arg("parent"))
        table = units_table(
            db,
            as_of=text_arg("as_of"),
            parent=parent,
            group=text_arg("group"),
            sort=choice_arg("sort", SORT_KEYS),
            descending=request.args.get("desc") == "1",
            flag=choice_arg("flag", FLAGS),
        )
    except BadAsOf:
        abort(400)
    except (UnknownUnit, OutOfScope):
        abort(404)
    visible = visible_unit_codes(db, current_user())
    parents = [unit for unit in parent_units(db) if visible is None or unit["code"] in visible]
    return render_template("units.html", table=table, parents=parents, flags=FLAGS)


def _next_steps(db, summary):
    """For a unit with no machine reporting now: the enrollment tokens bound to it (for an
    administrator), to show what to do next; None when its machines report."""
    if summary["figures"]["seen"] or text_arg("as_of"):
        return None
    code = summary["unit"]["code"]
    tokens = (
        [
            token
            for token in enrollment.list_tokens(db)
            if token["unit_code"] == code and not token["revoked_at"]
        ]
        if current_user()["role"] == "admin"
        else []
    )
    return {"tokens": tokens}


@bp.get("/units/<code>")
def unit_detail(code):
    """One unit: figures, contacts, children, and a tab of its machines (?tab, ?page)."""
    db = get_db()
    if not may_see_unit(db, current_user(), code):
        abort(404)
    tab = choice_arg("tab", TABS) or "installed"
    as_of = text_arg("as_of")
    try:
        # One snapshot for the whole page: its figures, tab counts and list agree, and what
        # the keeping has not reached yet is counted once, not by each part.
        with figures.reading(db):
            summary = unit_summary(db, code, as_of=as_of)
            page = unit_machines(
                db,
                summary["unit"]["code"],
                tab,
                as_of=as_of,
                page=page_number(),
                query=text_arg("q"),
                sort=choice_arg("sort", tuple(SORTS)),
                descending=request.args.get("desc") == "1",
            )
            counts = tab_counts(db, summary["unit"]["code"], as_of=as_of)
            code = summary["unit"]["code"]
            trend = page_trend(db, code, summary["as_of"], summary["total"])
    except BadAsOf:
        abort(400)
    except UnknownUnit:
        abort(404)
    return render_template(
        "unit.html",
        s=summary,
        u=summary["unit"],
        f=summary["figures"],
        tab=tab,
        tabs=TABS,
        counts=counts,
        trend=trend,
        licence_warning_days=settings.current(db)["licence_warning_days"],
        next_steps=_next_steps(db, summary),
        page=with_products_and_addresses(db, page),
        columns=LIST_COLUMNS,
    )

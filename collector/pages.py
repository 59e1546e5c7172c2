"""The HTML pages officers read: the machine list, one machine's detail, the audit log."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for

from collector import audit, machines
from collector.access import current_user, may_see_unit, require_role, visible_unit_codes
from collector.db import get_db

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return redirect(url_for("pages.machine_list"))


def _page_number():
    try:
        return int(request.args.get("page", 1))
    except ValueError:
        return 1


@bp.get("/machines")
def machine_list():
    query = request.args.get("q", "").strip()
    db = get_db()
    page = machines.list_machines(db, page=_page_number(), query=query or None,
                                  unit_codes=visible_unit_codes(db, current_user()))
    return render_template("machines.html", page=page, query=query)


@bp.get("/machines/<machine_id>")
def machine_detail(machine_id):
    db = get_db()
    machine = machines.get_machine(db, machine_id)
    # Out of the officer's units is answered as absent: it does not confirm the id exists.
    if machine is None or not may_see_unit(db, current_user(), machine["agent_unit_code"]):
        abort(404)
    return render_template("machine.html", machine=machine,
                           names=machines.machine_names(db, machine_id),
                           history=machines.machine_history(db, machine_id))


@bp.get("/audit")
@require_role("admin")
def audit_log():
    return render_template("audit.html", page=audit.recent(get_db(), page=_page_number()))


@bp.app_template_filter("pager_args")
def pager_args(args, page_number):
    """The current query string, with another page number."""
    return urlencode(dict(args.to_dict(), page=page_number))

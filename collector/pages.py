"""The HTML pages officers read: the machine list and one machine's detail."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for

from collector import machines
from collector.db import get_db

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return redirect(url_for("pages.machine_list"))


@bp.get("/machines")
def machine_list():
    query = request.args.get("q", "").strip()
    try:
        page_number = int(request.args.get("page", 1))
    except ValueError:
        page_number = 1
    page = machines.list_machines(get_db(), page=page_number, query=query or None)
    return render_template("machines.html", page=page, query=query)


@bp.get("/machines/<machine_id>")
def machine_detail(machine_id):
    db = get_db()
    machine = machines.get_machine(db, machine_id)
    if machine is None:
        abort(404)
    return render_template("machine.html", machine=machine,
                           names=machines.machine_names(db, machine_id),
                           history=machines.machine_history(db, machine_id))


@bp.app_template_filter("pager_args")
def pager_args(args, page_number):
    """The current query string, with another page number."""
    return urlencode(dict(args.to_dict(), page=page_number))

"""The page where an administrator sets a unit's own letterhead (a district's People's
Committee or its office), key by key, under the same rules as `avroll letterhead set`."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from collector.counting.states import UnknownUnit
from collector.exports.letterhead import heading_lines, letterhead
from collector.store import letterheads, settings
from collector.store.db import get_db
from collector.store.units import list_units
from collector.web.access import actor, require_role

bp = Blueprint("letterheads", __name__, url_prefix="/admin/letterheads")


@bp.before_request
@require_role("admin")
def admins_only():
    """Letterheads are set by administrators (others get 403)."""


@bp.get("")
def pick():
    """The unit chosen in the picker (?unit=CODE), or the first unit; with no unit yet, the
    page where units are added."""
    units = list_units(get_db())
    code = request.args.get("unit") or (units[0]["code"] if units else None)
    if not code:
        return redirect(url_for("admin.units_page"))
    return redirect(url_for("letterheads.unit_letterhead", code=code))


@bp.route("/<code>", methods=["GET", "POST"])
def unit_letterhead(code):
    """A unit's letterhead keys, what its letters print, and (POST) one key changed."""
    db = get_db()
    errors, saved = {}, None
    if request.method == "POST":
        key = request.form.get("key", "")
        try:
            letterheads.set_unit_value(db, code, key, request.form.get("value", ""), actor())
            saved = key
        except LookupError:
            abort(404)
        except settings.SettingError as exc:
            errors[key] = str(exc)
    try:
        head = letterhead(db, code)
    except UnknownUnit:
        abort(404)
    values = letterheads.unit_values(db, head.scope)
    keys = [
        {
            "key": key,
            "label": settings.SETTINGS[key].label,
            "value": values.get(key, ""),
            "help": settings.SETTINGS[key].help,
        }
        for key in letterheads.KEYS
    ]
    return render_template(
        "admin_letterhead.html",
        head=head,
        keys=keys,
        errors=errors,
        saved=saved,
        units=list_units(db),
        heading=heading_lines(head.name) if head.name else [],
        posted=request.form if errors else {},
    ), 422 if errors else 200

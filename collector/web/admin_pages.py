"""Administrators' pages: settings, units (a file import or one unit at a time) and
enrollment tokens, under the same rules as the `avroll` command line."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from collector.counting.products import reported_products
from collector.formats.spreadsheets import TableError
from collector.store import enrollment, held, lifecycle, settings, units
from collector.store.db import get_db
from collector.store.users import AccountError
from collector.web import bulk
from collector.web.access import actor, require_role
from collector.web.pages import machine_list_page, machine_page

bp = Blueprint("admin", __name__, url_prefix="/admin")
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".xlsm")


@bp.before_request
@require_role("admin")
def admins_only():
    """Every page here is for administrators (others get 403)."""


@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    db = get_db()
    errors, saved = {}, None
    if request.method == "POST":
        key = request.form.get("key", "")
        try:
            settings.set_value(
                db,
                key,
                request.form.get("value", ""),
                actor(),
                request.form.get("effective_from") or None,
            )
            saved = key
        except settings.SettingError as exc:
            errors[key] = str(exc)
    families = settings.current(db)["required_product"]
    return render_template(
        "admin_settings.html",
        settings=settings.described(db),
        families=families,
        products=reported_products(db, families),
        errors=errors,
        saved=saved,
        posted=request.form if errors else {},
    ), 422 if errors else 200


def _import_upload(db, upload):
    """Save an uploaded units file through `import_units()` (the CLI's rules)."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise units.UnitImportError(["the file must be .csv or .xlsx"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("units" + suffix)
        upload.save(path)
        try:
            return units.import_units(db, path, actor(), request.form.get("effective_from") or None)
        except TableError as exc:
            raise units.UnitImportError([str(exc)]) from None


def _save_one(db, form):
    """Save the one-unit form through `save_units()`; its line-1 prefix means nothing here."""
    record = {column: form.get(column, "") for column in units.COLUMNS}
    try:
        return units.save_units(db, [(1, record)], actor(), form.get("effective_from") or None)
    except units.UnitImportError as exc:
        raise units.UnitImportError(
            [error.removeprefix("line 1: ") for error in exc.errors]
        ) from None


@bp.route("/units", methods=["GET", "POST"])
def units_page():
    db = get_db()
    errors, saved, form = [], None, {}
    if request.method == "POST":
        try:
            if "file" in request.files:
                saved = _import_upload(db, request.files["file"])
            else:
                form = request.form
                saved = _save_one(db, form)
        except units.UnitImportError as exc:
            errors = exc.errors
    elif request.args.get("code"):
        form = units.get_unit(db, request.args["code"]) or {}
    return render_template(
        "admin_units.html",
        units=units.list_units(db),
        errors=errors,
        saved=saved,
        form=form,
        columns=units.COLUMNS,
        uploading="file" in request.files,
    ), 422 if errors else 200


@bp.get("/units.csv")
def units_file():
    """Every unit in the import format, to edit in a spreadsheet and upload again."""
    stream = io.StringIO()
    units.export_units(get_db(), stream)
    return Response(
        stream.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=units.csv"},
    )


@bp.route("/tokens", methods=["GET", "POST"])
def tokens_page():
    db = get_db()
    created, error = None, None
    if request.method == "POST":
        try:
            limit = request.form.get("machine_limit", "").strip()
            created = enrollment.create_token(
                db,
                actor(),
                unit_code=request.form.get("unit_code", "").strip() or None,
                note=request.form.get("note", "").strip()[:200] or None,
                machine_limit=int(limit) if limit.isdigit() and len(limit) < 8 else (limit or None),
            )
        except (AccountError, ValueError) as exc:
            error = str(exc)
    response = render_template(
        "admin_tokens.html",
        tokens=enrollment.list_tokens(db),
        created=created,
        error=error,
        units=units.list_units(db),
    )
    # A new token is shown once: never cached, never shown again.
    return response, 422 if error else 200, {"Cache-Control": "no-store"}


@bp.post("/tokens/<token_id>/revoke")
def revoke_token(token_id):
    """Revoke a token; with "retire", the machines it enrolled from the moment given on
    (the leak: a unit's genuine PCs share its token), never all of them blindly."""
    db = get_db()
    after = None
    if request.form.get("retire_machines") == "1":
        try:
            after = lifecycle.enrolled_moment(request.form.get("enrolled_after") or "")
        except lifecycle.BadRetirement:
            return render_template(
                "error.html",
                status=400,
                message="To retire the machines it enrolled, give the moment the token "
                "leaked: those enrolled before stay.",
            ), 400
    try:
        enrollment.revoke_token(db, actor(), int(token_id))
    except (ValueError, OverflowError, enrollment.UnknownToken):  # OverflowError: past 2**63
        abort(404)
    if after:
        lifecycle.retire_enrolled_by(db, actor(), int(token_id), enrolled_after=after)
    return redirect(url_for("admin.tokens_page"))


@bp.get("/held")
def held_page():
    """The enrollments held for an administrator, those waiting first, to accept or refuse."""
    return render_template("admin_held.html", rows=held.listing(get_db()))


@bp.post("/held/<held_id>/<decision>")
def decide_held(held_id, decision):
    """Accept or refuse a held enrollment (audited); the agent learns it on its next run."""
    if decision not in ("accept", "refuse"):
        abort(404)
    try:
        held.decide(get_db(), actor(), held_id, "accepted" if decision == "accept" else "refused")
    except held.UnknownHeld:
        abort(404)
    return redirect(url_for("admin.held_page"))


def _retirement_form():
    """The date and reason of a retirement form, confirmed; BadRetirement (its message for
    the page) when the officer did not confirm, or left the date or reason out."""
    if request.form.get("confirm") != "1":
        raise lifecycle.BadRetirement("tick the box to confirm the retirement")
    day = request.form.get("date", "").strip()
    if not day:
        raise lifecycle.BadRetirement("give the day it leaves the counts")
    reason = " ".join(request.form.get("reason", "").split())[:200]
    if not reason:
        raise lifecycle.BadRetirement("give the reason for the retirement")
    return lifecycle.retirement_day(day), reason


@bp.post("/machines/<machine_id>/retire")
def retire_machine(machine_id):
    """Retire a machine from a day on, confirmed, with a reason (422 on the page without)."""
    try:
        day, reason = _retirement_form()
        lifecycle.retire(get_db(), actor(), machine_id, day, reason)
    except (lifecycle.UnknownMachine, lifecycle.AmbiguousMachine):
        abort(404)
    except lifecycle.BadRetirement as exc:
        return machine_page(machine_id, error=str(exc), status=422)
    return redirect(url_for("pages.machine_detail", machine_id=machine_id))


@bp.post("/machines/<machine_id>/restore")
def restore_machine(machine_id):
    """Bring a retired machine back into the counts."""
    try:
        lifecycle.restore(
            get_db(),
            actor(),
            machine_id,
            " ".join(request.form.get("reason", "").split())[:200] or None,
        )
    except (lifecycle.UnknownMachine, lifecycle.AmbiguousMachine):
        abort(404)
    except lifecycle.NotRetired:
        return machine_page(machine_id, error="the machine is not retired", status=409)
    return redirect(url_for("pages.machine_detail", machine_id=machine_id))


@bp.post("/machines/<machine_id>/assign")
def assign_machine(machine_id):
    """Count a machine for a unit from now on (empty: the naming rule decides again)."""
    try:
        lifecycle.assign(
            get_db(), actor(), machine_id, request.form.get("unit_code", "").strip() or None
        )
    except (lifecycle.UnknownMachine, lifecycle.AmbiguousMachine):
        abort(404)
    except AccountError:
        abort(400)
    return redirect(url_for("pages.machine_detail", machine_id=machine_id))


@bp.post("/machines/bulk")
def bulk_machines():
    """Assign or retire the machines ticked on the /machines list, or every machine its
    filters (the query string) match; each change audited."""
    db = get_db()
    action = request.form.get("action")
    try:
        chosen = bulk.chosen_machines(
            db, request.form.get("scope"), request.form.getlist("machine_id")
        )
        if not chosen:
            raise bulk.BulkError("tick at least one machine")
        if action == "assign":
            done = bulk.assign(
                db, actor(), chosen, request.form.get("unit_code", "").strip() or None
            )
        elif action == "retire":
            day, reason = _retirement_form()
            done = bulk.retire(db, actor(), chosen, day, reason)
        else:
            raise bulk.BulkError("choose assign or retire")
    except (bulk.BulkError, lifecycle.BadRetirement, AccountError) as exc:
        return machine_list_page(error=str(exc), status=422)
    return machine_list_page(done=done)

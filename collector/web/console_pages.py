"""The console's and the directory's view beside avroll's: the reconciliation lists (page,
download, API), the imports by upload, and reminders by e-mail (settings, preview, sending,
log) for administrators."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, g, jsonify, render_template, request, url_for

from collector.counting import reconcile
from collector.counting.states import UnknownUnit
from collector.exports import reminders
from collector.exports.files import FORMATS
from collector.exports.reconcile_lists import build_reconcile_export
from collector.formats import console_values as values
from collector.formats.spreadsheets import TableError
from collector.store import console_imports, mail, replies
from collector.store.db import get_db
from collector.store.paging import PER_PAGE_DEFAULT, PER_PAGE_MAX, Page
from collector.store.units import EMAIL, list_units
from collector.web.access import (
    OutOfScope,
    actor,
    current_user,
    require_role,
    scoped_unit,
    visible_unit_codes,
)
from collector.web.errors import json_error
from collector.web.export_downloads import send_export
from collector.web.request_args import int_arg, machines_answer, page_number, text_arg

bp = Blueprint("console", __name__)
admin_bp = Blueprint("console_admin", __name__, url_prefix="/admin")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a province's KSC export in UTF-16, with room to spare
UPLOAD_ENDPOINTS = frozenset({"console_admin.imports_page"})
UPLOAD_SUFFIXES = (".txt", ".csv", ".tsv", ".xlsx")


def allow_uploads(app):
    """An administrator's import may be larger than a report (the app's limit): raise the
    limit for that one endpoint, before anything reads the body (the CSRF check does)."""

    @app.before_request
    def larger_body_for_imports():
        user = current_user()
        if request.endpoint in UPLOAD_ENDPOINTS and user and user["role"] == "admin":
            request.max_content_length = MAX_UPLOAD_BYTES


def admin_upload_gate(app):
    """For the server's guard, before a body is read: whether a request to `path` carrying
    `cookie` may send more than a report (an administrator's logged-in session posting to an
    upload page), decided as a page would (the session held on the server, the role)."""
    paths = set()

    def may_send_large(path, cookie):
        if not paths:
            with app.test_request_context():
                paths.update(url_for(endpoint) for endpoint in UPLOAD_ENDPOINTS)
        if path not in paths or not cookie:
            return False
        with app.test_request_context(path, method="POST", headers={"Cookie": cookie}):
            user = current_user()
            return bool(user and user["role"] == "admin")

    return may_send_large


def _result():
    """One reconciliation per request, however many parts of the page ask."""
    if "reconciliation" not in g:
        g.reconciliation = reconcile.reconcile(get_db())
    return g.reconciliation


@bp.app_template_global()
def reconcile_summary(unit=None):
    """The reconciliation counts of a unit (or the province) for the page's partials."""
    return reconcile.summary(get_db(), unit, _result())


def _scope(asked):
    """The unit asked, held to the officer's units: (unit, visible codes)."""
    db = get_db()
    unit = scoped_unit(db, current_user(), asked)
    return unit, visible_unit_codes(db, current_user())


def _list_arg(value):
    if value is not None and value not in reconcile.LISTS:
        raise ValueError(f"list '{value}' is not one of {', '.join(reconcile.LISTS)}")
    return value


def _page_of(rows, page, per_page):
    per_page = min(max(1, per_page), PER_PAGE_MAX)
    return Page(rows[(page - 1) * per_page : page * per_page], len(rows), page, per_page)


@bp.get("/reconcile")
def reconcile_page():
    """The lists for the province or a unit: ?unit=CODE, ?list=NAME, ?page."""
    try:
        unit, codes = _scope(text_arg("unit"))
        list_name = _list_arg(text_arg("list"))
        rows = reconcile.machines(
            get_db(), unit=unit, list_name=list_name, result=_result(), unit_codes=codes
        )
    except ValueError:
        abort(400)
    except (UnknownUnit, OutOfScope):
        abort(404)
    return render_template(
        "reconcile.html",
        unit=unit,
        list_name=list_name,
        page=_page_of(rows, page_number(), PER_PAGE_DEFAULT),
        summary=reconcile_summary(unit),
    )


@bp.get("/exports/reconcile.<fmt>")
def reconcile_file(fmt):
    """The lists as XLSX or CSV: ?unit=CODE (an officer: their unit), ?list=NAME."""
    if fmt not in FORMATS:
        abort(404)
    try:
        unit, _ = _scope(text_arg("unit"))
        list_name, result = _list_arg(text_arg("list")), _result()
        return send_export(
            lambda: build_reconcile_export(
                get_db(), fmt, unit=unit, list_name=list_name, result=result
            )
        )
    except ValueError:
        abort(400)
    except (UnknownUnit, OutOfScope):
        abort(404)


@bp.get("/api/v1/reconcile")
def reconcile_api():
    """Counts for the province or ?unit=CODE, each unit's counts, and the imports used."""
    db = get_db()
    try:
        unit, codes = _scope(text_arg("unit"))
        found = reconcile.summary(db, unit, _result())
    except (UnknownUnit, OutOfScope) as exc:
        return json_error(404, f"no unit with code '{exc}'")
    units = [
        row for row in reconcile.per_unit(db, _result()) if codes is None or row["code"] in codes
    ]
    return jsonify({"ok": True, **found, "units": units})


@bp.get("/api/v1/reconcile/machines")
def reconcile_machines_api():
    """The machines of ?list=NAME (default all) for ?unit=CODE, ?page, ?per_page."""
    try:
        unit, codes = _scope(text_arg("unit"))
        rows = reconcile.machines(
            get_db(),
            unit=unit,
            list_name=_list_arg(text_arg("list")),
            result=_result(),
            unit_codes=codes,
        )
    except ValueError as exc:
        return json_error(400, str(exc))
    except (UnknownUnit, OutOfScope) as exc:
        return json_error(404, f"no unit with code '{exc}'")
    page = _page_of(rows, page_number(), int_arg("per_page", PER_PAGE_DEFAULT))
    return machines_answer(page)


@admin_bp.before_request
@require_role("admin")
def admins_only():
    """Imports and reminders are for administrators (others get 403)."""


def _import_upload(db, source, upload, exported_text):
    try:
        exported_at = values.export_moment(exported_text)
    except values.ValueProblem as exc:
        raise console_imports.ImportProblems([f"the export's date: {exc}"]) from None
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise console_imports.ImportProblems(
            [f"the file must be one of {', '.join(UPLOAD_SUFFIXES)}"]
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("upload" + suffix)
        upload.save(path)
        try:
            return console_imports.import_file(
                db,
                source,
                path,
                actor(),
                filename=Path(upload.filename).name,
                exported_at=exported_at,
            )
        except TableError as exc:
            raise console_imports.ImportProblems([str(exc)]) from None


@admin_bp.route("/imports", methods=["GET", "POST"])
def imports_page():
    """Upload a KSC device list or a directory computer list; the snapshots so far."""
    db = get_db()
    errors, saved = [], None
    if request.method == "POST":
        source = request.form.get("source", "")
        if source not in console_imports.SOURCES or "file" not in request.files:
            abort(400)
        try:
            saved = _import_upload(
                db, source, request.files["file"], request.form.get("exported_at", "")[:40]
            )
        except console_imports.ImportProblems as exc:
            errors = console_imports.error_lines(exc.errors)
    return render_template(
        "admin_imports.html", imports=console_imports.list_imports(db), errors=errors, saved=saved
    ), 422 if errors else 200


@admin_bp.route("/mail", methods=["GET", "POST"])
def mail_page():
    """SMTP settings, a test send, who would get a reminder below ?below=RATE, sending,
    each unit's answers, and the log."""
    db = get_db()
    errors, notice, sent, tested = {}, None, None, None
    below_text = text_arg("below") or request.form.get("below") or "100"
    try:
        below = reminders.parse_rate(below_text)
    except reminders.BadRate as exc:
        errors["below"], below = str(exc), 1.0
    action = request.form.get("action") if request.method == "POST" else None
    if action == "settings":
        try:
            mail.save(
                db,
                request.form,
                actor(),
                password=request.form.get("password") or None,
                clear_password=request.form.get("clear_password") == "1",
            )
            notice = "Saved"
        except mail.MailSettingError as exc:
            errors.update(exc.errors)
    elif action == "reply":
        try:
            replies.record_reply(
                db,
                request.form.get("unit_code"),
                request.form.get("replied_by"),
                request.form.get("replied_on") or None,
                request.form.get("note") or "",
                actor(),
            )
            notice = "Recorded"
        except replies.BadReply as exc:
            errors["reply"] = str(exc)
    elif action == "test" and not errors:
        address = (request.form.get("test_address") or "").strip()
        if not EMAIL.fullmatch(address):
            errors["test_address"] = f"'{address}' không phải địa chỉ e-mail"
        else:
            tested = reminders.send_test(db, address, below, actor())
            if tested is None:
                errors["test_address"] = "không có đơn vị nào dưới mức này: không có thư để gửi"
    # A new round: the units that answered their last reminder are reminded too.
    include_answered = (text_arg("include_answered") or request.form.get("include_answered")) == "1"
    planned, result = reminders.plan(db, below, include_answered=include_answered)
    if action == "send" and not errors:
        sent = reminders.send(db, planned, result, actor())
    response = render_template(
        "admin_mail.html",
        config=mail.current(db),
        errors=errors,
        notice=notice,
        planned=planned,
        sent=sent,
        tested=tested,
        below=below_text,
        include_answered=include_answered,
        form=request.form if errors else {},
        replies=replies.latest_replies(db),
        units=list_units(db),
        log=mail.recent_sendings(db, page=page_number()),
    )
    return response, 422 if errors else 200, {"Cache-Control": "no-store"}

"""A national collector's pages: the provinces' table with the DTI rate, those that have not
pushed since a day, each province's trend, the issued reports kept byte for byte, and the
national appendix. Administrators and viewers only; on a province's collector, 404."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, redirect, render_template, request, url_for

from collector.counting import national as figures
from collector.exports.files import ExportFile, UnknownFormat
from collector.exports.national_appendix import build_national_appendix
from collector.formats.timefmt import to_stored
from collector.store import national
from collector.store.db import get_db
from collector.store.lifecycle import today
from collector.web.access import require_role
from collector.web.export_downloads import send_export
from collector.web.trend_chart import trend_chart

bp = Blueprint("national_pages", __name__, url_prefix="/national")


@bp.before_request
@require_role("admin", "viewer")
def nation_only():
    if national.role(get_db()) != "nation":
        abort(404)


def _day_arg(name):
    text = request.args.get(name) or None
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        abort(400)


@bp.get("")
def overview():
    """The provinces' table, the DTI rate, who has not pushed since, the issued reports."""
    db = get_db()
    as_of = _day_arg("as_of")
    since = _day_arg("since") or figures.stale_since_default(today()).isoformat()
    moment = to_stored(datetime.fromisoformat(since).replace(tzinfo=timezone.utc))
    return render_template(
        "national.html",
        table=figures.provinces_table(db, as_of),
        as_of=as_of,
        since=since,
        silent=figures.not_pushed_since(db, moment),
        issued=national.issued_list(db),
        yesterday=_yesterday(),
    )


def _yesterday():
    return (today() - timedelta(days=1)).isoformat()


@bp.get("/provinces/<code>")
def province(code):
    """A province's trend and the days it pushed."""
    db = get_db()
    code = code.upper()
    row = next(
        (row for row in figures.provinces_table(db)["provinces"] if row["code"] == code), None
    )
    if row is None:
        abort(404)
    points = figures.trend(db, code)
    return render_template(
        "national_province.html",
        province=row,
        days=points,
        trend=trend_chart(points) if points else None,
        issued=national.issued_list(db, code),
    )


@bp.get("/issued")
def issued_download():
    """One file of a province's issued report, exactly the bytes it pushed."""
    args = request.args
    body = national.issued_file(
        get_db(),
        (args.get("province") or "").upper(),
        args.get("number") or "",
        args.get("issued_on") or "",
        (args.get("parent") or "").upper(),
        args.get("filename") or "",
    )
    if body is None:
        abort(404)
    return send_export(lambda: ExportFile(args["filename"], body))


@bp.get("/appendix.<fmt>")
def appendix(fmt):
    """The national appendix as of a day (default yesterday), in the province's layout."""
    as_of = _day_arg("as_of") or _yesterday()
    try:
        return send_export(lambda: build_national_appendix(get_db(), fmt, as_of))
    except UnknownFormat:
        abort(404)


def register(app):
    """A national collector opens on its provinces' table."""

    @app.before_request
    def nation_opens_on_provinces():
        if request.endpoint == "pages.index" and national.role(get_db()) == "nation":
            return redirect(url_for("national_pages.overview"))
        return None

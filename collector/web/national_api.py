"""A national collector's API: provinces push here (`avroll push`), with the credential
bound to their province (`avroll provinces credential CODE`), and scripts read the figures
kept (`GET /api/v1/national/...`, a session or a read token).

Pushing: `GET /national/state` (what is kept already: resume from there), then one
`POST /national/days` per day and one `POST /national/issued` per issued report. The
province's clock is measured from its `X-Avroll-Sent-At`, as an agent's is: the skew is kept
with what it sent, its `computed_at` corrected by it, and a day is taken only once it is
over by the national collector's clock, whatever the province's says.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask import Blueprint, abort, jsonify, request

from collector.counting import national as figures
from collector.formats.national_payload import BadPayload, check_day, check_issued
from collector.formats.timefmt import now_stored, parse_stored, to_stored
from collector.store import national
from collector.store.db import get_db
from collector.store.enrollment import bearer_secret
from collector.store.ingest import clock_skew_seconds
from collector.store.lifecycle import today
from collector.web.api import SENT_AT_HEADER, read_json_body
from collector.web.errors import json_error

bp = Blueprint("national", __name__, url_prefix="/api/v1/national")
# Provinces authenticate with their push credential, not a session.
PUSH_ENDPOINTS = frozenset({"national.push_state", "national.push_day", "national.push_issued"})


@bp.before_request
def national_only():
    if national.role(get_db()) != "nation":
        abort(404)


def _province():
    """The province this request's push credential is bound to, or the 401 to answer."""
    province = national.province_of(get_db(), bearer_secret(request.headers.get("Authorization")))
    if province is None:
        response = json_error(
            401, "send this province's push credential as Authorization: Bearer avrp_..."
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return None, response
    return province, None


def _skew():
    sent = request.headers.get(SENT_AT_HEADER)
    return clock_skew_seconds(sent, now_stored()) if sent else None


@bp.get("/state")
def push_state():
    """What the national collector keeps of the pushing province: its last day, its issued
    reports (number, date)."""
    province, refused = _province()
    if refused is not None:
        return refused
    return jsonify({"ok": True, **national.pushed_state(get_db(), province)})


@bp.post("/days")
def push_day():
    """One day's appendix of the pushing province: 201 stored, 200 unchanged."""
    province, refused = _province()
    if refused is not None:
        return refused
    payload, error = read_json_body()
    if error is not None:
        return error
    try:
        as_of, kept = check_day(payload)
    except BadPayload as exc:
        return json_error(422, "the day's figures cannot be stored", exc.problems[:50])
    if date.fromisoformat(as_of) >= today():
        return json_error(409, f"{as_of} is not over yet by the national collector's clock")
    skew = _skew()
    done = national.store_day(
        get_db(), province, as_of, kept, _corrected(payload["computed_at"], skew), skew
    )
    return jsonify(
        {
            "ok": True,
            "province": province,
            "as_of": as_of,
            "result": done,
            "clock_skew_seconds": skew,
        }
    ), 201 if done != "unchanged" else 200


def _corrected(text, skew):
    """The province's `computed_at` on the national collector's clock (None if unreadable)."""
    try:
        moment = parse_stored(text)
    except (TypeError, ValueError):
        return None
    return to_stored(moment + timedelta(seconds=skew or 0))


@bp.post("/issued")
def push_issued():
    """One issued report of the pushing province with its files, byte for byte: 201 stored,
    200 unchanged, 409 when it would rewrite one kept already."""
    province, refused = _province()
    if refused is not None:
        return refused
    payload, error = read_json_body()
    if error is not None:
        return error
    try:
        report, files = check_issued(payload)
    except BadPayload as exc:
        return json_error(422, "the issued report cannot be stored", exc.problems[:50])
    for item in payload["files"]:
        if hashlib.sha256(files[item["filename"]]).hexdigest() != item.get("sha256"):
            return json_error(422, f"{item['filename']}: its bytes do not match its sha256")
    try:
        done = national.store_issued(get_db(), province, report, files, _skew())
    except national.IssuedRewrite as exc:
        return json_error(409, str(exc))
    return jsonify(
        {"ok": True, "province": province, "result": done}
    ), 201 if done == "stored" else 200


@bp.get("/provinces")
def provinces():
    """The provinces' table (?as_of=YYYY-MM-DD: each one's newest day on or before it)."""
    as_of = request.args.get("as_of") or None
    if as_of is not None and not _is_day(as_of):
        return json_error(400, "as_of is a date YYYY-MM-DD")
    return jsonify({"ok": True, **figures.provinces_table(get_db(), as_of)})


@bp.get("/provinces/<code>/days/<as_of>")
def province_day(code, as_of):
    """What a province pushed for a day: its appendix rows and total, as it sent them."""
    if not _is_day(as_of):
        return json_error(400, "the day is a date YYYY-MM-DD")
    found = figures.province_day(get_db(), code, as_of)
    if found is None:
        return json_error(404, f"no figures from {code} for {as_of}")
    return jsonify({"ok": True, "province": code.upper(), "as_of": as_of, **found})


def _is_day(text):
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10

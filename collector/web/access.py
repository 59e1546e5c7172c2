"""Who may see what: the logged-in officer, the roles, and the units an officer may see.

Every route needs a logged-in officer unless its endpoint is in PUBLIC_ENDPOINTS, so a new
route is protected without anyone remembering to. A read token (`store/api_tokens.py`)
stands in for an officer of its role on `GET /api/v1/*` and is refused everywhere else,
whatever else the request carries. Pages and API read through
`visible_unit_codes()`, so a unit officer sees only their unit and the units under it.
"""

from __future__ import annotations

import functools

from flask import abort, g, redirect, request, session, url_for

from collector.counting import figures
from collector.store import api_tokens, held, machines, server_sessions, users
from collector.store.db import get_db, write_transaction
from collector.store.enrollment import bearer_secret
from collector.web import csrf
from collector.web.errors import json_error, wants_json

# Anyone may reach these: the health check, static files, the login form, and the report
# and inventory endpoints (agents authenticate there with a bearer token, not a session),
# and a national collector's push endpoints (a province's push credential).
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "api.health",
        "api.post_report",
        "inventory.post_inventory",
        "auth.login",
        "national.push_state",
        "national.push_day",
        "national.push_issued",
    }
)

# The unit and every unit under it; UNION (not UNION ALL) stops at a cycle in bad data.
SUBTREE = """
    WITH RECURSIVE subtree(code) AS (
        SELECT code FROM units WHERE upper(code) = :root
        UNION
        SELECT units.code FROM units JOIN subtree ON upper(units.parent) = upper(subtree.code)
    )
    SELECT upper(code) FROM subtree"""


def current_user():
    """The officer of this request's session (a `users` row), or None."""
    if "user" not in g:
        g.user = _session_user()
    return g.user


def _session_user():
    """The user of the session id the cookie carries, while the server still holds it."""
    db = get_db()
    username = server_sessions.username_of(db, session.get("sid"))
    if username is None or username != session.get("user"):
        return None
    user = users.get_user(db, username)
    # Disabling an account or resetting its password ends its sessions (and bumps this).
    if user is None or user["disabled"] or user["auth_version"] != session.get("auth_version"):
        return None
    return user


def actor():
    """The name the audit log gives to changes made in this request."""
    user = current_user()
    return user["username"] if user else "anonymous"


def log_in(user):
    """Start a fresh session for `user` (a new session id and CSRF token: no fixation)."""
    session.clear()
    db = get_db()
    with write_transaction(db):
        session["sid"] = server_sessions.start(db, user["username"])
    session["user"] = user["username"]
    session["auth_version"] = user["auth_version"]
    session.permanent = True
    csrf.token()
    g.user = user


def log_out():
    """End the session on the server too: a copy of the cookie opens nothing afterwards."""
    if session.get("sid"):
        db = get_db()
        with write_transaction(db):
            server_sessions.end(db, session["sid"])
    session.clear()
    g.user = None


READ_PREFIX = "/api/v1/"


def read_token_request():
    """None when the request carries no read token; else the answer refusing it, or None
    after taking its reader as this request's officer (GET under /api/v1/ only)."""
    secret = bearer_secret(request.headers.get("Authorization"))
    if not api_tokens.is_read_token(secret):
        return False
    if request.method != "GET" or not request.path.startswith(READ_PREFIX):
        return json_error(403, "a read token opens GET /api/v1/* only")
    reader = api_tokens.reader(get_db(), secret)
    if reader is None:
        response = json_error(401, "this read token is unknown, revoked or expired")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    g.user = reader.as_user()
    return None


def require_login():
    """Before every request: a session is needed unless the endpoint is public; a read
    token is taken on `GET /api/v1/*` only."""
    refused = read_token_request()
    if refused is not False:
        return refused
    if request.endpoint in PUBLIC_ENDPOINTS or current_user() is not None:
        return None
    if wants_json():
        return json_error(401, "log in first")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_role(*roles):
    """Decorate a view that only officers with one of `roles` may use (others get 403)."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            user = current_user()
            if user is None or user["role"] not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def visible_unit_codes(db, user):
    """The unit codes (upper case) `user` may see; None means every unit and unassigned PCs."""
    if user is None:
        return frozenset()
    if user["role"] != "unit":
        return None
    root = (user["unit_code"] or "").upper()
    codes = {root}
    if db["units"].exists():
        codes.update(row[0] for row in db.execute(SUBTREE, {"root": root}))
    return frozenset(codes)


def may_see_unit(db, user, unit_code):
    """True when `user` may see what belongs to `unit_code` (None: no unit)."""
    codes = visible_unit_codes(db, user)
    return codes is None or (unit_code or "").upper() in codes


def visible_held(db, user):
    """The enrollments waiting for an administrator that `user` may see: every one for an
    admin or a viewer; for a unit officer, those asking for their units or concerning a
    machine of theirs (they see them; only an administrator decides)."""
    waiting = held.listing(db, waiting_only=True)
    codes = visible_unit_codes(db, user)
    if codes is None:
        return waiting
    return [
        row
        for row in waiting
        if {(row.unit_code or "").upper(), (row.current_unit or "").upper()} & codes
        or figures.units_of_machine(figures.machine(db, row.stored_as)) & codes
    ]


def visible_machine(db, user, machine_id):
    """The machine with its latest report, or None when it does not exist or lies outside
    `user`'s units (answered alike, so an id outside them is not confirmed)."""
    machine = machines.get_machine(db, machine_id)
    if machine is None:
        return None
    codes = visible_unit_codes(db, user)
    if (
        codes is not None
        and not figures.units_of_machine(figures.machine(db, machine["machine_id"])) & codes
    ):
        return None
    return machine


def visible_machine_ids(db, user):
    """The ids of the machines `user` may open (None: every machine): those shown under
    one of their units (`figures.units_of_machine`)."""
    codes = visible_unit_codes(db, user)
    return None if codes is None else figures.machines_of_units(db, codes)


class OutOfScope(Exception):
    """The unit asked for is not one this officer may see."""


def scoped_unit(db, user, asked):
    """The unit a request may look at: `asked`, held to a unit officer's own subtree (their
    own unit when nothing is asked); OutOfScope for a unit they may not see."""
    codes = visible_unit_codes(db, user)
    if codes is None:
        return asked
    if not asked:
        return user["unit_code"]
    if asked.upper() not in codes:
        raise OutOfScope(asked)
    return asked


def register(app):
    app.before_request(require_login)
    app.jinja_env.globals["current_user"] = current_user

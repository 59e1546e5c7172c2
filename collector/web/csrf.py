"""CSRF protection: every state-changing request from a browser carries the session's token.

A small per-session token compared in constant time is all our few forms need; Flask-WTF
would add WTForms for no extra protection. Forms include `{{ csrf_field() }}`; scripts may
send the token in the X-CSRF-Token header instead.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session
from markupsafe import Markup

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Agents authenticate each report with a bearer secret, which a browser never sends itself.
EXEMPT_ENDPOINTS = frozenset(
    {"api.post_report", "inventory.post_inventory", "national.push_day", "national.push_issued"}
)


def token():
    """This session's CSRF token, made on first use."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def hidden_field():
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token())


def protect():
    """Before every request: refuse (400) a state-changing request without the right token."""
    if request.method in SAFE_METHODS or request.endpoint in EXEMPT_ENDPOINTS:
        return
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = session.get(FIELD) or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "the form has expired or did not come from this site; reload and try again")


def register(app):
    app.before_request(protect)
    app.jinja_env.globals.update(csrf_token=token, csrf_field=hidden_field)

"""Logging in and out: the /login form, failed attempts slowed per account and address
(`store/login_failures.py`)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from collector.store import login_failures, users
from collector.store.db import get_db
from collector.web import access

bp = Blueprint("auth", __name__)


def safe_next(target):
    """Where to go after logging in: a path on this site only (no open redirect).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a slash,
    a tab and `/evil.com` would become `//evil.com`: such targets are refused, not cleaned."""
    if (
        target
        and target.startswith("/")
        and target.isprintable()
        and not any(ch.isspace() or ch == "\\" for ch in target)
        and not urlsplit(target).netloc
        and not target.startswith("//")
    ):
        return target
    return url_for("pages.index")


def _form(status=200, error=None):
    return render_template(
        "login.html",
        error=error,
        username=request.form.get("username", ""),
        next=request.values.get("next", ""),
    ), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if access.current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        return _form()
    username = users.normalise_username(request.form.get("username", ""))[:64]
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    db = get_db()
    wait = login_failures.wait_seconds(db, username, address, time.time())
    if wait:
        current_app.logger.warning(
            "login refused: too many failures for %r from %s", username, address
        )
        response = current_app.make_response(_form(429, "Too many failed logins. Try again later."))
        response.headers["Retry-After"] = str(wait)
        return response
    user = users.authenticate(db, username, password)
    if user is None:
        login_failures.record_failure(db, username, address, time.time())
        current_app.logger.warning("failed login for %r from %s", username, address)
        return _form(401, "Wrong username or password.")
    login_failures.record_success(db, username, address)
    access.log_in(user)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    access.log_out()
    return redirect(url_for("auth.login"))

"""Logging in and out: the /login form, with failed attempts limited per user and address."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from collector.store import users
from collector.store.db import get_db
from collector.web import access
from collector.web.throttle import throttles

bp = Blueprint("auth", __name__)


def safe_next(target):
    """Where to go after logging in: a path on this site only (no open redirect).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a slash,
    a tab and `/evil.com` would become `//evil.com`: such targets are refused, not cleaned."""
    if (target and target.startswith("/") and target.isprintable()
            and not any(ch.isspace() or ch == "\\" for ch in target)
            and not urlsplit(target).netloc and not target.startswith("//")):
        return target
    return url_for("pages.index")


def _form(status=200, error=None):
    return render_template("login.html", error=error,
                           username=request.form.get("username", ""),
                           next=request.values.get("next", "")), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if access.current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        return _form()
    username = users.normalise_username(request.form.get("username", ""))[:64]
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    windows = throttles()
    if windows.login_user.full(username) or windows.login_address.full(address):
        current_app.logger.warning("login refused: too many failures for %r from %s",
                                   username, address)
        return _form(429, "Too many failed logins. Try again later.")
    user = users.authenticate(get_db(), username, password)
    if user is None:
        windows.login_user.add(username)
        windows.login_address.add(address)
        current_app.logger.warning("failed login for %r from %s", username, address)
        return _form(401, "Wrong username or password.")
    windows.login_user.clear(username)
    access.log_in(user)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    access.log_out()
    return redirect(url_for("auth.login"))

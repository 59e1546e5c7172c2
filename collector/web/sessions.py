"""Officers' session cookies: signed with the key in a private file beside the database
(`store/keyfile.py`), carrying only a server-side session id (`store/server_sessions.py`),
flagged against theft.

The cookie is HttpOnly and SameSite=Lax always. Secure follows SESSION_COOKIE_SECURE:
"auto" (the default) sets it whenever the request came over HTTPS, directly or through a
trusted reverse proxy's X-Forwarded-Proto; "on" always; "off" never (plain-HTTP tests).
"""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask.sessions import SecureCookieSessionInterface

from collector.store.keyfile import session_key
from collector.store.server_sessions import SESSION_HOURS

SECURE_CHOICES = ("auto", "on", "off")


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with Secure decided per request in "auto" mode."""

    def get_cookie_secure(self, app):
        setting = str(app.config["SESSION_COOKIE_SECURE"]).lower()
        if setting == "auto":
            return request.is_secure
        return setting in ("on", "true", "1")


def configure(app):
    """Set the signing key (never printed or logged) and the cookie flags (Secure from the
    app's config)."""
    app.secret_key = session_key(app.config["DATABASE"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="avroll_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.session_interface = SessionCookies()

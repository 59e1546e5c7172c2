"""Officers' session cookies: signed with a key kept in the database, flagged against theft.

The cookie is HttpOnly and SameSite=Lax always. Secure follows SESSION_COOKIE_SECURE:
"auto" (the default) sets it whenever the request came over HTTPS, directly or through a
trusted reverse proxy's X-Forwarded-Proto; "on" always; "off" never (plain-HTTP tests).
"""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask.sessions import SecureCookieSessionInterface

SECURE_CHOICES = ("auto", "on", "off")
SESSION_HOURS = 12


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with Secure decided per request in "auto" mode."""

    def get_cookie_secure(self, app):
        setting = str(app.config["SESSION_COOKIE_SECURE"]).lower()
        if setting == "auto":
            return request.is_secure
        return setting in ("on", "true", "1")


def session_key(db):
    """The signing key made by the migrations on first start; never printed or logged."""
    return db.execute("SELECT value FROM app_secrets WHERE name = 'session_key'").fetchone()[0]


def configure(app, db):
    """Set the signing key and the cookie flags (Secure from the app's config)."""
    app.secret_key = session_key(db)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="avroll_session",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))
    app.session_interface = SessionCookies()

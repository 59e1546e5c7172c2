"""One JSON error shape for every API error; HTML error pages for people."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


def json_error(status, message, errors=None, **more):
    """`{"ok": false, "error": ..., "errors": [...], "status": N}` with that status (and
    `more` keys: `"held": true` for an enrollment waiting for an administrator)."""
    response = jsonify(
        {"ok": False, "error": message, "errors": errors or [], "status": status, **more}
    )
    response.status_code = status
    return response


def wants_json():
    return request.path.startswith("/api/")


def handle_http_error(exc: HTTPException):
    """Werkzeug's errors (404, 405, 413…) as JSON under /api/, as a page elsewhere."""
    if wants_json():
        return json_error(exc.code or 500, exc.description or exc.name)
    return render_template("error.html", status=exc.code, message=exc.name), exc.code


def handle_unexpected(exc: Exception):
    """A bug: logged with its traceback; the client gets no internals."""
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if wants_json():
        return json_error(500, "internal error")
    return render_template("error.html", status=500, message="Internal Server Error"), 500


def register(app):
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)

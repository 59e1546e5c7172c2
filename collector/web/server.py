"""Serving the app with waitress, sized so that held-open connections starve no one.

waitress's defaults (100 connections, 120 s idle timeout, select()) let about 100 idle
sockets take the collector offline. Here: up to `CONNECTION_LIMIT` connections (as many as
the process may open), idle ones closed after `CHANNEL_TIMEOUT` seconds, poll() instead of
select() (no 1024-descriptor ceiling), and waitress's own errors (body too large, malformed
request) answered as the API's JSON under /api/, like every other API error.
"""

from __future__ import annotations

import functools
import json
import logging
import signal

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from collector.web import report_writer
from collector.web.connection_guard import Guard, accept_many, guarded_channel
from collector.web.console_pages import admin_upload_gate

CONNECTION_LIMIT = 4000
CHANNEL_TIMEOUT = 30  # seconds a connection may sit idle (an agent's POST takes < 1 s)
CLEANUP_INTERVAL = 5
SPARE_DESCRIPTORS = 64  # for the database, log files and the listening socket
# waitress refuses bodies past this before Flask sees them. Flask's own limit is the
# report's (256 KB) everywhere but an administrator's upload of a KSC or directory export
# (web/console_pages.py), which a province's console writes at a few MB in UTF-16.
MAX_BODY_BYTES = 24 * 1024 * 1024
# Headers of an agent or a browser fit in a few KB; each held connection may buffer this.
MAX_HEADER_BYTES = 32 * 1024
RETRY_AFTER_SECONDS = 5  # when the bodies in flight are at their budget (503)


class ApiErrorTask(ErrorTask):
    """waitress's error answer, as `{"ok": false, ...}` JSON for a request under /api/."""

    def execute(self):
        error = self.request.error
        if error.code == 503:
            self.response_headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
        path = getattr(self.request, "path", "") or ""
        if not path.startswith("/api/"):
            return super().execute()
        status = error.code
        message = f"{error.reason}: {error.body}".strip(": ")
        body = json.dumps(
            {"ok": False, "error": message, "errors": [], "status": status}, ensure_ascii=False
        ).encode("utf-8")
        self.status = f"{status} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class ApiChannel(HTTPChannel):
    error_task_class = ApiErrorTask


def descriptor_budget():
    """Connections this process can hold: its open-file limit raised to the hard limit."""
    try:
        import resource
    except ImportError:  # Windows: waitress's poll() emulation has no such ceiling
        return CONNECTION_LIMIT
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CONNECTION_LIMIT + SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return CONNECTION_LIMIT
    return max(100, min(CONNECTION_LIMIT, soft - SPARE_DESCRIPTORS))


def options(threads=8, trusted_proxy=None):
    """waitress settings for `avroll serve`; with `trusted_proxy` (an address, or several
    comma-separated), the proxy's X-Forwarded-For and -Proto give the client's address."""
    chosen = {
        "threads": threads,
        "ident": "avroll",
        "connection_limit": descriptor_budget(),
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        "asyncore_use_poll": True,
        "max_request_body_size": MAX_BODY_BYTES,
        "max_request_header_size": MAX_HEADER_BYTES,
        "backlog": 2048,
    }
    if trusted_proxy:
        chosen.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_count=1,
            clear_untrusted_proxy_headers=True,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
        )
    return chosen


def make_server(app, **settings):
    """A waitress server (not yet running) whose channels answer errors as above and share
    the server as `connection_guard` decides (a trusted proxy's address is not capped)."""
    sockets = {}
    server = create_server(app, map=sockets, **settings)
    proxies = [part.strip() for part in str(settings.get("trusted_proxy") or "").split(",")]
    guard = Guard(
        server.adj.connection_limit,
        app.config["MAX_CONTENT_LENGTH"],
        admin_upload_gate(app),
        exempt=[part for part in proxies if part],
    )
    channel_class = guarded_channel(ApiChannel)
    for listener in {server, *sockets.values()}:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel_class
            listener.guard = guard
            listener.maintenance = functools.partial(_maintenance, listener)
            listener.handle_accept = functools.partial(accept_many, listener)
    return server


def _maintenance(listener, now):
    """waitress's idle close, and the close of requests past their deadline."""
    BaseWSGIServer.maintenance(listener, now)
    for channel in listener.guard.overdue():
        channel.will_close = True


def serve(app, **settings):
    """Serve `app` until interrupted (waitress.serve's signature)."""
    # A queue of requests under load is normal for a collector; waitress warns on each.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    signal.signal(signal.SIGTERM, _stop)
    compile_templates(app)
    try:
        make_server(app, **settings).run()  # waitress's run() stops cleanly on Ctrl-C
    finally:
        report_writer.close(app)  # the reports already queued are stored


def compile_templates(app):
    """Compile the pages' templates before the first request: the first view after a start
    compiled its own while the officer waited (half a second of the overview's second)."""
    for name in app.jinja_env.list_templates(extensions=("html",)):
        app.jinja_env.get_template(name)


def _stop(_signal, _frame):
    """SIGTERM (a service manager stopping the collector) stops it as Ctrl-C does."""
    raise SystemExit(0)

"""The Flask app factory: configuration in order (defaults, environment, the caller's), the
database migrated, then every blueprint registered."""

from __future__ import annotations

import os

from flask import Flask

from collector.counting import figures
from collector.store import migrations
from collector.store.db import end_request, open_db, resolve_path
from collector.web import (
    access,
    admin_pages,
    api,
    auth,
    console_pages,
    csrf,
    errors,
    export_api,
    export_downloads,
    i18n,
    inventory_api,
    issued_pages,
    letterhead_pages,
    national_api,
    national_pages,
    pages,
    recount_notice,
    report_writer,
    request_args,
    security_headers,
    sessions,
    throttle,
    trend_box,
    unit_pages,
)

MAX_REPORT_BYTES = 256 * 1024


def create_app(test_config=None):
    """Build the app: defaults (the database from AVROLL_DB or the default path, cookie
    security from AVROLL_SECURE_COOKIES), then the caller's config (tests)."""
    app = Flask(__name__)  # templates/ and static/ beside this file
    app.json.sort_keys = False  # keep the order the code builds, as documented
    app.config.from_mapping(
        DATABASE=str(resolve_path()),
        MAX_CONTENT_LENGTH=MAX_REPORT_BYTES,
        SESSION_COOKIE_SECURE=os.environ.get("AVROLL_SECURE_COOKIES", "auto"),
        REPORTS_PER_MACHINE=60,
        EXPORTS_AT_ONCE=2,  # of the server's 8 threads (see web/export_downloads.py)
        REPORTS_WINDOW_SECONDS=60 * 60,
    )
    if test_config:
        app.config.update(test_config)

    db = open_db(app.config["DATABASE"])
    try:
        migrations.apply(db)
    finally:
        db.close()

    # Reports are counted beside ingest, by the writer between batches (counting/kept.py,
    # through the door), which also keeps what a read found behind (counting/figures.py).
    report_writer.install(app, keepers=[figures.keep_step])
    figures.keep_with(app.config["DATABASE"], report_writer.writer_of(app).submit)
    sessions.configure(app)
    app.teardown_appcontext(end_request)
    errors.register(app)
    i18n.register(app)
    recount_notice.register(app)
    throttle.install(app)
    access.register(app)  # login first, so an anonymous POST is sent to /login, not judged
    console_pages.allow_uploads(app)  # before the CSRF check reads an upload's body
    csrf.register(app)
    app.before_request(request_args.refuse_what_is_not_text)
    security_headers.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(inventory_api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(unit_pages.bp)
    app.register_blueprint(admin_pages.bp)
    app.register_blueprint(export_downloads.bp)
    app.register_blueprint(export_api.bp)
    app.register_blueprint(console_pages.bp)
    app.register_blueprint(console_pages.admin_bp)
    app.register_blueprint(issued_pages.bp)
    app.register_blueprint(letterhead_pages.bp)
    app.register_blueprint(trend_box.bp)
    app.register_blueprint(national_api.bp)
    app.register_blueprint(national_pages.bp)
    national_pages.register(app)
    return app

"""avroll collector: receives agents' reports and shows officers where the rollout stands."""

from __future__ import annotations

from flask import Flask

from collector import api, errors, i18n, migrations, pages
from collector.db import end_request, open_db, resolve_path

MAX_REPORT_BYTES = 256 * 1024


def create_app(test_config=None):
    """Build the app: defaults (the database from AVROLL_DB or the default path), then
    the caller's config (tests)."""
    app = Flask(__name__)
    app.json.sort_keys = False  # keep the order the code builds, as documented
    app.config.from_mapping(
        DATABASE=str(resolve_path()),
        MAX_CONTENT_LENGTH=MAX_REPORT_BYTES,
    )
    if test_config:
        app.config.update(test_config)

    db = open_db(app.config["DATABASE"])
    try:
        migrations.apply(db)
    finally:
        db.close()

    app.teardown_appcontext(end_request)
    errors.register(app)
    i18n.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    return app

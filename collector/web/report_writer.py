"""The app's single writer of reports (store/writer.py): made by the app factory, used by
`POST /api/v1/reports`, closed (queued reports stored) when the server stops."""

from __future__ import annotations

from flask import current_app

from collector.store.writer import Writer

KEY = "avroll_writer"


def install(app, keepers=()):
    """Give `app` its writer; `keepers`: callables `f(db)` it runs between batches, each in
    its own transaction, to bring what follows from the reports up to date."""
    app.extensions[KEY] = Writer(app.config["DATABASE"], keepers=keepers)


def report_writer():
    """The current app's writer."""
    return writer_of(current_app)


def writer_of(app):
    """`app`'s writer."""
    return app.extensions[KEY]


def close(app):
    """Store what is queued, then stop the writer's thread."""
    app.extensions[KEY].close()

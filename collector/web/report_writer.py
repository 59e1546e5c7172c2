"""The app's single writer of reports (store/writer.py): made by the app factory, used by
`POST /api/v1/reports`, closed (queued reports stored) when the server stops."""

from __future__ import annotations

from flask import current_app

from collector.store.writer import Writer

KEY = "avroll_writer"


def install(app, after_batch=()):
    """Give `app` its writer; `after_batch`: callables `f(db)` run in each batch's
    transaction after its reports, before the commit."""
    app.extensions[KEY] = Writer(app.config["DATABASE"], after_batch=after_batch)


def report_writer():
    """The current app's writer."""
    return writer_of(current_app)


def writer_of(app):
    """`app`'s writer."""
    return app.extensions[KEY]


def close(app):
    """Store what is queued, then stop the writer's thread."""
    app.extensions[KEY].close()

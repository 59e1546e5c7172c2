"""While every machine is counted again after a change (units, naming, a counting setting),
the officer's pages show the figures of before it, marked "đang tính lại", instead of
counting every machine at each view (counting/figures.py); exports, letters and the API
still count exactly."""

from __future__ import annotations

from flask import g, request

from collector.counting import figures
from collector.store.db import get_db

PAGES = {"pages", "unit_pages"}  # the blueprints of the pages that show figures


def register(app):
    app.before_request(_pages_show_figures_of_before)
    app.teardown_request(_stop_showing)
    app.context_processor(_recounting)


def _pages_show_figures_of_before():
    if request.blueprint in PAGES and request.method == "GET":
        g.figures_of_before = figures.show_figures_of_before()


def _stop_showing(_exc=None):
    token = g.pop("figures_of_before", None)
    if token is not None:
        figures.stop_showing_figures_of_before(token)


def _recounting():
    shown = g.get("figures_of_before") is not None
    return {"recounting": shown and figures.recounting(get_db())}

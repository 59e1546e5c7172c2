"""Fixtures: a fresh collector app and database per test, and clients logged in or not."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from collector.store import users
from collector.store.db import open_db
from collector.web import report_writer
from collector.web.app import create_app
from tests.agent.agent_fixtures import agent_dirs  # noqa: F401 (autouse: every test)
from tests.reporting import ADMIN, REPORTS, login, post_report


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch):
    """The command line speaks Vietnamese by default; the tests read its English messages
    (AVROLL_LANG=en, inherited by the commands they start), except those of
    tests/collector/test_cli_language.py, which read both."""
    monkeypatch.setenv("AVROLL_LANG", "en")


class AdminClient(FlaskClient):
    """A browser logged in as an admin; its report POSTs carry their machine's credential,
    as the real agent's would, so page tests can feed reports through the API."""

    def post(self, *args, **kwargs):
        path = args[0] if args else kwargs.get("path")
        headers = kwargs.get("headers") or {}
        if path == REPORTS and "json" in kwargs and "Authorization" not in headers:
            return post_report(self, kwargs["json"])
        return super().post(*args, **kwargs)


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "avroll.db"), "TESTING": True})
    db = open_db(app.config["DATABASE"])
    users.add_user(db, "tests", ADMIN[0], ADMIN[1], "admin")
    db.close()
    yield app
    report_writer.close(app)  # as the server does when it stops


@pytest.fixture
def client(app):
    """Logged in as an admin (see AdminClient)."""
    app.test_client_class = AdminClient
    browser = app.test_client()
    assert login(browser, *ADMIN).status_code == 302
    return browser


@pytest.fixture
def anon_client(app):
    """Not logged in, and sending only what a test gives it."""
    app.test_client_class = FlaskClient
    return app.test_client()


@pytest.fixture
def db(app):
    handle = open_db(app.config["DATABASE"])
    yield handle
    handle.close()

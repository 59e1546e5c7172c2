"""Fixtures: a fresh collector app and database per test."""

from __future__ import annotations

import pytest

from collector import create_app
from collector.db import open_db


@pytest.fixture(autouse=True)
def agent_dirs(tmp_path, monkeypatch):
    """Every agent a test runs (in process or not) uses temp folders, never /etc or /var/lib."""
    state_dir = tmp_path / "agent-state"
    monkeypatch.setenv("AVROLL_STATE_DIR", str(state_dir))
    monkeypatch.setenv("AVROLL_CONFIG", str(tmp_path / "agent.ini"))
    for name in ("AVROLL_SERVER", "AVROLL_TOKEN", "AVROLL_UNIT", "AVROLL_CA_BUNDLE",
                 "AVROLL_INTERVAL_HOURS"):
        monkeypatch.delenv(name, raising=False)
    return state_dir


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "avroll.db"), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    handle = open_db(app.config["DATABASE"])
    yield handle
    handle.close()

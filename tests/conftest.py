"""Fixtures: a fresh collector app and database per test."""

from __future__ import annotations

import pytest

from collector import create_app
from collector.db import open_db


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

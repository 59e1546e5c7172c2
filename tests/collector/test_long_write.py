"""No "database is locked" reaches a client: while another connection holds the write lock
far past the busy timeout (`figures rebuild`, a backup), reports wait and are stored, pages
answer, and logging in waits rather than fails."""

from __future__ import annotations

import sqlite3
import threading
import time

from flask.testing import FlaskClient

from collector.store import db as db_module
from tests.builders import make_report
from tests.reporting import ADMIN, login, post_report

PAGES = ("/", "/machines", "/api/v1/health", "/api/v1/machines")


def test_a_long_write_elsewhere_fails_no_report_and_no_page(app, monkeypatch):
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 100)
    app.test_client_class = FlaskClient
    officer = app.test_client()
    assert login(officer, *ADMIN).status_code == 302
    assert post_report(app.test_client(), make_report(hostname="HCL-00")).status_code == 201
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    answers = []

    def send(number):
        report = make_report(hostname=f"HCL-{number:02}", machine_id=f"long-write-{number}")
        answers.append(post_report(app.test_client(), report).status_code)

    def late_login():
        answers.append(login(app.test_client(), *ADMIN).status_code)

    pages = []

    def read_pages():
        deadline = time.monotonic() + 1.0  # ten busy timeouts
        while time.monotonic() < deadline:
            pages.extend(officer.get(path).status_code for path in PAGES)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(1, 6)]
    threads += [threading.Thread(target=late_login), threading.Thread(target=read_pages)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # the long write elsewhere goes on meanwhile
    holder.execute("COMMIT")
    holder.close()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [201] * 5 + [302]
    assert pages and set(pages) == {200}

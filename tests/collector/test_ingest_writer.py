"""The single writer (store/writer.py): reports committed in groups, each acknowledged only
after its group's commit; a failing job loses nothing else and leaves no half rows."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from flask.testing import FlaskClient

from collector.store import migrations
from collector.store.db import open_db
from collector.store.ingest import ReportConflict, prepare_report, write_report
from collector.store.writer import Writer, WriterClosed
from tests.builders import make_report
from tests.reporting import enrollment_token_of


@pytest.fixture
def path(tmp_path):
    path = str(tmp_path / "writer.db")
    db = open_db(path)
    migrations.apply(db)
    db.close()
    return path


def committed(path, sql, params=()):
    """What another connection (another process, a page) reads now."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def report_ids(path):
    return {row[0] for row in committed(path, "SELECT report_id FROM reports")}


class Held:
    """A first job that holds the writer until released, so that the jobs submitted
    meanwhile are queued and taken together as the next batch."""

    def __init__(self, writer):
        self.started, self.release = threading.Event(), threading.Event()
        self.future = writer.submit(self._job)
        assert self.started.wait(10)

    def _job(self, _db):
        self.started.set()
        assert self.release.wait(10)
        return "held"


def storing(report, **kwargs):
    prepared = prepare_report(report, **kwargs)
    return lambda db: write_report(db, prepared)


def test_acknowledged_only_after_commit(path):
    report = make_report(hostname="SXD-01")
    seen_in_batch = []
    writer = Writer(path)
    held = Held(writer)
    future = writer.submit(storing(report))
    writer.submit(lambda _db: seen_in_batch.append((report_ids(path), future.done())))
    held.release.set()
    stored = future.result(timeout=10)
    # Inside its batch (after the job, before COMMIT): not visible elsewhere, not answered.
    assert seen_in_batch == [(set(), False)]
    assert stored.duplicate is False
    assert report_ids(path) == {report["report_id"]}
    writer.close()


def test_a_failing_job_loses_nothing_else_and_leaves_no_half_rows(path):
    good, bad, also_good = (make_report(hostname=name) for name in ("A-01", "B-01", "C-01"))
    batches = []
    writer = Writer(path)
    held = Held(writer)

    def half_then_fail(db):
        write_report(db, prepare_report(bad))  # report, products and machine written...
        raise ValueError("refused halfway")  # ...then the job fails

    futures = [
        writer.submit(storing(good)),
        writer.submit(half_then_fail),
        writer.submit(storing(also_good)),
        writer.submit(
            lambda db: batches.append(
                {row[0] for row in db.execute("SELECT hostname FROM reports")}
            )
        ),
    ]
    held.release.set()
    assert futures[0].result(10).report_id == good["report_id"]
    with pytest.raises(ValueError, match="refused halfway"):
        futures[1].result(10)
    assert futures[2].result(10).report_id == also_good["report_id"]
    assert batches == [{"A-01", "C-01"}]  # in the same batch, B's half rows already gone
    assert report_ids(path) == {good["report_id"], also_good["report_id"]}
    assert committed(path, "SELECT count(*) FROM report_products") == [(2,)]
    assert committed(path, "SELECT hostname FROM machines ORDER BY 1") == [("A-01",), ("C-01",)]
    writer.close()


def test_a_failing_commit_fails_only_the_job_it_fails_on(path):
    """When the batch's transaction itself fails (here its COMMIT, on a deferred foreign
    key one job broke), each job is tried alone: only that one fails."""
    reports = [make_report(hostname=name) for name in ("A-01", "C-01")]

    def orphan_unit(db):
        db.execute(
            "INSERT INTO units (code, name, parent, position) "
            "VALUES ('ORPHAN', 'Mồ côi', 'NOWHERE', 1)"
        )

    writer = Writer(path)
    held = Held(writer)
    futures = [
        writer.submit(storing(reports[0])),
        writer.submit(orphan_unit),
        writer.submit(storing(reports[1])),
    ]
    held.release.set()
    assert futures[0].result(10).duplicate is False
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        futures[1].result(10)
    assert futures[2].result(10).duplicate is False
    assert report_ids(path) == {report["report_id"] for report in reports}
    assert committed(path, "SELECT count(*) FROM units") == [(0,)]
    writer.close()


def test_keepers_run_beside_the_batches_not_in_them(path):
    """A report is committed and answered before the keepers see it; they run after, in a
    transaction of their own, once no report comes; one that fails is rolled back and
    stops nothing."""
    kept_after, ran = [], threading.Event()

    def keeper(db):
        kept_after.append((report_ids(path), future.done()))
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO settings (key, value) VALUES ('half', 'written')")
        ran.set()
        raise RuntimeError("the keeper failed")

    writer = Writer(path, keepers=[keeper])
    report = make_report(hostname="SXD-01")
    future = writer.submit(storing(report))
    future.result(10)
    assert ran.wait(10)
    assert kept_after[0] == ({report["report_id"]}, True)
    writer.run(storing(make_report(hostname="SXD-02")))  # the writer went on
    writer.close()
    assert len(report_ids(path)) == 2
    assert committed(path, "SELECT count(*) FROM settings") == [(0,)]


def test_under_steady_load_the_keepers_still_run(path):
    """Reports that never stop coming (the queue never empty) do not starve the keepers:
    they run at least every `keep_every`."""
    runs = []
    writer = Writer(path, keepers=[lambda _db: runs.append(1)], keep_every=0.0)
    held = Held(writer)
    futures = [writer.submit(storing(make_report(hostname=f"L-{n:02}"))) for n in range(3)]
    held.release.set()  # the three reports are queued: a batch, then the keepers are due
    for future in futures:
        future.result(10)
    assert runs
    writer.close()


def test_the_same_report_twice_in_one_batch_is_stored_once(path):
    report = make_report(hostname="SXD-01")
    stolen_id = make_report(hostname="OTHER-01", report_id=report["report_id"])
    writer = Writer(path)
    held = Held(writer)
    futures = [
        writer.submit(storing(report)),
        writer.submit(storing(report)),
        writer.submit(storing(stolen_id)),
    ]
    held.release.set()
    assert futures[0].result(10).duplicate is False
    assert futures[1].result(10).duplicate is True
    with pytest.raises(ReportConflict):
        futures[2].result(10)
    assert committed(path, "SELECT count(*) FROM reports") == [(1,)]
    assert committed(path, "SELECT count(*) FROM machines") == [(1,)]
    writer.close()


def test_close_stores_what_is_queued_then_takes_no_more(path):
    reports = [make_report(hostname=f"Q-{n:02}") for n in range(5)]
    writer = Writer(path)
    held = Held(writer)
    futures = [writer.submit(storing(report)) for report in reports]
    closer = threading.Thread(target=writer.close)
    closer.start()
    held.release.set()
    closer.join(10)
    assert not closer.is_alive()
    assert all(future.done() for future in futures)
    assert report_ids(path) == {report["report_id"] for report in reports}
    with pytest.raises(WriterClosed):
        writer.submit(storing(make_report(hostname="LATE-01")))


def test_the_thread_ends_when_idle_and_comes_back(path):
    writer = Writer(path, idle_seconds=0.01)
    writer.run(storing(make_report(hostname="A-01")))
    thread = writer._thread
    thread.join(10)  # ends on its own once idle
    assert not thread.is_alive()
    writer.run(storing(make_report(hostname="B-01")))
    assert len(report_ids(path)) == 2
    writer.close()


def test_api_acknowledges_only_committed_reports(app):
    """Through the endpoint: the report is not visible to anyone before the batch commits,
    and is as soon as the agent has its answer."""
    path = app.config["DATABASE"]
    report = make_report(hostname="SXD-01")
    during, answered = [], []
    headers = {"Authorization": f"Bearer {enrollment_token_of(app)}"}
    writer = app.extensions["avroll_writer"]
    held = Held(writer)
    watcher = writer.submit(lambda db: during.append(report_ids(path)))
    poster = threading.Thread(
        target=lambda: answered.append(
            app.test_client().post("/api/v1/reports", json=report, headers=headers)
        )
    )
    poster.start()
    for _ in range(1000):  # until the report's job is queued behind the watcher
        if writer._jobs.qsize() == 2:
            break
        poster.join(0.01)
    assert not answered
    held.release.set()
    poster.join(10)
    watcher.result(10)
    assert answered[0].status_code == 201
    assert during == [set()]
    assert report_ids(path) == {report["report_id"]}


def test_concurrent_posts_all_land_exactly_once(app):
    """Agents in many threads, each posting its reports twice: every report is stored once,
    the first answer 201 and the second 200 ("already stored")."""
    app.test_client_class = FlaskClient
    token = enrollment_token_of(app)
    statuses, failures = [], []

    def agent(number):
        client = app.test_client()
        credential = None
        for n in range(5):
            report = make_report(hostname=f"T{number:02}-{n:02}", machine_id=f"machine-{number:02}")
            for _ in range(2):
                answer = client.post(
                    "/api/v1/reports",
                    json=report,
                    headers={"Authorization": f"Bearer {credential or token}"},
                )
                credential = credential or answer.json.get("credential")
                statuses.append((report["report_id"], answer.status_code))
                if answer.status_code not in (200, 201):
                    failures.append(answer.json)

    agents = [threading.Thread(target=agent, args=(number,)) for number in range(12)]
    for thread in agents:
        thread.start()
    for thread in agents:
        thread.join(60)
    assert failures == []
    path = app.config["DATABASE"]
    assert sorted(code for _, code in statuses) == [200] * 60 + [201] * 60
    assert report_ids(path) == {report_id for report_id, _ in statuses}
    assert committed(path, "SELECT count(*) FROM reports") == [(60,)]
    assert committed(path, "SELECT count(*) FROM machines") == [(12,)]
    assert committed(path, "SELECT count(*) FROM machine_credentials") == [(12,)]


def test_the_writer_waits_out_a_write_longer_than_the_busy_timeout(path, monkeypatch):
    from collector.store import db as db_module

    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # `figures rebuild`, a backup: a long write elsewhere
    writer = Writer(path)
    report = make_report(hostname="LOCKED-01")
    future = writer.submit(storing(report))
    threading.Event().wait(0.6)  # six busy timeouts
    assert not future.done()
    holder.execute("COMMIT")
    holder.close()
    assert future.result(timeout=10).duplicate is False
    assert report_ids(path) == {report["report_id"]}
    writer.close()


def test_a_keeper_with_more_to_do_runs_again_and_reports_pass_between_its_steps(path):
    """A keeper returns True while more is left (a recount in steps): the writer runs it
    again at once, and the reports queued meanwhile are stored between two steps."""
    done, steps, between = threading.Event(), [], []
    stored = []

    def keeper(_db):
        steps.append(len(stored))
        if len(steps) == 2:  # while the keeper works, a report comes
            stored.append(writer.submit(storing(make_report(hostname="MID-01"))))
        if len(steps) == 3:
            between.append(stored[0].done())
        if len(steps) == 5:
            done.set()
        return len(steps) < 5

    writer = Writer(path, keepers=[keeper])
    writer.run(storing(make_report(hostname="FIRST-01")))
    assert done.wait(10)
    assert between == [True]  # stored before the step that followed its arrival
    writer.close()
    assert len(report_ids(path)) == 2

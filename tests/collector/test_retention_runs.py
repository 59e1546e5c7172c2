"""The retention rule as it runs: its two settings (checked together), `avroll reports
prune`, the figures kept before the thinning to months, and the server's nightly thread
(with an injected clock: nothing sleeps)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli import nightly, retention
from collector.cli.main import main
from collector.formats.timefmt import parse_stored
from collector.store import settings
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.web import server
from tests.builders import make_report
from tests.reporting import csrf_token

NOW_STORED = "2026-11-30T03:00:00Z"  # 10:00 in Vietnam


def stored_at(db, *moments):
    return [
        store_report(
            db, make_report(hostname="SXD-1", collected_at=datetime.fromisoformat(moment))
        ).report_id
        for moment in moments
    ]


def count(db):
    return db.execute("SELECT count(*) FROM reports").fetchone()[0]


def test_one_report_a_day_is_kept_at_least_as_long_as_every_report(db):
    with pytest.raises(settings.SettingError, match="cannot be shorter"):
        settings.set_value(db, "keep_daily_reports_days", "60")
    settings.set_value(db, "keep_daily_reports_days", "90")
    with pytest.raises(settings.SettingError, match="cannot be shorter"):
        settings.set_value(db, "keep_all_reports_days", "120")
    settings.set_value(db, "keep_all_reports_days", "30")
    assert settings.current(db)["keep_daily_reports_days"] == 90
    assert settings.current(db)["keep_all_reports_days"] == 30


def test_the_daily_limit_is_set_from_the_command_line_and_the_page(client, db, tmp_path):
    path = tmp_path / "s.db"
    refused = CliRunner().invoke(
        main, ["settings", "set", "keep_daily_reports_days", "30", "--db", str(path)]
    )
    assert refused.exit_code != 0 and "cannot be shorter" in refused.output
    done = CliRunner().invoke(
        main, ["settings", "set", "keep_daily_reports_days", "730", "--db", str(path)]
    )
    assert done.exit_code == 0, done.output
    answer = client.post(
        "/admin/settings",
        data={"key": "keep_daily_reports_days", "value": "30", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 422
    assert "không được ngắn hơn keep_all_reports_days (90)" in answer.get_data(as_text=True)
    assert settings.current(db)["keep_daily_reports_days"] == 365


def test_the_figures_are_kept_before_the_thinning_to_months(db):
    stored_at(
        db,
        "2025-10-05T01:00:00+00:00",
        "2025-10-05T02:00:00+00:00",
        "2025-10-20T01:00:00+00:00",
        "2026-11-30T02:00:00+00:00",
    )
    seen = []

    def keep(db_given, day):
        # The reports of the days before the horizon are all still there, day by day.
        seen.append((day.isoformat(), count(db_given)))

    done = retention.prune(db, "tests", NOW_STORED, keep_figures_before=keep)
    assert seen == [("2025-11-30", 3)]  # thinned to days first (05/10 had two)
    assert (done.to_days, done.to_months, done.monthly) == (1, 1, True)
    assert count(db) == 2
    logged = db.execute(
        "SELECT actor, detail FROM audit_log WHERE action = 'reports.prune'"
    ).fetchone()
    assert logged[0] == "tests" and '"removed": 2' in logged[1]


def test_without_kept_figures_the_months_are_not_thinned(db):
    stored_at(
        db, "2025-10-05T01:00:00+00:00", "2025-10-20T01:00:00+00:00", "2026-11-30T02:00:00+00:00"
    )
    done = retention.prune(db, "tests", NOW_STORED, keep_figures_before=None)
    assert (done.removed, done.monthly, count(db)) == (0, False, 3)
    assert "waits for the kept daily figures" in retention.summary(done)


def test_avroll_reports_prune(tmp_path):
    path = tmp_path / "p.db"
    db = open_db(path)
    apply(db)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for hours in (24 * 200 + 1, 24 * 200, 1):
        store_report(db, make_report(hostname="SXD-1", collected_at=now - timedelta(hours=hours)))
    db.close()
    done = CliRunner().invoke(main, ["reports", "prune", "--db", str(path)])
    assert done.exit_code == 0 and done.output.startswith(
        "1 report(s) removed: every report kept since"
    )


def local(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone(timedelta(hours=7)))


@pytest.mark.parametrize(
    "now, due",
    [
        ("2026-11-30 01:59:59", "2026-11-30 02:00:00"),
        ("2026-11-30 02:00:00", "2026-12-01 02:00:00"),
        ("2026-11-30 23:30:00", "2026-12-01 02:00:00"),
    ],
)
def test_the_night_is_vietnams(now, due):
    assert nightly.next_night(local(now)) == local(due)
    # 19:00 UTC is 02:00 the next day in Vietnam.
    assert nightly.next_night(local(now).astimezone(timezone.utc)) == local(due)


class FakeTime:
    """A clock that moves only when the thread waits; it stops the thread after `runs`."""

    def __init__(self, start, runs):
        self.now, self.runs, self.done = start, runs, []
        self.finished = threading.Event()

    def clock(self):
        return self.now

    def wait(self, seconds):
        if len(self.done) >= self.runs:
            self.finished.set()
            return True
        self.now += timedelta(seconds=seconds)
        return False

    def prune(self, db, actor, now):
        self.done.append(now)
        return retention.prune(db, actor, now, keep_figures_before=None)


def run_thread(path, fake):
    thread = nightly.NightlyRetention(path, clock=fake.clock, wait=fake.wait, prune=fake.prune)
    thread.start()
    assert fake.finished.wait(5)
    thread.stop()
    assert not thread.thread.is_alive()


def test_avroll_serve_runs_the_nightly_thread_while_it_serves(tmp_path, monkeypatch):
    running = []
    monkeypatch.setattr(
        server,
        "serve",
        lambda app, **options: running.extend(thread.name for thread in threading.enumerate()),
    )
    done = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "v.db")])
    assert done.exit_code == 0, done.output
    assert "avroll-retention" in running
    assert "avroll-retention" not in [thread.name for thread in threading.enumerate()]


def test_the_server_thins_every_night_and_catches_up_after_a_start(tmp_path, caplog):
    path = tmp_path / "n.db"
    db = open_db(path)
    apply(db)
    db.close()
    fake = FakeTime(local("2026-11-30 10:00:00"), runs=3)
    with caplog.at_level(logging.INFO, logger="avroll.retention"):
        run_thread(path, fake)
    assert caplog.text.count("retention: 0 report(s) removed: every report kept since") == 3
    # Never run before: ten minutes after the start, then each night at 02:00.
    assert [parse_stored(moment) for moment in fake.done] == [
        local("2026-11-30 10:10:00"),
        local("2026-12-01 02:00:00"),
        local("2026-12-02 02:00:00"),
    ]
    db = open_db(path)
    assert (
        db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'reports.prune' "
            "AND actor = 'avroll:nightly'"
        ).fetchone()[0]
        == 3
    )
    db.close()
    # Started again the same day: it waits for the night.
    again = FakeTime(local("2026-12-02 09:00:00"), runs=1)
    run_thread(path, again)
    assert [parse_stored(moment) for moment in again.done] == [local("2026-12-03 02:00:00")]


def test_a_failed_night_is_logged_and_the_server_goes_on(tmp_path, caplog):
    path = tmp_path / "f.db"
    fake = FakeTime(local("2026-11-30 10:00:00"), runs=2)

    def failing(db, actor, now):
        fake.done.append(now)
        raise RuntimeError("disk full")

    fake.prune = failing
    with caplog.at_level(logging.ERROR, logger="avroll.retention"):
        run_thread(path, fake)
    assert len(fake.done) == 2
    assert caplog.text.count("the retention rule failed") == 2


def test_the_thread_stops_at_once(tmp_path):
    thread = nightly.NightlyRetention(tmp_path / "s.db").start()
    thread.stop(timeout=1)
    assert not thread.thread.is_alive()

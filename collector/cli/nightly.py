"""The retention rule applied by `avroll serve` itself, in a background thread: no
administrator has to schedule `avroll reports prune`. The same run keeps every past day's
figures (`counting/kept.py`, through `counting/figures.py`) and, on the days of the month set in `reminder_days`, sends
the reminders (`exports/reminders.py`), once a day whatever the restarts.

With `push_to` (`avroll serve --push-to URL`), the same run then pushes the province's
figures to its national collector (`cli/push.py`): the day just over, or every day it lacks.

It runs every night at NIGHTLY_HOUR, Vietnam time (agents report in office hours), and, on a
collector that is not running at night, CATCH_UP_AFTER a start when it last ran more than a
day before. A failed run is logged and tried again the next night; it never stops the server.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

from collector.cli import push, retention
from collector.counting import figures
from collector.exports import reminders
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import parse_stored, to_stored
from collector.store.db import open_db
from collector.store.lifecycle import today

NIGHTLY_HOUR = 2  # 02:00 in Vietnam
CATCH_UP_AFTER = timedelta(minutes=10)
ACTOR = "avroll:nightly"
log = logging.getLogger("avroll.retention")


def next_night(moment, hour=NIGHTLY_HOUR):
    """The first `hour`:00 in Vietnam strictly after `moment`."""
    local = moment.astimezone(LOCAL_TZ)
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return due if due > local else due + timedelta(days=1)


def utc_now():
    return datetime.now(timezone.utc)


class NightlyRetention:
    """The thread. `clock` gives the time (aware), `wait(seconds)` sleeps and says whether
    to stop; both are replaced in tests."""

    def __init__(
        self,
        db_path,
        clock=utc_now,
        wait=None,
        prune=retention.prune,
        push_to=None,
        remind=reminders.send_scheduled,
    ):
        self.db_path = db_path
        self.push_to = push_to
        self.clock = clock
        self.stopping = threading.Event()
        self.wait = wait or self.stopping.wait
        self.prune = prune
        self.remind = remind
        self.thread = threading.Thread(target=self.run, name="avroll-retention", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self, timeout=30):
        """Ask the thread to stop and wait for it (a run under way finishes first)."""
        self.stopping.set()
        self.thread.join(timeout)

    def run(self):
        due = self._first_due()
        while True:
            if self.wait(max(0.0, (due - self.clock()).total_seconds())):
                return
            if self.clock() < due:  # woke early: wait the rest
                continue
            self.run_once()
            due = next_night(self.clock())

    def _first_due(self):
        """Tonight, or soon after this start when the last run is more than a day old."""
        now = self.clock()
        try:
            db = open_db(self.db_path)
            try:
                last = retention.last_run(db)
            finally:
                db.close()
        except Exception:  # the nightly run will say what is wrong
            last = None
        if last is None or parse_stored(last) < now - timedelta(days=1):
            return now + CATCH_UP_AFTER
        return next_night(now)

    def run_once(self):
        """Apply the rule once; log what it removed, or why it failed."""
        try:
            db = open_db(self.db_path)
            try:
                done = self.prune(db, ACTOR, to_stored(self.clock()))
                # Every past day's figures, kept at night rather than at an officer's first
                # look at a chart (the day just over, or all after a units change).
                figures.keep_days_before(db, today())
            finally:
                db.close()
        except Exception:
            log.exception("the retention rule failed; it runs again next night")
            return None
        log.info("retention: %s", retention.summary(done))
        self.remind_once()
        if self.push_to:
            self.push_once()
        return done

    def push_once(self):
        """Push to the national collector; a failure is logged, and the next night resumes
        where the national collector's figures stop."""
        try:
            db = open_db(self.db_path)
            try:
                send = push.http_post_get(self.push_to, push.read_credential(self.db_path))
                done = push.push(db, send)
            finally:
                db.close()
        except push.PushFailed as exc:
            log.warning("push to %s stopped: %s; it resumes next night", self.push_to, exc)
            return None
        except Exception:
            log.exception("the push to %s failed; it resumes next night", self.push_to)
            return None
        log.info("push to %s: %s", self.push_to, push.summary(done))
        return done

    def remind_once(self):
        """Send the scheduled reminders when today is one of their days; a failure is
        logged (each unit's own in the mail log) and never stops the server."""
        today = self.clock().astimezone(LOCAL_TZ).date()
        try:
            db = open_db(self.db_path)
            try:
                tried = self.remind(db, today, ACTOR)
            finally:
                db.close()
        except Exception:
            log.exception("the scheduled reminders failed; they are tried on their next day")
            return None
        if tried is not None:
            answered = [reminder.unit["code"] for reminder in tried if reminder.answered]
            meant = [reminder for reminder in tried if not reminder.answered]
            failed = [reminder.unit["code"] for reminder in meant if not reminder.sent]
            log.info(
                "reminders: %d of %d sent%s%s",
                len(meant) - len(failed),
                len(meant),
                f"; failed: {', '.join(failed)}" if failed else "",
                f"; skipped (answered their last reminder): {', '.join(answered)}"
                if answered
                else "",
            )
        return tried


def log_to_console():
    """Show avroll's own log lines (INFO and above) on the server's output."""
    logger = logging.getLogger("avroll")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("avroll collector: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

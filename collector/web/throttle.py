"""Sliding-window counters in memory: reports per machine and per credential.

They live in the server process (waitress runs one process with threads), so a restart
forgets them; that is acceptable for slowing down floods, which is their job. Failed logins
are counted in the database instead (`store/login_failures.py`), so they survive a restart.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import current_app

SWEEP_EVERY = 1000  # hits between sweeps of keys whose window has emptied


class SlidingWindow:
    """At most `limit` events per key in any `seconds`-long window."""

    def __init__(self, limit, seconds, clock=time.monotonic):
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._events = {}
        self._lock = threading.Lock()
        self._hits = 0

    def _recent(self, key, now):
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return events

    def retry_after(self, *keys):
        """Seconds until every one of `keys` may act again (0 when they may now)."""
        with self._lock:
            now = self.clock()
            waits = [0]
            for key in keys:
                events = self._recent(key, now)
                if events and len(events) >= self.limit:
                    waits.append(max(1, int(events[0] + self.seconds - now) + 1))
            return max(waits)

    def allow(self, *keys):
        """Count an event for each of `keys` if every one is within the limit; False (none
        counted) if one is not."""
        with self._lock:
            now = self.clock()
            recent = [(key, self._recent(key, now)) for key in keys]
            if any(events is not None and len(events) >= self.limit for _, events in recent):
                return False
            for key, events in recent:
                self._append(key, events, now)
            return True

    def _append(self, key, events, now):
        if events is None:
            events = self._events[key] = deque()
        events.append(now)
        self._hits += 1
        if self._hits % SWEEP_EVERY == 0:
            self._sweep(now)

    def _sweep(self, now):
        for key in [
            k
            for k, events in self._events.items()
            if not events or events[-1] <= now - self.seconds
        ]:
            del self._events[key]


class Throttles:
    """The app's windows, sized from its config."""

    def __init__(self, config):
        self.reports = SlidingWindow(
            config["REPORTS_PER_MACHINE"], config["REPORTS_WINDOW_SECONDS"]
        )


def install(app):
    app.extensions["avroll_throttles"] = Throttles(app.config)


def throttles():
    """This app's windows."""
    return current_app.extensions["avroll_throttles"]

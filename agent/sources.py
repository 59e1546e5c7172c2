"""Reading each source of facts in its own worker thread, each against its own time limit.

A WMI query can hang for minutes (a broken repository, Defender's provider stalled by another
antivirus), and a hung call in a thread cannot be stopped: it is left behind in a daemon
thread, which ends with the process, and the report goes without that source. Every source
starts at once, so the whole collection lasts at most the longest time limit.
"""

from __future__ import annotations

import threading
import time
from collections import namedtuple

from agent.probe import describe

# One way to read one raw record: `read()` returns plain data (str, int, bool, list, dict).
Source = namedtuple("Source", "name read timeout")
# What a source gave: `value` on success, else `error` (one line); `seconds` it took.
Outcome = namedtuple("Outcome", "name value error seconds")
# How the error line of a source that never answered begins.
TIMED_OUT = "no answer within"


def read_sources(sources):
    """Each source's Outcome, in the order given, within each source's own time limit."""
    started = time.perf_counter()
    runs = [_Run(source) for source in sources]
    for run in runs:
        run.thread.start()
    outcomes = []
    for run in runs:
        left = started + run.source.timeout - time.perf_counter()
        run.thread.join(max(left, 0))
        outcomes.append(run.outcome(started))
    return outcomes


def records_and_errors(outcomes):
    """The outcomes as {name: value} for those that answered and {name: error} for the rest."""
    records = {o.name: o.value for o in outcomes if o.error is None}
    errors = {o.name: o.error for o in outcomes if o.error is not None}
    return records, errors


class _Run:
    def __init__(self, source):
        self.source = source
        self.value = self.error = self.ended = None
        self.thread = threading.Thread(target=self._work, name="avroll-" + source.name, daemon=True)

    def _work(self):
        try:
            self.value = self.source.read()
        except Exception as exc:  # a source's failure is one line in `errors`, never the report
            self.error = describe(exc)
        self.ended = time.perf_counter()

    def outcome(self, started):
        if self.ended is None:
            return Outcome(
                self.source.name,
                None,
                f"{TIMED_OUT} {self.source.timeout:g} s",
                self.source.timeout,
            )
        return Outcome(self.source.name, self.value, self.error, self.ended - started)

"""Each source in its own thread, against its own time limit; a failure is one line."""

from __future__ import annotations

import threading
import time

from agent.sources import Source, read_sources, records_and_errors


def test_answers_failures_and_hangs_each_get_their_outcome():
    hang = threading.Event()

    def broken():
        raise PermissionError("Access is denied")

    started = time.perf_counter()
    outcomes = read_sources(
        [
            Source("fast", lambda: {"a": 1}, 1.0),
            Source("broken", broken, 1.0),
            Source("hung", hang.wait, 0.2),
        ]
    )
    elapsed = time.perf_counter() - started
    hang.set()
    assert [o.name for o in outcomes] == ["fast", "broken", "hung"]
    records, errors = records_and_errors(outcomes)
    assert records == {"fast": {"a": 1}}
    assert errors == {
        "broken": "PermissionError: Access is denied",
        "hung": "no answer within 0.2 s",
    }
    assert outcomes[2].seconds == 0.2
    assert elapsed < 1.0  # the hung source did not hold the others


def test_sources_run_at_once_so_limits_do_not_add_up():
    release = threading.Barrier(3, timeout=1.0)
    # Each waits for the other two: they only all answer when all three run together.
    outcomes = read_sources([Source(name, release.wait, 1.0) for name in "abc"])
    assert [o.error for o in outcomes] == [None, None, None]

"""Agent collection time when every Windows source hangs, with the real time limits.

Every source of agent/windows/api.py is replaced by one that never answers; the worker
threads, limits and parsers are the agent's own. The budget is the README's: 5 s for the
sources (all at once), 2 s for psutil's two after them.

    $ python -m tests.bench.bench_agent_hang
    agent collection with every Windows source hanging: 5.01 s (budget 7 s), 16 error lines
"""

from __future__ import annotations

import threading
import time

from agent import collect, windows
from agent.sources import Source
from agent.windows import api


def main():
    never = threading.Event()
    real = api.sources
    hanging = [Source(source.name, never.wait, source.timeout) for source in real()]
    original = collect.platform_facts
    collect.platform_facts, api.sources = windows, lambda: hanging
    try:
        started = time.perf_counter()
        report = collect.collect_report()
        elapsed = time.perf_counter() - started
    finally:
        collect.platform_facts, api.sources = original, real
    print(
        f"agent collection with every Windows source hanging: {elapsed:.2f} s (budget 7 s), "
        f"{len(report['errors'])} error lines"
    )


if __name__ == "__main__":
    main()

"""Replaying a recorded Windows PC through the agent's own collection code.

A fixture (fixtures/windows/*.json) holds one raw record per source, as `agent.windows.api`
returns it, and under `errors` how the sources that failed failed: "timeout" (the source never
answered) or "<ExceptionName>: <message>". Only the `read` of each source is replaced: the
worker threads and time limits, the parsers, the merging and `collect_report()` are the
agent's own.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from agent import collect, system, windows
from agent.sources import Source
from agent.windows import api

FIXTURES = Path(__file__).parent / "fixtures" / "windows"
# A source recorded as "timeout" gets this limit in the replay instead of its real one.
REPLAY_TIMEOUT = 0.05


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def replayed_sources(recorded, real_sources=api.sources):
    """The agent's own source list, each `read` answering what the fixture recorded."""
    errors = recorded.get("errors", {})
    never = threading.Event()
    sources = []
    for source in real_sources():
        failure = errors.get(source.name)
        if failure == "timeout":
            sources.append(Source(source.name, never.wait, REPLAY_TIMEOUT))
        elif failure is not None:
            kind, _, message = failure.partition(": ")
            sources.append(Source(source.name, _raiser(kind, message), source.timeout))
        else:
            value = recorded.get(source.name)
            sources.append(Source(source.name, lambda value=value: value, source.timeout))
    return sources


def _raiser(kind, message):
    error = type(kind, (Exception,), {})

    def read():
        raise error(message)

    return read


def replay(monkeypatch, recorded, unit_code="STTTT", outcomes=None):
    """The report `collect_report()` builds on the PC the records come from."""
    monkeypatch.setattr(collect, "platform_facts", windows)
    monkeypatch.setattr(api, "sources", lambda: replayed_sources(recorded))
    if "visible_ram_bytes" in recorded:  # what psutil saw, where the case needs it
        monkeypatch.setattr(system, "visible_ram_bytes", lambda: recorded["visible_ram_bytes"])
    return collect.collect_report(unit_code=unit_code, outcomes=outcomes)

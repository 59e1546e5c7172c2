"""Replaying a recorded Windows PC through the agent's own collection code.

A fixture (fixtures/windows/*.json) holds one raw record per source, as `agent.windows.api`
returns it, and under `errors` how the sources that failed failed: "timeout" (the source never
answered) or "<ExceptionName>: <message>". Only the `read` of each source is replaced: the
worker threads and time limits, the parsers, the merging and `collect_report()` are the
agent's own. `replay(..., through_wmi=True)` goes one step further down: the WMI sources keep
their real `read`, and WMI (tests/agent/fake_com.py) answers from the recorded rows, each
class having exactly the properties its recorded rows have.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from agent import collect, system, windows
from agent.sources import Source
from agent.windows import api
from tests.agent.fake_com import FakeWmi

FIXTURES = Path(__file__).parent / "fixtures" / "windows"
# A source recorded as "timeout" gets this limit in the replay instead of its real one.
REPLAY_TIMEOUT = 0.05


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# Where Windows keeps each WMI source's class (Microsoft Learn), as recorded PCs answer it.
WMI_SOURCES = {
    "os": (r"root\cimv2", "Win32_OperatingSystem"),
    "computer": (r"root\cimv2", "Win32_ComputerSystem"),
    "computer_product": (r"root\cimv2", "Win32_ComputerSystemProduct"),
    "bios": (r"root\cimv2", "Win32_BIOS"),
    "enclosure": (r"root\cimv2", "Win32_SystemEnclosure"),
    "memory": (r"root\cimv2", "Win32_PhysicalMemory"),
    "battery": (r"root\cimv2", "Win32_Battery"),
    "security_center": (r"root\SecurityCenter2", "AntiVirusProduct"),
    "defender": (r"root\Microsoft\Windows\Defender", "MSFT_MpComputerStatus"),
}
# What the agent adds to a class's rows (not a WMI property).
AGENT_FIELDS = {"exe_exists"}


def fake_wmi(recorded):
    """WMI as the recorded PC answered it: each class that answered, with the properties its
    rows have (any, when it had no rows)."""
    classes = {}
    for name, where in WMI_SOURCES.items():
        if name in recorded.get("errors", {}):
            continue
        rows = [
            {k: v for k, v in row.items() if k not in AGENT_FIELDS}
            for row in recorded.get(name) or ()
        ]
        classes[where] = ({k for row in rows for k in row} if rows else None, rows)
    return FakeWmi(classes)


def replayed_sources(recorded, real_sources=api.sources, through_wmi=False):
    """The agent's own source list, each `read` answering what the fixture recorded (the WMI
    sources' real `read`, through WMI, when `through_wmi`)."""
    errors = recorded.get("errors", {})
    never = threading.Event()
    sources = []
    for source in real_sources():
        failure = errors.get(source.name)
        if through_wmi and failure is None and source.name in WMI_SOURCES:
            sources.append(source)
        elif failure == "timeout":
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


def replay(monkeypatch, recorded, unit_code="STTTT", outcomes=None, through_wmi=False):
    """The report `collect_report()` builds on the PC the records come from."""
    install(monkeypatch, recorded, through_wmi)
    return collect.collect_report(unit_code=unit_code, outcomes=outcomes)


def install(monkeypatch, recorded, through_wmi=False):
    """Make this process collect as the recorded PC did (the commands too)."""
    monkeypatch.setattr(collect, "platform_facts", windows)
    real_sources = api.sources
    monkeypatch.setattr(
        api, "sources", lambda: replayed_sources(recorded, real_sources, through_wmi)
    )
    if through_wmi:
        fake_wmi(recorded).install(monkeypatch)
        exists = {
            row.get("pathToSignedProductExe"): row.get("exe_exists")
            for row in recorded.get("security_center") or ()
        }
        monkeypatch.setattr(api, "product_exe_exists", exists.get, raising=False)
    if "visible_ram_bytes" in recorded:  # what psutil saw, where the case needs it
        monkeypatch.setattr(system, "visible_ram_bytes", lambda: recorded["visible_ram_bytes"])

"""The agent's report of this very machine is valid, and a failing probe never stops it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent import collect, linux
from shared.report import validate


def test_report_of_this_machine_is_valid():
    report = collect.collect_report(unit_code="SXD")
    assert validate(report) == []
    assert report["agent"]["unit_code"] == "SXD"
    assert report["machine"]["ram"]["visible_bytes"] > 0


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Linux's probes; Windows' failing sources are replayed in test_windows.py",
)
def test_a_failing_probe_lands_in_errors(monkeypatch):
    def broken(_root="/"):
        raise PermissionError("denied")

    monkeypatch.setattr(linux, "installed_ram_bytes", broken)
    monkeypatch.setattr(linux, "machine_id", broken)
    report = collect.collect_report()
    assert validate(report) == []
    assert report["machine"]["ram"]["installed_bytes"] is None
    assert "installed RAM: PermissionError: denied" in report["errors"]
    # With no OS id, the name gives one that stays the same from run to run.
    assert report["machine"]["machine_id"] == collect.fallback_machine_id(
        report["machine"]["hostname"]
    )


def test_collect_command_prints_a_valid_report():
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", "collect"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert validate(json.loads(done.stdout)) == []


def test_the_sources_run_for_real_on_this_machine_each_with_its_outcome():
    outcomes = []
    report = collect.collect_report(outcomes=outcomes)
    assert validate(report) == []
    names = [o.name for o in outcomes]
    platform = (
        {"machine_guid", "os", "services"}
        if sys.platform == "win32"
        else {"machine_id", "os", "packages"}
    )
    assert platform | {"visible RAM", "addresses"} <= set(names)
    assert all(o.seconds >= 0 for o in outcomes)
    # Every line of the report's errors is a failed source; a failed source may be left out
    # only where its absence is expected (no Security Center on a server, no Defender on
    # Windows 7, no SMBIOS memory table where the modules were read).
    failed = {f"{o.name}: {o.error}": o.name for o in outcomes if o.error is not None}
    assert set(report["errors"]) <= set(failed)
    assert {failed[line] for line in set(failed) - set(report["errors"])} <= {
        "security_center",
        "defender",
        "firmware_ram",
    }


def test_collect_diagnose_prints_each_source_with_its_time():
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", "collect", "--diagnose"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].endswith("failed)") and "sources, the slowest" in lines[0]
    rows = {line.split()[0]: line for line in lines[2:] if line and not line.startswith(" ")}
    assert rows["os"].split()[1:3][1] == "s" and " ok " in rows["os"]
    assert any(line.startswith("antivirus: ") for line in lines)

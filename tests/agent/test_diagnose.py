"""The pilot's diagnosis of a recorded PC: a line per source, then what the report says."""

from __future__ import annotations

from agent.diagnose import diagnose_lines, shown
from tests.agent.windows_replay import REPLAY_TIMEOUT, load, replay


def test_a_recorded_pc_diagnosed(monkeypatch):
    recorded = load("win10_kes11_defender_passive.json")
    recorded["errors"]["kaspersky_data"] = "PermissionError: [WinError 5] Access is denied"
    recorded["errors"]["defender"] = "timeout"
    outcomes = []
    lines = diagnose_lines(outcomes, replay(monkeypatch, recorded, outcomes=outcomes))
    assert lines[0].endswith("(2 failed)")
    by_source = {line.split()[0]: line for line in lines[2 : 2 + len(outcomes)]}
    assert by_source["kaspersky_data"].endswith(
        "FAILED PermissionError: [WinError 5] Access is denied"
    )
    assert by_source["defender"].endswith(f"FAILED no answer within {REPLAY_TIMEOUT:g} s")
    assert ' ok "c3a9e1f0-5d2b-4b7a-8e6f-1a2b3c4d5e6f"' in by_source["machine_guid"]
    assert (
        "  Kaspersky Endpoint Security for Windows: enabled yes, signatures "
        "2022-06-14T22:41:00+00:00, from securitycenter, registry, service" in lines
    )
    assert (
        "console agent: Kaspersky Security Center Network Agent, running yes, server "
        "10.20.0.5, last connected 2022-06-15T00:58:41+00:00" in lines
    )
    assert "  defender: no answer within 0.05 s" in lines


def test_a_long_record_is_cut():
    assert len(shown(["x" * 500])) == 160
    assert shown([1, 2]) == "2 rows: [1, 2]"

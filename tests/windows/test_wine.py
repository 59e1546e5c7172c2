"""The agent against Windows' own APIs, under Wine (build/wine/stage.py; `make test-windows`).

Simulated PCs are registry keys imported from tests/windows/pcs/*.reg (in both views: the
Network Agent's keys under Wow6432Node) and services made with `sc create`; the agent then
collects in a process of its own, as on a PC. Wine is not Windows: where it lacks a thing
(SecurityCenter2, Defender's namespace, some properties), these tests assert how the agent
handles the gap, its error line and its fallback, never Wine's answer as if it were
Windows'. They change the registry and services of the machine they run on, so they run only
where the stage says so (AVROLL_WINE_STAGE=1, in its own Wine prefix).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.report import validate

pytestmark = pytest.mark.skipif(
    sys.platform != "win32" or os.environ.get("AVROLL_WINE_STAGE") != "1",
    reason="the Wine stage's (make test-windows): it changes this machine's registry",
)

ROOT = Path(__file__).resolve().parents[2]
PCS = Path(__file__).parent / "pcs"
KES = [
    ("AVP.KES.12.3", "Kaspersky Endpoint Security Service"),
    ("avpsus.KES.12.3", "Kaspersky Seamless Update Service"),
]
NETWORK_AGENT = [("klnagent", "Kaspersky Security Center Network Agent")]
KSWS = [("KAVFS", "Kaspersky Security Service")]
SERVICES = {
    "kes12_workstation": KES + NETWORK_AGENT,
    "ksws_server": KSWS + NETWORK_AGENT,
    "no_network_agent": KES,
}
KEYS = [
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{AVROLL-SIM-KES}",
    r"HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall\{AVROLL-SIM-NAGENT}",
    r"HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall\{AVROLL-SIM-KSWS}",
    r"HKLM\SOFTWARE\Wow6432Node\KasperskyLab",
]
# A service that runs needs a program that answers the service manager: Wine's RPC service
# does, under any service name.
SERVICE_PROGRAM = r"C:\windows\system32\rpcss.exe"
WINE_LACKS_SECURITY_CENTER = "security_center: OSError: [WinError -2147217394]"


# ERROR_INTERNAL_ERROR: Wine's CreateProcess fails so now and then on a loaded machine; the
# simulation's `reg` and `sc` are started again (the agent's own processes never are).
WINE_INTERNAL_ERROR = 1359


def windows(*args, check=True):
    for attempt in range(3):
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=60)
            break
        except OSError as exc:
            if exc.winerror != WINE_INTERNAL_ERROR or attempt == 2:
                raise
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def remove_simulation():
    for name, _display in {s for services in SERVICES.values() for s in services}:
        windows("sc", "stop", name, check=False)
        windows("sc", "delete", name, check=False)
    for key in KEYS:
        windows("reg", "delete", key, "/f", check=False)


@pytest.fixture
def simulated_pc(request):
    """The PC named by the test's parameter: its keys imported, its services running."""
    remove_simulation()
    windows("reg", "import", str(PCS / f"{request.param}.reg"))
    for name, display in SERVICES[request.param]:
        windows("sc", "create", name, "binPath=", SERVICE_PROGRAM, "DisplayName=", display)
        windows("sc", "start", name)
    yield request.param
    remove_simulation()


def collect(*args):
    done = subprocess.run(
        [sys.executable, "-m", "agent", "collect", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


def report_of_this_pc():
    report = json.loads(collect("--unit", "SIM"))
    assert validate(report) == []
    return report


def products(report):
    return {p["name"]: p for p in report["antivirus"]["products"]}


@pytest.mark.parametrize("simulated_pc", ["kes12_workstation"], indirect=True)
def test_a_kes_12_workstation_with_the_network_agent_connected(simulated_pc):
    report = report_of_this_pc()
    kes = products(report)["Kaspersky Endpoint Security for Windows"]
    # AVP.KES.12.3 running; no Security Center under Wine: the Network Agent's state says on.
    assert (kes["version"], kes["enabled"], kes["up_to_date"]) == ("12.3.0.493", True, None)
    assert kes["sources"] == ["registry", "service"]
    assert kes["signatures_updated_at"] == "2026-12-06T06:00:00+00:00"  # AVState first
    assert kes["licence_expires_at"]  # protected\KES\Data, Wow6432Node
    assert report["management_agent"] == {
        "name": "Kaspersky Security Center Network Agent",
        "installed": True,
        "running": True,
        "version": "15.1.0.20748",
        "server": "ksc.sim.dongthap.gov.vn",
        "last_connected_at": "2026-12-07T07:30:00+00:00",
    }
    # Wine has no SecurityCenter2 (Windows workstations do): the gap is one error line.
    assert [
        line for line in report["errors"] if not line.startswith(WINE_LACKS_SECURITY_CENTER)
    ] == []
    assert report["machine"]["hostname"] == os.environ["COMPUTERNAME"]  # the NetBIOS name


@pytest.mark.parametrize("simulated_pc", ["ksws_server"], indirect=True)
def test_a_ksws_server(simulated_pc):
    report = report_of_this_pc()
    [ksws] = report["antivirus"]["products"]
    assert (ksws["name"], ksws["version"], ksws["enabled"]) == (
        "Kaspersky Security for Windows Server",
        "12.0.0.477",
        True,
    )
    assert ksws["sources"] == ["registry", "service"]  # its entry under Wow6432Node
    assert ksws["signatures_updated_at"] == "2026-12-06T06:00:00+00:00"
    assert report["management_agent"]["server"] == "ksc.sim.dongthap.gov.vn"


@pytest.mark.parametrize("simulated_pc", ["no_network_agent"], indirect=True)
def test_a_pc_without_the_network_agent(simulated_pc):
    report = report_of_this_pc()
    kes = products(report)["Kaspersky Endpoint Security for Windows"]
    # Neither Security Center (Wine lacks it) nor AVState: enabled is unknown, not guessed.
    assert kes["enabled"] is None
    assert kes["signatures_updated_at"] == "2026-12-06T04:00:00+00:00"  # LastSuccessfulUpdate
    assert report["management_agent"] is None
    assert report["antivirus"]["status"] == "detected"


HUNG_ON_COM = r"""
import json, sys, threading
sys.coinit_flags = 0
import comtypes, comtypes.client
from agent import collect
from agent.sources import Source
from agent.windows import api

never = threading.Event()

def hung_on_com():
    comtypes.CoInitializeEx(0)
    try:
        service = comtypes.client.CoGetObject("winmgmts:\\\\.\\root\\cimv2", dynamic=True)
        rows = service.ExecQuery("SELECT Name FROM Win32_Process", "WQL", 0x30)
    finally:
        never.wait()  # holding a WMI service and an enumerator (hung even if WMI failed)

real = api.sources()
api.sources = lambda: [Source(s.name, hung_on_com, s.timeout) for s in real]
report = collect.collect_report()
print(json.dumps({"report": report, "sources": [s.name for s in real]}))
"""


def test_every_source_hung_while_holding_com_still_gives_a_report():
    done = subprocess.run(
        [sys.executable, "-c", HUNG_ON_COM], cwd=ROOT, capture_output=True, timeout=120
    )  # a guard against a hang at exit, not a time limit
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    answer = json.loads(done.stdout)
    report = answer["report"]
    assert validate(report) == []
    hung = {
        line.split(": ", 1)[0]
        for line in report["errors"]
        if line.split(": ", 1)[1].startswith("no answer within ")
    }
    # Every source, but Defender's: with no Defender product found, its silence is expected.
    assert hung == set(answer["sources"]) - {"defender"}
    assert report["antivirus"]["status"] == "unknown"


def test_the_one_file_exe_built_with_the_projects_spec_diagnoses_this_pc(tmp_path):
    # No Windows SDK under Wine: an empty UCRT folder (the workflow's build bundles and
    # checks the UCRT for Windows 7; Wine has its own).
    (tmp_path / "ucrt").mkdir()
    built = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build" / "build.py"),
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, AVROLL_UCRT_DIR=str(tmp_path / "ucrt")),
        timeout=1800,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    exe = tmp_path / "dist" / "avroll-agent.exe"
    done = subprocess.run([str(exe), "collect", "--diagnose"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    rows = {
        line.split()[0]: line
        for line in done.stdout.decode("utf-8").splitlines()
        if line and not line.startswith(" ")
    }
    for source in (
        "machine_guid",
        "current_version",
        "uninstall",
        "services",
        "netbios_name",
        "os",
        "computer",
        "computer_product",
        "bios",
        "memory",
    ):
        assert " ok " in rows[source], rows[source]
    # Wine's gaps, as the exe reports them: one FAILED line each, the rest goes on.
    assert "FAILED OSError: [WinError -2147217394]" in rows["security_center"]
    assert "FAILED OSError: [WinError -2147217394]" in rows["defender"]

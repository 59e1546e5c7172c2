"""The calls into Windows that tests can drive on any OS: WMI through a fake comtypes
(tests/agent/fake_com.py), kernel32 through a fake ctypes library, path expansion."""

from __future__ import annotations

import ctypes
import types

import pytest

from agent.windows import api
from tests.agent.fake_com import WBEM_E_INVALID_NAMESPACE, COMError, FakeWmi

CIMV2 = r"root\cimv2"
BATTERY = ("BatteryStatus", "EstimatedChargeRemaining")
WBEM_E_OUT_OF_MEMORY = -2147217402  # 0x80041006


def wmi(monkeypatch, **failing_rows):
    return FakeWmi(
        {
            (CIMV2, "Win32_Battery"): (
                set(BATTERY),
                [{"BatteryStatus": 2, "EstimatedChargeRemaining": 97}],
            )
        },
        failing_rows=failing_rows,
    ).install(monkeypatch)


def test_rows_hold_the_properties_asked_for(monkeypatch):
    fake = wmi(monkeypatch)
    assert api.wmi_rows(CIMV2, "Win32_Battery", ("BatteryStatus",)) == [{"BatteryStatus": 2}]
    assert fake.queries == ["SELECT BatteryStatus FROM Win32_Battery"]


def test_a_property_the_class_lacks_costs_that_property_only(monkeypatch):
    fake = wmi(monkeypatch)
    rows = api.wmi_rows(CIMV2, "Win32_Battery", ("BatteryStatus", "Chemistry"))
    assert rows == [{"BatteryStatus": 2}]
    assert fake.queries[-1] == "SELECT * FROM Win32_Battery"


@pytest.mark.parametrize(
    "wmi_class, failing",
    [
        ("Win32_Battery", {"Win32_Battery": WBEM_E_OUT_OF_MEMORY}),  # fails on the first row
        ("Win32_Nothing", {}),  # an unknown class
    ],
)
def test_no_com_object_is_alive_at_couninitialize_when_a_query_fails(
    monkeypatch, wmi_class, failing
):
    fake = wmi(monkeypatch, **failing)
    with pytest.raises(COMError):
        api.wmi_rows(CIMV2, wmi_class, ("BatteryStatus",))
    assert fake.live_at_uninitialize == [0]


def test_no_com_object_is_alive_at_couninitialize_after_rows_were_read(monkeypatch):
    fake = wmi(monkeypatch)
    api.wmi_rows(CIMV2, "Win32_Battery", BATTERY)
    assert fake.live_at_uninitialize == [0]


def test_a_failed_connection_keeps_windows_error_code_in_its_line(monkeypatch):
    wmi(monkeypatch)
    with pytest.raises(COMError) as caught:
        api.wmi_rows(r"root\SecurityCenter2", "AntiVirusProduct", ("displayName",))
    assert caught.value.hresult == WBEM_E_INVALID_NAMESPACE


class Kernel32:
    """A kernel32 whose calls fail with `code`: kept for ctypes.get_last_error() only when
    loaded with use_last_error=True, as ctypes does; GetLastError() afterwards reads what
    later calls (here: Python's own) left, 0."""

    def __init__(self, code, use_last_error):
        self.code, self.saved = code, use_last_error

    def GetPhysicallyInstalledSystemMemory(self, _pointer):  # noqa: N802 (Windows' name)
        return self._fail()

    def GetComputerNameExW(self, _kind, _buffer, _size):  # noqa: N802 (Windows' name)
        return self._fail()

    def _fail(self):
        if self.saved:
            Kernel32.last_error = self.code
        return 0


@pytest.mark.parametrize("read", ["read_firmware_ram", "read_netbios_name"])
def test_a_failed_kernel32_call_reports_its_own_error_code(monkeypatch, read):
    Kernel32.last_error = 0
    error_not_found = 1168
    monkeypatch.setattr(
        ctypes,
        "WinDLL",
        lambda name, use_last_error=False: Kernel32(error_not_found, use_last_error),
        raising=False,
    )
    monkeypatch.setattr(
        ctypes,
        "windll",
        types.SimpleNamespace(kernel32=Kernel32(error_not_found, False)),
        raising=False,
    )
    monkeypatch.setattr(ctypes, "get_last_error", lambda: Kernel32.last_error, raising=False)
    monkeypatch.setattr(ctypes, "GetLastError", lambda: 0, raising=False)
    with pytest.raises(OSError) as caught:
        getattr(api, read)()
    assert caught.value.errno == error_not_found


WOW64 = {
    "ProgramFiles": r"C:\Program Files (x86)",
    "ProgramW6432": r"C:\Program Files",
    "CommonProgramFiles": r"C:\Program Files (x86)\Common Files",
    "CommonProgramW6432": r"C:\Program Files\Common Files",
    "SystemRoot": r"C:\Windows",
}


@pytest.mark.parametrize(
    "path, expected",
    [
        (
            r"%ProgramFiles%\Kaspersky Lab\KES\avp.exe",
            r"C:\Program Files\Kaspersky Lab\KES\avp.exe",
        ),
        (r"%programfiles%\x.exe", r"C:\Program Files\x.exe"),
        (r"%CommonProgramFiles%\x.exe", r"C:\Program Files\Common Files\x.exe"),
        (r"%SystemRoot%\x.exe", r"C:\Windows\x.exe"),
        (r"%Unknown%\x.exe", r"%Unknown%\x.exe"),
        ("windowsdefender://", "windowsdefender://"),
    ],
)
def test_a_32_bit_agent_expands_program_files_to_the_real_folder(path, expected):
    assert api.native_path(path, WOW64) == expected


def test_on_32_bit_windows_program_files_is_what_it_says():
    assert api.native_path(r"%ProgramFiles%\x.exe", {"ProgramFiles": r"C:\Program Files"}) == (
        r"C:\Program Files\x.exe"
    )

"""The only calls into Windows: registry, services, WMI over COM, one kernel32 call.

Each `read_*` function returns one raw record as plain data (str, int, bool, lists, dicts)
with Windows' own field names, so a record can be printed by `collect --diagnose`, stored as a
test fixture and replayed through the pure parsers in `agent.windows.facts`. Nothing here
starts a process: GLPI agent (Win32/AntiVirus.pm) and osquery (tables/system/windows) read
WMI and the registry in process too.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime, timezone

from agent import antivirus, kaspersky
from agent.sources import Source

if sys.platform == "win32":  # the module is imported on Windows only; the guard is for linters
    import winreg

# Time limits, per source; every source runs at once, so the longest one bounds the run.
REGISTRY_TIMEOUT = 2.0
SERVICES_TIMEOUT = 3.0
WMI_TIMEOUT = 5.0
# Defender's WMI provider stalls while another antivirus has turned parts of Defender off
# (GLPI agent skips it for that reason unless Defender is the active product).
DEFENDER_TIMEOUT = 3.0

# wbemFlagReturnImmediately | wbemFlagForwardOnly (Microsoft Learn, SWbemServices.ExecQuery):
# rows stream as WMI finds them and are not kept for a second pass.
WBEM_FLAGS = 0x10 | 0x20
COINIT_MULTITHREADED = 0x0

UNINSTALL_KEY = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
CURRENT_VERSION_KEY = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
# Kaspersky products keep update and licence state under protected\<product>\Data (read by
# GLPI agent's _setKasperskyInfos: LastSuccessfulUpdate, LicKeyType, LicDaysTillExpiration).
KASPERSKY_PROTECTED_KEY = r"SOFTWARE\KasperskyLab\protected"
KASPERSKY_DATA_VALUES = ("LastSuccessfulUpdate", "LicKeyType", "LicDaysTillExpiration")


# The WMI classes the report reads: source name, namespace, class, the properties wanted.
# A property a Windows version lacks is left out of that PC's rows (see `_read_class`).
WMI_CLASSES = (
    (
        "os",
        r"root\cimv2",
        "Win32_OperatingSystem",
        ("Caption", "Version", "BuildNumber", "ProductType"),
    ),
    (
        "computer",
        r"root\cimv2",
        "Win32_ComputerSystem",
        (
            "Name",
            "DNSHostName",
            "Domain",
            "PartOfDomain",
            "Workgroup",
            "Manufacturer",
            "Model",
            "PCSystemType",
        ),
    ),
    ("computer_product", r"root\cimv2", "Win32_ComputerSystemProduct", ("UUID",)),
    ("bios", r"root\cimv2", "Win32_BIOS", ("SerialNumber", "Manufacturer")),
    ("enclosure", r"root\cimv2", "Win32_SystemEnclosure", ("ChassisTypes", "SerialNumber")),
    ("memory", r"root\cimv2", "Win32_PhysicalMemory", ("Capacity",)),
    ("battery", r"root\cimv2", "Win32_Battery", ("BatteryStatus",)),
    # AMRunningMode came with Defender platform 4.18.2008.9 (August 2020): older ones lack it.
    (
        "defender",
        r"root\Microsoft\Windows\Defender",
        "MSFT_MpComputerStatus",
        (
            "AMRunningMode",
            "AMServiceEnabled",
            "AntivirusEnabled",
            "RealTimeProtectionEnabled",
            "AMProductVersion",
            "AntivirusSignatureLastUpdated",
        ),
    ),
)
# Security Center's products (workstations only: servers have no Security Center, and the
# parser expects that error there). Windows 7's AntiVirusProduct has no `timestamp`
# (fusioninventory-agent issue 364: `__PROPERTY_COUNT : 5`), and nothing reads it.
SECURITY_CENTER = (
    r"root\SecurityCenter2",
    "AntiVirusProduct",
    ("displayName", "instanceGuid", "pathToSignedProductExe", "productState"),
)


def sources():
    """Every Windows source of the report, with its time limit."""
    wmi = {
        name: Source(
            name,
            wmi_reader(namespace, wmi_class, names),
            DEFENDER_TIMEOUT if name == "defender" else WMI_TIMEOUT,
        )
        for name, namespace, wmi_class, names in WMI_CLASSES
    }
    return [
        Source("machine_guid", read_machine_guid, REGISTRY_TIMEOUT),
        Source("current_version", read_current_version, REGISTRY_TIMEOUT),
        Source("uninstall", read_uninstall, REGISTRY_TIMEOUT),
        Source("avstate", read_avstate, REGISTRY_TIMEOUT),
        Source("kaspersky_data", read_kaspersky_data, REGISTRY_TIMEOUT),
        Source("firmware_ram", read_firmware_ram, REGISTRY_TIMEOUT),
        Source("netbios_name", read_netbios_name, REGISTRY_TIMEOUT),
        Source("services", read_services, SERVICES_TIMEOUT),
        *(
            wmi[name]
            for name in (
                "os",
                "computer",
                "computer_product",
                "bios",
                "enclosure",
                "memory",
                "battery",
            )
        ),
        Source("security_center", read_security_center, WMI_TIMEOUT),
        wmi["defender"],
    ]


# --- registry -------------------------------------------------------------------------------


def _views():
    """Both registry views: a 32-bit agent on 64-bit Windows otherwise sees only WOW6432Node
    (Microsoft Learn, "Accessing an Alternate Registry View"); 32-bit Windows ignores the flag."""
    return (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY)


def _plain_registry(value):
    if isinstance(value, bytes):
        return value.hex()
    return value


def _key_values(path, view, names=None):
    """A key's values as {name: value}, or None when the key does not exist."""
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path, 0, winreg.KEY_READ | view)
    except FileNotFoundError:
        return None
    with key:
        values, index = {}, 0
        while True:
            try:
                name, value, _kind = winreg.EnumValue(key, index)
            except OSError:  # ERROR_NO_MORE_ITEMS
                return values
            if names is None or name in names:
                values[name] = _plain_registry(value)
            index += 1


def _readable(path, view, names):
    """A subkey's values, or None when this one subkey may not be read (one entry's ACL must
    not cost the whole list)."""
    try:
        return _key_values(path, view, names)
    except PermissionError:
        return None


def _subkeys(path, view):
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path, 0, winreg.KEY_READ | view)
    except FileNotFoundError:
        return []
    with key:
        names, index = [], 0
        while True:
            try:
                names.append(winreg.EnumKey(key, index))
            except OSError:
                return names
            index += 1


def read_machine_guid():
    values = (
        _key_values(r"SOFTWARE\Microsoft\Cryptography", winreg.KEY_WOW64_64KEY, {"MachineGuid"})
        or {}
    )
    return values.get("MachineGuid")


def read_current_version():
    return _key_values(
        CURRENT_VERSION_KEY,
        winreg.KEY_WOW64_64KEY,
        {"EditionID", "DisplayVersion", "ReleaseId", "UBR", "InstallationType", "ProductName"},
    )


def read_uninstall():
    """DisplayName, DisplayVersion and Publisher of every uninstall entry, both views."""
    entries = []
    for view in _views():
        for name in _subkeys(UNINSTALL_KEY, view):
            values = _readable(
                UNINSTALL_KEY + "\\" + name, view, {"DisplayName", "DisplayVersion", "Publisher"}
            )
            if values and values.get("DisplayName"):
                entries.append(values)
    return entries


def read_avstate():
    """The Network Agent's AVState values (Kaspersky Security Center help 3644), or None.

    The Network Agent is a 32-bit program: on 64-bit Windows its key is in WOW6432Node.
    """
    for view in reversed(_views()):
        values = _key_values("SOFTWARE\\" + kaspersky.AVSTATE_REGISTRY_KEY, view)
        if values is not None:
            return values
    return None


def read_kaspersky_data():
    """protected\\<product>\\Data values of each Kaspersky product, with the time they were read
    (LicDaysTillExpiration counts from then)."""
    found = []
    read_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for view in _views():
        for product in _subkeys(KASPERSKY_PROTECTED_KEY, view):
            values = _readable(
                f"{KASPERSKY_PROTECTED_KEY}\\{product}\\Data", view, set(KASPERSKY_DATA_VALUES)
            )
            if values:
                found.append(dict(values, product=product, read_at=read_at))
    return found


# --- kernel32 and psutil --------------------------------------------------------------------


def _kernel32():
    """kernel32 with the thread's last error saved right after each call: `GetLastError()`
    called later through `windll` may read a code another call has overwritten."""
    import ctypes

    return ctypes, ctypes.WinDLL("kernel32", use_last_error=True)


def read_firmware_ram():
    """Kilobytes of RAM in the firmware's SMBIOS table (GetPhysicallyInstalledSystemMemory,
    Windows Vista SP1 and later); it fails on VMs whose firmware lists no memory devices."""
    ctypes, kernel32 = _kernel32()
    kilobytes = ctypes.c_ulonglong(0)
    if not kernel32.GetPhysicallyInstalledSystemMemory(ctypes.byref(kilobytes)):
        raise OSError(ctypes.get_last_error(), "GetPhysicallyInstalledSystemMemory failed")
    return kilobytes.value


# COMPUTER_NAME_FORMAT's ComputerNameNetBIOS (Microsoft Learn, GetComputerNameExW).
COMPUTER_NAME_NETBIOS = 0
NETBIOS_NAME_LENGTH = 16  # MAX_COMPUTERNAME_LENGTH (15) and the terminating null


def read_netbios_name():
    """The computer's NetBIOS name, the one the naming guideline judges, without WMI (which
    may be broken, and spells the name as Windows does where socket.gethostname() may not)."""
    ctypes, kernel32 = _kernel32()
    size = ctypes.c_ulong(NETBIOS_NAME_LENGTH)
    buffer = ctypes.create_unicode_buffer(size.value)
    if not kernel32.GetComputerNameExW(COMPUTER_NAME_NETBIOS, buffer, ctypes.byref(size)):
        raise OSError(ctypes.get_last_error(), "GetComputerNameExW failed")
    return buffer.value


def read_services():
    """Antivirus-related services as psutil gives them (name, display_name, status, start_type)."""
    import psutil

    found = []
    for service in psutil.win_service_iter():
        if not antivirus.is_watched_service(service.name(), service.display_name()):
            continue
        try:
            status, start_type = service.status(), service.start_type()
        except psutil.Error:  # removed meanwhile, or its state may not be read
            status = start_type = None
        found.append(
            {
                "name": service.name(),
                "display_name": service.display_name(),
                "status": status,
                "start_type": start_type,
            }
        )
    return found


# --- WMI over COM ---------------------------------------------------------------------------


def _plain_com(value):
    if isinstance(value, tuple):
        return [_plain_com(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# WBEM_E_INVALID_QUERY (Microsoft Learn, "WMI Error Constants"), as comtypes' COMError holds
# it: what WMI answers when one selected property does not exist in this Windows' class.
WBEM_E_INVALID_QUERY = -2147217385  # 0x80041017


def wmi_rows(namespace, wmi_class, names):
    """Rows of a WMI class as dicts of the named properties it has, read through COM in this
    thread; a property this Windows' class lacks is absent from the rows.

    WMI scripting gives uint64 values as strings and datetimes as DMTF text
    (yyyymmddHHMMSS.ffffff+UUU); the parsers read both.
    """
    sys.coinit_flags = COINIT_MULTITHREADED  # read by comtypes on its first import
    import comtypes
    import comtypes.client

    comtypes.CoInitializeEx(COINIT_MULTITHREADED)
    try:
        rows, error = _read_class(comtypes.client.CoGetObject, namespace, wmi_class, names)
    finally:
        comtypes.CoUninitialize()
    if error is not None:
        raise error
    return rows


def _read_class(connect, namespace, wmi_class, names):
    """(rows, None), or (None, the error) with no traceback: a traceback keeps the frames of
    `_select`, and with them the service and enumerator, alive past CoUninitialize (comtypes
    warns that a Release() after it may give a protection fault).

    One absent property makes WMI reject the whole query, so on WBEM_E_INVALID_QUERY the
    class is read again with `SELECT *` and the named properties taken from what it has.
    """
    for selected in (", ".join(names), "*"):
        try:
            return _select(connect, namespace, wmi_class, selected, names), None
        except Exception as exc:  # comtypes.COMError, or an RPC error under it
            error = exc.with_traceback(None)
        # COMError holds the code in `hresult`, OSError (from CoGetObject) in `winerror`.
        code = getattr(error, "hresult", None) or getattr(error, "winerror", None)
        if code != WBEM_E_INVALID_QUERY:
            break
    return None, error


def _select(connect, namespace, wmi_class, selected, names):
    service = connect("winmgmts:{impersonationLevel=impersonate}!\\\\.\\" + namespace, dynamic=True)
    query = f"SELECT {selected} FROM {wmi_class}"  # noqa: S608 (constants)
    return [_properties(row, names) for row in service.ExecQuery(query, "WQL", WBEM_FLAGS)]


def _properties(row, names):
    found = {}
    for name in names:
        try:
            value = row.Properties_.Item(name).Value
        except Exception:  # WBEM_E_NOT_FOUND: this Windows' class has no such property
            continue
        found[name] = _plain_com(value)
    return found


def wmi_reader(namespace, wmi_class, names):
    return lambda: wmi_rows(namespace, wmi_class, names)


def read_security_center():
    """Security Center's antivirus products; `exe_exists` tells whether the product's own
    executable is still there (an uninstaller may leave its registration behind)."""
    rows = wmi_rows(*SECURITY_CENTER)
    for row in rows:
        row["exe_exists"] = product_exe_exists(row.get("pathToSignedProductExe"))
    return rows


def product_exe_exists(path):
    """Whether a product's executable exists; None when the path is not a file path
    (Defender's `windowsdefender://`)."""
    path = native_path(str(path or ""), os.environ)
    return os.path.exists(path) if path[1:3] == ":\\" else None


def native_path(path, environ):
    """`path` with its %VARIABLES% expanded as a 64-bit process sees them: a 32-bit agent on
    64-bit Windows has ProgramFiles pointing to "Program Files (x86)"; ProgramW6432 and
    CommonProgramW6432 hold the real folders (Microsoft Learn, "WOW64 Implementation
    Details")."""
    names = {name.lower(): value for name, value in environ.items()}
    for wow64, real in (
        ("programfiles", "programw6432"),
        ("commonprogramfiles", "commonprogramw6432"),
    ):
        if names.get(real):
            names[wow64] = names[real]
    return re.sub(r"%([^%]+)%", lambda m: names.get(m.group(1).lower(), m.group(0)), path)

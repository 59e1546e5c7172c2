"""What Kaspersky's Network Agent records about the protection on its machine, read as plain data.

The Network Agent keeps the state of the Kaspersky product it manages in "AVState" values
(Kaspersky Security Center help, article 3644, "Monitoring the anti-virus protection status
using information from the system registry"): on Windows the registry key
HKLM\\SOFTWARE[\\Wow6432Node]\\KasperskyLab\\Components\\34\\1103\\1.0.0.0\\Statistics\\AVState,
on Linux one text file per value in /var/opt/kaspersky/klnagent/1103/1.0.0.0/Statistics/AVState/.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

AVSTATE_REGISTRY_KEY = r"KasperskyLab\Components\34\1103\1.0.0.0\Statistics\AVState"
AVSTATE_LINUX_DIR = "/var/opt/kaspersky/klnagent/1103/1.0.0.0/Statistics/AVState"

# Protection_RtpState (same article): 4-8 are the "enabled" states, 1 disabled, 2 paused,
# 9 operation failure; 0 unknown and 3 starting say nothing yet.
RTP_ENABLED = {4, 5, 6, 7, 8}
RTP_DISABLED = {1, 2, 9}


def parse_kl_time(text):
    """`DD-MM-YYYY HH-MM-SS` (UTC, the article's format) as ISO 8601 UTC, or None."""
    try:
        moment = datetime.strptime(str(text).strip(), "%d-%m-%Y %H-%M-%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc).isoformat()


def parse_avstate(values):
    """The protection facts in AVState values (a name → value mapping), or {} when absent."""
    if not values:
        return {}
    try:
        rtp = int(values.get("Protection_RtpState"))
    except (TypeError, ValueError):
        rtp = None
    enabled = True if rtp in RTP_ENABLED else False if rtp in RTP_DISABLED else None
    version = str(values.get("Protection_NagentVersion") or "").strip() or None
    return {
        "enabled": enabled,
        "signatures_updated_at": parse_kl_time(values.get("Protection_BasesDate")),
        "agent_version": version,
        "installed": _flag(values.get("Protection_AvInstalled")),
        "server": str(values.get("Protection_AdmServer") or "").strip()[:255] or None,
        "last_connected_at": parse_kl_time(values.get("Protection_LastConnected")),
    }


# A DWORD of all ones is Kaspersky's "never" (GLPI agent skips 0xFFFFFFFF too); a licence
# further away than a century is not a date either.
NEVER = 0xFFFFFFFF
MAX_LICENCE_DAYS = 36500


def parse_protected_data(entries):
    """Signature and licence dates from products' `protected\\<product>\\Data` values.

    LastSuccessfulUpdate is a Unix time; LicDaysTillExpiration counts days from when the
    values were read (`read_at`), and means something only with a licence key (LicKeyType not
    0), as GLPI agent's Kaspersky module reads them. {} when nothing usable is there.
    """
    found = {}
    for entry in entries or ():
        moment = _unix_time(_number(entry.get("LastSuccessfulUpdate")))
        if moment:
            found["signatures_updated_at"] = max(found.get("signatures_updated_at", ""), moment)
        days, read_at = _number(entry.get("LicDaysTillExpiration")), _time(entry.get("read_at"))
        if (
            _number(entry.get("LicKeyType"))
            and days is not None
            and read_at
            and (0 <= days <= MAX_LICENCE_DAYS)
        ):
            expiry = datetime.combine(
                read_at.date() + timedelta(days=days), datetime.min.time(), timezone.utc
            ).isoformat()
            found["licence_expires_at"] = max(found.get("licence_expires_at", ""), expiry)
    return found


def _unix_time(seconds):
    if not seconds or seconds == NEVER:
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _number(value):
    """A DWORD as winreg gives it (int) or as text, decimal or 0x-hexadecimal."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip(), 0)
    except (TypeError, ValueError):
        return None


def _time(value):
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _flag(value):
    try:
        return bool(int(value))
    except (TypeError, ValueError):
        return None

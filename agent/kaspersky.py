"""What Kaspersky's Network Agent records about the protection on its machine, read as plain data.

The Network Agent keeps the state of the Kaspersky product it manages in "AVState" values
(Kaspersky Security Center help, article 3644, "Monitoring the anti-virus protection status
using information from the system registry"): on Windows the registry key
HKLM\\SOFTWARE[\\Wow6432Node]\\KasperskyLab\\Components\\34\\1103\\1.0.0.0\\Statistics\\AVState,
on Linux one text file per value in /var/opt/kaspersky/klnagent/1103/1.0.0.0/Statistics/AVState/.
"""

from __future__ import annotations

from datetime import datetime, timezone

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
    }


def _flag(value):
    try:
        return bool(int(value))
    except (TypeError, ValueError):
        return None

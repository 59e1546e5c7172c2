"""Values as the Kaspersky console and the directory write them in their exports: computer
names, yes/no, IP addresses and local date-times, each read strictly (a value that cannot be
read is an error for its line, never a guess)."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import datetime, timedelta, timezone

from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import to_stored
from shared.report import text_problem

NAME_MAX = 255
TEXT_MAX = 1000
YES = {"yes", "true", "có", "да", "1"}
NO = {"no", "false", "không", "нет", "0"}
NEVER = {"", "never", "không bao giờ", "chưa bao giờ", "никогда", "-"}
# ISO first; with AM/PM month first (en-US); else day first (Vietnamese and Russian).
ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
MONTH_FIRST = re.compile(
    r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
    r" (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))? ?(?P<p>[AaPp][Mm])"
)
# A Vietnamese Windows writes SA/CH (sáng, chiều) for AM/PM, day first.
DAY_FIRST = re.compile(
    r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"
    r"(?: (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?: ?(?P<p>SA|CH|sa|ch))?)?"
)
CONSOLE_SUFFIX = re.compile(r"~\d+$")
IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
# "12 minutes ago" as the English, Russian and Vietnamese consoles write it: a count back
# from the moment the file was exported, never from the moment it is imported.
RELATIVE = (
    (
        re.compile(r"(\d+) (minute|hour|day)s? ago"),
        {"minute": "minutes", "hour": "hours", "day": "days"},
    ),
    (
        re.compile(r"(\d+) (минут[ауы]?|час(?:а|ов)?|д(?:ень|ня|ней)) назад"),
        {"мин": "minutes", "час": "hours", "ден": "days", "дня": "days", "дне": "days"},
    ),
    (
        re.compile(r"(\d+) (phút|giờ|ngày) trước"),
        {"phút": "minutes", "giờ": "hours", "ngày": "days"},
    ),
)
JUST_NOW = {"less than a minute ago", "just now", "только что", "менее минуты назад", "vừa xong"}
# The Open API's datetimes are UTC: `2024-03-05T03:11:12Z` as KlAkOAPI's JSON carries them,
# or Python's `2024-03-05 03:11:12` when a script printed the datetime it got.
API_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[ T](?P<H>\d{2}):(?P<M>\d{2})"
    r":(?P<S>\d{2})(?:\.\d+)?(?P<z>Z|[+-]00:?00)?"
)
# KLHST_WKS_STATUS, the host state bits (KSC Open API, "Host State enum").
CS_VISIBLE, CS_AGENTINSTALLED, CS_AGENTISALIVE, CS_PRODUCTINSTALLED = 0x1, 0x4, 0x8, 0x10
# KLHST_WKS_RTP_STATE (KSC Open API, "Global RTP State enum") in the English console's words.
RTP_STATES = {
    0: "Unknown",
    1: "Stopped",
    2: "Suspended",
    3: "Starting",
    4: "Running",
    5: "Running (maximum protection)",
    6: "Running (maximum performance)",
    7: "Running (recommended settings)",
    8: "Running (custom settings)",
    9: "Failure",
}
# KLHST_WKS_STATUS_ID: the host's status as the console's Status column shows it.
STATUS_IDS = {0: "OK", 1: "Critical", 2: "Warning"}


class ValueProblem(ValueError):
    """A cell that cannot be read; the message says what was expected."""


class NoExportDate(ValueProblem):
    """A time written relative to the export ("12 minutes ago") in a file that does not say
    when it was exported, and no date was given with it."""


def hidden_characters(text):
    """True when the text holds invisible or direction-changing characters (zero-width
    spaces, bidi overrides), control characters or noncharacters (the report's rule): a name
    could then look like another, or break the files it is written to."""
    return not text.isprintable() and (
        text_problem(text) is not None
        or any(unicodedata.category(char) in ("Cf", "Cc") for char in text)
    )


def computer_name(text):
    """The name as written and its matching key: the NetBIOS name, upper case (a DNS name
    is cut to its first label)."""
    if not text:
        raise ValueProblem("the computer name is empty")
    if len(text) > NAME_MAX:
        raise ValueProblem(f"the computer name is longer than {NAME_MAX} characters")
    if hidden_characters(text):
        raise ValueProblem(
            f"the computer name {ascii(text)} holds invisible or direction-changing characters"
        )
    # KSC shows a second device of an existing name as `NAME~1`: the same name to match.
    key = CONSOLE_SUFFIX.sub("", text.split(".", 1)[0].strip()).upper()
    if not key:
        raise ValueProblem(f"'{text}' has no first label")
    return text, key


def visible(text):
    """Text to show in an error: invisible and control characters written as escapes, so a
    message cannot be reordered or hidden by the value it quotes."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def free_text(text):
    """A descriptive cell (group, OU, description) with invisible characters removed."""
    cleaned = (
        text
        if text.isprintable()
        else "".join(
            char
            for char in text
            if unicodedata.category(char) not in ("Cf", "Cc") and text_problem(char) is None
        )
    )
    if len(cleaned) > TEXT_MAX:
        raise ValueProblem(f"a text cell is longer than {TEXT_MAX} characters")
    return cleaned.strip() or None


def yes_no(text):
    """`Yes`/`No` (also Vietnamese and Russian) as True/False; empty as None."""
    folded = text.strip().casefold()
    if not folded:
        return None
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValueProblem(f"'{text}' is not Yes or No")


def ip_address(text):
    """An IPv4 or IPv6 address in its normal form; empty as None."""
    if not text.strip():
        return None
    if IPV4.fullmatch(text) and all(int(part) <= 255 for part in text.split(".")):
        return ".".join(str(int(part)) for part in text.split("."))
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise ValueProblem(f"'{text}' is not an IP address") from None


def _stored(found):
    parts = found.groupdict()
    hour = int(parts["H"] or 0)
    if parts.get("p"):
        if not 1 <= hour <= 12:
            raise ValueProblem(f"'{found.string}': hour {hour} with AM/PM")
        hour = hour % 12 + (12 if parts["p"].upper() in ("PM", "CH") else 0)
    try:
        moment = datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            hour,
            int(parts["M"] or 0),
            int(parts["S"] or 0),
            tzinfo=LOCAL_TZ,
        )
    except ValueError as exc:
        raise ValueProblem(f"'{found.string}' is not a real date and time ({exc})") from None
    utc = moment - LOCAL_TZ.utcoffset(None)  # the stored form, without strftime's cost
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"
    )


def _relative(folded):
    """`N minutes/hours/days ago` (English, Russian, Vietnamese) as a timedelta, or None."""
    for pattern, units in RELATIVE:
        found = pattern.fullmatch(folded)
        if found:
            unit = next(unit for stem, unit in units.items() if found[2].startswith(stem))
            return timedelta(**{unit: int(found[1])})
    return timedelta(0) if folded in JUST_NOW else None


def local_time(text, exported_at):
    """A console date-time (Vietnam local time, as the console's computer writes it) as a
    stored UTC time; `N minutes/hours/days ago` counts back from `exported_at`, the moment
    the file was exported (NoExportDate when it is not known); never or empty: None."""
    value = " ".join(text.split())
    if value.casefold() in NEVER:
        return None
    back = _relative(value.casefold())
    if back is not None:
        if exported_at is None:
            raise NoExportDate(
                f"'{value}' is counted back from the moment the file was "
                "exported, which the file does not say: give that moment "
                "(--exported-at, or the field on the upload page)"
            )
        return to_stored(exported_at - back)
    for pattern in (ISO, MONTH_FIRST, DAY_FIRST):
        found = pattern.fullmatch(value)
        if found:
            return _stored(found)
    raise ValueProblem(
        f"'{text}' is not a date and time (dd/mm/yyyy hh:mm:ss, "
        "mm/dd/yyyy hh:mm:ss AM/PM or yyyy-mm-dd hh:mm:ss)"
    )


def api_time(text):
    """An Open API datetime (UTC) as a stored time; empty as None."""
    value = text.strip()
    if not value:
        return None
    found = API_TIME.fullmatch(value)
    if not found:
        raise ValueProblem(
            f"'{text}' is not an Open API date and time (yyyy-mm-ddThh:mm:ssZ, in UTC)"
        )
    try:
        year, month, day, hour, minute, second = (int(found[part]) for part in "ymdHMS")
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError as exc:
        raise ValueProblem(f"'{text}' is not a real date and time ({exc})") from None
    return to_stored(moment)


def _whole(text, what):
    value = text.strip()
    if not value.isdigit() or len(value) > 10:
        raise ValueProblem(f"{what} '{text}' is not a whole number")
    return int(value)


def host_status(text):
    """KLHST_WKS_STATUS decoded: (Network Agent installed, Network Agent alive), each None
    when the cell is empty."""
    if not text.strip():
        return None, None
    bits = _whole(text, "KLHST_WKS_STATUS")
    return bool(bits & CS_AGENTINSTALLED), bool(bits & CS_AGENTISALIVE)


def rtp_state(text):
    """KLHST_WKS_RTP_STATE in the console's words; empty as None."""
    if not text.strip():
        return None
    state = _whole(text, "KLHST_WKS_RTP_STATE")
    if state not in RTP_STATES:
        raise ValueProblem(
            f"KLHST_WKS_RTP_STATE {state} is not a state Kaspersky documents (0 to 9)"
        )
    return RTP_STATES[state]


def status_id(text):
    """KLHST_WKS_STATUS_ID (0 OK, 1 Critical, 2 Warning) in the console's words."""
    if not text.strip():
        return None
    status = _whole(text, "KLHST_WKS_STATUS_ID")
    if status not in STATUS_IDS:
        raise ValueProblem(f"KLHST_WKS_STATUS_ID {status} is not 0, 1 or 2")
    return STATUS_IDS[status]


def export_moment(text):
    """The moment an officer says a file was exported ("YYYY-MM-DD HH:MM" or
    "dd/mm/yyyy hh:mm", Vietnam time; a date alone is its midnight) as an aware UTC
    datetime; None when empty."""
    if not (text or "").strip():
        return None
    stored = local_time(text, None)
    if stored is None:
        raise ValueProblem("give the moment the file was exported, not 'never'")
    return datetime.strptime(stored, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

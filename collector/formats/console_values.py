"""Values as the Kaspersky console and the directory write them in their exports: computer
names, yes/no, IP addresses and local date-times, each read strictly (a value that cannot be
read is an error for its line, never a guess)."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import datetime, timedelta

from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import to_stored

NAME_MAX = 255
TEXT_MAX = 1000
YES = {"yes", "true", "có", "да", "1"}
NO = {"no", "false", "không", "нет", "0"}
NEVER = {"", "never", "không bao giờ", "chưa bao giờ", "никогда", "-"}
# ISO first; with AM/PM month first (en-US); else day first (Vietnamese and Russian).
ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
                 r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?")
MONTH_FIRST = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
                         r" (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))? ?(?P<p>[AaPp][Mm])")
# A Vietnamese Windows writes SA/CH (sáng, chiều) for AM/PM, day first.
DAY_FIRST = re.compile(r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"
                       r"(?: (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
                       r"(?: ?(?P<p>SA|CH|sa|ch))?)?")
CONSOLE_SUFFIX = re.compile(r"~\d+$")
IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
RELATIVE = re.compile(r"(\d+) (minute|hour|day)s? ago")


class ValueProblem(ValueError):
    """A cell that cannot be read; the message says what was expected."""


def hidden_characters(text):
    """True when the text holds invisible or direction-changing characters (zero-width
    spaces, bidi overrides) or control characters: a name could then look like another."""
    return not text.isprintable() and any(
        unicodedata.category(char) in ("Cf", "Cc") for char in text)


def computer_name(text):
    """The name as written and its matching key: the NetBIOS name, upper case (a DNS name
    is cut to its first label)."""
    if not text:
        raise ValueProblem("the computer name is empty")
    if len(text) > NAME_MAX:
        raise ValueProblem(f"the computer name is longer than {NAME_MAX} characters")
    if hidden_characters(text):
        raise ValueProblem(f"the computer name {ascii(text)} holds invisible or "
                           "direction-changing characters")
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
    cleaned = text if text.isprintable() else "".join(
        char for char in text if unicodedata.category(char) not in ("Cf", "Cc"))
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
        moment = datetime(int(parts["y"]), int(parts["m"]), int(parts["d"]), hour,
                          int(parts["M"] or 0), int(parts["S"] or 0), tzinfo=LOCAL_TZ)
    except ValueError as exc:
        raise ValueProblem(f"'{found.string}' is not a real date and time ({exc})") from None
    utc = moment - LOCAL_TZ.utcoffset(None)  # the stored form, without strftime's cost
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
            f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z")


def local_time(text, now):
    """A console date-time (Vietnam local time, as the console's computer writes it) as a
    stored UTC time; `N minutes/hours/days ago` counts back from `now`; never or empty:
    None."""
    value = " ".join(text.split())
    if value.casefold() in NEVER:
        return None
    relative = RELATIVE.fullmatch(value.casefold())
    if relative:
        return to_stored(now - timedelta(**{relative[2] + "s": int(relative[1])}))
    if value.casefold() in ("less than a minute ago", "just now"):
        return to_stored(now)
    for pattern in (ISO, MONTH_FIRST, DAY_FIRST):
        found = pattern.fullmatch(value)
        if found:
            return _stored(found)
    raise ValueProblem(f"'{text}' is not a date and time (dd/mm/yyyy hh:mm:ss, "
                       "mm/dd/yyyy hh:mm:ss AM/PM or yyyy-mm-dd hh:mm:ss)")

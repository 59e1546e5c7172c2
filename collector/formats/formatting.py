"""Numbers, percentages, sizes and dates as Vietnamese reports write them (English too)."""

from __future__ import annotations

from datetime import date as calendar_date
from datetime import timedelta, timezone

from collector.formats.timefmt import parse_stored

# Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.
LOCAL_TZ = timezone(timedelta(hours=7))
SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def number(value, lang="vi", decimals=0):
    """`5137` → `5.137` (vi) or `5,137` (en); None → empty."""
    if value is None:
        return ""
    thousands, decimal = SEPARATORS[lang]
    text = "{:,.{}f}".format(value, decimals)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def percent(ratio, lang="vi"):
    """`0.9673` → `96,7%`, rounded half up as a person does it by hand; None → empty."""
    if ratio is None:
        return ""
    tenths = int(ratio * 1000 + 0.5 + 1e-9)
    return number(tenths / 10, lang, decimals=1) + "%"


def gigabytes(size_bytes, lang="vi"):
    """`2147483648` → `2 GB`, `2040109465` → `1,9 GB`."""
    if size_bytes is None:
        return ""
    size = size_bytes / 2**30
    return number(size, lang, decimals=0 if size == int(size) else 1) + " GB"


def date(stored, lang="vi"):
    """A stored UTC time as the local date: `12/05/2022` (en: `2022-05-12`)."""
    if not stored:
        return ""
    local = parse_stored(stored).astimezone(LOCAL_TZ)
    return local.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def day(iso_date, lang="vi"):
    """An as-of date (`2022-05-12`) as officers write it: `12/05/2022` (en: unchanged)."""
    if not iso_date:
        return ""
    value = calendar_date.fromisoformat(str(iso_date))
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def datetime_local(stored, lang="vi"):
    """A stored UTC time as local date and time: `12/05/2022 14:03`."""
    if not stored:
        return ""
    local = parse_stored(stored).astimezone(LOCAL_TZ)
    return local.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")


SKEW_UNITS = (
    (365 * 86400, "năm", "year"),
    (86400, "ngày", "day"),
    (3600, "giờ", "h"),
    (60, "phút", "min"),
)


def clock_skew(seconds, lang="vi"):
    """How far a PC's clock is from the collector's (`seconds` = collector - PC):
    `chậm 2 năm 3 ngày` / `2 years 3 days behind`; under a minute is on time; None → empty."""
    if seconds is None:
        return ""
    if abs(seconds) < 60:
        return "đúng giờ" if lang == "vi" else "on time"
    left, counts = abs(int(seconds)), []
    for size, vi, en in SKEW_UNITS:
        count, left = divmod(left, size)
        counts.append((count, vi, en + ("s" if count > 1 and en in ("year", "day") else "")))
    first = next(index for index, unit in enumerate(counts) if unit[0])
    parts = [
        f"{count} {vi if lang == 'vi' else en}"
        for count, vi, en in counts[first : first + 2]
        if count
    ]
    amount = " ".join(parts)
    if lang == "vi":
        return ("chậm " if seconds > 0 else "nhanh ") + amount
    return amount + (" behind" if seconds > 0 else " ahead")

"""The day a change takes effect: today (Vietnam time) unless an admin gives an earlier day,
never a day before the thing's latest change (that would rewrite a period already changed)
and never a day to come. Units and counting settings keep their versions by this day, so
figures as of a date use the values in force on it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from collector.formats.formatting import LOCAL_TZ

# Values from before versions were kept, and a new unit's first version, count from here.
BEGINNING = "2000-01-01"


class BadEffectiveDate(ValueError):
    """An effective date that is not YYYY-MM-DD, lies ahead, or before a later change."""


def today():
    return datetime.now(timezone.utc).astimezone(LOCAL_TZ).date().isoformat()


def effective_day(text=None, default=None):
    """`text` (YYYY-MM-DD) checked, else `default`, else today."""
    if text is None or not str(text).strip():
        return default or today()
    try:
        day = date.fromisoformat(str(text).strip()).isoformat()
    except ValueError:
        raise BadEffectiveDate(f"date '{text}' is not YYYY-MM-DD") from None
    if day > today():
        raise BadEffectiveDate(f"date {day} is in the future")
    if day < BEGINNING:
        raise BadEffectiveDate(f"date {day} is before {BEGINNING}")
    return day


def check_after_latest(latest, day, what):
    """Refuse a change effective before the latest one already recorded for `what`."""
    if latest is not None and day < latest:
        raise BadEffectiveDate(
            f"{what} changed with effect from {latest}: a change cannot "
            f"take effect before it ({day})"
        )

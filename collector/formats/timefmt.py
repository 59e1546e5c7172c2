"""Timestamps as the database stores them: UTC, to the second, sortable as text."""

from __future__ import annotations

from datetime import datetime, timezone

from shared.report import parse_timestamp

STORED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_stored(moment):
    """An aware datetime as `YYYY-MM-DDTHH:MM:SSZ` (the year always four digits: strftime
    writes year 999 as `999` on Linux, which then neither sorts nor reads back)."""
    utc = moment.astimezone(timezone.utc)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc:%H:%M:%S}Z"


def now_stored():
    return to_stored(datetime.now(timezone.utc))


def stored_from_report(text):
    """A report's ISO 8601 time (validated already) in the stored form."""
    return to_stored(parse_timestamp(text))


def parse_stored(text):
    return datetime.strptime(text, STORED_FORMAT).replace(tzinfo=timezone.utc)

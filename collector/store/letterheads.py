"""Each unit's own letterhead: a district's People's Committee (or its office) drafts its
letters under its own name, symbol, place and signer, not under the province's.

The province's letterhead is the settings of the same names (`settings.SETTINGS`); a unit's
is stored here, key by key, checked by the same rules. A key a unit left empty is not taken
from the province: the letter prints a dotted blank for the officer to fill in.
"""

from __future__ import annotations

from collector.store import audit, settings
from collector.store.db import write_transaction
from collector.store.units import get_unit

# What a letter prints about who sends it, to whom, and where the answers go.
KEYS = (
    "issuer_parent",
    "issuer_name",
    "issuer_symbol",
    "issuer_place",
    "report_recipient",
    "report_basis",
    "signer_title",
    "signer_name",
    "letter_copies",
    "reminder_copies",
    "reminder_basis",
    "reply_office",
    "reply_email",
    "children_group",
)


class UnknownKey(settings.SettingError):
    """A letterhead key that is not one of KEYS."""


def unit_values(db, code):
    """The letterhead keys the unit set, as stored (`{key: text}`)."""
    return dict(
        db.execute(
            "SELECT key, value FROM unit_letterheads WHERE unit_code = ?", [code.upper()]
        ).fetchall()
    )


def province_values(db):
    """The province's letterhead keys, as set (empty text when not set)."""
    values = settings.current(db)
    return {key: values[key] for key in KEYS}


def set_unit_value(db, code, key, text, actor):
    """Check and store one key of a unit's letterhead (empty text removes it), audited.
    LookupError for an unknown unit, SettingError for a bad key or value."""
    if key not in KEYS:
        raise UnknownKey(
            f"'{key}' không phải mục của tiêu đề công văn: một trong {', '.join(KEYS)}"
        )
    unit = get_unit(db, code)
    if unit is None:
        raise LookupError(code)
    text = str(text or "").strip()
    value = settings.SETTINGS[key].parse(text) if text else ""
    with write_transaction(db):
        if not value:
            db.execute(
                "DELETE FROM unit_letterheads WHERE unit_code = ? AND key = ?", [unit["code"], key]
            )
        else:
            db.execute(
                "INSERT INTO unit_letterheads (unit_code, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (unit_code, key) DO UPDATE SET value = excluded.value",
                [unit["code"], key, value],
            )
        audit.record(
            db, actor, "letterhead.set", {"unit": unit["code"], "key": key, "value": value}
        )
    return value

"""Each unit's answers to the reminders: on which day it replied, who for it, and which
officer recorded it, so the reporting status says who has answered and the next reminder
who has not."""

from __future__ import annotations

from datetime import date, datetime

from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.units import get_unit

NAME_MAX = 200
NOTE_MAX = 500


class BadReply(ValueError):
    """A reply that cannot be recorded: the message says why."""


def record_reply(db, unit_code, replied_by, replied_on=None, note="", actor="cli", today=None):
    """Record that `unit_code` replied on `replied_on` (YYYY-MM-DD, default today; not in
    the future), answered by `replied_by`; audited. Returns the stored row."""
    today = today or datetime.now(LOCAL_TZ).date()
    unit = get_unit(db, str(unit_code or ""))
    if unit is None:
        raise BadReply(f"không có đơn vị '{unit_code}'")
    replied_by = " ".join(str(replied_by or "").split())
    if not replied_by or len(replied_by) > NAME_MAX or not replied_by.isprintable():
        raise BadReply(f"người báo cáo: 1 đến {NAME_MAX} ký tự")
    note = " ".join(str(note or "").split())
    if len(note) > NOTE_MAX or not note.isprintable():
        raise BadReply(f"ghi chú: tối đa {NOTE_MAX} ký tự")
    try:
        day = date.fromisoformat(str(replied_on).strip()) if replied_on else today
    except ValueError:
        raise BadReply(f"ngày báo cáo '{replied_on}' không phải ngày (YYYY-MM-DD)") from None
    if day > today:
        raise BadReply(f"ngày báo cáo {day:%d/%m/%Y} ở tương lai")
    row = {
        "unit_code": unit["code"],
        "replied_on": day.isoformat(),
        "replied_by": replied_by,
        "note": note,
        "recorded_at": now_stored(),
        "recorded_by": actor,
    }
    with write_transaction(db):
        db.execute(
            "INSERT INTO unit_replies (unit_code, replied_on, replied_by, note, "
            "recorded_at, recorded_by) VALUES (:unit_code, :replied_on, :replied_by, "
            ":note, :recorded_at, :recorded_by)",
            row,
        )
        audit.record(
            db,
            actor,
            "replies.record",
            {key: row[key] for key in ("unit_code", "replied_on", "replied_by", "note")},
        )
    return row


def latest_replies(db):
    """Each unit's latest reply: `{unit_code: {replied_on, replied_by, note}}`."""
    found = {}
    for row in db.query(
        "SELECT unit_code, replied_on, replied_by, note FROM unit_replies ORDER BY replied_on, id"
    ):
        found[row["unit_code"]] = row
    return found

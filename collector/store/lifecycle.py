"""A machine's place in the counts set by hand: retired from a day on (decommissioned, a fake
enrolled with a leaked token), or assigned to a unit by an admin. Each change is audited; a
machine's reports are never deleted, so its history stays.

A retired machine's credential is forgotten in the same transaction: it cannot report (nor
enroll again) unless an admin resets it.
"""

from __future__ import annotations

from datetime import date, datetime

from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import now_stored, parse_stored, to_stored
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.machines import AmbiguousMachine, UnknownMachine, resolve_machine
from collector.store.users import check_unit_code

__all__ = [
    "AmbiguousMachine",
    "BadRetirement",
    "NotRetired",
    "UnknownMachine",
    "assign",
    "assign_machines",
    "machine_lifecycle",
    "restore",
    "retire",
    "retire_enrolled_by",
    "retire_machines",
    "retirement_day",
    "enrolled_by",
    "enrolled_moment",
]


class NotRetired(LookupError):
    """A machine brought back that was not retired."""


class BadRetirement(ValueError):
    """A retirement date that is not YYYY-MM-DD, or lies in the future."""


def today():
    return parse_stored(now_stored()).astimezone(LOCAL_TZ).date()


def retirement_day(text=None):
    """The day a retirement takes effect: `YYYY-MM-DD` (today when None), never later than
    today (a retirement ahead of time would change figures nobody has seen yet)."""
    if text is None:
        return today().isoformat()
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadRetirement(f"date '{text}' is not YYYY-MM-DD") from None
    if day > today():
        raise BadRetirement(f"date {day.isoformat()} is in the future")
    return day.isoformat()


def _retire(db, actor, machine_id, day, reason):
    db.execute(
        "INSERT INTO machine_retirements (machine_id, retired_on, retired_at, retired_by, "
        "reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT (machine_id) DO UPDATE SET "
        "retired_on = excluded.retired_on, retired_at = excluded.retired_at, "
        "retired_by = excluded.retired_by, reason = excluded.reason",
        [machine_id, day, now_stored(), actor, reason],
    )
    # Its own credential and every one that reports into it (a reinstall, a new id).
    db.execute(
        "DELETE FROM machine_credentials WHERE machine_id = ? OR stored_as = ?",
        [machine_id, machine_id],
    )
    audit.record(
        db, actor, "machines.retire", {"machine_id": machine_id, "from": day, "reason": reason}
    )


def enrolled_moment(text):
    """`--enrolled-after`: a date or a date and time (Vietnam's clock unless it says
    otherwise), as the stored moment."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise BadRetirement(f"'{text}' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return to_stored(moment)


def enrolled_by(db, token_id, enrolled_after=None):
    """The credentials a token issued (from the stored moment `enrolled_after` on): each
    machine id, the machine it reports into, its name and when it enrolled, oldest first."""
    return db.query(
        "SELECT c.machine_id, coalesce(c.stored_as, c.machine_id) AS stored_as, "
        "m.hostname, c.enrolled_at FROM machine_credentials c "
        "LEFT JOIN machines m ON m.machine_id = coalesce(c.stored_as, c.machine_id) "
        "WHERE c.token_id = ? AND c.enrolled_at >= ? ORDER BY c.enrolled_at, c.machine_id",
        [token_id, enrolled_after or ""],
    )


def retire(db, actor, machine_id, on=None, reason=None):
    """Retire one machine (its id or its name) from day `on` (text, default today); returns
    its id."""
    day = retirement_day(on)
    with write_transaction(db):
        machine_id = resolve_machine(db, machine_id)
        _retire(db, actor, machine_id, day, reason)
    return machine_id


def restore(db, actor, machine_id, reason=None):
    """Bring a retired machine (its id or its name) back into the counts from the day it was
    retired, as if never retired; returns its id. Its credential was forgotten when it was
    retired, so its agent enrolls again with a token on its next run."""
    with write_transaction(db):
        machine_id = resolve_machine(db, machine_id)
        retired = db.execute(
            "SELECT retired_on, reason FROM machine_retirements WHERE machine_id = ?", [machine_id]
        ).fetchone()
        if retired is None:
            raise NotRetired(machine_id)
        db.execute("DELETE FROM machine_retirements WHERE machine_id = ?", [machine_id])
        audit.record(
            db,
            actor,
            "machines.restore",
            {
                "machine_id": machine_id,
                "retired_on": retired[0],
                "retire_reason": retired[1],
                "reason": reason,
            },
        )
    return machine_id


def retire_enrolled_by(db, actor, token_id, on=None, enrolled_after=None):
    """Retire the machines a token enrolled from `enrolled_after` on (a leaked token's
    fakes; the unit's genuine PCs, enrolled before the leak with the same token, stay);
    how many. A credential that reports into a machine enrolled otherwise (a "reinstall"
    of a genuine PC) is deleted, and that machine is not retired."""
    day = retirement_day(on)
    with write_transaction(db):
        rows = list(enrolled_by(db, token_id, enrolled_after))
        retired = set()
        for row in rows:
            if row["stored_as"] != row["machine_id"]:
                db.execute(
                    "DELETE FROM machine_credentials WHERE machine_id = ?", [row["machine_id"]]
                )
            elif row["machine_id"] not in retired:
                _retire(db, actor, row["machine_id"], day, f"token {token_id} revoked")
                retired.add(row["machine_id"])
        audit.record(
            db,
            actor,
            "tokens.retire_machines",
            {
                "token_id": token_id,
                "from": day,
                "enrolled_after": enrolled_after,
                "machines": len(retired),
                "credentials": len(rows),
            },
        )
    return len(retired)


def assign(db, actor, machine_id, unit_code):
    """Count a machine (its id or its name) for `unit_code` from now on, whatever its name
    or enrolment; None takes the assignment back (the naming rule decides again)."""
    with write_transaction(db):
        machine_id = resolve_machine(db, machine_id)
        unit_code = _assign(db, actor, machine_id, unit_code)
    return unit_code


def assign_machines(db, actor, machine_ids, unit_code):
    """`assign()` several machines (ids) in one transaction; how many."""
    with write_transaction(db):
        for machine_id in machine_ids:
            unit_code = _assign(db, actor, resolve_machine(db, machine_id), unit_code)
    return len(machine_ids)


def retire_machines(db, actor, machine_ids, on, reason):
    """`retire()` several machines (ids) from day `on` in one transaction; how many."""
    day = retirement_day(on)
    with write_transaction(db):
        for machine_id in machine_ids:
            _retire(db, actor, resolve_machine(db, machine_id), day, reason)
    return len(machine_ids)


def _assign(db, actor, machine_id, unit_code):
    before = db.execute(
        "SELECT unit_code FROM machine_assignments WHERE machine_id = ?", [machine_id]
    ).fetchone()
    if unit_code is None:
        db.execute("DELETE FROM machine_assignments WHERE machine_id = ?", [machine_id])
    else:
        unit_code = check_unit_code(db, unit_code)
        db.execute(
            "INSERT INTO machine_assignments (machine_id, unit_code, assigned_at, "
            "assigned_by) VALUES (?, ?, ?, ?) ON CONFLICT (machine_id) DO UPDATE "
            "SET unit_code = excluded.unit_code, assigned_at = excluded.assigned_at, "
            "assigned_by = excluded.assigned_by",
            [machine_id, unit_code, now_stored(), actor],
        )
    audit.record(
        db,
        actor,
        "machines.assign",
        {"machine_id": machine_id, "unit_code": unit_code, "before": before[0] if before else None},
    )
    return unit_code


def machine_lifecycle(db, machine_id):
    """`{retirement, assignment}` of one machine (each a dict or None), for its page."""
    machine_id = machine_id.strip().lower()
    retirement = list(
        db.query(
            "SELECT retired_on, retired_at, retired_by, reason FROM "
            "machine_retirements WHERE machine_id = ?",
            [machine_id],
        )
    )
    assignment = list(
        db.query(
            "SELECT unit_code, assigned_at, assigned_by FROM "
            "machine_assignments WHERE machine_id = ?",
            [machine_id],
        )
    )
    return {
        "retirement": retirement[0] if retirement else None,
        "assignment": assignment[0] if assignment else None,
    }

"""Enrollments held for an administrator: what a token holder may not decide alone.

Two enrollments with a token are held instead of stored (see `enrollment.check`):
- `reinstall`: a new machine id on a board already enrolled, that would rename the machine
  or move it to another unit (the board UUID is no secret: a token holder who learnt it
  could otherwise move a PC out of its unit's figure);
- `known_id`: a machine id that already has a credential, with nothing that tells a clone
  apart (no board, or the same board) and another credential proposed (a PC that lost its
  agent's state, or someone squatting its id).

A request is one row per reported machine id and token, however often its agent tries
(`tries`, `last_seen_at`). An administrator accepts or refuses it (a page, `avroll
machines accept|refuse ID`). Accepted, the agent's next report with that token and the same
proposed credential is admitted as the reinstall (the machine renamed or moved) or takes the
machine id over (its old credential removed); refused, it stays refused. A token has at most
`MAX_WAITING_PER_TOKEN` requests waiting, so a leaked token cannot flood the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction
from shared.report import text_problem

MAX_WAITING_PER_TOKEN = 20
MAX_TEXT = 255  # a hostname's limit in a report
KINDS = ("reinstall", "known_id")
DECISIONS = ("accepted", "refused")
HELD_ACTIONS = {"reinstall": "machines.reinstall_held", "known_id": "machines.enrollment_held"}
COLUMNS = (
    "held_id, kind, machine_id, hardware_uuid, stored_as, hostname, unit_code, "
    "current_hostname, current_unit, token_id, proposal_hash, first_seen_at, last_seen_at, "
    "tries, decision, decided_at, decided_by"
)


class UnknownHeld(ValueError):
    """No held request has this id."""


class TooManyWaiting(Exception):
    """The token already has as many requests waiting as it may."""


class AnotherProposal(Exception):
    """This machine id's request with this token was made by an agent proposing another
    credential: only that agent's request may be decided and admitted."""


@dataclass(frozen=True)
class Request:
    """What an enrollment held for an administrator asks for."""

    kind: str
    machine_id: str  # the id the agent reports
    hardware_uuid: str | None
    stored_as: str  # the machine it would be stored as (whose id it would take over)
    hostname: str  # the name it reports
    unit_code: str | None  # the unit its token enrolls for
    current_hostname: str | None  # that machine's name and unit now
    current_unit: str | None


@dataclass(frozen=True)
class Held:
    """A held_admissions row."""

    held_id: int
    kind: str
    machine_id: str
    hardware_uuid: str | None
    stored_as: str
    hostname: str
    unit_code: str | None
    current_hostname: str | None
    current_unit: str | None
    token_id: int
    proposal_hash: str | None
    first_seen_at: str
    last_seen_at: str
    tries: int
    decision: str | None
    decided_at: str | None
    decided_by: str | None

    def proposed_by(self, proposal_hash):
        """True when the request is the one of the agent proposing `proposal_hash`."""
        return self.proposal_hash == proposal_hash


def _bounded(text):
    """`text` as stored: None stays None; refused when not plain, bounded text (the report
    checked it already; this store takes nothing else from any caller)."""
    if text is None:
        return None
    if len(text) > MAX_TEXT or text_problem(text):
        raise ValueError(f"not plain text of at most {MAX_TEXT} characters: {text[:40]!r}")
    return text


def find(db, machine_id, token_id):
    """The request for `machine_id` with the token `token_id`, or None."""
    row = db.execute(
        f"SELECT {COLUMNS} FROM held_admissions WHERE machine_id = ? AND token_id = ?",  # noqa: S608
        [machine_id, token_id],
    ).fetchone()
    return None if row is None else Held(*row)


def get(db, held_id):
    """The request `held_id`; UnknownHeld when there is none."""
    try:
        number = int(held_id)
    except (TypeError, ValueError):
        raise UnknownHeld(held_id) from None
    row = db.execute(
        f"SELECT {COLUMNS} FROM held_admissions WHERE held_id = ?",  # noqa: S608
        [number if abs(number) < 2**63 else -1],
    ).fetchone()
    if row is None:
        raise UnknownHeld(held_id)
    return Held(*row)


def hold(db, request, token_id, proposal_hash):
    """Keep (or count another try of) `request` by the agent with the token `token_id`
    proposing `proposal_hash`, inside the caller's write transaction; its Held row.

    AnotherProposal when another agent's request for this id and token waits or was
    accepted (one it was refused is replaced);
    TooManyWaiting when the token has MAX_WAITING_PER_TOKEN requests waiting already."""
    if request.kind not in KINDS:
        raise ValueError(f"no held request is of kind {request.kind!r}")
    hostname = _bounded(request.hostname)
    now = now_stored()
    found = find(db, request.machine_id, token_id)
    if found is not None and found.decision == "refused" and not found.proposed_by(proposal_hash):
        # Refused, a squatter's request must not lock the PC's own agent out for good.
        db.execute("DELETE FROM held_admissions WHERE held_id = ?", [found.held_id])
        found = None
    if found is not None:
        if not found.proposed_by(proposal_hash):
            raise AnotherProposal(request.machine_id)
        if found.decision is None:  # an administrator decides on its latest name and board
            db.execute(
                "UPDATE held_admissions SET tries = tries + 1, last_seen_at = ?, hostname = ?, "
                "hardware_uuid = coalesce(?, hardware_uuid) WHERE held_id = ?",
                [now, hostname, request.hardware_uuid, found.held_id],
            )
        return get(db, found.held_id)
    (waiting,) = db.execute(
        "SELECT count(*) FROM held_admissions WHERE token_id = ? AND decision IS NULL",
        [token_id],
    ).fetchone()
    if waiting >= MAX_WAITING_PER_TOKEN:
        raise TooManyWaiting(token_id)
    held_id = db.execute(
        f"INSERT INTO held_admissions ({COLUMNS}) "  # noqa: S608
        "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, NULL, NULL)",
        [
            request.kind,
            request.machine_id,
            request.hardware_uuid,
            request.stored_as,
            hostname,
            request.unit_code,
            _bounded(request.current_hostname),
            request.current_unit,
            token_id,
            proposal_hash,
            now,
            now,
        ],
    ).lastrowid
    audit.record(
        db,
        "agent",
        HELD_ACTIONS[request.kind],
        {
            "id": held_id,
            "machine_id": request.machine_id,
            "stored_as": request.stored_as,
            "hostname": hostname,
            "unit_code": request.unit_code,
            "token_id": token_id,
        },
    )
    return get(db, held_id)


def decide(db, actor, held_id, decision):
    """Accept or refuse the request `held_id` (audited); a decision may be changed until
    the agent is admitted. Returns the row as decided."""
    if decision not in DECISIONS:
        raise ValueError(f"a decision is one of {', '.join(DECISIONS)}")
    with write_transaction(db):
        found = get(db, held_id)
        db.execute(
            "UPDATE held_admissions SET decision = ?, decided_at = ?, decided_by = ? "
            "WHERE held_id = ?",
            [decision, now_stored(), actor, found.held_id],
        )
        audit.record(
            db,
            actor,
            "machines.held_accept" if decision == "accepted" else "machines.held_refuse",
            {
                "id": found.held_id,
                "machine_id": found.machine_id,
                "stored_as": found.stored_as,
                "hostname": found.hostname,
                "unit_code": found.unit_code,
            },
        )
        return get(db, found.held_id)


def release(db, machine_id, token_id):
    """Forget the request for `machine_id` with this token: its agent was just admitted."""
    db.execute(
        "DELETE FROM held_admissions WHERE machine_id = ? AND token_id = ?", [machine_id, token_id]
    )


def listing(db, waiting_only=False):
    """The requests, those waiting first, the latest tried first."""
    where = "WHERE decision IS NULL " if waiting_only else ""
    return [
        Held(*row)
        for row in db.execute(
            f"SELECT {COLUMNS} FROM held_admissions {where}"  # noqa: S608
            "ORDER BY decision IS NOT NULL, last_seen_at DESC, held_id DESC"
        )
    ]

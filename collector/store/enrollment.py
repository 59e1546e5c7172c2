"""Which agent may report for which machine: enrollment tokens and machine credentials.

An admin creates an enrollment token (optionally bound to a unit) and gives it to the
agents of that unit. An agent's first report carries the token and, in the
`X-Avroll-Credential` header, the credential the agent made and saved for its machine
before sending; the collector keeps that credential's hash (or makes one when none was
proposed) and answers with it; the agent sends it from then on. Because the agent saved
its credential first, an enrollment whose answer was lost on the network is not lost:
the agent's next report with that credential simply works, and a retry with the token and
the same proposal is accepted again. Tokens and
credentials are 256-bit random strings, so an unsalted SHA-256 is enough to store them:
only the hash is kept, and a lookup by hash finds the row.

Which machine a report is stored under (its key) is decided here too, from the reported
machine id and the board's SMBIOS UUID (`machine.hardware_uuid`), kept with the credential:
- PCs cloned from one image without sysprep share a MachineGuid but not a board: a report
  whose machine id is enrolled with another hardware UUID is a clone, stored as its own
  machine under a key derived from both, enrolled with the token like any new PC (a clone
  that carries the image's credential is answered "not enrolled" and does just that);
- a reinstalled PC (new MachineGuid, no agent state) whose board is already enrolled is
  stored under that machine's key, so it stays one PC;
- an agent whose machine id changed while its state folder (credential) was kept goes on
  reporting for the same machine: its credential moves to the new id.
Each of these is written to the audit log for the officers to see. Two enrollments with a
token wait for an administrator instead (`held.py`): a reinstall that would rename its
machine or move it to another unit, and a machine id already enrolled with nothing to tell
the new agent apart from the enrolled one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

from collector.formats.timefmt import now_stored
from collector.store import audit, held
from collector.store.db import write_transaction
from collector.store.users import check_unit_code
from shared.report import canonical_machine_id, canonical_uuid

TOKEN_PREFIX = "avre_"
CREDENTIAL_PREFIX = "avrm_"
MAX_SECRET_LENGTH = 200
PROPOSED_CREDENTIAL = re.compile(CREDENTIAL_PREFIX + r"[A-Za-z0-9_-]{40,190}")


class NotAuthenticated(Exception):
    """The request carries no valid enrollment token or machine credential."""


class WrongMachine(Exception):
    """The report claims a machine that its sender may not report for."""

    def __init__(self, machine_id):
        super().__init__(
            f"machine id {machine_id} is enrolled with another credential: only "
            "that credential may report for it (an administrator can run `avroll "
            f"machines reset-credential {machine_id}` to let it enroll again)"
        )


class Refused(Exception):
    """A token may not enroll this machine: the machine was retired, or the token has
    enrolled as many machines as its limit allows. The message says which."""


class HeldForAdmin(Refused):
    """An enrollment only an administrator may let in (`held.py`): a "reinstall" (a new
    machine id on a known board) that would rename the machine or move it to another unit,
    or a machine id already enrolled, with nothing to tell the new agent from the old."""

    def __init__(self, request):
        self.request = request
        if request.kind == "reinstall":
            why = (
                f"this computer's board is enrolled as machine {request.stored_as}; a "
                "reinstall that renames it or moves it to another unit"
            )
        else:
            why = f"machine id {request.machine_id} is enrolled with another credential; this enrollment"
        super().__init__(
            f"{why} waits for an administrator to accept it (`avroll machines held`); "
            "the report is kept until then"
        )


class UnknownToken(ValueError):
    """No enrollment token has this id."""


class BadProposal(ValueError):
    """The credential an agent proposed is not one the collector would accept."""


@dataclass(frozen=True)
class Agent:
    """Who sent a report: an enrolled machine (by credential) or a new agent (by token)."""

    machine_id: str | None
    token_id: int | None
    unit_code: str | None  # the unit it was enrolled for; overrides the report's own
    proposed_credential: str | None = None  # with a token: the credential the agent made
    enrolled: Enrolled | None = None  # with a credential: its row, as read to identify it


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def bearer_secret(header):
    """The secret of an `Authorization: Bearer ...` header, or None."""
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    return secret


def identify(db, secret, proposed=None):
    """The agent a bearer secret belongs to (with the credential it proposes, when it
    enrolls with a token); NotAuthenticated when the secret is nobody's."""
    if not secret:
        raise NotAuthenticated
    digest = secret_hash(secret)
    row = db.execute(
        f"SELECT {ENROLLED_COLUMNS} FROM machine_credentials "  # noqa: S608
        "WHERE credential_hash = ?",
        [digest],
    ).fetchone()
    if row is not None:
        enrolled = Enrolled(*row)
        return Agent(
            machine_id=enrolled.machine_id,
            token_id=None,
            unit_code=enrolled.unit_code,
            enrolled=enrolled,
        )
    row = db.execute(
        "SELECT token_id, unit_code FROM enrollment_tokens "
        "WHERE token_hash = ? AND revoked_at IS NULL",
        [digest],
    ).fetchone()
    if row is not None:
        if proposed is not None and not PROPOSED_CREDENTIAL.fullmatch(proposed):
            raise BadProposal("X-Avroll-Credential is not a credential the collector accepts")
        return Agent(
            machine_id=None, token_id=row[0], unit_code=row[1], proposed_credential=proposed
        )
    raise NotAuthenticated


# Names clones' keys: uuid5 of the shared machine id and the clone's own board.
CLONE_NAMESPACE = uuid.UUID("6f1d8a52-8c3e-4b7e-9a4f-2d5c7b1e0a93")


def clone_key(machine_id, hardware_uuid):
    """The key a clone of `machine_id` with its own board is stored under."""
    return str(uuid.uuid5(CLONE_NAMESPACE, f"{machine_id}|{hardware_uuid}"))


ENROLLED_COLUMNS = "machine_id, credential_hash, unit_code, hardware_uuid, stored_as"


@dataclass(frozen=True)
class Enrolled:
    """A machine_credentials row."""

    machine_id: str
    credential_hash: str
    unit_code: str | None
    hardware_uuid: str | None
    stored_as: str | None

    @property
    def key(self):
        return self.stored_as or self.machine_id


@dataclass(frozen=True)
class Admission:
    """How a report is admitted: the machine it is stored under, what to write first."""

    key: str
    unit_code: str | None
    enroll: str | None = None  # a machine id to enroll with the token
    take_over: str | None = None  # a machine id whose credential an accepted request replaces
    credential: str | None = None  # the proposal of a retried enrollment, answered again
    move_from: str | None = None  # the credential's old machine id (the id changed)
    learn_uuid: bool = False  # the row has no hardware UUID yet: keep the report's
    event: str | None = None  # an audit action: machines.clone, .reinstall, .new_id


def _enrolled(db, machine_id):
    row = db.execute(
        f"SELECT {ENROLLED_COLUMNS} FROM machine_credentials "  # noqa: S608
        "WHERE machine_id = ?",
        [machine_id],
    ).fetchone()
    return None if row is None else Enrolled(*row)


def _stored_into(db, key):
    """Some credential reports into the machine `key` (it is a machine's key)."""
    return (
        db.execute("SELECT 1 FROM machine_credentials WHERE stored_as = ?", [key]).fetchone()
        is not None
    )


def _matches(proposed, row):
    return proposed is not None and secrets.compare_digest(
        secret_hash(proposed), row.credential_hash
    )


def check(db, agent, machine_id, hardware_uuid=None, reread=True, hostname=None):
    """The Admission of a report for `machine_id` from `agent`; WrongMachine when refused,
    HeldForAdmin while an administrator has not decided it, Refused when they refused it.
    Without `reread`, a credential's row is the one read to identify the agent (the check
    before the write; the write transaction checks again with the row as it is then).

    A credential reports for its own machine (and that machine's clones and new ids, see
    above); a token enrolls only a machine that has no credential yet (else anyone holding a
    unit's token could pose as its PCs), a clone, again the machine whose credential the
    agent proposes (a retried enrollment), or what an administrator accepted (`held.py`)."""
    hardware_uuid = canonical_uuid(hardware_uuid) if hardware_uuid else None
    if agent.machine_id is not None:
        row = agent.enrolled if not reread and agent.enrolled else _enrolled(db, agent.machine_id)
        return _by_credential(db, row, machine_id, hardware_uuid)
    row = _enrolled(db, machine_id)
    if row is None and _stored_into(db, machine_id):
        raise WrongMachine(machine_id)  # its agent now reports under a new id
    if row is None:
        twin = (
            hardware_uuid
            and db.execute(
                "SELECT coalesce(stored_as, machine_id), unit_code FROM machine_credentials "
                "WHERE hardware_uuid = ? ORDER BY enrolled_at DESC LIMIT 1",
                [hardware_uuid],
            ).fetchone()
        )
        if twin:
            _reinstall_allowed(db, agent, twin, machine_id, hardware_uuid, hostname)
        return Admission(
            key=twin[0] if twin else machine_id,
            unit_code=agent.unit_code,
            enroll=machine_id,
            event="machines.reinstall" if twin else None,
        )
    if hardware_uuid and row.hardware_uuid and hardware_uuid != row.hardware_uuid:
        # A clone, perhaps proposing the credential it found in the image: it gets its own.
        key = clone_key(machine_id, hardware_uuid)
        clone = _enrolled(db, key)
        if clone is None:
            return Admission(key=key, unit_code=agent.unit_code, enroll=key, event="machines.clone")
        if _matches(agent.proposed_credential, clone):
            return Admission(
                key=clone.key, unit_code=clone.unit_code, credential=agent.proposed_credential
            )
        raise WrongMachine(machine_id)
    if _matches(agent.proposed_credential, row):  # the same agent enrolling again
        return Admission(key=row.key, unit_code=row.unit_code, credential=agent.proposed_credential)
    # The PC that lost its agent's state, or someone squatting its id: an administrator says.
    _accepted(
        db,
        agent,
        held.Request(
            kind="known_id",
            machine_id=machine_id,
            hardware_uuid=hardware_uuid,
            stored_as=row.key,
            hostname=hostname or "",
            unit_code=agent.unit_code,
            current_hostname=_hostname(db, row.key),
            current_unit=row.unit_code,
        ),
    )
    return Admission(
        key=row.key,
        unit_code=agent.unit_code,
        enroll=machine_id,
        take_over=machine_id,
        event="machines.takeover",
    )


def _hostname(db, key):
    found = db.execute("SELECT hostname FROM machines WHERE machine_id = ?", [key]).fetchone()
    return found and found[0]


def _reinstall_allowed(db, agent, twin, machine_id, hardware_uuid, hostname):
    """HeldForAdmin when a reinstall would move the machine `twin` stands for to another
    unit (the token's) or give it another name (`hostname`, when given), unless an
    administrator accepted it."""
    key, twin_unit = twin
    current = _hostname(db, key)
    renamed = (
        hostname is not None and current is not None and current.casefold() != hostname.casefold()
    )
    unit_code = agent.unit_code
    moved = (
        unit_code is not None and twin_unit is not None and unit_code.upper() != twin_unit.upper()
    )
    if renamed or moved:
        _accepted(
            db,
            agent,
            held.Request(
                kind="reinstall",
                machine_id=machine_id,
                hardware_uuid=hardware_uuid,
                stored_as=key,
                hostname=hostname or "",
                unit_code=unit_code,
                current_hostname=current,
                current_unit=twin_unit,
            ),
        )


def _proposal_hash(agent):
    return agent.proposed_credential and secret_hash(agent.proposed_credential)


def _accepted(db, agent, request):
    """Return when an administrator accepted `request` from this agent (its token, its
    proposed credential); Refused when they refused it; HeldForAdmin while it waits."""
    found = held.find(db, request.machine_id, agent.token_id)
    if found is not None and found.proposed_by(_proposal_hash(agent)):
        if found.decision == "accepted":
            return
        if found.decision == "refused":
            raise Refused(
                f"an administrator refused this enrollment (held request {found.held_id})"
            )
    raise HeldForAdmin(request)


def hold(db, agent, held_for):
    """Keep the request `held_for` (a HeldForAdmin) for an administrator, in the caller's
    write transaction: one row per machine id and token, however often the agent tries."""
    return held.hold(db, held_for.request, agent.token_id, _proposal_hash(agent))


def _by_credential(db, row, machine_id, hardware_uuid):
    if row is None:
        raise NotAuthenticated  # reset while the report was on its way
    same_board = hardware_uuid is None or row.hardware_uuid in (None, hardware_uuid)
    if machine_id in (row.machine_id, row.key):  # its id, or the one it had before
        if same_board:
            return Admission(
                key=row.key,
                unit_code=row.unit_code,
                learn_uuid=hardware_uuid is not None and row.hardware_uuid is None,
            )
        # The image's credential copied to a clone: "not enrolled", so that the clone
        # enrolls with the token as a machine of its own and gets its own credential.
        raise NotAuthenticated
    if hardware_uuid and row.machine_id == clone_key(machine_id, hardware_uuid):
        return Admission(key=row.key, unit_code=row.unit_code)  # a clone enrolled earlier
    if _enrolled(db, machine_id) is None and not _stored_into(db, machine_id):
        # The id changed; the agent's state (its credential) is the same.
        return Admission(
            key=row.key, unit_code=row.unit_code, move_from=row.machine_id, event="machines.new_id"
        )
    raise WrongMachine(machine_id)


def admit(db, agent, machine_id, hardware_uuid=None, hostname=None):
    """In the report's write transaction: check again, enroll or move as decided.

    Returns the Admission, with the credential to send back (None when the agent has one)."""
    if (
        agent.token_id is not None
        and db.execute(
            "SELECT 1 FROM enrollment_tokens WHERE token_id = ? AND revoked_at IS NULL",
            [agent.token_id],
        ).fetchone()
        is None
    ):
        raise NotAuthenticated  # revoked while the report was on its way
    decided = check(db, agent, machine_id, hardware_uuid, hostname=hostname)
    hardware_uuid = canonical_uuid(hardware_uuid) if hardware_uuid else None
    now = now_stored()
    if decided.learn_uuid:
        db.execute(
            "UPDATE machine_credentials SET hardware_uuid = ? WHERE machine_id = ?",
            [hardware_uuid, agent.machine_id],
        )
    if decided.move_from:
        db.execute(
            "UPDATE machine_credentials SET machine_id = ?, stored_as = ?, "
            "hardware_uuid = coalesce(?, hardware_uuid) WHERE machine_id = ?",
            [machine_id, decided.key, hardware_uuid, decided.move_from],
        )
    credential = decided.credential
    if decided.enroll:
        refuse_enrollment(db, agent.token_id, {decided.enroll, decided.key})
        held.release(db, machine_id, agent.token_id)
        if decided.take_over:  # accepted by an administrator: the old credential goes
            db.execute("DELETE FROM machine_credentials WHERE machine_id = ?", [decided.take_over])
        credential = agent.proposed_credential
        if (
            credential is None
            or db.execute(
                "SELECT 1 FROM machine_credentials WHERE credential_hash = ?",
                [secret_hash(credential)],
            ).fetchone()
            is not None
        ):
            credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
        db.execute(
            "INSERT INTO machine_credentials (machine_id, credential_hash, token_id, "
            "unit_code, enrolled_at, hardware_uuid, stored_as) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                decided.enroll,
                secret_hash(credential),
                agent.token_id,
                agent.unit_code,
                now,
                hardware_uuid,
                None if decided.key == decided.enroll else decided.key,
            ],
        )
        db.execute(
            "UPDATE enrollment_tokens SET enrolled_count = enrolled_count + 1, "
            "last_used_at = ? WHERE token_id = ?",
            [now, agent.token_id],
        )
    if decided.event:
        audit.record(
            db,
            "agent",
            decided.event,
            {"machine_id": machine_id, "hardware_uuid": hardware_uuid, "stored_as": decided.key},
        )
    return Admission(key=decided.key, unit_code=decided.unit_code, credential=credential)


def refuse_enrollment(db, token_id, machine_ids):
    """Refused when a machine was retired (its fakes must not come back with another token)
    or the token has enrolled as many machines as its limit."""
    for machine_id in machine_ids:
        if (
            machine_id
            and db.execute(
                "SELECT 1 FROM machine_retirements WHERE machine_id = ?", [machine_id]
            ).fetchone()
            is not None
        ):
            raise Refused("this machine was retired: an administrator must bring it back")
    if (
        db.execute(
            "SELECT 1 FROM enrollment_tokens WHERE token_id = ? AND machine_limit IS NOT "
            "NULL AND enrolled_count >= machine_limit",
            [token_id],
        ).fetchone()
        is not None
    ):
        raise Refused("this enrollment token has enrolled as many machines as its limit")


def create_token(db, actor, unit_code=None, note=None, machine_limit=None):
    """A new enrollment token (returned once, stored as a hash) and its id; with
    `machine_limit`, it enrolls at most that many machines."""
    if unit_code is not None:
        unit_code = check_unit_code(db, unit_code)
    if machine_limit is not None and not 1 <= int(machine_limit) <= 1_000_000:
        raise ValueError("a machine limit is a whole number from 1 to 1000000")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db):
        token_id = db.execute(
            "INSERT INTO enrollment_tokens (token_hash, unit_code, note, created_at, created_by, "
            "machine_limit) VALUES (?, ?, ?, ?, ?, ?)",
            [
                secret_hash(token),
                unit_code,
                note,
                now_stored(),
                actor,
                machine_limit and int(machine_limit),
            ],
        ).lastrowid
        audit.record(
            db,
            actor,
            "tokens.create",
            {
                "token_id": token_id,
                "unit_code": unit_code,
                "note": note,
                "machine_limit": machine_limit and int(machine_limit),
            },
        )
    return token_id, token


def list_tokens(db):
    return list(
        db.query(
            "SELECT token_id, unit_code, note, created_at, created_by, enrolled_count, "
            "machine_limit, last_used_at, revoked_at FROM enrollment_tokens ORDER BY token_id"
        )
    )


def revoke_token(db, actor, token_id):
    """Revoke a token: it enrolls nobody from now on; machines it enrolled keep reporting."""
    with write_transaction(db):
        changed = db.execute(
            "UPDATE enrollment_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            [now_stored(), token_id],
        ).rowcount
        if (
            not changed
            and db.execute(
                "SELECT 1 FROM enrollment_tokens WHERE token_id = ?", [token_id]
            ).fetchone()
            is None
        ):
            raise UnknownToken(token_id)
        if changed:
            audit.record(db, actor, "tokens.revoke", {"token_id": token_id})
    return bool(changed)


def reset_credential(db, actor, machine_id):
    """Forget a machine's credentials, so its agent can enroll again with a token.

    `machine_id` is the id its agent reports or the machine's key as the pages show it (the
    two differ after a reinstall or a changed id), in any spelling."""
    machine_id = canonical_machine_id(machine_id)
    with write_transaction(db):
        changed = db.execute(
            "DELETE FROM machine_credentials WHERE machine_id = ? OR stored_as = ?",
            [machine_id, machine_id],
        ).rowcount
        if changed:
            audit.record(db, actor, "machines.reset_credential", {"machine_id": machine_id})
    return bool(changed)

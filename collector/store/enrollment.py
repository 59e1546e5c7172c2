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
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.users import check_unit_code
from shared.report import canonical_machine_id

TOKEN_PREFIX = "avre_"
CREDENTIAL_PREFIX = "avrm_"
MAX_SECRET_LENGTH = 200
PROPOSED_CREDENTIAL = re.compile(CREDENTIAL_PREFIX + r"[A-Za-z0-9_-]{40,190}")


class NotAuthenticated(Exception):
    """The request carries no valid enrollment token or machine credential."""


class WrongMachine(Exception):
    """The report claims a machine that its sender may not report for."""


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
    row = db.execute("SELECT machine_id, unit_code FROM machine_credentials "
                     "WHERE credential_hash = ?", [digest]).fetchone()
    if row is not None:
        return Agent(machine_id=row[0], token_id=None, unit_code=row[1])
    row = db.execute("SELECT token_id, unit_code FROM enrollment_tokens "
                     "WHERE token_hash = ? AND revoked_at IS NULL", [digest]).fetchone()
    if row is not None:
        if proposed is not None and not PROPOSED_CREDENTIAL.fullmatch(proposed):
            raise BadProposal("X-Avroll-Credential is not a credential the collector accepts")
        return Agent(machine_id=None, token_id=row[0], unit_code=row[1],
                     proposed_credential=proposed)
    raise NotAuthenticated


def check(db, agent, machine_id):
    """Raise WrongMachine unless `agent` may report for `machine_id`; return the enrolled
    machine's (unit code,) row when a token re-enrolls it with the same credential.

    A credential reports for its own machine only; a token enrolls only a machine that
    has no credential yet (else anyone holding a unit's token could pose as its PCs),
    or again the machine whose credential the agent proposes (a retried enrollment)."""
    if agent.machine_id is not None:
        if agent.machine_id != machine_id:
            raise WrongMachine(machine_id)
        return None
    row = db.execute("SELECT credential_hash, unit_code FROM machine_credentials "
                     "WHERE machine_id = ?", [machine_id]).fetchone()
    if row is None:
        return None
    proposed = agent.proposed_credential
    if proposed is None or not secrets.compare_digest(secret_hash(proposed), row[0]):
        raise WrongMachine(machine_id)
    return (row[1],)


def admit(db, agent, machine_id):
    """In the report's write transaction: check again, enroll a new machine.

    Returns the unit the machine is enrolled for (or None) and its new credential (None
    when it already had one)."""
    if agent.token_id is not None and db.execute(
            "SELECT 1 FROM enrollment_tokens WHERE token_id = ? AND revoked_at IS NULL",
            [agent.token_id]).fetchone() is None:
        raise NotAuthenticated  # revoked while the report was on its way
    enrolled = check(db, agent, machine_id)
    if agent.machine_id is not None:
        return agent.unit_code, None
    if enrolled is not None:  # the same agent enrolling again: its answer was lost
        return enrolled[0], agent.proposed_credential
    credential = agent.proposed_credential or CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    now = now_stored()
    db.execute("INSERT INTO machine_credentials (machine_id, credential_hash, token_id, "
               "unit_code, enrolled_at) VALUES (?, ?, ?, ?, ?)",
               [machine_id, secret_hash(credential), agent.token_id, agent.unit_code, now])
    db.execute("UPDATE enrollment_tokens SET enrolled_count = enrolled_count + 1, "
               "last_used_at = ? WHERE token_id = ?", [now, agent.token_id])
    return agent.unit_code, credential


def create_token(db, actor, unit_code=None, note=None):
    """A new enrollment token (returned once, stored as a hash) and its id."""
    if unit_code is not None:
        unit_code = check_unit_code(db, unit_code)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db):
        token_id = db.execute(
            "INSERT INTO enrollment_tokens (token_hash, unit_code, note, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [secret_hash(token), unit_code, note, now_stored(), actor]).lastrowid
        audit.record(db, actor, "tokens.create",
                     {"token_id": token_id, "unit_code": unit_code, "note": note})
    return token_id, token


def list_tokens(db):
    return list(db.query(
        "SELECT token_id, unit_code, note, created_at, created_by, enrolled_count, "
        "last_used_at, revoked_at FROM enrollment_tokens ORDER BY token_id"))


def revoke_token(db, actor, token_id):
    """Revoke a token: it enrolls nobody from now on; machines it enrolled keep reporting."""
    with write_transaction(db):
        changed = db.execute("UPDATE enrollment_tokens SET revoked_at = ? "
                             "WHERE token_id = ? AND revoked_at IS NULL",
                             [now_stored(), token_id]).rowcount
        if not changed and db.execute("SELECT 1 FROM enrollment_tokens WHERE token_id = ?",
                                      [token_id]).fetchone() is None:
            raise UnknownToken(token_id)
        if changed:
            audit.record(db, actor, "tokens.revoke", {"token_id": token_id})
    return bool(changed)


def reset_credential(db, actor, machine_id):
    """Forget a machine's credential, so its agent can enroll again with a token."""
    machine_id = canonical_machine_id(machine_id)
    with write_transaction(db):
        changed = db.execute("DELETE FROM machine_credentials WHERE machine_id = ?",
                             [machine_id]).rowcount
        if changed:
            audit.record(db, actor, "machines.reset_credential", {"machine_id": machine_id})
    return bool(changed)

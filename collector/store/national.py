"""A national collector's store: the provinces' push credentials, and what each province
pushed, kept as it signed it.

A national collector is avroll with the role `nation` (`avroll serve --role nation`): its
units are the provinces. Each province pushes (`avroll push`) its appendix as of each day and
every report it issued; here they are stored as sent, dated, with the moment they arrived
and the province's clock skew. Nothing is ever recounted: a day's figures are the
province's. A resend of the same figures changes nothing; different figures for a day
already stored (the province dated a retirement back) are kept as a new version beside the
first, and the newest is shown. An issued report is never rewritten: different files under
a number and date already stored are refused.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.enrollment import secret_hash
from collector.store.users import check_unit_code

ROLES = ("province", "nation")
PUSH_PREFIX = "avrp_"


class NotNational(Exception):
    """This collector is a province's, not a national one."""


class IssuedRewrite(Exception):
    """A push would rewrite an issued report already stored (another file, other bytes)."""


class UnknownCredential(LookupError):
    """No push credential has this id."""


def role(db):
    """`province` (the default) or `nation`."""
    row = db.execute("SELECT role FROM collector_role").fetchone()
    return row[0] if row else "province"


def set_role(db, actor, new_role):
    """Make this collector a province's or the nation's (audited when it changes)."""
    if new_role not in ROLES:
        raise ValueError(f"the role is one of {', '.join(ROLES)}")
    with write_transaction(db):
        if role(db) == new_role:
            return
        db.execute("DELETE FROM collector_role")
        db.execute("INSERT INTO collector_role (role) VALUES (?)", [new_role])
        audit.record(db, actor, "collector.role", {"role": new_role})


def create_credential(db, actor, province):
    """A push credential bound to `province` (a unit of this national collector), returned
    once and kept as its hash; and its id."""
    province = check_unit_code(db, province)
    secret = PUSH_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db):
        credential_id = db.execute(
            "INSERT INTO push_credentials (province, credential_hash, created_at, created_by) "
            "VALUES (?, ?, ?, ?)",
            [province, secret_hash(secret), now_stored(), actor],
        ).lastrowid
        audit.record(
            db, actor, "push_credentials.create", {"id": credential_id, "province": province}
        )
    return credential_id, secret


def credentials(db):
    return list(
        db.query(
            "SELECT id, province, created_at, created_by, revoked_at "
            "FROM push_credentials ORDER BY id"
        )
    )


def revoke_credential(db, actor, credential_id):
    with write_transaction(db):
        changed = db.execute(
            "UPDATE push_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [now_stored(), credential_id],
        ).rowcount
        if (
            not changed
            and db.execute(
                "SELECT 1 FROM push_credentials WHERE id = ?", [credential_id]
            ).fetchone()
            is None
        ):
            raise UnknownCredential(credential_id)
        if changed:
            audit.record(db, actor, "push_credentials.revoke", {"id": credential_id})
    return bool(changed)


def province_of(db, secret):
    """The province a push credential is bound to, or None (unknown, revoked, or not a
    national collector)."""
    if not secret or not secret.startswith(PUSH_PREFIX) or role(db) != "nation":
        return None
    row = db.execute(
        "SELECT province FROM push_credentials WHERE credential_hash = ? AND revoked_at IS NULL",
        [secret_hash(secret)],
    ).fetchone()
    return row[0] if row else None


def _log(db, province, what, skew):
    db.execute(
        "INSERT INTO national_pushes (province, received_at, clock_skew_seconds, what) "
        "VALUES (?, ?, ?, ?)",
        [province, now_stored(), skew, what],
    )


def store_day(db, province, as_of, figures, computed_at, skew):
    """Keep a province's figures as of a day; "stored", "unchanged" (the same figures were
    stored already) or "new version"."""
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with write_transaction(db):
        latest = db.execute(
            "SELECT version, sha256 FROM national_days WHERE province = ? AND "
            "as_of = ? ORDER BY version DESC LIMIT 1",
            [province, as_of],
        ).fetchone()
        _log(db, province, f"day {as_of}", skew)
        if latest is not None and latest[1] == digest:
            return "unchanged"
        db.execute(
            "INSERT INTO national_days (province, as_of, version, figures, sha256, "
            "computed_at, received_at, clock_skew_seconds) VALUES (?, ?, ?, ?, ?, ?, "
            "?, ?)",
            [
                province,
                as_of,
                (latest[0] + 1) if latest else 1,
                text,
                digest,
                computed_at,
                now_stored(),
                skew,
            ],
        )
    return "stored" if latest is None else "new version"


def store_issued(db, province, report, files, skew):
    """Keep an issued report of a province with its files (`{filename: bytes}`) byte for
    byte: "stored", "unchanged", or IssuedRewrite when it would change one already kept."""
    key = [province, report["number"], report["issued_on"], report.get("parent") or ""]
    sent = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
    with write_transaction(db):
        kept = dict(
            db.execute(
                "SELECT filename, sha256 FROM national_issued_files WHERE "
                "province = ? AND number = ? AND issued_on = ? AND parent = ?",
                key,
            ).fetchall()
        )
        _log(db, province, f"issued {report['number']} {report['issued_on']}", skew)
        if kept:
            if kept != sent:
                raise IssuedRewrite(
                    f"report số {report['number']} ngày {report['issued_on']} "
                    "was issued already with other files: an issued report "
                    "is never rewritten"
                )
            return "unchanged"
        db.execute(
            "INSERT INTO national_issued (province, number, issued_on, parent, as_of, "
            "issued_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*key, report["as_of"], report["issued_at"], now_stored()],
        )
        db.conn.executemany(
            "INSERT INTO national_issued_files (province, number, issued_on, parent, filename, "
            "body, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*key, name, body, sent[name]) for name, body in files.items()],
        )
    return "stored"


def pushed_state(db, province):
    """What a province has pushed: its last day, and the issued reports kept (number, date,
    issuer: '' for the province, else the unit)."""
    last = db.execute(
        "SELECT max(as_of) FROM national_days WHERE province = ?", [province]
    ).fetchone()[0]
    issued = [
        list(row)
        for row in db.execute(
            "SELECT number, issued_on, parent FROM national_issued WHERE province = ? "
            "ORDER BY issued_on, number, parent",
            [province],
        )
    ]
    return {"province": province, "last_day": last, "issued": issued}


def day_figures(db, province, as_of):
    """The newest figures a province pushed for a day (a dict), with when they came; None."""
    row = db.execute(
        "SELECT figures, version, received_at, computed_at, clock_skew_seconds "
        "FROM national_days WHERE province = ? AND as_of = ? "
        "ORDER BY version DESC LIMIT 1",
        [province, as_of],
    ).fetchone()
    if row is None:
        return None
    return {
        "figures": json.loads(row[0]),
        "version": row[1],
        "received_at": row[2],
        "computed_at": row[3],
        "clock_skew_seconds": row[4],
    }


def latest_days(db, on_or_before=None):
    """Each province's newest day pushed on or before a day (all when None), newest version:
    `{province: (as_of, figures)}`."""
    found = {}
    for province, as_of, figures in db.execute(
        "SELECT d.province, d.as_of, d.figures FROM national_days d WHERE d.version = ("
        "SELECT max(version) FROM national_days WHERE province = d.province AND "
        "as_of = d.as_of) AND d.as_of = (SELECT max(as_of) FROM national_days WHERE "
        "province = d.province AND (:day IS NULL OR as_of <= :day))",
        {"day": on_or_before},
    ):
        found[province] = (as_of, json.loads(figures))
    return found


def days_of(db, province):
    """Every day a province pushed, oldest first, newest version: `[(as_of, figures)]`."""
    return [
        (as_of, json.loads(figures))
        for as_of, figures in db.execute(
            "SELECT as_of, figures FROM national_days d WHERE province = ? AND version = ("
            "SELECT max(version) FROM national_days WHERE province = d.province AND "
            "as_of = d.as_of) ORDER BY as_of",
            [province],
        )
    ]


def last_pushes(db):
    """Each province's last push (any request that carried its credential)."""
    return dict(
        db.execute(
            "SELECT province, max(received_at) FROM national_pushes GROUP BY province"
        ).fetchall()
    )


def issued_list(db, province=None):
    """Issued reports kept, newest first, with their files' names, sizes and SHA-256."""
    reports = [
        dict(row)
        for row in db.query(
            "SELECT province, number, issued_on, as_of, parent, issued_at, received_at FROM "
            "national_issued WHERE :province IS NULL OR province = :province "
            "ORDER BY issued_on DESC, province, number",
            {"province": province},
        )
    ]
    for report in reports:
        report["files"] = list(
            db.query(
                "SELECT filename, length(body) AS size, sha256 FROM national_issued_files WHERE "
                "province = ? AND number = ? AND issued_on = ? AND parent = ? ORDER BY filename",
                [report["province"], report["number"], report["issued_on"], report["parent"]],
            )
        )
    return reports


def issued_file(db, province, number, issued_on, parent, filename):
    """The bytes of one file of a kept issued report, as the province issued it, or None;
    `parent` '' for the province's own."""
    row = db.execute(
        "SELECT body FROM national_issued_files WHERE province = ? AND number = ? "
        "AND issued_on = ? AND parent = ? AND filename = ?",
        [province, number, issued_on, parent, filename],
    ).fetchone()
    return None if row is None else bytes(row[0])

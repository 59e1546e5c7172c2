"""Failed logins counted per account *and* address, in the database, with growing delays.

An account is never locked for everyone: a guesser slows down only their own address (per
account, and over all accounts), so the real officer logs in from their own PC meanwhile.
The counters live in the database, so a restart does not give a guesser fresh attempts.
"""

from __future__ import annotations

import ipaddress
import math

from collector.store.db import write_transaction

FREE_PER_ACCOUNT = 5  # failures for one account from one address before delays start
FREE_PER_ADDRESS = 30  # failures from one address over all accounts
FIRST_DELAY_SECONDS = 30  # then doubled at each further failure
MAX_DELAY_SECONDS = 3600
FORGET_AFTER_SECONDS = 24 * 3600  # a day without a failure starts the count again


def address_key(address):
    """The address as counted: an IPv6 address by its /64 (one host holds a whole /64)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return str(address)[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _keys(username, address):
    where = address_key(address)
    return (
        (f"account:{username}@{where}", FREE_PER_ACCOUNT),
        (f"address:{where}", FREE_PER_ADDRESS),
    )


def delay_after(failures, free):
    """Seconds to wait after `failures` failures when `free` of them cost nothing."""
    if failures < free:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20))


def wait_seconds(db, username, address, now):
    """Whole seconds this address must wait before trying `username` again (0: it may)."""
    longest = 0.0
    for key, free in _keys(username, address):
        row = db.execute(
            "SELECT failures, last_failed_at FROM login_failures WHERE key = ?", [key]
        ).fetchone()
        if row is None or now - row[1] >= FORGET_AFTER_SECONDS:
            continue
        longest = max(longest, row[1] + delay_after(row[0], free) - now)
    return max(0, math.ceil(longest))


def record_failure(db, username, address, now):
    """Count one failed login (forgetting counts a day old)."""
    with write_transaction(db):
        db.execute(
            "DELETE FROM login_failures WHERE last_failed_at < ?", [now - FORGET_AFTER_SECONDS]
        )
        for key, _free in _keys(username, address):
            db.execute(
                """INSERT INTO login_failures (key, failures, last_failed_at)
                          VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET
                          failures = failures + 1, last_failed_at = excluded.last_failed_at""",
                [key, now],
            )


def record_success(db, username, address):
    """A right password from this address clears that account's count there."""
    with write_transaction(db):
        db.execute("DELETE FROM login_failures WHERE key = ?", [_keys(username, address)[0][0]])

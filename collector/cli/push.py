"""A province sends its figures up: `avroll push --to URL`, and the nightly run of `avroll
serve` when `--push-to` is set.

It asks the national collector what it keeps already (`GET /api/v1/national/state`), then
sends each day after that one, through yesterday, oldest first (`POST .../days`, one day a
request), then each issued report not kept there (`POST .../issued`). Every request carries
the province's push credential and the moment it was sent (the national side measures the
clock skew from it, as for agents). A failure stops the push where it is; the next push
starts from what the national collector kept, so an outage loses nothing and a resend
changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from collector.exports.national_push import day_payload, days_to_send, issued_payloads

SENT_AT_HEADER = "X-Avroll-Sent-At"
TIMEOUT_SECONDS = 60


class PushFailed(Exception):
    """The national collector refused a push or could not be reached; the message says
    which request and why."""


@dataclass
class Pushed:
    """What one push sent and what the national collector made of it."""

    days: dict = field(default_factory=dict)  # as_of -> stored / unchanged / new version
    issued: dict = field(default_factory=dict)  # "number issued_on" -> stored / unchanged


def credential_file(db_path):
    """Where a province keeps its push credential: beside the database, mode 0600."""
    return Path(db_path).with_name(Path(db_path).name + ".push-credential")


def read_credential(db_path):
    """The push credential: AVROLL_PUSH_CREDENTIAL, else the file beside the database."""
    secret = os.environ.get("AVROLL_PUSH_CREDENTIAL", "").strip()
    if secret:
        return secret
    path = credential_file(db_path)
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    raise PushFailed(
        f"no push credential: set AVROLL_PUSH_CREDENTIAL or write it to {path} (mode 0600)"
    )


def http_post_get(url, credential):
    """The transport: (method, path, json) -> (status, answer), over requests."""
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {credential}"

    def send(method, path, body=None):
        sent_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            answer = session.request(
                method,
                url.rstrip("/") + path,
                json=body,
                timeout=TIMEOUT_SECONDS,
                headers={SENT_AT_HEADER: sent_at},
            )
        except requests.RequestException as exc:
            raise PushFailed(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        try:
            parsed = answer.json()
        except ValueError:
            parsed = {"error": answer.text[:200]}
        return answer.status_code, parsed

    return send


def _check(status, answer, what):
    if status not in (200, 201):
        problems = "; ".join(str(item) for item in (answer.get("errors") or [])[:5])
        raise PushFailed(
            f"{what}: {status} {answer.get('error', '')}" + (f" ({problems})" if problems else "")
        )


def push(db, send, through=None):
    """Send what the national collector lacks (`send` from `http_post_get`); Pushed, or
    PushFailed at the first refusal (what was sent before it stays sent)."""
    done = Pushed()
    status, state = send("GET", "/api/v1/national/state")
    _check(status, state, "GET /api/v1/national/state")
    for as_of in days_to_send(db, state.get("last_day"), through):
        status, answer = send("POST", "/api/v1/national/days", day_payload(db, as_of))
        _check(status, answer, f"day {as_of}")
        done.days[as_of] = answer["result"]
    for report in issued_payloads(db, state.get("issued") or ()):
        status, answer = send("POST", "/api/v1/national/issued", report)
        _check(status, answer, f"issued report {report['number']} {report['issued_on']}")
        done.issued[f"{report['number']} {report['issued_on']}"] = answer["result"]
    return done


def summary(done):
    """One line for the console and the log."""
    days = sorted(done.days)
    sent = f"{len(days)} day(s)" + (f" ({days[0]} to {days[-1]})" if days else "")
    return f"pushed {sent} and {len(done.issued)} issued report(s)"

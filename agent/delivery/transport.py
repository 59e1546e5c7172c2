"""Delivering a report to the collector: a URL, a payload, a time limit, a checked answer."""

from __future__ import annotations

import json
from datetime import datetime, timezone

REPORTS_PATH = "/api/v1/reports"

# The collector refuses the agent itself (not this report) with these: the credential or the
# URL is wrong, so every report would meet the same answer; they wait in the spool instead.
AGENT_REFUSED_STATUSES = (401, 403, 404, 405, 407)
BUSY_STATUSES = (408, 425, 429)
# The agent's clock when it sends; the collector measures the PC's clock skew from it.
SENT_AT_HEADER = "X-Avroll-Sent-At"


class SendError(Exception):
    """The collector did not receive the report, or refused it."""

    retry = True  # a later attempt in this run may succeed


class Unreachable(SendError):
    """The collector could not be reached or did not answer in time."""


class ServerBusy(SendError):
    """The collector answered with a temporary failure (5xx, 408 or 429)."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class Rejected(SendError):
    """The collector refused this report; resending the same report will not help."""

    retry = False


class AgentRefused(SendError):
    """The collector refused this agent (credential or URL); the report waits for a fix."""

    retry = False


class NotEnrolled(AgentRefused):
    """The collector knows neither this machine's credential nor the enrollment token (401)."""


def send_report(server, report, timeout=15.0, session=None, token=None, verify=True,
                proposed_credential=None):
    """POST `report` to the collector at `server`; return its JSON answer or raise SendError.

    `token` (enrollment token or machine credential) goes in an `Authorization: Bearer`
    header; with an enrollment token, `proposed_credential` (the one this machine saved)
    goes in `X-Avroll-Credential`; `verify` is True (system CAs) or the path of a CA
    bundle, as in requests.
    """
    import requests  # imported here: it costs more than the whole collection at start-up

    url = server.rstrip("/") + REPORTS_PATH
    try:
        body = json.dumps(report, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError as exc:  # NaN or Infinity: no collector could read it, ever
        raise Rejected(f"the report holds a value JSON cannot carry: {exc}") from None
    headers = {"Content-Type": "application/json", SENT_AT_HEADER: sent_at()}
    if token:
        headers["Authorization"] = "Bearer " + token
    if proposed_credential:
        headers["X-Avroll-Credential"] = proposed_credential
    http = session or requests
    try:
        response = http.post(url, data=body, timeout=timeout, headers=headers, verify=verify)
    except requests.Timeout:
        raise Unreachable(f"no answer from {url} within {timeout:g} s") from None
    except requests.exceptions.SSLError as exc:
        raise Unreachable(f"cannot reach {url}: TLS certificate not trusted ({exc})") from None
    except requests.RequestException as exc:
        raise Unreachable(f"cannot reach {url}: {type(exc).__name__}") from None
    except OSError as exc:  # e.g. a CA bundle path that does not exist
        raise Unreachable(f"cannot reach {url}: {exc}") from None
    if response.status_code in (200, 201):
        return _json(response)
    reason = str(_json(response).get("error") or response.reason or "")[:200]
    message = f"collector answered {response.status_code} {reason}".strip()
    if response.status_code in BUSY_STATUSES or response.status_code >= 500:
        raise ServerBusy(message, _retry_after(response))
    if response.status_code == 401:
        raise NotEnrolled(message)
    if response.status_code in AGENT_REFUSED_STATUSES:
        raise AgentRefused(message)
    raise Rejected(message)


def sent_at():
    """This PC's clock now (UTC): the collector compares it with its own to find the skew."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _retry_after(response):
    """Seconds the collector asked us to wait (`Retry-After` in seconds), or None."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

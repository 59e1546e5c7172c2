"""Delivering a report to the collector: a URL, a payload, a time limit, a checked answer."""

from __future__ import annotations

import requests

REPORTS_PATH = "/api/v1/reports"


class SendError(Exception):
    """The collector did not receive the report, or refused it."""

    retry = True  # a later attempt may succeed


class Unreachable(SendError):
    """The collector could not be reached or did not answer in time."""


class Rejected(SendError):
    """The collector answered that the report is not acceptable; resending will not help."""

    retry = False


class ServerBusy(SendError):
    """The collector answered with a temporary failure (5xx or 429)."""


def send_report(server, report, timeout=15.0, session=None):
    """POST `report` to the collector at `server`; return its JSON answer or raise SendError."""
    url = server.rstrip("/") + REPORTS_PATH
    http = session or requests
    try:
        response = http.post(url, json=report, timeout=timeout)
    except requests.RequestException as exc:
        raise Unreachable(f"cannot reach {url}: {type(exc).__name__}") from None
    if response.status_code in (200, 201):
        return _json(response)
    reason = _json(response).get("error") or response.reason or ""
    message = f"collector answered {response.status_code} {reason}".strip()
    if response.status_code == 429 or response.status_code >= 500:
        raise ServerBusy(message)
    raise Rejected(message)


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

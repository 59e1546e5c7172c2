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


class NotEnrolled(Rejected):
    """The collector accepted neither the enrollment token nor the machine credential (401)."""


class ServerBusy(SendError):
    """The collector answered with a temporary failure (5xx or 429)."""


def send_report(server, report, timeout=15.0, session=None, token=None, verify=True):
    """POST `report` to the collector at `server`; return its JSON answer or raise SendError.

    `token` (an enrollment token or this machine's credential) goes in the Authorization
    header; `verify` is requests' TLS check: True, or the path of a CA bundle."""
    url = server.rstrip("/") + REPORTS_PATH
    http = session or requests
    headers = {"Authorization": "Bearer " + token} if token else {}
    try:
        response = http.post(url, json=report, headers=headers, timeout=timeout, verify=verify)
    except requests.exceptions.SSLError as exc:
        raise Unreachable(f"cannot reach {url}: TLS certificate not trusted ({exc})") from None
    except requests.RequestException as exc:
        raise Unreachable(f"cannot reach {url}: {type(exc).__name__}") from None
    if response.status_code in (200, 201):
        return _json(response)
    reason = _json(response).get("error") or response.reason or ""
    message = f"collector answered {response.status_code} {reason}".strip()
    if response.status_code == 429 or response.status_code >= 500:
        raise ServerBusy(message)
    if response.status_code == 401:
        raise NotEnrolled(message)
    raise Rejected(message)


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

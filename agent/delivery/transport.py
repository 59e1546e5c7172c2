"""Delivering a report to the collector: a URL, a payload, a time limit, a checked answer.

The agent trusts nothing that answers (a captive portal, a misrouted proxy, a hostile host):
the whole exchange, name lookup to last byte, ends by its time limit; at most 64 KiB of
headers (capped_http.py) and 64 KiB of body are read; no redirect is followed; and only the
collector's acknowledgement (200 or 201, JSON, `"ok": true`, naming this report's id)
counts as delivered. Anything else leaves the report in the spool.
"""

from __future__ import annotations

import json
import queue
import threading
from datetime import datetime, timezone

from shared.report import canonical_report_id

REPORTS_PATH = "/api/v1/reports"
MAX_ANSWER_BYTES = 64 * 1024  # the collector's answer is under 2 KiB
READ_PIECE = 16 * 1024

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


class NotAcknowledged(SendError):
    """What answered is not the collector's acknowledgement of this report (a captive portal,
    a proxy, an answer too large): the report waits in the spool for the next run."""

    retry = False


class Rejected(SendError):
    """The collector refused this report; resending the same report will not help."""

    retry = False


class AgentRefused(SendError):
    """The collector refused this agent (credential or URL); the report waits for a fix."""

    retry = False


class NotEnrolled(AgentRefused):
    """The collector knows neither this machine's credential nor the enrollment token (401)."""


class WaitingForAdmin(AgentRefused):
    """The collector holds this machine's enrollment until one of its administrators accepts
    it (`403` with `"held": true`): the reports wait in the spool, and this run sends no more."""


class Answer:
    """An HTTP answer read within its limits: status, reason, headers and body bytes."""

    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body


def send_report(
    server, report, timeout=15.0, session=None, token=None, verify=True, proposed_credential=None
):
    """POST `report` to the collector at `server`; return its acknowledgement (a dict) or
    raise SendError. `timeout` bounds the whole exchange, not each read.

    `token` (enrollment token or machine credential) goes in an `Authorization: Bearer`
    header; with an enrollment token, `proposed_credential` (the one this machine saved)
    goes in `X-Avroll-Credential`; `verify` is True (system CAs) or the path of a CA
    bundle, as in requests.
    """
    # Imported here, in this thread: requests costs more than the whole collection at
    # start-up, and an import is best not left half done in a thread abandoned at the deadline.
    from agent.delivery.capped_http import capped_session

    url = server.rstrip("/") + REPORTS_PATH
    try:
        body = json.dumps(report, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError as exc:  # NaN or Infinity: no collector could read it, ever
        raise Rejected(f"the report holds a value JSON cannot carry: {exc}") from None
    # identity: a compressed answer could unpack to any size
    headers = {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        SENT_AT_HEADER: sent_at(),
    }
    if token:
        headers["Authorization"] = "Bearer " + token
    if proposed_credential:
        headers["X-Avroll-Credential"] = proposed_credential
    http = session or capped_session(MAX_ANSWER_BYTES)
    try:
        answer = within(
            timeout,
            f"no answer from {url} within {timeout:.1f} s",
            lambda abandoned: _exchange(http, url, body, headers, verify, timeout, abandoned),
        )
    finally:
        if session is None:  # ours; a late thread's connection is closed when it is done
            http.close()
    return _checked(answer, url, report["report_id"])


def within(seconds, late_message, work):
    """`work(abandoned)`'s result, or Unreachable(`late_message`) after `seconds`.

    The work runs in a thread of its own, so nothing an answerer does (a name lookup that
    hangs, headers or a body dripped a byte at a time) outlasts the deadline: per-read
    timeouts cannot see a byte every few seconds. A late thread is left to end by itself
    (it is told through `abandoned`, holds at most one capped answer, and dies with the
    process); what it received no longer matters.
    """
    results = queue.Queue(maxsize=1)
    abandoned = threading.Event()

    def run():
        try:
            results.put((True, work(abandoned)))
        except BaseException as exc:  # handed to the waiting caller, raised there
            results.put((False, exc))

    threading.Thread(target=run, name="avroll-send", daemon=True).start()
    try:
        succeeded, outcome = results.get(timeout=max(0.0, seconds))
    except queue.Empty:
        abandoned.set()
        raise Unreachable(late_message) from None
    if not succeeded:
        raise outcome
    return outcome


def _exchange(http, url, body, headers, verify, timeout, abandoned):
    """One POST, its answer read within MAX_ANSWER_BYTES; SendError for what went wrong."""
    import requests
    from urllib3.exceptions import HTTPError as ReadError

    from agent.delivery.capped_http import HeadersTooLarge, raised_within

    try:
        response = http.post(
            url,
            data=body,
            timeout=timeout,
            headers=headers,
            verify=verify,
            stream=True,
            allow_redirects=False,
        )
    except requests.Timeout:
        raise Unreachable(f"no answer from {url} within {timeout:.1f} s") from None
    except requests.exceptions.SSLError as exc:
        raise Unreachable(
            f"cannot reach {url}: TLS certificate not trusted ({printable(str(exc))[:300]})"
        ) from None
    except requests.RequestException as exc:
        if raised_within(exc, HeadersTooLarge):
            raise NotAcknowledged(f"{url} answered with headers larger than 64 KiB") from None
        raise Unreachable(f"cannot reach {url}: {type(exc).__name__}") from None
    except OSError as exc:  # e.g. a CA bundle path that does not exist
        raise Unreachable(f"cannot reach {url}: {exc}") from None
    with response:
        try:
            content = _read_capped(response.raw, abandoned)
        except (ReadError, OSError) as exc:
            raise Unreachable(
                f"the answer from {url} was cut short: {type(exc).__name__}"
            ) from None
        if content is None:
            raise NotAcknowledged(f"{url} answered with a body larger than 64 KiB")
    return Answer(response.status_code, response.reason, response.headers, content)


def _read_capped(raw, abandoned):
    """The body's bytes as sent (never decompressed), or None past MAX_ANSWER_BYTES."""
    pieces, size = [], 0
    while size <= MAX_ANSWER_BYTES and not abandoned.is_set():
        piece = raw.read(min(READ_PIECE, MAX_ANSWER_BYTES + 1 - size), decode_content=False)
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return None if size > MAX_ANSWER_BYTES else b"".join(pieces)


def _checked(answer, url, report_id):
    """The acknowledgement in `answer`, or the SendError its status means."""
    if answer.status in (200, 201):
        return _acknowledgement(answer, url, report_id)
    if 300 <= answer.status < 400:
        location = printable(answer.headers.get("Location") or "elsewhere")[:200]
        raise AgentRefused(
            f"collector answered {answer.status} redirect to {location}, not "
            "followed: give the collector's own URL (--server)"
        )
    reason = printable(str(_json(answer).get("error") or answer.reason or ""))[:200]
    message = f"collector answered {answer.status} {reason}".strip()
    if answer.status in BUSY_STATUSES or answer.status >= 500:
        raise ServerBusy(message, _retry_after(answer))
    if answer.status == 401:
        raise NotEnrolled(message)
    if answer.status == 403 and _json(answer).get("held") is True:
        raise WaitingForAdmin(
            f"waiting for an administrator of the collector to accept this computer's "
            f"enrollment ({message})"
        )
    if answer.status in AGENT_REFUSED_STATUSES:
        raise AgentRefused(message)
    if answer.status < 400:  # 1xx left over, 204, 206...: no acknowledgement
        raise NotAcknowledged(
            f"{url} answered {answer.status}: not the collector's acknowledgement"
        )
    raise Rejected(message)


def _acknowledgement(answer, url, report_id):
    """The collector's JSON answer to a stored report (collector/web/api.py) when `answer`
    is one for `report_id`; NotAcknowledged otherwise."""
    body = _json(answer) if _media_type(answer) == "application/json" else {}
    if (
        body.get("ok") is True
        and isinstance(body.get("duplicate", False), bool)
        and _same_report(body.get("report_id"), report_id)
    ):
        return body
    what = _media_type(answer) or "no content type"
    raise NotAcknowledged(
        f"{url} answered {answer.status} ({printable(what)[:60]}), but not "
        f"the collector's acknowledgement of report {report_id} (a captive "
        "portal? a proxy?)"
    )


def _same_report(named, report_id):
    if not isinstance(named, str):
        return False
    try:
        return canonical_report_id(named) == canonical_report_id(report_id)
    except ValueError:
        return False


def _media_type(answer):
    return (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def printable(text):
    """`text` as one line that can be logged or printed: another host wrote it."""
    return "".join(char if char.isprintable() else "?" for char in text)


def sent_at():
    """This PC's clock now (UTC): the collector compares it with its own to find the skew."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _retry_after(answer):
    """Seconds the collector asked us to wait (`Retry-After` in seconds), or None."""
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _json(answer):
    try:
        body = json.loads(answer.body.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}

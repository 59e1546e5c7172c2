"""This machine's credential: made here, saved in the state directory, then enrolled.

The agent makes its credential and saves it *before* its first report, and proposes it to
the collector along with the enrollment token. So an enrollment whose answer is lost on
the network is not lost: the next run sends the saved credential, which the collector
already knows (or, if the first report never arrived, enrolls again with the same one).

The file holds a secret, so it is written readable by its owner only (on Windows the
state directory under %ProgramData% is protected by its ACL instead), and atomically, so
a crash never leaves half a credential.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
import time

from agent.delivery.transport import (
    AgentRefused,
    NotAcknowledged,
    NotEnrolled,
    Unreachable,
    send_report,
)

log = logging.getLogger("avroll")

CREDENTIAL_FILE = "credential"
CREDENTIAL_PREFIX = "avrm_"
# The documented form, as the collector checks a proposed one (collector/store/enrollment.py):
# the prefix and 40 to 190 URL-safe base64 characters. Nothing else is ever stored or sent.
CREDENTIAL_FORM = re.compile(CREDENTIAL_PREFIX + r"[A-Za-z0-9_-]{40,190}")


class CredentialError(AgentRefused):
    """The credential file could not be read or written, or holds no credential: the
    report waits in the spool until that is fixed."""


def load_credential(state_dir):
    """The stored credential, or None when there is none yet."""
    path = os.path.join(state_dir, CREDENTIAL_FILE)
    try:
        with open(path, encoding="ascii", errors="replace") as stored:
            credential = stored.read(1024).strip()  # a credential is under 200 characters
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CredentialError(f"cannot read {path}: {exc}") from None
    if credential and not CREDENTIAL_FORM.fullmatch(credential):
        # Never sent as it is (a line break would be a header of its own). Enrolling again
        # needs the collector to forget the old one first.
        raise CredentialError(
            f"{path} does not hold a credential (avrm_ and 40 to 190 letters, digits, - or _): "
            "put the saved one back, or delete the file after the collector's admin runs "
            "`avroll machines reset-credential`"
        )
    return credential or None


def save_credential(state_dir, credential):
    """Store the credential (mode 0600), replacing any previous one in one step."""
    path = os.path.join(state_dir, CREDENTIAL_FILE)
    try:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".credential-", dir=state_dir)
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:  # mkstemp makes it 0600
                out.write(credential + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise CredentialError(f"cannot write {path}: {exc}") from None
    return path


def new_credential():
    """A fresh 256-bit machine credential, in the collector's format."""
    return CREDENTIAL_PREFIX + secrets.token_urlsafe(32)


def send_enrolled(config, report, timeout):
    """Send with this machine's credential; when the collector does not know it yet (or no
    longer), enroll with the token, proposing that same credential. Both sends together
    take at most `timeout` seconds."""
    until = time.monotonic() + timeout
    credential = load_credential(config.state_dir)
    if credential is None:
        credential = new_credential()
        save_credential(config.state_dir, credential)  # before sending: never lost
    try:
        return _issued_checked(
            send_report(
                config.server, report, timeout=timeout, token=credential, verify=config.verify
            )
        )
    except NotEnrolled:
        if not config.token:
            raise NotEnrolled(
                "this computer is not enrolled yet: enroll it with --token TOKEN "
                "(or AVROLL_TOKEN, or token= in agent.ini)"
            ) from None
    left = until - time.monotonic()
    if left <= 0:
        raise Unreachable(f"no time left to enroll within {timeout:g} s")
    answer = _issued_checked(
        send_report(
            config.server,
            report,
            timeout=left,
            token=config.token,
            verify=config.verify,
            proposed_credential=credential,
        )
    )
    issued = answer.get("credential")
    if issued and issued != credential:  # a collector that makes its own credentials
        try:
            save_credential(config.state_dir, issued)
        except CredentialError as exc:
            log.error("report delivered, but the credential was not kept: %s", exc)
    return answer


def _issued_checked(answer):
    """`answer` when the credential it may carry has the documented form; else nothing of it
    is kept and the report stays spooled (a collector makes its credentials in that form)."""
    issued = answer.get("credential")
    if issued is None or (isinstance(issued, str) and CREDENTIAL_FORM.fullmatch(issued)):
        return answer
    raise NotAcknowledged(
        "the answer carries a credential not in its documented form (avrm_ and 40 to 190 "
        "letters, digits, - or _); nothing of it was stored"
    )

"""This machine's credential: issued by the collector at enrollment, kept in the state directory.

The file holds a secret, so it is written readable by its owner only (on Windows the
state directory under %ProgramData% is protected by its ACL instead), and atomically, so
a crash never leaves half a credential.
"""

from __future__ import annotations

import logging
import os
import tempfile

from agent.transport import NotEnrolled, send_report

log = logging.getLogger("avroll")

CREDENTIAL_FILE = "credential"


class CredentialError(Exception):
    """The credential file could not be read or written."""


def load_credential(state_dir):
    """The stored credential, or None when there is none yet."""
    path = os.path.join(state_dir, CREDENTIAL_FILE)
    try:
        with open(path, encoding="ascii") as stored:
            credential = stored.read().strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialError(f"cannot read {path}: {exc}") from None
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


def send_enrolled(config, report, timeout):
    """Send with this machine's credential; enroll with the token when it has none (or the
    collector no longer knows it), keeping the credential the collector answers with."""
    credential = load_credential(config.state_dir)
    if credential:
        try:
            return send_report(config.server, report, timeout=timeout, token=credential,
                               verify=config.verify)
        except NotEnrolled:
            if not config.token:
                raise
    if not config.token:
        raise NotEnrolled("this computer has no credential yet: enroll it with --token TOKEN "
                          "(or AVROLL_TOKEN, or token= in agent.ini)")
    answer = send_report(config.server, report, timeout=timeout, token=config.token,
                         verify=config.verify)
    if answer.get("credential"):
        try:
            save_credential(config.state_dir, answer["credential"])
        except CredentialError as exc:
            log.error("report delivered, but the credential was not kept: %s", exc)
    return answer

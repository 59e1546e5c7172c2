"""This machine's credential: issued by the collector at enrollment, kept in the state directory.

The file holds a secret, so it is written readable by its owner only (on Windows the
state directory under %ProgramData% is protected by its ACL instead), and atomically, so
a crash never leaves half a credential.
"""

from __future__ import annotations

import os
import sys
import tempfile

CREDENTIAL_FILE = "credential"


class CredentialError(Exception):
    """The credential file could not be read or written."""


def default_state_dir():
    """AVROLL_STATE_DIR, else %ProgramData%\\avroll on Windows, /var/lib/avroll elsewhere."""
    if os.environ.get("AVROLL_STATE_DIR"):
        return os.environ["AVROLL_STATE_DIR"]
    if sys.platform == "win32":
        return os.path.join(os.environ.get("ProgramData", r"C:\ProgramData"), "avroll")
    return "/var/lib/avroll"


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

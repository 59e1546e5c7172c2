"""`python -m collector.cli.enroll_here URL DB STATE_DIR`, for `make run`: send this
machine's report with the real agent. Only when the agent holds no credential yet, a token
is made for this one enrolment and revoked right after, so no unused token is left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from collector.store import enrollment, migrations
from collector.store.db import open_db

ACTOR = "make run"
CREDENTIAL_FILE = "credential"  # the agent's, in its state directory (agent/delivery)


def send_report(url, db_path, state_dir):
    """Run `avroll-agent send` against `url`; return its exit code."""
    agent = Path(sys.executable).with_name("avroll-agent")
    env = dict(os.environ, AVROLL_STATE_DIR=str(state_dir))
    token_id = None
    if not (Path(state_dir) / CREDENTIAL_FILE).exists():
        db = open_db(db_path)
        try:
            migrations.apply(db)
            token_id, env["AVROLL_TOKEN"] = enrollment.create_token(db, ACTOR, note=ACTOR)
        finally:
            db.close()
    try:
        return subprocess.run(
            [str(agent), "send", "--server", url],
            env=env,  # noqa: S603
            check=False,
        ).returncode
    finally:
        if token_id is not None:
            db = open_db(db_path)
            try:
                enrollment.revoke_token(db, ACTOR, token_id)
            finally:
                db.close()


if __name__ == "__main__":
    sys.exit(send_report(*sys.argv[1:4]))

"""`python -m collector.cli.wait_ready URL [PID]`: wait until a collector answers, for
scripts; with the server's PID, give up as soon as that process has ended."""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from pathlib import Path

HEALTH_PATH = "/api/v1/health"


def running(pid):
    """False once process `pid` has ended (a zombie left for its shell to reap counts)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        return stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def wait_ready(url, seconds=30.0, pid=None):
    """True once `url` answers its health check; False after `seconds`, or as soon as the
    server process `pid` (when given) has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pid is not None and not running(pid):
            return False
        try:
            with urllib.request.urlopen(url.rstrip("/") + HEALTH_PATH, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


if __name__ == "__main__":
    if not wait_ready(sys.argv[1], pid=int(sys.argv[2]) if len(sys.argv) > 2 else None):
        print(f"collector at {sys.argv[1]} did not start", file=sys.stderr)
        sys.exit(1)

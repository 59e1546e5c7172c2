"""`python -m collector.cli.wait_ready URL`: wait until a collector answers, for scripts."""

from __future__ import annotations

import sys
import time
import urllib.request

HEALTH_PATH = "/api/v1/health"


def wait_ready(url, seconds=30.0):
    """True once `url` answers its health check, False after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url.rstrip("/") + HEALTH_PATH, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


if __name__ == "__main__":
    if not wait_ready(sys.argv[1]):
        print(f"collector at {sys.argv[1]} did not start", file=sys.stderr)
        sys.exit(1)

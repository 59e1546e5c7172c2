"""`python -m collector.cli.port_free HOST PORT`: say so and fail when another program (a
collector started earlier) already listens there, before `make run` starts a second one."""

from __future__ import annotations

import errno
import socket
import sys


def port_taken_message(host, port):
    """None when `host`:`port` can be listened on, else what to tell the officer."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if sys.platform != "win32":  # as waitress does: a port in TIME_WAIT is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                return (
                    f"port {port} on {host} is taken: avroll (or another program) is "
                    f"already listening there. Stop it, or choose another port "
                    f"(avroll serve --port N, make run PORT=N)."
                )
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


if __name__ == "__main__":
    taken = port_taken_message(sys.argv[1], int(sys.argv[2]))
    if taken:
        print(f"avroll: {taken}", file=sys.stderr)
        sys.exit(1)

"""Running probes so that one that fails costs a line in `errors`, never the report."""

from __future__ import annotations

import subprocess


class ProbeError(Exception):
    """A probe could not read what it looks for."""


class CommandTimeout(ProbeError):
    """A command did not finish in time; `output` holds what it printed before it was stopped."""

    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output


def attempt(errors, what, probe, *args, default=None):
    """Return `probe(*args)`, or `default` after recording why it failed in `errors`."""
    try:
        return probe(*args)
    except Exception as exc:  # a probe's failure must never stop the report
        errors.append(f"{what}: {describe(exc)}")
        return default


def describe(exc):
    """One line about an exception, without a traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def run_command(args, timeout, input_text=None):
    """Run a program and return its standard output; ProbeError if it fails or hangs."""
    creationflags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flash on Windows
    try:
        done = subprocess.run(
            args, input=input_text, capture_output=True, timeout=timeout,
            creationflags=creationflags,
        )
    except subprocess.TimeoutExpired as exc:
        # run() has killed the process; what it printed so far is still worth reading.
        partial = (exc.stdout or b"").decode("utf-8", "replace")
        raise CommandTimeout(f"{args[0]} did not answer within {timeout} s", partial) from None
    except OSError as exc:
        raise ProbeError(f"cannot run {args[0]}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ProbeError("{} exited with {}{}".format(
            args[0], done.returncode, ": " + detail[-1][:200] if detail else ""))
    return done.stdout.decode("utf-8", "replace")


def read_text(path):
    """A small text file's content, stripped; ProbeError if it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ProbeError(f"cannot read {path}: {exc.strerror or exc}") from None


def text_or_none(value):
    """A raw value as stripped text, or None when it is missing or blank."""
    text = str(value).strip() if value is not None else ""
    return text or None

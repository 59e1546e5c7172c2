"""Running probes so that one that fails costs a line in `errors`, never the report."""

from __future__ import annotations


class ProbeError(Exception):
    """A probe could not read what it looks for."""


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

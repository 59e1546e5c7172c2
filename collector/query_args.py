"""Reading numbers and yes/no flags from a request's query string, forgivingly."""

from __future__ import annotations

from flask import request


def int_arg(name, default):
    """`?name=` as a whole number; `default` when absent or not a number."""
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def flag_arg(name):
    """`?name=` as True/False (1, true, yes are true); None when absent or empty."""
    value = request.args.get(name)
    return None if value in (None, "") else value.lower() in ("1", "true", "yes")

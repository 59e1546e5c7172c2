"""Reading a page's query string the same way on every page: page numbers, dates, flags;
and a listing's page answered in one JSON shape."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for

from collector.store.paging import MAX_PAGE
from collector.web.errors import json_error, wants_json
from shared.report import text_problem

# Line breaks and tabs are text in a text area; every other control character is not.
LAYOUT = str.maketrans("", "", "\t\r\n")


def page_number():
    """`?page=`, a whole number from 1; anything else is page 1."""
    try:
        return min(max(1, int(request.args.get("page", 1))), MAX_PAGE)
    except ValueError:
        return 1


def machines_answer(page):
    """One page of machines as every listing of the JSON API answers it."""
    return jsonify(
        {
            "ok": True,
            "machines": page.rows,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
        }
    )


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


def text_arg(name):
    """A query argument without surrounding spaces; None when absent or empty."""
    return request.args.get(name, "").strip() or None


def choice_arg(name, choices):
    """A query argument that must be one of `choices` (None when absent); 400 otherwise."""
    value = text_arg(name)
    if value is not None and value not in choices:
        abort(400)
    return value


def export_url(endpoint, **args):
    """The URL of an export, leaving out the arguments that are empty."""
    return url_for(endpoint, **{key: value for key, value in args.items() if value})


def refuse_what_is_not_text():
    """Before every request: a form field or query argument holding a control character or
    a noncharacter (the report's rule) is refused with 400, before any page stores it
    (a unit name pasted from Word with Shift+Enter, a signer's name with U+0001)."""
    for name, value in (*request.args.items(multi=True), *request.form.items(multi=True)):
        problem = text_problem(value.translate(LAYOUT))
        if problem is None:
            continue
        message = f"{name[:40]}: {problem}"
        if wants_json():
            return json_error(400, message)
        return render_template("error.html", status=400, message=message), 400
    return None

"""The naming guideline as this collector applies it: the rule from settings and units, and
the advice an agent shows its user."""

from __future__ import annotations

import hashlib

from collector.store import settings
from collector.store.db import write_transaction
from shared.naming import EXAMPLES, NamingRule, is_netbios_name

# The tag of the unit codes and the codes, read in one statement (one snapshot), so a tag
# is never paired with codes another process committed after it.
UNIT_CODES = """SELECT tag, (SELECT group_concat(code, char(10))
                             FROM (SELECT code FROM units ORDER BY code))
                FROM units_version"""
PATTERN_AND_UNITS_TAG = """SELECT (SELECT value FROM settings WHERE key = 'naming_pattern'),
                                 tag FROM units_version"""
RULES_KEPT = 16
_rules: dict[
    tuple, NamingRule
] = {}  # (pattern, units tag) -> NamingRule, shared by the server's threads


def naming_rule(db, pattern=None):
    """The naming pattern in force, compiled over the unit codes now known.

    The compiled rule is kept in memory under the units' tag (migrations: m017), which a
    trigger changes with every unit added, removed, recoded or moved by any process, so a
    report costs one read of the tag instead of reading every unit code again."""
    stored, tag = db.execute(PATTERN_AND_UNITS_TAG).fetchone()
    pattern = pattern or settings.parsed("naming_pattern", stored)
    rule = _rules.get((pattern, tag))
    if rule is None:
        tag, codes = db.execute(UNIT_CODES).fetchone()
        rule = NamingRule(pattern, codes.split("\n") if codes else ())
        if len(_rules) >= RULES_KEPT:
            _rules.clear()
        _rules[(pattern, tag)] = rule
    return rule


def _fingerprint(rule):
    text = rule.pattern + "\n" + ",".join(rule.unit_codes)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def units_of_names(db, names):
    """`(name, unit)` for each of `names` under the rule in force: what `hostname_units`
    holds for it, or will once brought up to date, without reading it (a read of a few
    machines, as the answer to each report, need not wait for it)."""
    rule = naming_rule(db)
    return [(name, rule.unit_of(name)) for name in names]


def pending_hostname_units(db):
    """What `refresh_hostname_units()` would write, without writing: `(whole, rows)`, rows
    of (name, unit) for the names it lacks, `whole` when they replace every row (the pattern
    or the unit codes changed)."""
    whole, rows, _ = _pending(db)
    return whole, rows


def _pending(db):
    rule = naming_rule(db)
    fingerprint = _fingerprint(rule)
    state = db.execute("SELECT fingerprint, last_report_rowid FROM hostname_units_state").fetchone()
    newest = db.execute("SELECT coalesce(max(rowid), 0) FROM reports").fetchone()[0]
    if state == (fingerprint, newest):
        return False, [], None
    whole = state is None or state[0] != fingerprint
    after = 0 if whole else state[1]
    return (
        whole,
        [
            (name, rule.unit_of(name))
            for (name,) in db.execute(
                "SELECT DISTINCT hostname FROM reports WHERE rowid > ? AND rowid <= ?",
                [after, newest],
            ).fetchall()
        ],
        (fingerprint, newest),
    )


def refresh_hostname_units(db):
    """Bring `hostname_units` up to the rule in force: every reported name with the unit it
    follows. Recomputed whole when the pattern or the unit codes change, else only the
    names of reports stored since the last refresh."""
    whole, rows, stamp = _pending(db)
    if stamp is None:
        return
    with write_transaction(db):
        if whole:
            db.execute("DELETE FROM hostname_units")
        # REPLACE: a name reported again after a new rule was applied in steps
        # (`rename_reports`) may still hold the unit of the rule before.
        db.conn.executemany(
            "INSERT OR REPLACE INTO hostname_units (hostname, unit) VALUES (?, ?)", rows
        )
        _stamp(db, *stamp)


def _stamp(db, fingerprint, last_report_rowid):
    db.execute("DELETE FROM hostname_units_state")
    db.execute("INSERT INTO hostname_units_state VALUES (?, ?)", [fingerprint, last_report_rowid])


def rule_changed(db):
    """The fingerprint of the rule in force when the stored names follow another one (a
    new pattern, new unit codes), else None."""
    fingerprint = _fingerprint(naming_rule(db))
    state = db.execute("SELECT fingerprint FROM hostname_units_state").fetchone()
    return None if state is not None and state[0] == fingerprint else fingerprint


def rename_reports(db, after, upto):
    """Store the unit the rule in force gives each name of the reports with rowids in
    (`after`, `upto`]: a share of applying a new rule to every name, in the caller's
    transaction (whole, it takes seconds at 300,000 machines)."""
    rule = naming_rule(db)
    db.conn.executemany(
        "INSERT OR REPLACE INTO hostname_units (hostname, unit) VALUES (?, ?)",
        [
            (name, rule.unit_of(name))
            for (name,) in db.execute(
                "SELECT DISTINCT hostname FROM reports WHERE rowid > ? AND rowid <= ?",
                [after, upto],
            )
        ],
    )


def renamed(db, fingerprint, upto):
    """The names of the reports up to rowid `upto` all follow the rule of `fingerprint`
    (`rename_reports`): the later ones are added as usual."""
    _stamp(db, fingerprint, upto)


# Each part of a naming pattern as an officer would say it (the advice is in Vietnamese).
PART_WORDS = {
    "unit": "mã đơn vị ({code})",
    "any": "phần phân biệt máy (chữ, chữ số hoặc dấu gạch ngang, ví dụ {example})",
    "n": "số thứ tự (chữ số, ví dụ {example})",
    "text": "phần chữ cái (ví dụ {example})",
}


def pattern_in_words(rule, unit_code):
    """The naming rule written out for a unit: "mã đơn vị (SXD), dấu gạch ngang, rồi …",
    never the template itself."""
    said = []
    for kind, value in rule.parts:
        if kind == "literal":
            said.append("dấu gạch ngang" if value == "-" else f"“{value}”")
        else:
            said.append(PART_WORDS[value].format(code=unit_code, example=EXAMPLES.get(value, "")))
    return ", ".join(said[:-1]) + (", rồi " if len(said) > 1 else "") + said[-1]


def naming_answer(db, hostname, enrolled_code=None, counted=None):
    """`{follows_guideline, unit_code, pattern, advice}` for one computer name, advice in
    Vietnamese (for the machine page and the agent's `status` command) with a real example
    for the unit the machine was enrolled for. `counted`: the machine's row as counting has
    it (`unit`, `conflict`), so the advice says where it is counted."""
    rule = naming_rule(db)
    unit_code = rule.unit_of(hostname)
    code = (enrolled_code or "MADV").upper()
    example, rule_words = rule.example(code), pattern_in_words(rule, code)
    if unit_code and counted and not counted["seen"]:
        advice = (
            f"Tên máy {hostname} đúng hướng dẫn; máy hiện không được tính cho đơn vị nào "
            "(đã thôi tính hoặc quá hạn báo cáo)."
        )
    elif unit_code and counted and counted["conflict"]:
        advice = (
            f"Tên máy {hostname} đúng hướng dẫn cho đơn vị {unit_code}, nhưng máy được "
            f"đăng ký bằng mã của đơn vị {code}: máy không được tính cho đơn vị nào cho "
            "đến khi quản trị viên xác định đơn vị của máy."
        )
    elif unit_code and counted and counted["unit"] and counted["unit"] != unit_code:
        advice = (
            f"Tên máy {hostname} đúng hướng dẫn; máy được quản trị viên gán và được "
            f"tính cho đơn vị {counted['unit']}."
        )
    elif unit_code:
        advice = f"Tên máy {hostname} đúng hướng dẫn, máy được tính cho đơn vị {unit_code}."
    elif not is_netbios_name(hostname):
        advice = (
            f"Tên máy {hostname} không hợp lệ (quá 15 ký tự hoặc có ký tự ngoài chữ "
            f"không dấu, chữ số và dấu gạch ngang): hãy đổi tên gồm {rule_words}; "
            f"ví dụ {example}."
        )
    else:
        advice = (
            f"Tên máy {hostname} chưa đúng hướng dẫn: hãy đổi tên gồm {rule_words}; "
            f"ví dụ {example}."
        )
    return {
        "follows_guideline": unit_code is not None,
        "unit_code": unit_code,
        "pattern": rule.pattern,
        "advice": advice,
    }

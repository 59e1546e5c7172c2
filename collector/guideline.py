"""The naming guideline as this collector applies it: the rule from settings and units, and
the advice an agent shows its user."""

from __future__ import annotations

from functools import lru_cache

from collector import settings
from shared.naming import NamingRule, is_netbios_name


@lru_cache(maxsize=8)
def _compiled(pattern, unit_codes):
    return NamingRule(pattern, unit_codes)


def naming_rule(db, pattern=None):
    """The naming pattern in force, compiled over the unit codes now known."""
    pattern = pattern or settings.current(db)["naming_pattern"]
    codes = tuple(code for (code,) in db.execute("SELECT code FROM units ORDER BY code"))
    return _compiled(pattern, codes)


def naming_answer(db, hostname, enrolled_code=None):
    """`{follows_guideline, unit_code, pattern, advice}` for one computer name, advice in
    Vietnamese for the agent's `status` command."""
    rule = naming_rule(db)
    unit_code = rule.unit_of(hostname)
    if unit_code:
        advice = f"Tên máy {hostname} đúng hướng dẫn, máy được tính cho đơn vị {unit_code}."
    elif not is_netbios_name(hostname):
        advice = (f"Tên máy {hostname} không hợp lệ (quá 15 ký tự hoặc có ký tự ngoài chữ "
                  f"không dấu, chữ số và dấu gạch ngang): hãy đổi tên theo mẫu {rule.pattern}.")
    else:
        example = rule.example((enrolled_code or "MADV").upper())
        advice = (f"Tên máy {hostname} chưa đúng hướng dẫn: hãy đổi tên theo mẫu "
                  f"{rule.pattern}, trong đó {{unit}} là mã đơn vị (ví dụ {example}).")
    return {"follows_guideline": unit_code is not None, "unit_code": unit_code,
            "pattern": rule.pattern, "advice": advice}

"""The computer naming guideline: which Windows names are valid, and which unit a name names.

A province tells its units to name computers so the name says who owns them, e.g.
`{unit}-{any}` (`SXD-KT01` belongs to unit `SXD`). The pattern is a template an officer can
read; this module turns it into a matcher. Used by the collector (attribution, advice) and
available to the agent (Python 3.8, stdlib only).

Placeholders: `{unit}` a known unit code (exactly once), `{any}` one or more letters, digits
or hyphens, `{n}` one or more digits, `{text}` one or more letters. Anything else in the
pattern is matched literally. Matching is case-insensitive and covers the whole name; a
name that is not a valid NetBIOS name never matches.
"""

from __future__ import annotations

import re

NETBIOS_MAX = 15
NETBIOS_NAME = re.compile(rf"[A-Za-z0-9-]{{1,{NETBIOS_MAX}}}")
PATTERN_MAX = 100
PLACEHOLDERS = {
    "any": "[A-Za-z0-9-]+",
    "n": "[0-9]+",
    "text": "[A-Za-z]+",
}
EXAMPLES = {"any": "KT01", "n": "01", "text": "KT"}
TOKEN = re.compile(r"\{([^{}]*)\}|([{}])|([^{}]+)")
LITERAL = re.compile(r"[A-Za-z0-9-]+")


class PatternError(ValueError):
    """The naming pattern cannot be used: the message says why, for an officer."""


def is_netbios_name(name):
    """True for a name Windows accepts as a computer name: 1–15 letters, digits or hyphens,
    not digits only."""
    return bool(NETBIOS_NAME.fullmatch(name or "")) and not name.isdigit()


def parse_pattern(pattern):
    """The pattern as a list of ("literal", text) and ("placeholder", name) parts; raises
    PatternError when it cannot name a unit or could never match a valid name."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("the naming pattern is empty")
    if len(pattern) > PATTERN_MAX:
        raise PatternError(f"the naming pattern is longer than {PATTERN_MAX} characters")
    parts = []
    for placeholder, brace, literal in TOKEN.findall(pattern):
        if brace:
            raise PatternError(f"unmatched '{brace}' in the naming pattern")
        if literal:
            if not LITERAL.fullmatch(literal):
                raise PatternError(
                    f"'{literal}': a computer name may hold only letters, digits and hyphens"
                )
            parts.append(("literal", literal))
            continue
        name = placeholder.strip().lower()
        if name != "unit" and name not in PLACEHOLDERS:
            raise PatternError(
                f"unknown placeholder {{{placeholder}}}: use {{unit}}, {{any}}, {{n}} or {{text}}"
            )
        parts.append(("placeholder", name))
    units = sum(1 for part in parts if part == ("placeholder", "unit"))
    if units != 1:
        raise PatternError("the naming pattern must contain {unit} exactly once")
    return parts


def code_alternation(codes):
    """A regular expression matching exactly the given codes, as a trie so that 1,000 codes
    cost no more than a few; when codes overlap the longest one wins."""
    trie: dict = {}
    for code in codes:
        node = trie
        for char in code.upper():
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node):
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(trie) if trie else "(?!)"


class NamingRule:
    """A compiled naming pattern over a set of known unit codes."""

    def __init__(self, pattern, unit_codes):
        self.pattern = pattern
        self.unit_codes = tuple(unit_codes)
        self.parts = parse_pattern(pattern)
        pieces = []
        for kind, value in self.parts:
            if kind == "literal":
                pieces.append(re.escape(value))
            elif value == "unit":
                pieces.append(f"(?P<unit>{code_alternation(unit_codes)})")
            else:
                pieces.append(PLACEHOLDERS[value])
        self.regex = re.compile("".join(pieces), re.IGNORECASE)

    def unit_of(self, hostname):
        """The unit code the name follows the guideline for (upper case), or None."""
        # The pattern admits only letters, digits and hyphens, so a match is a valid
        # NetBIOS name once its length and "not only digits" are checked.
        if not hostname or len(hostname) > NETBIOS_MAX:
            return None
        match = self.regex.fullmatch(hostname)
        return match.group("unit").upper() if match and not hostname.isdigit() else None

    def example(self, unit_code):
        """A name that follows the pattern for this unit, to show an officer."""
        return "".join(
            value
            if kind == "literal"
            else unit_code.upper()
            if value == "unit"
            else EXAMPLES[value]
            for kind, value in self.parts
        )

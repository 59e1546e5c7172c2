"""Characters in a computer name that could pass for others: shown, so a look-alike name
(a Cyrillic `а` for a Latin `a`) cannot pose as another machine unseen.

Names are ASCII or Vietnamese (Latin letters with diacritics); anything else is pointed
out with its code point and Unicode name. Invisible characters are refused at the boundary
(shared/report.py), so what remains here is visible but possibly deceptive.
"""

from __future__ import annotations

import unicodedata


def unusual_characters(name):
    """Each distinct character of `name` outside ASCII and Latin letters, as
    `а (U+0430 CYRILLIC SMALL LETTER A)`, in order of appearance."""
    found = []
    for char in name or "":
        if char.isascii() or char in found:
            continue
        label = unicodedata.name(char, "")
        if label.startswith("LATIN ") or (
            unicodedata.category(char) == "Mn" and label.startswith("COMBINING ")
        ):
            continue
        found.append(char)
    return [f"{char} (U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')})" for char in found]

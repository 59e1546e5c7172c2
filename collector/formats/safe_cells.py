"""Cells for CSV and XLSX exports that a spreadsheet shows as text, never runs as a formula.

Hostnames, product names and unit names come from PCs and imported files; a cell such as
`=HYPERLINK("http://x","y")` would otherwise become a live formula in Excel or LibreOffice
(and openpyxl writes any string starting with `=` as a formula). Every text cell of every
export goes through `neutralise()`.

Text an XML file cannot hold (C0 controls but tab and line breaks, noncharacters, lone
surrogates) makes openpyxl and python-docx refuse the whole file, and C1 controls show as
boxes: `printable()` takes them out of every cell and run at write time, so a file is
written whatever is stored, rows kept from before the check at the boundary included.
"""

from __future__ import annotations

import re

# What makes a spreadsheet read a cell as a formula or a command (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Vertical tab (Word's Shift+Enter), form feed, the separators and NEL read as a space.
_SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)


def printable(value):
    """`value` with what is not text taken out (space-like controls as a space); values
    other than text pass unchanged."""
    if not isinstance(value, str) or _NOT_TEXT.search(value) is None:
        return value
    return _NOT_TEXT.sub(lambda found: " " if found.group() in _SPACE_LIKE else "", value)


def looks_like_formula(text):
    """True when `text`, or `text` once a spreadsheet trims its leading blanks (` =1`,
    `\t=1`, a no-break space), starts like a formula."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def neutralise(value):
    """The value to write in a cell: printable text, a leading `'` when it starts like a
    formula (blanks before it included); numbers, dates, booleans and None unchanged."""
    value = printable(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value

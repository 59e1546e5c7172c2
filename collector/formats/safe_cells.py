"""Cells for CSV and XLSX exports that a spreadsheet shows as text, never runs as a formula.

Hostnames, product names and unit names come from PCs and imported files; a cell such as
`=HYPERLINK("http://x","y")` would otherwise become a live formula in Excel or LibreOffice
(and openpyxl writes any string starting with `=` as a formula). Every text cell of every
export goes through `neutralise()`.
"""

from __future__ import annotations

# What makes a spreadsheet read a cell as a formula or a command (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text):
    """True when `text`, or `text` once a spreadsheet trims its leading blanks (` =1`,
    `\t=1`, a no-break space), starts like a formula."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def neutralise(value):
    """The value to write in a cell: text starting like a formula, blanks before it
    included, gets a leading `'`; numbers, dates, booleans and None pass unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value

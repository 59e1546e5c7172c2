"""The national appendix: the provinces' figures as each pushed them for a day, in the
province's appendix layout (`rollup_appendix.to_xlsx` and `csv_rows`), one row a province."""

from __future__ import annotations

from collector.counting.national import national_report
from collector.exports.files import export_file
from collector.exports.letterhead import letterhead
from collector.exports.rollup_appendix import csv_rows, to_xlsx


def build_national_appendix(db, fmt, as_of):
    """The national appendix file as of `as_of` (YYYY-MM-DD)."""
    report = national_report(db, as_of)
    return export_file(
        "phu-luc-toan-quoc-" + report["as_of"],
        fmt,
        lambda: to_xlsx(report, letterhead(db)),
        lambda: csv_rows(report),
    )

"""One page of a listing: how many rows a page may hold, and what it takes to link to the others."""

from __future__ import annotations

from dataclasses import dataclass

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 500
MAX_PAGE = 10**6  # past any real listing; keeps OFFSET within SQLite's integers


@dataclass(frozen=True)
class Page:
    """One page of a listing, with what it takes to link to the others."""

    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

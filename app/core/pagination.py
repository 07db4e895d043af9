"""A page of results: numbers for the pager."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """Which page we are on, and how many there are."""

    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages in all (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        """Is there a page before this one?"""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Is there a page after this one?"""
        return self.number < self.pages

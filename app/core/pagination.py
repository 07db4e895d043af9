"""A page of results: which rows to read, and the numbers for the pager.

Every list reads its rows the same way: count them, `paginate()` the page number
asked for (a number past the last page shows the last page, one below 1 the first),
then read `per_page` rows from `page.offset`.
"""

from __future__ import annotations

from dataclasses import dataclass


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, even when there are none)."""
    return max(1, -(-total // per_page))


@dataclass(frozen=True)
class Page:
    """Which page we are on, and how many there are."""

    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages in all (at least one)."""
        return page_count(self.total, self.per_page)

    @property
    def offset(self) -> int:
        """How many rows come before this page's first one."""
        return (self.number - 1) * self.per_page

    @property
    def has_previous(self) -> bool:
        """Is there a page before this one?"""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Is there a page after this one?"""
        return self.number < self.pages


def paginate(number: int, per_page: int, total: int) -> Page:
    """Page `number` of `total` rows, kept between the first page and the last."""
    return Page(number=min(max(1, number), page_count(total, per_page)), per_page=per_page,
                total=total)

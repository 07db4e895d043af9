"""The partner report's totals and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from app.wikicheck.queries import ReportRow

CSV_COLUMNS = ("reference", "title", "commons_category", "day", "taken_at", "files",
               "files_capped", "files_in_use", "wikis", "pages", "views_30_days")


@dataclass(frozen=True)
class Totals:
    """The report's figures added up."""

    files: int
    capped: bool
    files_in_use: int
    pages: int
    views: int


def totals(rows: list[ReportRow]) -> Totals:
    """Add up the cases' latest snapshots."""
    return Totals(sum(row.files for row in rows), any(row.files_capped for row in rows),
                  sum(row.files_in_use for row in rows), sum(row.pages for row in rows),
                  sum(row.views for row in rows))


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[ReportRow]) -> str:
    """One line a case (codes and numbers; English column names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.reference, _safe(row.title), _safe(row.commons_category), row.day,
                         row.taken_at.date().isoformat(), row.files,
                         "yes" if row.files_capped else "no", row.files_in_use, row.wikis,
                         row.pages, row.views])
    return out.getvalue()

"""The CSV export of the public figures: rows of section, key, label, value.

Keys are codes (states, themes, regions, kinds of organisation, "YYYY-MM"
months); labels are in whatever language is current (the view forces English);
values are plain numbers with a dot for decimals. Every cell goes through
`csv_safe`, so no cell can start a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from app.cases.labels import state_label
from app.stats.labels import kind_label, month_label, region_name, theme_label
from app.stats.queries import Figures

HEADER = ("section", "key", "label", "value")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """The cell as text, with a leading quote if a spreadsheet could read it as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows(figures: Figures) -> Iterator[tuple[str, str, str, str]]:
    """The export's rows (without the header), section by section."""
    for section, counts, name in (
        ("state", figures.by_state, state_label),
        ("theme", figures.by_theme, theme_label),
        ("region", figures.by_region, region_name),
        ("organisation_kind", figures.by_kind, kind_label),
    ):
        for code, value in counts:
            yield section, code, name(code), str(value)
    for month in figures.months:
        yield "opened_month", month.key, month_label(month), str(month.opened)
    for month in figures.months:
        yield "closed_month", month.key, month_label(month), str(month.closed)
    for stage in figures.stage_times:
        if stage.median_days is not None:
            yield "stage_median_days", stage.state, state_label(stage.state), str(
                stage.median_days)
    for stage in figures.stage_times:
        if stage.p90_days is not None:
            yield "stage_p90_days", stage.state, state_label(stage.state), str(stage.p90_days)


def to_csv(lines: Iterable[Iterable[object]]) -> str:
    """The header and the rows as CSV text (RFC 4180: CRLF line ends), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([csv_safe(cell) for cell in line])
    return buffer.getvalue()

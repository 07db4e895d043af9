"""Formatted numbers, tables and charts of the figures, for the statistics page (the
labels of their rows are in `app.stats.labels`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup

from app.cases.labels import state_label
from app.core.formats import format_number
from app.stats.charts import PROGRESSIVE, SUCCESS, Bar, Series, bar_chart
from app.stats.labels import kind_label, month_label, region_name, theme_label
from app.stats.queries import Figures, Month


def days(value: Decimal | None) -> str | None:
    """Days with one decimal, in the current language (None stays None)."""
    return None if value is None else format_number(value, "#,##0.0")


@dataclass
class Table:
    """A section of the page: a chart (optional) and a table with the same numbers."""

    id: str
    title: str
    key_header: str
    columns: list[str]
    rows: list[tuple[str, list[str | None]]] = field(default_factory=list)
    chart: Markup | None = None


def _description() -> str:
    # Translators: the description of a chart, read by screen readers.
    return _("A horizontal bar chart. The table that follows it gives the same numbers.")


def count_table(table_id: str, title: str, key_header: str,
                counts: list[tuple[str, int]], name: Callable[[str], str], rtl: bool) -> Table:
    """A chart and table of one count per code, labelled by `name(code)`."""
    labelled = [(name(code), value) for code, value in counts]
    bars = [Bar(text, (value,), (format_number(value),)) for text, value in labelled]
    return Table(
        # Translators: a column heading on the statistics page: a number of cases (requests).
        id=table_id, title=title, key_header=key_header, columns=[_("Cases")],
        rows=[(text, [format_number(value)]) for text, value in labelled],
        chart=bar_chart(f"chart-{table_id}", title, _description(), bars, rtl=rtl)
        if bars else None,
    )


def month_table(months: list[Month], rtl: bool) -> Table:
    """Cases opened and closed per month: a two-series chart and its table."""
    # Translators: a heading of the statistics page.
    title = _("Cases opened and closed per month")
    # Translators: a column heading and chart legend on the statistics page: cases opened
    # (filed) in a month.
    opened = _("Opened")
    # Translators: a column heading and chart legend on the statistics page: the number of cases
    # closed in that month (a verb form, next to 'Opened').
    closed = pgettext("cases closed in a month", "Closed")
    rows: list[tuple[str, list[str | None]]] = []
    bars: list[Bar] = []
    for month in months:
        texts = (format_number(month.opened), format_number(month.closed))
        rows.append((month_label(month), list(texts)))
        bars.append(Bar(month_label(month), (month.opened, month.closed), texts))
    chart = bar_chart("chart-months", title, _description(), bars,
                      (Series(opened, PROGRESSIVE), Series(closed, SUCCESS)), rtl=rtl)
    # Translators: a column heading on the statistics page.
    return Table(id="months", title=title, key_header=_("Month"), columns=[opened, closed],
                 rows=rows, chart=chart if bars else None)


def stage_table(figures: Figures) -> Table:
    """Median and 90th percentile of completed stays per stage (a table, no chart)."""
    return Table(
        # Translators: a heading of the statistics page.
        id="stages", title=_("Time in each stage"), key_header=_("Stage"),
        columns=[
            # Translators: a column heading on the statistics page: how many times cases
            # entered and left the stage.
            _("Completed stays"),
            # Translators: a column heading on the statistics page: the median time in the
            # stage, in days.
            _("Median (days)"),
            # Translators: a column heading on the statistics page: 90 percent of stays in the stage
            # were at most this long, in days.
            _("90th percentile (days)"),
        ],
        rows=[(state_label(stage.state),
               [format_number(stage.stays), days(stage.median_days), days(stage.p90_days)])
              for stage in figures.stage_times],
    )


def tables(figures: Figures, rtl: bool = False) -> list[Table]:
    """Every chart-and-table section of the statistics page, in page order."""
    return [
        # Translators: a heading of the statistics page: the number of cases in each stage of the
        # workflow.
        count_table("state", _("Cases by stage"), _("Stage"), figures.by_state, state_label,
                    rtl),
        # Translators: a heading of the statistics page.
        count_table("theme", _("Cases by theme"), _("Theme"), figures.by_theme, theme_label,
                    rtl),
        # Translators: a heading of the statistics page: by Wikimedia movement region.
        count_table("region", _("Cases by region"), _("Region"), figures.by_region,
                    region_name, rtl),
        # Translators: a heading of the statistics page.
        count_table("organisation-kind", _("Cases by kind of organisation"),
                    _("Kind of organisation"), figures.by_kind, kind_label, rtl),
        month_table(figures.months, rtl),
    ]

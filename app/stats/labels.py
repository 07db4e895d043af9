"""The names of the figures' codes, for the statistics page and the CSV: themes, regions,
kinds of organisation and months (states: `app.cases.labels.state_label`).

Labels follow the current language (wrap calls in `flask_babel.force_locale`
for English); codes stay codes.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.cases.labels import ORGANISATION_KINDS, THEMES, label
from app.core.formats import format_date
from app.core.regions import region_label
from app.stats.queries import UNKNOWN, Month


def theme_label(code: str) -> str:
    """A theme's name in the current language."""
    return label(THEMES, code)


def region_name(code: str | None) -> str:
    """A region's name in the current language (a placeholder for none)."""
    if not code or code == UNKNOWN:
        # Translators: a row of the statistics: cases without a movement region.
        return _("No region given")
    return region_label(code)


def kind_label(code: str) -> str:
    """A kind of organisation in the current language."""
    return label(ORGANISATION_KINDS, code)


def month_label(month: Month) -> str:
    """A month as the current language writes it, e.g. "Jan 2026"."""
    return format_date(date(month.year, month.month, 1), "MMM y")

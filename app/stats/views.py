"""Routes of the stats pages: the statistics, their CSV export, and "filling the gaps".

- ``GET /stats`` — everyone. Signed-out visitors and ordinary users see figures of
  public cases only; the committee and the helpdesk see every case.
- ``GET /stats.csv`` — everyone; always the public figures only.
- ``GET /gaps`` — everyone: countries of public cases with no active affiliate and no
  member (a count below 3 reads "fewer than 3"); the committee and the helpdesk see every
  open case, with exact counts.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale

from app.auth.roles import current_roles
from app.core.db import get_session
from app.core.i18n import text_direction
from app.core.regions import country_name
from app.people.queries import SMALL_COUNT
from app.people.queries import gaps as find_gaps
from app.stats import export
from app.stats.display import stage_table, tables
from app.stats.labels import region_name
from app.stats.queries import figures

bp = Blueprint("stats", __name__)

# Roles that see figures of every case, not only the public ones.
ALL_CASES_ROLES = frozenset({"committee", "helpdesk"})


def _language() -> str:
    return str(get_locale() or "en")


@bp.get("/stats")
def index() -> ResponseReturnValue:
    """Statistics of cases: public ones, or all of them for the committee and helpdesk."""
    public = not (current_roles() & ALL_CASES_ROLES)
    data = figures(get_session(), public=public)
    rtl = text_direction(_language()) == "rtl"
    return render_template("stats/index.html", figures=data, tables=tables(data, rtl),
                           stages=stage_table(data))


@bp.get("/stats.csv")
def csv() -> ResponseReturnValue:
    """The public figures as CSV (codes and English labels), for everyone alike."""
    data = figures(get_session(), public=True)
    with force_locale("en"):
        body = export.to_csv(export.rows(data))
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=helpdesk-stats.csv",
    })


@bp.get("/gaps", endpoint="gaps")
def gaps_page() -> ResponseReturnValue:
    """Countries with requests and neither an active affiliate nor a member from them."""
    language = _language()
    staff = bool(current_roles() & ALL_CASES_ROLES)
    named = [(country_name(gap.country, language), gap)
             for gap in find_gaps(get_session(), public=not staff)]
    few = [not staff and gap.requests < SMALL_COUNT for _name, gap in named]
    # The small counts of the public view come in name order: an order by count would
    # tell a country's "fewer than 3" from another's.
    order = sorted(range(len(named)), key=lambda index: (
        0 if few[index] else -named[index][1].requests, named[index][0].casefold()))
    found = [{"name": named[index][0], "region": region_name(named[index][1].region),
              "requests": named[index][1].requests, "few": few[index]} for index in order]
    return render_template("stats/gaps.html", gaps=found, staff=staff, small=SMALL_COUNT)

"""Public case list, public case page and the Atom feed — for everyone, signed out too.

Every view reads the public projection (`app.projection`) and nothing else.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from ..db import get_session
from ..errors import fail
from ..models import utcnow
from ..pagination import Page
from ..projection import (
    find_public_case,
    page_of_public_cases,
    project,
    project_stage,
    recent_public_cases,
)
from .display import filter_choices, labelled
from .feed import FeedInfo, build_feed, tag_uri
from .params import ParamError, parse_filters, parse_int

bp = Blueprint("public", __name__)

PER_PAGE = 50
FEED_SIZE = 50
PAGE_FILTERS = ("state", "theme", "region")


@bp.get("/cases")
def case_list() -> ResponseReturnValue:
    """The public projection as a table, filtered by state, theme and region."""
    try:
        filters = parse_filters(request.args, PAGE_FILTERS)
        number = parse_int(request.args, "page", 1)
    except ParamError as exc:
        fail(400, str(exc))
    cases, total = page_of_public_cases(get_session(), filters, number, PER_PAGE)
    now, base = utcnow(), request.url_root
    chosen = {name: getattr(filters, name) for name in PAGE_FILTERS if getattr(filters, name)}
    return render_template(
        "public/list.html",
        cases=[labelled(project(case, base, now)) for case in cases],
        page=Page(number=number, per_page=PER_PAGE, total=total),
        chosen=chosen,
        options=filter_choices(),
    )


@bp.get("/cases/<reference>")
def case_page(reference: str) -> ResponseReturnValue:
    """One public case: its public fields, summary and stage clock."""
    case = find_public_case(get_session(), reference)
    if case is None:
        fail(404, _("There is no public case %(reference)s. Only requests whose requesters "
                    "agreed to be listed appear here, once the helpdesk has accepted them.",
                    reference=reference[:40]))
    now = utcnow()
    return render_template("public/case.html", case=labelled(project(case, request.url_root, now)),
                           stage=project_stage(case, now))


@bp.get("/cases.atom")
def feed() -> ResponseReturnValue:
    """An Atom feed of the most recently updated public cases."""
    now, base = utcnow(), request.url_root
    cases = [labelled(project(case, base, now))
             for case in recent_public_cases(get_session(), FEED_SIZE)]
    info = FeedInfo(
        feed_id=tag_uri(request.host, "cases"),
        title=_("Content Partnerships Helpdesk: public cases"),
        self_url=url_for("public.feed", _external=True),
        html_url=url_for("public.case_list", _external=True),
        author=_("Content Partnerships Helpdesk"),
        language=str(get_locale() or "en").replace("_", "-"),
        updated=cases[0]["updated_at"] if cases else now.replace(microsecond=0).isoformat() + "Z",
    )
    entries = [{
        "id": tag_uri(request.host, f"cases/{item['reference']}"),
        "title": f"{item['reference']}: {item['title']}",
        "updated": item["updated_at"],
        "published": item["created_at"],
        "url": item["url"],
        "categories": list(zip(item["themes"], item["theme_labels"], strict=True)),
        "summary": _summary(item),
    } for item in cases]
    return Response(build_feed(info, entries),
                    content_type="application/atom+xml; charset=utf-8")


def _summary(item: dict[str, str]) -> str:
    state = _("State: %(state)s", state=item["state_label"])
    summary = item["public_summary"].strip()
    return f"{summary}\n\n{state}" if summary else state

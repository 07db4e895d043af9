"""Public case list, public case page and the Atom feed — for everyone, signed out too.

Every view reads the public projection (`app.public.projection`, through
`app.public.queries`) and nothing else.
"""

from __future__ import annotations

from collections.abc import Hashable

from flask import Blueprint, Response, current_app, g, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.core.caches import RecentAuditId, VersionedCache
from app.core.db import get_session
from app.core.errors import fail
from app.core.models import utcnow
from app.public.feed import FeedInfo, build_feed, tag_uri
from app.public.labels import filter_choices, labelled, labelled_timeline
from app.public.params import ParamError, parse_filters, parse_int
from app.public.projection import project, project_impact, project_stage
from app.public.queries import (
    CaseFilters,
    find_public_case,
    page_of_public_cases,
    public_timeline,
    recent_public_cases,
)
from app.queue.queries import place_of
from app.search.results import public_results
from app.search.terms import parse_query, parse_terms
from app.wikicheck.queries import snapshots_of

bp = Blueprint("public", __name__)

PER_PAGE = 50
FEED_SIZE = 50
PAGE_FILTERS = ("state", "theme", "region")


# The rendered list for signed-out visitors, per process (see `_anonymous_key`).
LIST_CACHE_SIZE = 128
LIST_CACHE_SECONDS = 60.0
# How often (seconds) a worker asks the database whether another process changed data.
LIST_RECHECK_SECONDS = 0.5


def _list_cache() -> VersionedCache[str] | None:
    """The app's cache of rendered lists; None when PUBLIC_LIST_CACHE_SECONDS is 0."""
    seconds = float(current_app.config.get("PUBLIC_LIST_CACHE_SECONDS", LIST_CACHE_SECONDS))
    if seconds <= 0:
        return None
    cache: VersionedCache[str] | None = current_app.extensions.get("helpdesk_public_list_cache")
    if cache is None or cache.max_age != seconds:
        cache = VersionedCache(size=LIST_CACHE_SIZE, max_age=seconds)
        current_app.extensions["helpdesk_public_list_cache"] = cache
    return cache


def _anonymous_key() -> Hashable | None:
    """The cache key of this request's page, or None when it must not be cached.

    Only a GET by a signed-out visitor (no user in the session, no message waiting to
    be shown) is cached or answered from the cache: their page is the public
    projection and the layout, which depend only on the address (host, path and
    query string) and the language. A signed-in user's page (their name, roles and
    sign-out form) is never stored nor served from here.
    """
    if (request.method not in ("GET", "HEAD") or g.get("user") is not None
            or "user_id" in session or "_flashes" in session):
        return None
    return (request.url_root, request.full_path, str(get_locale()))


@bp.get("/cases")
def case_list() -> ResponseReturnValue:
    """The public projection as a table, filtered by state, theme and region.

    For signed-out visitors the rendered page is kept per process and used while the
    data version (the audit log's newest id and this process's writes, see
    `app.core.caches`) is unchanged, for at most a minute: a change made through this
    process shows at once, one made by another worker or job within half a second
    (the newest audit id is read at most twice a second), and the days-in-stage
    figures are at most a minute old.
    """
    cache = _list_cache()
    key = _anonymous_key() if cache is not None else None
    if cache is not None and key is not None:
        recent: RecentAuditId = current_app.extensions.setdefault(
            "helpdesk_public_list_version", RecentAuditId())
        version = recent.version(get_session, float(current_app.config.get(
            "PUBLIC_LIST_RECHECK_SECONDS", LIST_RECHECK_SECONDS)))
        cached = cache.get(key, version)
        if cached is not None:  # stored only for an address whose arguments were valid
            return cached
    try:
        filters = parse_filters(request.args, PAGE_FILTERS)
        number = parse_int(request.args, "page", 1)
        query = parse_query(request.args)
    except ParamError as exc:
        fail(400, str(exc))
    page = _render_list(filters, number, query)
    if cache is not None and key is not None:
        cache.put(key, version, page)
    return page


def _render_list(filters: CaseFilters, number: int, query: str = "") -> str:
    now, base = utcnow(), request.url_root
    chosen = {name: getattr(filters, name) for name in PAGE_FILTERS if getattr(filters, name)}
    terms = parse_terms(query)
    capped = False
    if not terms.empty:  # the search box (app.search): ranked, public fields only
        shown, page, capped = public_results(get_session(), terms, filters, number, PER_PAGE,
                                             base, now)
        chosen["q"] = terms.text
    else:
        cases, page = page_of_public_cases(get_session(), filters, number, PER_PAGE)
        shown = [labelled(project(case, base, now)) for case in cases]
    return render_template(
        "public/list.html",
        cases=shown,
        page=page,
        capped=capped,
        chosen=chosen,
        options=filter_choices(),
    )


@bp.get("/cases/<reference>")
def case_page(reference: str) -> ResponseReturnValue:
    """One public case: its public fields, summary, stage clock and public timeline."""
    case = find_public_case(get_session(), reference)
    if case is None:
        # Translators: an error; %(reference)s is a case reference like CPH-2026-0042.
        fail(404, _("There is no public case %(reference)s. Only requests whose requesters "
                    "agreed to be listed appear here, once the helpdesk has accepted them.",
                    reference=reference[:40]))
    now, place = utcnow(), place_of(get_session(), case.id, case.state)
    projected = project(case, request.url_root, now, place=place)
    return render_template("public/case.html", case=labelled(projected),
                           stage=project_stage(case, now),
                           timeline=labelled_timeline(public_timeline(get_session(), case)),
                           impact=project_impact(snapshots_of(get_session(), case.id)))


@bp.get("/cases.atom")
def feed() -> ResponseReturnValue:
    """An Atom feed of the most recently updated public cases."""
    now, base = utcnow(), request.url_root
    cases = [labelled(project(case, base, now))
             for case in recent_public_cases(get_session(), FEED_SIZE)]
    info = FeedInfo(
        feed_id=tag_uri(request.host, "cases"),
        # Translators: the title of the Atom feed of public cases.
        title=_("Content Partnerships Helpdesk: public cases"),
        self_url=url_for("public.feed", _external=True),
        html_url=url_for("public.case_list", _external=True),
        # Translators: the name of this tool (the helpdesk of the Content Partnerships Hub); shown
        # in every page title and in emails.
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
    # Translators: in the Atom feed; %(state)s is the name of a case's stage, e.g. 'In support'.
    state = _("Status: %(state)s", state=item["state_label"])
    summary = item["public_summary"].strip()
    return f"{summary}\n\n{state}" if summary else state

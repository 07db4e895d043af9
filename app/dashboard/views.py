"""Committee dashboard, helpdesk inbox, my requests."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, current_app, g, render_template, request
from flask.typing import ResponseReturnValue

from app.auth.roles import current_roles, login_required, role_required
from app.cases.labels import PRIORITIES, THEMES, choices
from app.cases.transitions import STATES
from app.committee.context import score_spreads
from app.committee.queries import open_scores
from app.core.babel_cache import labels
from app.core.caches import VersionedCache, app_cache, data_version
from app.core.db import get_session
from app.core.regions import region_choices
from app.dashboard import queries
from app.dashboard.forms import parse_filters
from app.dashboard.labels import case_rows, review_rows, state_counts

bp = Blueprint("dashboard", __name__)

PAGE_SIZE = 25
REVIEW_LIMIT = 50  # cases shown in each of a committee member's own lists
INBOX_LIMIT = 100
MAX_PAGE = 1_000_000


def _page_number() -> int:
    number = request.args.get("page", 1, type=int) or 1
    return max(1, min(number, MAX_PAGE))


def _page_size(key: str, default: int) -> int:
    return max(1, int(current_app.config.get(key, default)))


def _data_cache() -> VersionedCache[Any]:
    """The dashboard's query results (plain data), per app; see app.core.caches."""
    return app_cache("dashboard", size=256)


@bp.get("/dashboard")
@role_required("committee", "helpdesk")
def committee() -> ResponseReturnValue:
    """For a committee member, first what needs them (the cases waiting for their
    review, then the others waiting on the committee); then counts per state and the
    filtered, sorted, paginated queue of cases.

    The query results are plain data, kept per process while the data version (the
    audit log's newest id, this process's writes) is unchanged: every change to a
    case, a role or an organisation writes an audit event, so a change shows at once;
    the stage clocks are computed at each request.
    """
    db = get_session()
    cache, version = _data_cache(), data_version(db)
    may_review = "committee" in current_roles()
    staff = cache.get_or_compute(("staff",), version, lambda: queries.helpdesk_staff(db))
    filters = parse_filters(request.args, [user.id for user in staff], may_review)
    counts = cache.get_or_compute(("counts",), version, lambda: queries.state_counts(db))
    number, per_page = _page_number(), _page_size("DASHBOARD_PAGE_SIZE", PAGE_SIZE)
    member_id = g.user.id
    cases, page = cache.get_or_compute(
        ("queue", filters, number, per_page, member_id if filters.waiting else None), version,
        lambda: queries.queue(db, filters, member_id, number, per_page, counts))
    mine: dict[str, Any] = {}
    if may_review:
        mine = _my_reviews(cache, version, member_id)
    return render_template(
        "dashboard/committee.html",
        filters=filters,
        rows=case_rows(cases),
        page=page,
        counts=state_counts(counts, filters),
        may_review=may_review,
        **mine,
        staff=staff,
        state_choices=list(labels(STATES).items()),
        theme_choices=choices(THEMES),
        region_choices=region_choices(),
        priority_choices=choices(PRIORITIES),
    )


def _my_reviews(cache: VersionedCache[Any], version: Any, member_id: int) -> dict[str, Any]:
    """What needs a committee member first: the cases waiting for their review, then
    the other cases waiting on the committee (reviewed by them, or where they declared
    a conflict of interest), each list with its rows and its total."""
    db, limit = get_session(), _page_size("DASHBOARD_REVIEW_LIMIT", REVIEW_LIMIT)
    quorum = int(current_app.config.get("COMMITTEE_QUORUM", 3))
    found: dict[str, Any] = {"quorum": quorum}
    for key, waiting in (("for_me", True), ("on_committee", False)):
        listed = cache.get_or_compute(
            (key, member_id, limit), version,
            partial(queries.review_list, db, member_id, waiting, limit))
        found[key] = (review_rows(listed.items, quorum), listed.total)
    scores = cache.get_or_compute(("scores", member_id), version,
                                  partial(open_scores, db, member_id))
    found["score_spreads"] = score_spreads(scores)
    return found


@bp.get("/inbox")
@role_required("helpdesk")
def inbox() -> ResponseReturnValue:
    """The helpdesk's work: new requests, my cases, unassigned cases in support."""
    limit = _page_size("INBOX_LIMIT", INBOX_LIMIT)
    sections = queries.inbox(get_session(), g.user.id, limit)
    return render_template(
        "dashboard/inbox.html",
        sections=[(section, case_rows(section.cases)) for section in sections],
        limit=limit,
    )


@bp.get("/requests/mine")
@login_required
def my_requests() -> ResponseReturnValue:
    """The signed-in user's own requests, with the clock of each one's stage."""
    cases, page = queries.my_cases(get_session(), g.user.id, _page_number(),
                                   _page_size("DASHBOARD_PAGE_SIZE", PAGE_SIZE))
    return render_template("dashboard/mine.html", rows=case_rows(cases), page=page)

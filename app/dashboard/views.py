"""Committee dashboard, helpdesk inbox, my requests."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, g, render_template, request
from flask.typing import ResponseReturnValue

from ..db import get_session
from ..regions import region_choices
from ..roles import current_roles, login_required, role_required
from ..vocab import PRIORITIES, THEMES, choices
from ..workflow.transitions import STATES
from . import queries
from .filters import QueueFilters, parse_filters
from .rows import case_rows

bp = Blueprint("dashboard", __name__)

PAGE_SIZE = 25
INBOX_LIMIT = 100
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class StateCount:
    """One tile of the counts per state."""

    state: str
    label: str
    count: int
    args: dict[str, str]
    current: bool


def _page_number() -> int:
    number = request.args.get("page", 1, type=int) or 1
    return max(1, min(number, MAX_PAGE))


def _page_size(key: str, default: int) -> int:
    return max(1, int(current_app.config.get(key, default)))


def _state_counts(counts: dict[str, int], filters: QueueFilters) -> list[StateCount]:
    return [
        StateCount(state, str(label), counts.get(state, 0), QueueFilters(state=state).to_args(),
                   filters.state == state)
        for state, label in STATES.items()
    ]


@bp.get("/dashboard")
@role_required("committee", "helpdesk")
def committee() -> ResponseReturnValue:
    """Counts per state and the filtered, sorted, paginated queue of cases."""
    db = get_session()
    may_review = "committee" in current_roles()
    staff = queries.helpdesk_staff(db)
    filters = parse_filters(request.args, [user.id for user in staff], may_review)
    cases, page = queries.queue(db, filters, g.user.id, _page_number(),
                                _page_size("DASHBOARD_PAGE_SIZE", PAGE_SIZE))
    return render_template(
        "dashboard/committee.html",
        filters=filters,
        rows=case_rows(cases),
        page=page,
        counts=_state_counts(queries.state_counts(db), filters),
        waiting_count=queries.waiting_for_review_count(db, g.user.id) if may_review else None,
        may_review=may_review,
        staff=staff,
        state_choices=[(code, str(label)) for code, label in STATES.items()],
        theme_choices=choices(THEMES),
        region_choices=region_choices(),
        priority_choices=choices(PRIORITIES),
    )


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

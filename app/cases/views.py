"""GET /requests/<reference>: the case page, showing each role what it may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.auth.roles import login_required
from app.cases import canned, checklists, transitions
from app.cases.access import CaseAccess
from app.cases.blueprint import bp
from app.cases.clock import stage_clock
from app.cases.models import CannedReply, Case
from app.cases.queries import People, case_facts, load_case, read_facts
from app.cases.service import related_cases, review_stage
from app.cases.timeline import timeline
from app.committee.models import Review
from app.core.caches import VersionedCache, app_cache
from app.core.db import as_id, get_session
from app.core.regions import country_name, language_name, region_label


@dataclass(frozen=True)
class CannedChoice:
    """A canned reply offered under the message form."""

    id: int
    language: str
    title: str
    body: str


def _canned_cache() -> VersionedCache[list[CannedChoice]]:
    """Canned replies, per app (they change rarely, always audited; see datacache)."""
    return app_cache("canned_replies", size=4)


def _canned_replies(db: Session, version: tuple[int, int]) -> list[CannedChoice]:
    """Every canned reply (all languages: few), by title."""
    return _canned_cache().get_or_compute(("canned",), version, lambda: [
        CannedChoice(reply.id, reply.language, reply.title, reply.body)
        for reply in db.scalars(select(CannedReply).order_by(CannedReply.title,
                                                             CannedReply.id))])


def _usernames_query(ids: list[int]) -> list[str]:
    if not ids:
        return []
    return list(get_session().scalars(select(User.username).where(User.id.in_(ids))
                                      .order_by(User.username)))


def page_context(case: Case, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    """Everything the case page template needs, filtered by what the user may see.

    At most ten statements whatever the case holds, nothing cached: the user, and
    `load_case`'s case, working groups with referrals, and for staff decisions and
    people with conflicts of interest; here the timeline's events and messages, for
    staff the related cases and the canned replies (kept per process while the audit
    log does not change, see app.core.caches), for committee members the reviews.
    """
    db = get_session()
    user = g.user
    locale = str(get_locale() or "en")
    facts = case_facts(case) or read_facts(db, case, user)
    actions = [t for t in transitions.actions_for(case.state, access.workflow_roles)
               if not t.decision_stage and transitions.SYSTEM not in t.roles]
    decisions_available = [t for t in transitions.from_state(case.state) if t.decision_stage]
    usernames: Callable[[list[int]], list[str]] = _usernames_query
    context: dict[str, Any] = {
        "case": case,
        "access": access,
        "clock": stage_clock(case),
        "states": transitions.STATES,
        "action_labels": transitions.ACTIONS,
        "actions": actions,
        "timeline": timeline(db, case, include_internal=access.is_staff),
        "countries": [country_name(code, locale) for code in case.countries or []],
        "languages_named": [language_name(code, locale) for code in case.languages or []],
        "region_name": region_label(case.region) if case.region else "",
        "checklist": list(case.checklist_items),
        "checklist_labels": checklists.ITEMS,
        "linked_items": checklists.LINKED_ITEMS,
        "referrals": (facts.referrals if (access.is_staff or "group_member" in access.roles)
                      else []),
        "my_group_ids": facts.my_group_ids,
        "form": request.form if request.method == "POST" else {},
        "loaded_at": case.updated_at.isoformat(),
        "outcome_labels": {**transitions.ACTIONS, **transitions.OUTCOMES},
    }
    if access.is_staff:
        conflicts = facts.conflicts or []
        people = facts.people or People()
        usernames = people.usernames
        canned_replies = _canned_replies(db, facts.version)
        context.update({
            "decisions": facts.decisions or [],
            "conflicts": conflicts,
            "related": related_cases(db, case),
            "helpdesk_staff": people.helpdesk,
            "members": people.committee,
            "recused": {conflict.member_id for conflict in conflicts},
            "decisions_available": decisions_available if access.can_decide else [],
            "groups": facts.open_groups,
            "canned_replies": [reply for reply in canned_replies
                               if reply.language == locale.split("_")[0]],
            "duplicate_of": case.duplicate_of if case.duplicate_of_id else None,
        })
        canned_id = as_id(request.args.get("canned"))
        chosen: CannedChoice | None = None
        if canned_id:
            chosen = next((reply for reply in canned_replies if reply.id == canned_id), None)
        if chosen is not None:
            next_step = str(transitions.WAITING_ON.get(case.state) or "")
            context["prefill"] = canned.fill(chosen, case, next_step)
    if access.can_see_reviews:
        context["reviews"] = list(db.scalars(select(Review).options(joinedload(Review.member))
                                             .where(Review.case_id == case.id)
                                             .order_by(Review.stage, Review.id)))
        context["review_stage"] = review_stage(case)
        context["my_review"] = next((r for r in context["reviews"] if r.member_id == user.id
                                     and r.stage == context["review_stage"]), None)
    context["usernames"] = usernames
    context.update(extra)
    return context


@bp.get("/requests/<reference>")
@login_required
def case_page(reference: str) -> ResponseReturnValue:
    """The case page."""
    case, access = load_case(reference)
    return render_template("cases/page.html", **page_context(case, access))

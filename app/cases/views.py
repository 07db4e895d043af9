"""GET /requests/<reference>: the case page, showing each role what it may see."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy import select

from ..access import CaseAccess
from ..db import get_session
from ..models import (
    CannedReply,
    Case,
    ChecklistItem,
    ConflictOfInterest,
    Decision,
    Membership,
    Referral,
    Review,
    User,
    WorkingGroup,
)
from ..regions import country_name, language_name, region_label
from ..roles import login_required, users_with_role
from ..workflow import checklists, transitions
from ..workflow.clock import stage_clock
from ..workflow.service import committee_members, recused_ids, related_cases, review_stage
from . import canned
from .blueprint import bp
from .loading import load_case
from .timeline import timeline


def _helpdesk_staff() -> list[User]:
    return users_with_role(get_session(), "helpdesk")


def _usernames(ids: list[int]) -> list[str]:
    if not ids:
        return []
    return list(get_session().scalars(select(User.username).where(User.id.in_(ids))
                                      .order_by(User.username)))


def page_context(case: Case, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    """Everything the case page template needs, filtered by what the user may see."""
    db = get_session()
    user = g.user
    locale = str(get_locale() or "en")
    actions = [t for t in transitions.actions_for(case.state, access.workflow_roles)
               if not t.decision_stage and transitions.SYSTEM not in t.roles]
    decisions_available = [t for t in transitions.from_state(case.state) if t.decision_stage]
    referrals = list(db.scalars(select(Referral).where(Referral.case_id == case.id)
                                .order_by(Referral.id)))
    my_groups = set(db.scalars(select(Membership.group_id).where(Membership.user_id == user.id)))
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
        "checklist": list(db.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id)
                                     .order_by(ChecklistItem.position))),
        "checklist_labels": checklists.ITEMS,
        "linked_items": checklists.LINKED_ITEMS,
        "referrals": referrals if (access.is_staff or "group_member" in access.roles) else [],
        "my_group_ids": my_groups,
        "form": request.form if request.method == "POST" else {},
        "loaded_at": case.updated_at.isoformat(),
        "outcome_labels": {**transitions.ACTIONS, **transitions.OUTCOMES},
        "usernames": _usernames,
    }
    if access.is_staff:
        recused = recused_ids(db, case)
        context.update({
            "decisions": list(db.scalars(select(Decision).where(Decision.case_id == case.id)
                                         .order_by(Decision.id))),
            "conflicts": list(db.scalars(select(ConflictOfInterest)
                                         .where(ConflictOfInterest.case_id == case.id))),
            "related": related_cases(db, case),
            "helpdesk_staff": _helpdesk_staff(),
            "members": committee_members(db),
            "recused": recused,
            "decisions_available": decisions_available if access.can_decide else [],
            "groups": list(db.scalars(select(WorkingGroup).where(WorkingGroup.archived.is_(False))
                                      .order_by(WorkingGroup.name))),
            "canned_replies": list(db.scalars(select(CannedReply).where(
                CannedReply.language == locale.split("_")[0]).order_by(CannedReply.title))),
            "duplicate_of": db.get(Case, case.duplicate_of_id) if case.duplicate_of_id else None,
        })
        canned_id = request.args.get("canned", type=int)
        chosen = db.get(CannedReply, canned_id) if canned_id else None
        if chosen is not None:
            next_step = str(transitions.WAITING_ON.get(case.state) or "")
            context["prefill"] = canned.fill(chosen, case, next_step)
    if access.can_see_reviews:
        context["reviews"] = list(db.scalars(select(Review).where(Review.case_id == case.id)
                                             .order_by(Review.stage, Review.id)))
        context["review_stage"] = review_stage(case)
        context["my_review"] = next((r for r in context["reviews"] if r.member_id == user.id
                                     and r.stage == context["review_stage"]), None)
    context.update(extra)
    return context


@bp.get("/requests/<reference>")
@login_required
def case_page(reference: str) -> ResponseReturnValue:
    """The case page."""
    case, access = load_case(reference)
    return render_template("cases/page.html", **page_context(case, access))

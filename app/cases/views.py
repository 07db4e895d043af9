"""GET /requests/<reference>: the case page, showing each role what it may see; and
loading a case for the current user (404 or 403 otherwise), which every case route does."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.attention.views import case_marks
from app.auth.roles import login_required
from app.cases import canned, checklists, queries, transitions
from app.cases.access import CaseAccess, case_access
from app.cases.blueprint import bp
from app.cases.clock import stage_clock
from app.cases.labels import OUTCOMES, WAITING_ON
from app.cases.models import Case
from app.cases.queries import CannedChoice, CaseFacts, People, read_facts
from app.cases.timeline import timeline
from app.committee.context import votes_context
from app.core.db import as_id, get_session
from app.core.errors import fail
from app.core.regions import country_name, language_name, region_label
from app.groups.queries import note_membership


def case_facts(case: Case) -> CaseFacts | None:
    """What `load_case` read with this case in this request (None if it did not)."""
    facts: CaseFacts | None = g.get("_case_facts")
    user = g.get("user")
    if facts is None or facts.case_id != case.id or facts.user_id != (user.id if user else None):
        return None
    return facts


def load_case(reference: str) -> tuple[Case, CaseAccess]:
    """The case and the user's access; 404 if unknown, 403 if not theirs to see."""
    found = queries.read_case(get_session(), reference[:40], g.user)
    if found is None:
        fail(404, _("There is no request %(reference)s.", reference=reference[:40]))
    case, facts = found
    g._case_facts = facts
    note_membership(g.user, facts.member_of_a_group)  # the menu need not ask again
    access = case_access(
        get_session(), g.user, case,
        conflict_member_ids=({c.member_id for c in facts.conflicts}
                             if facts.conflicts is not None else None),
        in_referred_group=bool(facts.my_group_ids),
    )
    if not access.can_view:
        fail(403, _("You do not have access to request %(reference)s.", reference=case.reference))
    return case, access


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
    # Answering and withdrawing have places of their own on the page: the answer box under
    # the committee's question at the top, withdrawing behind a confirmation step.
    answer = next((t for t in actions if t.action == "answer"), None)
    withdraw = next((t for t in actions if t.action == "withdraw"), None)
    actions = [t for t in actions if t not in (answer, withdraw)]
    decisions_available = [t for t in transitions.from_state(case.state) if t.decision_stage]
    usernames: Callable[[list[int]], list[str]] = partial(queries.usernames, db)
    context: dict[str, Any] = {
        "case": case,
        "access": access,
        "clock": stage_clock(case),
        "states": transitions.STATES,
        "action_labels": transitions.ACTIONS,
        "actions": actions,
        "answer_action": answer,
        "question": queries.committee_question(db, case) if answer else None,
        "withdraw_action": withdraw,
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
        "outcome_labels": {**transitions.ACTIONS, **OUTCOMES},
    }
    if access.is_staff:
        conflicts = facts.conflicts or []
        people = facts.people or People()
        usernames = people.usernames
        canned_replies = queries.canned_choices(db, facts.version)
        context.update({
            "decisions": facts.decisions or [],
            "conflicts": conflicts,
            "related": queries.related_cases(db, case),
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
            next_step = str(WAITING_ON.get(case.state) or "")
            context["prefill"] = canned.fill(chosen, case, next_step)
    if "committee" in access.roles:
        context.update(votes_context(db, case, access, user.id, context.get("members", []),
                                     context.get("recused", set())))
    context["usernames"] = usernames
    context.update(extra)
    return context


@bp.get("/requests/<reference>")
@login_required
def case_page(reference: str) -> ResponseReturnValue:
    """The case page."""
    case, access = load_case(reference)
    context = page_context(case, access)
    context.update(case_marks(case))  # seen, watching (app/attention)
    return render_template("cases/page.html", **context)

"""Property: random sequences of actions by random people never reach an undefined
state, every state change follows the transitions table, and replaying the audit
log gives the current state; members' votes too: every decision rests on a quorum of
votes from members without a conflict of interest, and replaying the votes in the
audit log gives the votes stored. Meetings (attendees, votes given aloud, decisions
counting attendees, corrections, agenda and minutes) have their own property test:
tests/meetings/test_meetings_property.py."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth.models import User
from app.cases import service, transitions
from app.cases.access import case_access
from app.cases.errors import WorkflowError
from app.cases.models import Case
from app.cases.sweep import sweep
from app.committee import service as committee_service
from app.committee import votes
from app.committee.models import Decision, Review
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.core.models import utcnow
from app.groups.models import Membership, Referral, WorkingGroup
from tests.factories import make_case, make_user

PEOPLE = ("Ada Requester", "Omar Requester", "Ngozi Committee", "Mei Committee",
          "Carlos Committee", "Sven Helpdesk", "Leila Lead")
VOTES = [f"{kind}:{outcome}" for kind in ("vote", "decide")
         for outcome in sorted({*votes.stage_outcomes("initial"), *votes.stage_outcomes("final")})]
ANY_ACTION = [*sorted(transitions.ACTIONS), "answer_referral", "declare_conflict", "sweep",
              *VOTES]


def _draw_step(data: st.DataObject, state: str) -> tuple[str, str]:
    """Mostly an action that exists from this state (so cases travel far), sometimes any."""
    legal = sorted({t.action for t in transitions.from_state(state)} | {"answer_referral"})
    if state in votes.STAGE_STATES.values():
        legal += [f"vote:{t.action}" for t in transitions.from_state(state) if t.decision_stage]
        legal += [f"decide:{t.action}" for t in transitions.from_state(state)
                  if t.decision_stage]
    action = data.draw(st.sampled_from(legal) if data.draw(st.integers(0, 4)) else
                       st.sampled_from(ANY_ACTION))
    return data.draw(st.sampled_from(PEOPLE)), action


def _people(db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    roles = {"Ngozi Committee": ("committee",), "Mei Committee": ("committee",),
             "Carlos Committee": ("committee",), "Sven Helpdesk": ("helpdesk",)}
    people = {name: make_user(db, name, *roles.get(name, ())) for name in PEOPLE}
    group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "translation")).one()
    if not db.scalars(select(Membership).where(Membership.user_id == people["Leila Lead"].id)
                      ).first():
        db.add(Membership(group_id=group.id, user_id=people["Leila Lead"].id))
    db.flush()
    return people


def _step(db, case: Case, person: User, action: str, people: dict[str, User]) -> None:  # type: ignore[no-untyped-def]
    access = case_access(db, person, case)
    if action == "sweep":
        sweep(db, now=utcnow() + timedelta(days=400))
    elif action == "declare_conflict":
        service.declare_conflict(db, case, person, "random")
    elif action.startswith(("vote:", "decide:")):
        kind, outcome = action.split(":")
        stage = votes.open_stage(case) or "initial"
        if kind == "vote":
            votes.cast_vote(db, case, person, stage, outcome, "c", {})
        else:
            group = db.scalars(select(WorkingGroup.id).where(WorkingGroup.slug == "translation")
                               ).one()
            committee_service.decide(db, case, stage, person, outcome, "r", "p",
                                     dissent_reason="d", group_ids=[group], question="q")
    elif action == "answer_referral":
        referral = db.scalars(select(Referral).where(Referral.case_id == case.id,
                                                     Referral.answered_at.is_(None))).first()
        if referral is None:
            raise WorkflowError("no open referral")
        service.answer_referral(db, referral, person, "answer")
    else:
        found = transitions.find(case.state, action)
        if found is not None and found.decision_stage:
            members = [people[n] for n in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
            group = db.scalars(select(WorkingGroup.id).where(WorkingGroup.slug == "translation")
                               ).one()
            service.record_decision(db, case, person, access, expected_version=case.version,
                                    outcome=action, rationale="r", public_rationale="p",
                                    participant_ids=[m.id for m in members], group_ids=[group],
                                    question="q")
        elif action == "close_duplicate":
            service.close_as_duplicate(db, case, person, access, "CPH-0000-0000", "m",
                                       case.version)
        else:
            service.take_action(db, case, person, access, action, case.version, message="m")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), length=st.integers(1, 30))
def test_random_actions_keep_the_workflow_sound(app: Flask, data: st.DataObject,
                                                length: int) -> None:
    with app.app_context():
        db = get_session()
        people = _people(db)
        case = make_case(db, people["Ada Requester"])
        db.commit()
        for _ in range(length):
            name, action = _draw_step(data, case.state)
            try:
                with db.begin_nested():
                    _step(db, case, people[name], action, people)
            except WorkflowError:
                pass
            db.expire_all()
            _decisions_rest_on_votes(db, case)
            assert case.state in transitions.STATES
            assert (case.closed_at is not None) == (case.state in transitions.CLOSED_STATES)
        db.commit()

        events = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "case",
                                                     AuditEvent.object_id == str(case.id))
                            .order_by(AuditEvent.id)).all()
        state = None
        for event in events:
            after = event.after or {}
            if event.action == "case.create":
                state = after["state"]
                continue
            if "state" not in after:
                continue
            action = event.action.removeprefix("case.")
            transition = transitions.find(state or "", action)
            assert transition is not None, f"{action} from {state} is not in the table"
            assert (event.before or {}).get("state") == state
            assert after["state"] == transition.next_state
            state = after["state"]
        assert state == case.state
        _votes_replay(db, events, case)


def _decisions_rest_on_votes(db, case: Case) -> None:  # type: ignore[no-untyped-def]
    """Each decision: a quorum of votes, by members without a conflict of interest then,
    the voters are its participants, and the votes it used are closed on it."""
    for decision in db.scalars(select(Decision).where(Decision.case_id == case.id)):
        snapshot = decision.votes or []
        assert decision.quorum is not None and len(snapshot) >= decision.quorum
        voters = sorted(int(str(vote["member_id"])) for vote in snapshot)
        assert voters == sorted(decision.participant_ids)
        assert not set(voters) & set(decision.recused_ids)
        closed = db.scalars(select(Review.member_id).where(Review.decision_id == decision.id))
        assert set(closed) <= set(voters)


def _votes_replay(db, events: list[AuditEvent], case: Case) -> None:  # type: ignore[no-untyped-def]
    """The last vote each member cast on each stage, as the audit log tells it, is the
    vote stored."""
    replayed: dict[tuple[str, str], str] = {}
    for event in events:
        if event.action == "case.vote":
            after = event.after or {}
            replayed[(after["member"], after["stage"])] = after["outcome"]
    stored = {(review.member.username, review.stage): review.recommendation
              for review in db.scalars(select(Review).where(Review.case_id == case.id))}
    assert replayed == stored

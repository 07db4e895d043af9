"""Workflow rules: the one transitions table, refusals with the right status, quorum,
conflicts of interest, stale saves, clocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.cases import queries, service, transitions
from app.cases.access import case_access
from app.cases.clock import stage_clock
from app.cases.errors import NotAllowed, StaleVersion, WorkflowError, WrongState
from app.cases.labels import state_label
from app.cases.models import Case
from app.committee.models import Review
from app.core.db import get_session
from app.core.models import utcnow
from tests.case_client import post_on_case
from tests.dashboard.support import tables
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.html import table_rows

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee")


def test_transitions_table_is_consistent() -> None:
    for t in transitions.TRANSITIONS:
        assert t.state in transitions.STATES and t.next_state in transitions.STATES
        assert t.action in transitions.ACTIONS
        assert t.roles <= {"requester", "helpdesk", "committee", "system"}
    keys = [(t.state, t.action) for t in transitions.TRANSITIONS]
    assert len(keys) == len(set(keys)), "one row per (state, action)"
    for state in transitions.OPEN_STATES:
        assert transitions.from_state(state), f"{state} has no way out"
    for state in transitions.CLOSED_STATES:
        assert [t.action for t in transitions.from_state(state)] == ["reopen"]


def setup_case(app: Flask, state_path: tuple[str, ...] = ()) -> str:
    """A case moved along `state_path` (helpdesk/committee actions), returns its reference."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = [make_user(db, name, "committee") for name in COMMITTEE]
        case = make_case(db, ada)
        for action in state_path:
            if action in ("triage", "start_support"):
                service.move(db, case, sven, {"helpdesk"}, action)
            else:
                service.record_decision(
                    db, case, members[0], case_access(db, members[0], case),
                    expected_version=case.version, outcome=action, rationale="r",
                    public_rationale="Please tell us more.",
                    participant_ids=[m.id for m in members])
            db.flush()
        db.commit()
        return case.reference


def test_illegal_transition_is_409_with_a_message(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app)
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    response = post_on_case(client, ref, "action", action="start_support")
    assert response.status_code == 409
    assert "is not possible while the case is" in response.get_data(as_text=True)


def test_action_of_another_role_is_403(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app)
    client = app.test_client()
    sign_in(client, "Ngozi Committee")
    response = post_on_case(client, ref, "action", action="triage")
    assert response.status_code == 403
    assert "You may not" in response.get_data(as_text=True)


def test_unknown_action_is_400(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app)
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    assert post_on_case(client, ref, "action", action="teleport").status_code == 400


def test_stale_save_is_refused_and_explained(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app)
    first, second = app.test_client(), app.test_client()
    sign_in(first, "Sven Helpdesk")
    sign_in(second, "Sven Helpdesk")
    from tests.case_client import hidden_fields

    stale = hidden_fields(second.get(f"/requests/{ref}").get_data(as_text=True))
    assert post_on_case(first, ref, "summary", public_summary="First").status_code == 302
    response = second.post(f"/requests/{ref}/summary",
                           data={**stale, "public_summary": "Second, overwriting?"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed by someone else" in html
    assert "Public summary changed" in html  # what changed
    assert "Second, overwriting?" in html  # what the user typed is kept
    with app.app_context():
        summary = get_session().scalars(select(Case.public_summary)).one()
    assert summary == "First"


def test_decision_needs_quorum_without_recused_members(app: Flask) -> None:
    ref = setup_case(app, ("triage",))
    with app.app_context():
        db = get_session()
        case = queries.find_case(db, ref)
        assert case is not None
        ngozi, mei, carlos = (make_user(db, name) for name in COMMITTEE)
        with pytest.raises(WrongState, match="at least 3"):
            service.record_decision(db, case, ngozi, case_access(db, ngozi, case),
                                    expected_version=case.version, outcome="proceed",
                                    rationale="r", public_rationale="",
                                    participant_ids=[ngozi.id, mei.id])
        service.declare_conflict(db, case, carlos, "I work there")
        db.commit()
        with pytest.raises(WorkflowError, match="conflict of interest"):
            service.record_decision(db, case, ngozi, case_access(db, ngozi, case),
                                    expected_version=case.version, outcome="proceed",
                                    rationale="r", public_rationale="",
                                    participant_ids=[ngozi.id, mei.id, carlos.id])
        with pytest.raises(NotAllowed):
            service.record_decision(db, case, carlos, case_access(db, carlos, case),
                                    expected_version=case.version, outcome="proceed",
                                    rationale="r", public_rationale="",
                                    participant_ids=[ngozi.id, mei.id])
        app.config["COMMITTEE_QUORUM"] = 2
        decision = service.record_decision(
            db, case, ngozi, case_access(db, ngozi, case), expected_version=case.version,
            outcome="proceed", rationale="r", public_rationale="",
            participant_ids=[ngozi.id, mei.id])
        assert decision.recused_ids == [carlos.id]
        assert case.state == "awaiting_final_go"


def test_the_older_review_address_still_takes_a_members_vote(
        app: Flask, sign_in: SignIn) -> None:
    """A vote form loaded before the votes came posts to /review with `recommendation`
    and `comment`: it is the member's vote; an old "support" is no outcome, and a
    recused member is refused there too, without seeing the votes."""
    ref = setup_case(app, ("triage",))
    with app.app_context():
        db = get_session()
        case = queries.find_case(db, ref)
        assert case is not None
        service.declare_conflict(db, case, make_user(db, "Carlos Committee"), "Former employee")
        db.commit()
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    refused = post_on_case(ngozi, ref, "review", recommendation="support", comment="Old form")
    assert refused.status_code == 400
    assert "Choose your vote." in refused.get_data(as_text=True)
    response = post_on_case(ngozi, ref, "review", recommendation="proceed",
                            comment="Secret deliberation text")
    assert response.status_code == 302
    assert stored_votes(app) == [("Ngozi Committee", "initial", "proceed",
                                  "Secret deliberation text")]
    assert "Secret deliberation text" in ngozi.get(f"/requests/{ref}").get_data(as_text=True)

    carlos = app.test_client()
    sign_in(carlos, "Carlos Committee")
    page = carlos.get(f"/requests/{ref}").get_data(as_text=True)
    assert "Secret deliberation text" not in page
    assert "You declared a conflict of interest" in page
    response = post_on_case(carlos, ref, "review", recommendation="decline", comment="x")
    assert response.status_code == 403
    assert "Secret deliberation text" not in response.get_data(as_text=True)
    assert [vote[0] for vote in stored_votes(app)] == ["Ngozi Committee"]


def test_one_vote_per_member_per_stage(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage",))
    mei = app.test_client()
    sign_in(mei, "Mei Committee")
    for outcome, comment in (("decline", "one"), ("proceed", "two")):
        response = post_on_case(mei, ref, "vote", stage="initial", vote_outcome=outcome,
                                vote_comment=comment)
        assert response.status_code == 302
    assert stored_votes(app) == [("Mei Committee", "initial", "proceed", "two")]


def test_a_review_from_before_the_votes_keeps_its_recommendations_name(
        app: Flask, sign_in: SignIn) -> None:
    """Rows the first version wrote hold a recommendation ("support"), no outcome: the
    case page and the dashboard still name it."""
    ref = setup_case(app, ("triage",))
    with app.app_context():
        db = get_session()
        case = queries.find_case(db, ref)
        assert case is not None
        db.add(Review(case_id=case.id, member_id=make_user(db, "Ngozi Committee").id,
                      stage="initial", recommendation="support", comment="Old review"))
        db.commit()
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    page = ngozi.get(f"/requests/{ref}").get_data(as_text=True)
    assert [row[:3] for row in table_rows(page, "table.votes__table")] == [
        ["Ngozi Committee", "Support", "Old review"]]
    [waiting_on_us] = [table for table in tables(ngozi.get("/dashboard").get_data(as_text=True))
                       if table["caption"].startswith("Waiting on the committee")]
    assert [row[3:5] for row in waiting_on_us["rows"]] == [["In initial review", "Support"]]


def stored_votes(app: Flask) -> list[tuple[str, str, str, str]]:
    """Every vote row: member, stage, outcome, comment."""
    with app.app_context():
        rows = get_session().scalars(select(Review).order_by(Review.id)).all()
        return [(r.member.username, r.stage, r.recommendation, r.comment) for r in rows]


def test_asking_for_information_pauses_the_review_clock(app: Flask) -> None:
    ref = setup_case(app, ("triage",))
    with app.app_context():
        db = get_session()
        case = queries.find_case(db, ref)
        assert case is not None
        start = utcnow()
        case.stage_started_at = start - timedelta(days=15)  # in review for 5 days, then
        case.state_changed_at = start - timedelta(days=15)  # waiting 10 days on the requester
        members = [make_user(db, name) for name in COMMITTEE]
        service.record_decision(db, case, members[0], case_access(db, members[0], case),
                                expected_version=case.version, outcome="ask_information",
                                rationale="r", public_rationale="Which licence exactly?",
                                participant_ids=[m.id for m in members])
        assert case.state == "needs_information"
        case.state_changed_at = utcnow() - timedelta(days=10)  # the requester took 10 days
        ada = make_user(db, "Ada Requester")
        service.take_action(db, case, ada, case_access(db, ada, case), "answer", case.version,
                            message="CC BY-SA 4.0")
        clock = stage_clock(case)
        assert case.state == "in_initial_review"
        assert 4 <= clock.days <= 5  # the 10 days waiting on the requester do not count
        db.commit()


def test_answer_requires_a_message_and_only_the_requester(app: Flask) -> None:
    ref = setup_case(app, ("triage", "ask_information"))
    with app.app_context():
        db = get_session()
        case = queries.find_case(db, ref)
        assert case is not None
        ada = make_user(db, "Ada Requester")
        with pytest.raises(WorkflowError, match="Message"):
            service.take_action(db, case, ada, case_access(db, ada, case), "answer",
                                case.version, message="  ")
        omar = make_user(db, "Omar Requester")
        with pytest.raises(NotAllowed):
            service.take_action(db, case, omar, case_access(db, omar, case), "answer",
                                case.version, message="hi")
        with pytest.raises(StaleVersion):
            service.take_action(db, case, ada, case_access(db, ada, case), "answer",
                                case.version - 1, message="hi")


def test_withdraw_and_reopen_are_audited(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage",))
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    assert post_on_case(ada, ref, "action", action="withdraw").status_code == 302
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    assert post_on_case(sven, ref, "action", action="reopen").status_code == 400  # needs a message
    assert post_on_case(sven, ref, "action", action="reopen",
                        message="Reopened at the requester's wish").status_code == 302
    with app.app_context():
        case = get_session().scalars(select(Case)).one()
        assert case.state == "in_initial_review" and case.outcome is None


def test_close_as_duplicate_and_related_cases(app: Flask, sign_in: SignIn) -> None:
    first = setup_case(app)
    with app.app_context():
        db = get_session()
        second = make_case(db, db.scalars(select(User).where(User.central_id == 1001)).one(),
                           title="Same maps again").reference
        db.commit()
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    assert post_on_case(sven, second, "link", related=first).status_code == 302
    assert post_on_case(sven, second, "link", related=first).status_code == 409
    response = post_on_case(sven, second, "action", action="close_duplicate",
                            duplicate_of=first, message="Filed twice")
    assert response.status_code == 302
    with app.app_context():
        case = queries.find_case(get_session(), second)
        assert case is not None
        assert (case.state, case.outcome) == ("closed", "duplicate")
        assert case.duplicate_of is not None and case.duplicate_of.reference == first
    page = sven.get(f"/requests/{second}").get_data(as_text=True)
    assert f'href="/requests/{first}"' in page


def test_canned_reply_is_inserted_with_placeholders(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app)
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    from tests.helpers import csrf_token

    token = csrf_token(sven, "/canned-replies")
    response = sven.post("/canned-replies", data={
        "csrf_token": token, "language": "en", "title": "Thanks",
        "body": "Thank you, $organisation! Your request $reference is with $next_step."})
    assert response.status_code == 302
    with app.app_context():
        from app.cases.models import CannedReply
        reply_id = get_session().scalars(select(CannedReply.id)).one()
    page = sven.get(f"/requests/{ref}?canned={reply_id}").get_data(as_text=True)
    assert f"Thank you, Museum of Examples! Your request {ref} is with the helpdesk." in page
    bad = sven.post("/canned-replies", data={"csrf_token": token, "language": "xx",
                                             "title": "", "body": ""})
    assert bad.status_code == 400
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    assert ada.get("/canned-replies").status_code == 403


def test_state_label_names_every_state_and_keeps_unknown_codes(app: Flask) -> None:
    with app.test_request_context("/"):
        assert state_label("in_support") == "In support"
        assert all(state_label(state) == str(name) for state, name in transitions.STATES.items())
        assert state_label("no_such_state") == "no_such_state"
        assert state_label(None) == ""

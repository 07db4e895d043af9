"""The case page as a committee member works through it: where the case is, the
request, the votes against the quorum, their own vote, then the decision; a refused
decision shows its error next to the field it is about; long parts fold away."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient

from app.cases import service
from app.cases.access import case_access
from app.cases.queries import find_case
from app.committee import votes
from app.core.db import get_session
from tests.case_client import post_on_case
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.html import one, parse, text_of

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee", "Zoe Committee")


@pytest.fixture
def reference(app: Flask) -> str:
    """A case in initial review, its licence flagged; Mei voted on it, Zoe declared a
    conflict of interest."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = {name: make_user(db, name, "committee") for name in COMMITTEE}
        case = make_case(db, ada, title="Glass negatives", licence_flagged=True)
        service.move(db, case, sven, {"helpdesk"}, "triage")
        mei = members["Mei Committee"]
        votes.cast_vote(db, case, mei, "initial", "proceed", "Fine by me.", {})
        service.declare_conflict(db, case, members["Zoe Committee"], "My museum.")
        db.commit()
        return case.reference


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def headings(html: str) -> list[str]:
    return [text_of(h) for h in parse(html).select("main h2, main h3")]


def inside(element: Tag, selector: str) -> Tag:
    found = element.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def test_the_page_goes_from_the_case_to_the_votes_to_the_decision(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    html = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    shown = headings(html)
    order = ["Where this request is", "The request", "Expert Committee",
             "Votes (initial feedback)", "Your vote (initial feedback)",
             "Record the initial feedback", "Managing this request", "History"]
    assert [h for h in shown if h in order] == order
    committee = text_of(one(html, "section.committee"))
    assert "1 member has voted; a decision needs 3 votes." in committee
    # Ngozi has not voted: the others' votes stay hidden until she has
    assert "Fine by me." not in committee
    assert "You see the other members' votes once you have voted." in committee
    # the decision form names no members: the votes are the participants
    assert not parse(html).select('input[name="participants"]')

    # declaring a conflict of interest is folded away
    details = one(html, "section.committee details.collapsible")
    assert text_of(inside(details, "summary")) == "Declare a conflict of interest"
    assert inside(details, "textarea#coi-reason")


def vote(app: Flask, sign_in: SignIn, reference: str, name: str, outcome: str,
         comment: str = "") -> FlaskClient:
    client = signed_in(app, sign_in, name)
    response = post_on_case(client, reference, "vote", stage="initial", vote_outcome=outcome,
                            vote_comment=comment)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def test_enough_votes_make_the_case_ready_for_a_decision(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    vote(app, sign_in, reference, "Ngozi Committee", "refer", "Ask a group.")
    client = vote(app, sign_in, reference, "Carlos Committee", "refer", "Yes, the data group.")
    html = client.get(f"/requests/{reference}").get_data(as_text=True)
    committee = text_of(one(html, "section.committee"))
    assert "3 members have voted; a decision needs 3 votes." in committee
    assert "Ready for a decision" in committee
    assert text_of(one(html, "#vote-tally")) == (
        "Tally: Refer to working groups: 2; Proceed to final go: 1")
    assert text_of(one(html, "#vote-dissent")) == "Dissent: Mei Committee (Proceed to final go)"
    rows = [text_of(row) for row in parse(html).select("table.votes__table tbody tr")]
    assert rows == ["Carlos Committee Refer to working groups Yes, the data group.",
                    "Mei Committee Proceed to final go Fine by me.",
                    "Ngozi Committee Refer to working groups Ask a group."]


def test_a_decision_without_a_quorum_of_votes_is_refused(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = vote(app, sign_in, reference, "Ngozi Committee", "proceed")
    response = post_on_case(ngozi, reference, "decision", outcome="proceed",
                            rationale="Good collection.")
    assert response.status_code == 409
    page = parse(response)
    form = one(page, "form#decision-refused")
    assert str(form["action"]).endswith(f"/requests/{reference}/decision#decision-refused")
    assert ("A decision needs at least 3 votes from committee members without a conflict of "
            "interest; 2 have voted.") in text_of(form)
    # what was typed is kept, and the summary at the top of the page says it too
    assert inside(form, "textarea#rationale").get_text() == "Good collection."
    assert "A decision needs at least 3" in text_of(one(page, "#case-error"))
    assert page.select_one("form#vote-refused") is None
    with app.app_context():
        case = find_case(get_session(), reference)
        assert case is not None and case.state == "in_initial_review"


@pytest.mark.parametrize(("data", "field"), [
    ({"outcome": "", "rationale": "r"}, "outcome"),
    ({"outcome": "proceed", "rationale": ""}, "rationale"),
    ({"outcome": "ask_information", "rationale": "r", "public_rationale": "",
      "dissent_reason": "x"}, "public_rationale"),
    ({"outcome": "refer", "rationale": "r", "question": "Why?", "dissent_reason": "x"},
     "groups"),
    ({"outcome": "decline", "rationale": "r"}, "dissent_reason"),
])
def test_each_decision_error_is_next_to_its_field(
        app: Flask, sign_in: SignIn, reference: str, data: dict[str, Any], field: str) -> None:
    vote(app, sign_in, reference, "Carlos Committee", "proceed")
    ngozi = vote(app, sign_in, reference, "Ngozi Committee", "proceed")  # a quorum
    response = post_on_case(ngozi, reference, "decision", **data)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    html = parse(response)
    error = one(html, f"#{field}-error")
    assert "field-error" in error["class"]
    described = html.select(f'[aria-describedby~="{field}-error"]')
    assert len(described) == 1
    assert len(html.select(".field-error")) == 1


def test_a_decision_against_the_majority_is_recorded_with_its_reason_and_the_votes(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    vote(app, sign_in, reference, "Carlos Committee", "proceed")
    ngozi = vote(app, sign_in, reference, "Ngozi Committee", "decline", "Out of scope.")
    response = post_on_case(ngozi, reference, "decision", outcome="decline", rationale="r",
                            public_rationale="Not for the Hub.",
                            dissent_reason="The licence cannot be fixed.")
    assert response.status_code == 302
    with app.app_context():
        db = get_session()
        case = find_case(db, reference)
        assert case is not None and case.state == "declined"
        decision = service_decisions(db, case.id)[-1]
        ids = {user.username: user.id for user in (make_user(db, name) for name in COMMITTEE)}
        assert decision.dissent_reason == "The licence cannot be fixed."
        assert decision.quorum == 3
        assert sorted(decision.participant_ids) == sorted(
            ids[name] for name in ("Carlos Committee", "Mei Committee", "Ngozi Committee"))
        assert {v["member_id"]: v["outcome"] for v in decision.votes or []} == {
            ids["Carlos Committee"]: "proceed", ids["Mei Committee"]: "proceed",
            ids["Ngozi Committee"]: "decline"}
        assert decision.recused_ids == [ids["Zoe Committee"]]


def service_decisions(db: Any, case_id: int) -> list[Any]:
    from sqlalchemy import select

    from app.committee.models import Decision
    return list(db.scalars(select(Decision).where(Decision.case_id == case_id)
                           .order_by(Decision.id)))


def test_a_vote_error_is_next_to_the_choices(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    response = post_on_case(ngozi, reference, "vote", stage="initial", vote_outcome="maybe",
                            vote_comment="?")
    assert response.status_code == 400
    form = one(parse(response), "form#vote-refused")
    choices = inside(form, "fieldset")
    assert choices["aria-describedby"] == "vote_outcome-error"
    assert text_of(inside(form, "#vote_outcome-error")) == "Choose your vote."
    assert inside(form, "textarea#vote_comment").get_text() == "?"


def test_long_histories_and_earlier_reviews_fold_away(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    with app.app_context():
        db = get_session()
        case = find_case(db, reference)
        assert case is not None
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        for number in range(10):
            service.post_message(db, case, sven, case_access(db, sven, case),
                                 f"Note number {number}", internal=True)
        members = [make_user(db, name, "committee") for name in COMMITTEE[:3]]
        service.record_decision(db, case, members[0], case_access(db, members[0], case),
                                expected_version=case.version, outcome="proceed",
                                rationale="Fine.", public_rationale="",
                                participant_ids=[m.id for m in members])
        db.commit()
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    html = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    page = parse(html)
    history = one(page, 'section[aria-labelledby="timeline-heading"]')
    folded = inside(history, "details.collapsible")
    entries = history.select("li.timeline__item")
    assert len(entries) == 13  # submitted, triaged, ten notes, the decision
    assert text_of(inside(folded, "summary")) == "Show 8 earlier entries"
    assert len(folded.select("li.timeline__item")) == 8
    assert "Note number 9" in " ".join(text_of(entry) for entry in entries[-5:])
    # in the final go, the initial votes fold away; the current stage has none yet
    committee = one(page, "section.committee")
    assert "Votes (final go)" in text_of(committee)
    assert "0 members have voted; a decision needs 3 votes." in text_of(committee)
    earlier = inside(committee, "details.collapsible")
    assert text_of(inside(earlier, "summary")) == "Earlier votes (3)"
    assert "Mei Committee" in text_of(earlier)
    # the decisions on record fold away too
    decisions = one(page, 'section[aria-labelledby="staff-heading"] details.collapsible')
    assert text_of(inside(decisions, "summary")) == "Show 1 decision"


def test_the_helpdesk_sees_no_empty_committee_section(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    html = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert "Expert Committee" not in headings(html)
    assert "Managing this request" in headings(html)

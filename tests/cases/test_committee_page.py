"""The case page as a committee member works through it: where the case is, the
request, the reviews against the quorum, their own review, then the decision; who has
reviewed shows in the list of members taking part; a refused decision shows its error
next to the field it is about; long parts fold away."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient

from app.cases import service
from app.cases.access import case_access
from app.cases.queries import find_case
from app.core.db import get_session
from tests.case_client import post_on_case
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.html import one, parse, text_of

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee", "Zoe Committee")


@pytest.fixture
def reference(app: Flask) -> str:
    """A case in initial review, its licence flagged; Mei reviewed it, Zoe declared a
    conflict of interest; a few messages."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = {name: make_user(db, name, "committee") for name in COMMITTEE}
        case = make_case(db, ada, title="Glass negatives", licence_flagged=True)
        service.move(db, case, sven, {"helpdesk"}, "triage")
        mei = members["Mei Committee"]
        service.save_review(db, case, mei, case_access(db, mei, case), "support", "Fine by me.")
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


def test_the_page_goes_from_the_case_to_the_reviews_to_the_decision(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    html = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    shown = headings(html)
    order = ["Where this request is", "The request", "Expert Committee",
             "Reviews (initial feedback)", "Your review (initial feedback)",
             "Record the initial feedback", "Managing this request", "History"]
    assert [h for h in shown if h in order] == order
    reviews = text_of(one(html, "section.committee"))
    assert "1 member has reviewed this stage; a decision needs 3 members." in reviews
    assert "Mei Committee Support Fine by me." in reviews

    # the members who may take part, each with their review of the stage
    participants = one(html, "fieldset.participants")
    boxes = {text_of(box) for box in participants.select(".checkbox")}
    assert boxes == {"Carlos Committee not reviewed yet", "Mei Committee reviewed: Support",
                     "Ngozi Committee not reviewed yet"}  # Zoe declared a conflict
    # the name is the checkbox's label; the review describes it
    assert {text_of(label) for label in participants.select("label")} == {
        "Carlos Committee", "Mei Committee", "Ngozi Committee"}
    for box in participants.select("input"):
        review = one(html, f"#{box['aria-describedby']}")
        assert "participants__review" in review["class"]

    # declaring a conflict of interest is folded away
    details = one(html, "section.committee details.collapsible")
    assert text_of(inside(details, "summary")) == "Declare a conflict of interest"
    assert inside(details, "textarea#coi-reason")


def test_enough_reviews_make_the_case_ready_for_a_decision(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    for name in ("Ngozi Committee", "Carlos Committee"):
        client = signed_in(app, sign_in, name)
        assert post_on_case(client, reference, "review", recommendation="refer",
                            comment="Ask a group.").status_code == 302
    html = client.get(f"/requests/{reference}").get_data(as_text=True)
    reviews = text_of(one(html, "section.committee"))
    assert "3 members have reviewed this stage; a decision needs 3 members." in reviews
    assert "Ready for a decision" in reviews


def test_a_quorum_error_shows_next_to_the_members_who_took_part(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    response = post_on_case(ngozi, reference, "decision", outcome="proceed",
                            rationale="Good collection.")
    assert response.status_code == 409
    page = parse(response)
    form = one(page, "form#decision-refused")
    assert str(form["action"]).endswith(f"/requests/{reference}/decision#decision-refused")
    fieldset = inside(form, "fieldset.participants")
    error = inside(fieldset, ".field-error")
    assert error["id"] == "participants-error"
    assert fieldset["aria-describedby"] == "participants-error"
    assert "A decision needs at least 3 committee members" in text_of(error)
    # what was typed is kept, and the summary at the top of the page says it too
    assert inside(form, "textarea#rationale").get_text() == "Good collection."
    assert "A decision needs at least 3" in text_of(one(page, "#case-error"))
    assert page.select_one("form#review-refused") is None


@pytest.mark.parametrize(("data", "field"), [
    ({"outcome": "", "rationale": "r"}, "outcome"),
    ({"outcome": "proceed", "rationale": ""}, "rationale"),
    ({"outcome": "ask_information", "rationale": "r", "public_rationale": ""},
     "public_rationale"),
    ({"outcome": "refer", "rationale": "r", "question": "Why?"}, "groups"),
])
def test_each_decision_error_is_next_to_its_field(
        app: Flask, sign_in: SignIn, reference: str, data: dict[str, Any], field: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    page = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    ids = [str(box["value"]) for box in parse(page).select('input[name="participants"]')]
    assert len(ids) == 3  # a quorum: the error is about another field
    response = post_on_case(ngozi, reference, "decision", participants=ids, **data)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    html = parse(response)
    error = one(html, f"#{field}-error")
    assert "field-error" in error["class"]
    described = html.select(f'[aria-describedby~="{field}-error"]')
    assert len(described) == 1
    assert len(html.select(".field-error")) == 1


def test_a_review_error_is_next_to_the_recommendation(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    response = post_on_case(ngozi, reference, "review", recommendation="maybe", comment="?")
    assert response.status_code == 400
    form = one(parse(response), "form#review-refused")
    select = inside(form, "select#recommendation")
    assert select["aria-invalid"] == "true"
    assert text_of(inside(form, "#recommendation-error")) == "Choose a recommendation."


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
    # in the final go, the initial reviews fold away; the current stage has none yet
    committee = one(page, "section.committee")
    assert "Reviews (final go)" in text_of(committee)
    assert "0 members have reviewed this stage" in text_of(committee)
    earlier = inside(committee, "details.collapsible")
    assert text_of(inside(earlier, "summary")) == "Earlier review (1)"
    assert "Mei Committee" in text_of(earlier)
    found = {text_of(box) for box in committee.select("fieldset.participants .checkbox")}
    assert "Mei Committee not reviewed yet" in found  # reviewed the initial stage only
    # the decisions on record fold away too
    decisions = one(page, 'section[aria-labelledby="staff-heading"] details.collapsible')
    assert text_of(inside(decisions, "summary")) == "Show 1 decision"


def test_the_helpdesk_sees_no_empty_committee_section(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    html = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert "Expert Committee" not in headings(html)
    assert "Managing this request" in headings(html)

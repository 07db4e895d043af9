"""The Expert Committee's own votes, through the case page: each member votes for
themselves, with scores on the criteria; a decision is taken from a quorum of votes and
keeps who voted what; recused members see and cast none; conflicts that leave too few
members lower the quorum or call for a substitute reviewer; votes close at the decision
(a vote the chair recorded at a meeting can be corrected by its member for a week)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.cases.queries import find_case
from app.committee import votes
from app.committee.models import Criterion, Decision, Review
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from tests.case_client import post_on_case
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.html import one, parse, table_rows, text_of

MEMBERS = ("Ngozi Committee", "Mei Committee", "Carlos Committee")


@pytest.fixture
def reference(app: Flask) -> str:
    """A case in initial review, three committee members, an admin."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Admin Demo", "admin")
        for name in MEMBERS:
            make_user(db, name, "committee")
        case = make_case(db, ada, title="Herbarium sheets")
        service.move(db, case, sven, {"helpdesk"}, "triage")
        db.commit()
        return case.reference


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def criteria(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {c.name: c.id for c in get_session().scalars(select(Criterion))}


def cast(client: FlaskClient, reference: str, outcome: str, comment: str = "",
         **scores: int | str) -> int:
    data: dict[str, int | str] = {"stage": "initial", "vote_outcome": outcome,
                                  "vote_comment": comment, **scores}
    return post_on_case(client, reference, "vote", **data).status_code


def stored_votes(app: Flask, reference: str) -> dict[str, tuple[str, str, int | None]]:
    with app.app_context():
        db = get_session()
        case = find_case(db, reference)
        assert case is not None
        rows = db.scalars(select(Review).where(Review.case_id == case.id)).all()
        return {r.member.username: (r.recommendation, r.comment, r.decision_id) for r in rows}


def decisions(app: Flask, reference: str) -> list[Decision]:
    with app.app_context():
        db = get_session()
        case = find_case(db, reference)
        assert case is not None
        found = list(db.scalars(select(Decision).where(Decision.case_id == case.id)))
        db.expunge_all()
        return found


def test_the_hubs_criteria_are_there_to_score(app: Flask) -> None:
    assert list(criteria(app)) == ["Technical", "Legal and ethical", "Risk", "Sustainability",
                                   "Impact", "Reaching underserved communities"]


def test_the_seeded_criteria_show_in_the_page_language(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    swedish = ngozi.get(f"/requests/{reference}?uselang=sv").get_data(as_text=True)
    assert "Juridik och etik" in swedish and "Legal and ethical" not in swedish
    french = ngozi.get(f"/requests/{reference}?uselang=fr").get_data(as_text=True)
    assert "Juridique et éthique" in french


def test_three_members_vote_on_their_own_and_the_decision_keeps_the_tally(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    ids = criteria(app)
    technical, impact = ids["Technical"], ids["Impact"]
    clients = {name: signed_in(app, sign_in, name) for name in MEMBERS}
    assert cast(clients["Ngozi Committee"], reference, "proceed", "Good scans.",
                **{f"score-{technical}": 4, f"note-{technical}": "600 dpi",
                   f"score-{impact}": 5}) == 302
    assert cast(clients["Mei Committee"], reference, "proceed", "",
                **{f"score-{technical}": 2, f"note-{technical}": "Metadata thin"}) == 302

    # two votes are not a quorum of three: the decision is refused, nothing moves
    response = post_on_case(clients["Mei Committee"], reference, "decision",
                            outcome="proceed", rationale="Fine.")
    assert response.status_code == 409
    assert "A decision needs at least 3 votes" in text_of(one(response.get_data(as_text=True),
                                                              "#case-error"))
    assert decisions(app, reference) == []

    assert cast(clients["Carlos Committee"], reference, "decline", "Too big for now.",
                **{f"score-{technical}": 3}) == 302
    html = clients["Ngozi Committee"].get(f"/requests/{reference}").get_data(as_text=True)
    assert text_of(one(html, "#vote-tally")) == "Tally: Proceed to final go: 2; Decline: 1"
    assert text_of(one(html, "#vote-dissent")) == "Dissent: Carlos Committee (Decline)"
    assert [row[:2] for row in table_rows(html, "table.score-spread")] == [
        ["Technical", "3"], ["Impact", "5"]]
    spread = table_rows(html, "table.score-spread")
    assert spread[0][2] == "2, 3, 4"  # the spread in words, besides the chart

    response = post_on_case(clients["Ngozi Committee"], reference, "decision",
                            outcome="proceed", rationale="Fine.")
    assert response.status_code == 302
    [decision] = decisions(app, reference)
    with app.app_context():
        db = get_session()
        named = {make_user(db, name).id: name for name in MEMBERS}
    assert {named[v["member_id"]]: v["outcome"] for v in decision.votes or []} == {
        "Ngozi Committee": "proceed", "Mei Committee": "proceed", "Carlos Committee": "decline"}
    assert sorted(named[i] for i in decision.participant_ids) == sorted(MEMBERS)
    assert decision.quorum == 3 and decision.dissent_reason == ""


def test_no_one_votes_as_someone_else(app: Flask, sign_in: SignIn, reference: str) -> None:
    with app.app_context():
        mei_id = make_user(get_session(), "Mei Committee").id
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    # the form names no member; naming one anyway changes nothing: the vote is Ngozi's
    status = cast(ngozi, reference, "decline", "Mine.", member_id=mei_id, member=mei_id,
                  member_id_=str(mei_id), recorded_by=mei_id)
    assert status == 302
    assert stored_votes(app, reference) == {"Ngozi Committee": ("decline", "Mine.", None)}
    with app.app_context():
        events = get_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "case.vote")).all()
        assert [(e.actor.username if e.actor else None, (e.after or {}).get("member"))
                for e in events] == [("Ngozi Committee", "Ngozi Committee")]
    # and no one outside the committee votes at all
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    assert cast(sven, reference, "proceed") == 403
    assert list(stored_votes(app, reference)) == ["Ngozi Committee"]


def test_others_votes_show_once_a_member_has_voted(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    cast(signed_in(app, sign_in, "Mei Committee"), reference, "refer", "Ask the GLAM group.")
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    before = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    assert "Ask the GLAM group." not in before
    assert "You see the other members' votes once you have voted." in text_of(parse(before))
    cast(ngozi, reference, "refer")
    after = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    assert "Ask the GLAM group." in after
    app.config["COMMITTEE_VOTES_VISIBLE"] = "always"
    carlos = signed_in(app, sign_in, "Carlos Committee")
    assert "Ask the GLAM group." in carlos.get(f"/requests/{reference}").get_data(as_text=True)


def test_a_recused_member_sees_no_votes_and_cannot_vote(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    technical = criteria(app)["Technical"]
    cast(signed_in(app, sign_in, "Mei Committee"), reference, "proceed", "Secret reasoning",
         **{f"score-{technical}": 5, f"note-{technical}": "Secret note"})
    carlos = signed_in(app, sign_in, "Carlos Committee")
    assert post_on_case(carlos, reference, "conflict", reason="My herbarium.").status_code == 302
    html = carlos.get(f"/requests/{reference}").get_data(as_text=True)
    for private in ("Secret reasoning", "Secret note", "vote-tally", "score-spread",
                    "Proceed to final go: 1"):
        assert private not in html
    response = post_on_case(carlos, reference, "vote", stage="initial", vote_outcome="decline")
    assert response.status_code == 403
    assert ("You declared a conflict of interest on this request, so you do not vote on it."
            in text_of(one(response.get_data(as_text=True), "#case-error")))
    assert "Carlos Committee" not in stored_votes(app, reference)


def test_votes_can_change_until_the_decision_and_not_after(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    clients = {name: signed_in(app, sign_in, name) for name in MEMBERS}
    cast(clients["Ngozi Committee"], reference, "decline", "First thought.")
    cast(clients["Ngozi Committee"], reference, "proceed", "On reflection, fine.")
    assert stored_votes(app, reference) == {
        "Ngozi Committee": ("proceed", "On reflection, fine.", None)}
    for name in ("Mei Committee", "Carlos Committee"):
        cast(clients[name], reference, "proceed")
    assert post_on_case(clients["Mei Committee"], reference, "decision", outcome="proceed",
                        rationale="All agree.").status_code == 302
    response = post_on_case(clients["Ngozi Committee"], reference, "vote", stage="initial",
                            vote_outcome="decline", vote_comment="Changed my mind.")
    assert response.status_code == 409
    assert "Votes on this stage are closed" in response.get_data(as_text=True)
    assert stored_votes(app, reference)["Ngozi Committee"][:2] == (
        "proceed", "On reflection, fine.")


def test_a_vote_the_chair_recorded_can_be_corrected_by_its_member_for_a_week(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    with app.app_context():
        db = get_session()
        case = find_case(db, reference)
        assert case is not None
        ngozi, mei, carlos = (make_user(db, name) for name in MEMBERS)
        votes.cast_vote(db, case, mei, "initial", "proceed", "", {}, recorded_by=ngozi)
        db.commit()
    mei_client = signed_in(app, sign_in, "Mei Committee")
    html = mei_client.get(f"/requests/{reference}").get_data(as_text=True)
    assert ("Ngozi Committee recorded this vote for you at a meeting."
            in text_of(one(html, "#vote-recorded-for-you")))
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "case.vote")).one()
        assert event.actor is not None and event.actor.username == "Ngozi Committee"
        assert (event.after or {})["member"] == "Mei Committee"
    # the decision is taken; Mei corrects what the chair recorded, within the week
    cast(signed_in(app, sign_in, "Ngozi Committee"), reference, "proceed")
    carlos = signed_in(app, sign_in, "Carlos Committee")
    cast(carlos, reference, "proceed")
    assert post_on_case(carlos, reference, "decision", outcome="proceed",
                        rationale="r").status_code == 302
    assert cast(mei_client, reference, "decline", "I said decline.") == 302
    assert stored_votes(app, reference)["Mei Committee"][:2] == ("decline", "I said decline.")
    [decision] = decisions(app, reference)
    assert "proceed" in {v["outcome"] for v in decision.votes or []}  # as decided on
    # after a week it is closed like any other
    with app.app_context():
        db = get_session()
        review = db.scalars(select(Review).join(Review.member).where(
            Review.recorded_by_id.is_not(None))).first()
        assert review is None  # her correction made it her own vote
        own = db.scalars(select(Review)).all()
        for row in own:
            row.recorded_by_id = make_user(db, "Ngozi Committee").id
            row.updated_at = row.updated_at - timedelta(days=8)
        db.commit()
    assert cast(mei_client, reference, "proceed") == 409


def test_too_few_members_left_a_substitute_then_a_lower_quorum(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    clients = {name: signed_in(app, sign_in, name) for name in MEMBERS}
    for name in ("Mei Committee", "Carlos Committee"):
        post_on_case(clients[name], reference, "conflict", reason="Former colleague.")
    ngozi = clients["Ngozi Committee"]
    cast(ngozi, reference, "proceed")
    html = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    assert ("Conflicts of interest leave 1 members who may vote on this request, fewer than "
            "the 2 a decision needs at least.") in text_of(one(html, "#quorum-short"))
    response = post_on_case(ngozi, reference, "decision", outcome="proceed", rationale="r")
    assert response.status_code == 409
    assert "An administrator can add a substitute reviewer" in response.get_data(as_text=True)

    # only an admin adds a substitute, and only someone without a conflict of interest
    page = f"/committee/substitutes/{reference}"
    assert ngozi.get(page).status_code == 403
    admin = signed_in(app, sign_in, "Admin Demo")
    assert "1 members may vote" not in admin.get(page).get_data(as_text=True)
    refused = admin.post(page, data={"csrf_token": token(admin, page),
                                     "username": "Mei Committee", "reason": "x"})
    assert refused.status_code == 400
    assert "declared a conflict of interest" in refused.get_data(as_text=True)
    with app.app_context():
        make_user(get_session(), "Leila Lead")
        get_session().commit()
    leila = signed_in(app, sign_in, "Leila Lead")
    assert leila.get(f"/requests/{reference}").status_code == 403
    added = admin.post(page, data={"csrf_token": token(admin, page),
                                   "username": "Leila Lead", "reason": "Herbaria expert."})
    assert added.status_code == 303
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "case.substitute_added")).one()
        assert (event.after or {})["member"] == "Leila Lead"

    # the substitute sees this case, votes on it, and the quorum is the two who may vote
    html = leila.get(f"/requests/{reference}").get_data(as_text=True)
    assert ("Conflicts of interest leave 2 members who may vote on this request, so its "
            "quorum is 2.") in text_of(one(html, "#quorum-lowered"))
    assert cast(leila, reference, "proceed", "As substitute.") == 302
    response = post_on_case(ngozi, reference, "decision", outcome="proceed", rationale="r")
    assert response.status_code == 302
    [decision] = decisions(app, reference)
    assert decision.quorum == 2 and len(decision.participant_ids) == 2
    # on this case only
    with app.app_context():
        db = get_session()
        other = make_case(db, make_user(db, "Ada Requester"), title="Another")
        db.commit()
        other_ref = other.reference
    assert leila.get(f"/requests/{other_ref}").status_code == 403


def test_the_lowest_quorum_is_a_setting(app: Flask, sign_in: SignIn, reference: str) -> None:
    app.config["COMMITTEE_MIN_QUORUM"] = 3  # no lowering: a conflict calls for a substitute
    clients = {name: signed_in(app, sign_in, name) for name in MEMBERS}
    post_on_case(clients["Carlos Committee"], reference, "conflict", reason="My museum.")
    for name in ("Ngozi Committee", "Mei Committee"):
        cast(clients[name], reference, "proceed")
    html = clients["Ngozi Committee"].get(f"/requests/{reference}").get_data(as_text=True)
    assert ("Conflicts of interest leave 2 members who may vote on this request, fewer than "
            "the 3 a decision needs at least.") in text_of(one(html, "#quorum-short"))
    response = post_on_case(clients["Ngozi Committee"], reference, "decision",
                            outcome="proceed", rationale="r")
    assert response.status_code == 409 and decisions(app, reference) == []
    app.config["COMMITTEE_MIN_QUORUM"] = 2  # the default: the two who may vote decide
    response = post_on_case(clients["Ngozi Committee"], reference, "decision",
                            outcome="proceed", rationale="r")
    assert response.status_code == 302
    [decision] = decisions(app, reference)
    assert decision.quorum == 2


def test_a_score_out_of_range_is_refused_next_to_its_criterion(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    risk = criteria(app)["Risk"]
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    response = post_on_case(ngozi, reference, "vote", stage="initial", vote_outcome="proceed",
                            **{f"score-{risk}": "9"})
    assert response.status_code == 400
    form = one(parse(response), "form#vote-refused")
    assert text_of(one(str(form), f"#score-{risk}-error")) == "A score is a number from 1 to 5."
    assert stored_votes(app, reference) == {}


def token(client: FlaskClient, path: str) -> str:
    from tests.helpers import csrf_token
    return csrf_token(client, path)


def test_admins_keep_the_criteria(app: Flask, sign_in: SignIn, reference: str) -> None:
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    assert ngozi.get("/committee/criteria").status_code == 403
    admin = signed_in(app, sign_in, "Admin Demo")
    page = "/committee/criteria"
    empty = admin.post(page, data={"csrf_token": token(admin, page), "name": "",
                                   "position": "5"})
    assert empty.status_code == 400
    assert "Give the criterion a name." in empty.get_data(as_text=True)
    added = admin.post(page, data={"csrf_token": token(admin, page), "name": "Data quality",
                                   "description": "Are the metadata complete?",
                                   "position": "5", "active": "y"})
    assert added.status_code == 303
    names = [row[1] for row in table_rows(admin.get(page).get_data(as_text=True))]
    assert names[0] == "Data quality" and "Technical" in names
    # retired: no longer scored in new votes
    risk = criteria(app)["Risk"]
    edit = f"/committee/criteria/{risk}"
    assert admin.post(edit, data={"csrf_token": token(admin, edit), "name": "Risk",
                                  "position": "30"}).status_code == 303
    form = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    labels = [text_of(label) for label in parse(form).select(".vote-form__criterion label")]
    assert "Data quality" in labels and "Risk" not in labels
    assert "Note on Data quality" in labels


def test_the_dashboard_shows_the_medians_of_the_votes_not_yet_decided(
        app: Flask, sign_in: SignIn, reference: str) -> None:
    technical = criteria(app)["Technical"]
    for name, score in (("Mei Committee", 2), ("Carlos Committee", 5)):
        cast(signed_in(app, sign_in, name), reference, "proceed", **{f"score-{technical}": score})
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    html = ngozi.get("/dashboard").get_data(as_text=True)
    assert table_rows(html, "table.score-spread") == [["Technical", "3.5", "2, 5"]]
    # a member with a conflict of interest on the case sees none of its scores
    post_on_case(ngozi, reference, "conflict", reason="Former colleague.")
    assert "score-spread" not in ngozi.get("/dashboard").get_data(as_text=True)

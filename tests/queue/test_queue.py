"""The support queue: approved cases in the committee's order, against the helpdesk's
capacity; the order drives the inbox and the place in line requesters and the public see."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case
from app.committee.models import Criterion, CriterionScore, Review
from app.core import caches as datacache
from tests.attention.support import unread_on
from tests.case_client import post_on_case
from tests.helpers import SignIn, sql_statements
from tests.helpers import app_session as session
from tests.html import one, parse, table_rows, text_of
from tests.queue.support import approved_case, events, people, queue_form, queue_titles


def three_approved(app: Flask) -> dict[str, str]:
    """Maps, Letters and Songs approved in that order (Songs is Omar's, the others Ada's)."""
    with session(app) as db:
        u = people(db)
        return {title: approved_case(db, u["omar" if title == "Songs" else "ada"], title)
                .reference for title in ("Maps", "Letters", "Songs")}


def test_approved_cases_wait_in_line_and_leave_it_when_support_starts(
    app: Flask, sign_in: SignIn
) -> None:
    refs = three_approved(app)
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    assert queue_titles(helpdesk) == ["Maps", "Letters", "Songs"]
    page = parse(helpdesk.get("/committee/queue").get_data(as_text=True))
    assert "0 of 3 in support" in text_of(one(page, ".queue-capacity"))
    assert page.select('button[name="move"]') == []  # only the committee orders

    response = post_on_case(helpdesk, refs["Maps"], "action", action="start_support")
    assert response.status_code == 302
    assert queue_titles(helpdesk) == ["Letters", "Songs"]
    page = parse(helpdesk.get("/committee/queue").get_data(as_text=True))
    assert "1 of 3 in support" in text_of(one(page, ".queue-capacity"))

    with session(app) as db:  # a newly approved case joins the end
        approved_case(db, people(db)["ada"], "Films")
    assert queue_titles(helpdesk) == ["Letters", "Songs", "Films"]


def test_the_committee_moves_a_case_up_with_its_reason_in_the_audit_log(
    app: Flask, sign_in: SignIn
) -> None:
    refs = three_approved(app)
    member = app.test_client()
    sign_in(member, "Ngozi Committee")
    form = queue_form(member)
    songs = parse(member.get("/committee/queue").get_data(as_text=True)).select_one(
        f'button[name="move"][value$=":up"][value^="{_case_id(app, refs["Songs"])}:"]')
    assert songs is not None
    response = member.post("/committee/queue", data={
        **form, "reason": "The partner's grant ends in March.", "move": songs["value"]})
    assert response.status_code == 303
    assert queue_titles(member) == ["Maps", "Songs", "Letters"]
    with session(app) as db:
        moved = {event.object_id: (event.before, event.after)
                 for event in events(db, "case.queue_place")}
        ids = {title: str(_case_id(app, ref)) for title, ref in refs.items()}
    reason = "The partner's grant ends in March."
    assert moved == {ids["Songs"]: ({"place": 3}, {"place": 2, "reason": reason}),
                     ids["Letters"]: ({"place": 2}, {"place": 3, "reason": reason})}

    # the helpdesk inbox follows the ranking
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    inbox = parse(helpdesk.get("/inbox").get_data(as_text=True))
    titles = [row[1] for row in table_rows(inbox, "#inbox-unassigned ~ div table")]
    assert titles == ["Maps", "Songs", "Letters"]

    # the requester sees the place in line on the case page and in My requests
    omar = app.test_client()
    sign_in(omar, "Omar Requester")
    page = parse(omar.get(f"/requests/{refs['Songs']}").get_data(as_text=True))
    assert "Support queue 2nd in line for support" in text_of(
        one(page, "#stage-heading").parent)
    mine = text_of(parse(omar.get("/requests/mine").get_data(as_text=True)).select_one("main")
                   or parse(""))
    assert "2nd in line for support" in mine


def _case_id(app: Flask, reference: str) -> int:
    with session(app) as db:
        return db.scalars(select(Case.id).where(Case.reference == reference)).one()


def test_a_reorder_needs_a_reason_a_committee_member_and_the_order_shown(
    app: Flask, sign_in: SignIn
) -> None:
    refs = three_approved(app)
    letters = _case_id(app, refs["Letters"])
    member = app.test_client()
    sign_in(member, "Mei Committee")
    form = queue_form(member)

    no_reason = member.post("/committee/queue", data={**form, "reason": " ",
                                                      "move": f"{letters}:up"})
    assert no_reason.status_code == 400
    assert "Give the reason for this change of order." in text_of(
        one(parse(no_reason.get_data(as_text=True)), ".field-error"))

    stale = member.post("/committee/queue", data={
        **form, "order": "1,2,3,4", "reason": "Urgent.", "move": f"{letters}:up"})
    assert stale.status_code == 409
    assert "The queue changed after you opened the page" in stale.get_data(as_text=True)

    requester = app.test_client()
    sign_in(requester, "Ada Requester")
    assert requester.get("/committee/queue").status_code == 403

    without_token = member.post("/committee/queue", data={
        "order": form["order"], "reason": "Urgent.", "move": f"{letters}:up"})
    assert without_token.status_code == 400

    assert queue_titles(member) == ["Maps", "Letters", "Songs"]
    with session(app) as db:
        assert events(db, "case.queue_place") == []


def test_helpdesk_staff_may_not_reorder(app: Flask, sign_in: SignIn) -> None:
    refs = three_approved(app)
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    member = app.test_client()
    sign_in(member, "Mei Committee")
    form = queue_form(member)  # the fields a committee member's page has
    token = parse(helpdesk.get("/inbox").get_data(as_text=True)).select_one(
        'input[name="csrf_token"]')
    assert token is not None
    response = helpdesk.post("/committee/queue", data={
        "csrf_token": token["value"], "order": form["order"], "reason": "Mine first.",
        "move": f"{_case_id(app, refs['Songs'])}:up"})
    assert response.status_code == 403
    assert queue_titles(member) == ["Maps", "Letters", "Songs"]


def test_order_by_the_median_of_the_committees_scores(app: Flask, sign_in: SignIn) -> None:
    refs = three_approved(app)
    with session(app) as db:
        u = people(db)
        criteria = list(db.scalars(select(Criterion).order_by(Criterion.position)))[:2]
        assert criteria, "the migration seeds the committee's criteria"
        ids = {title: db.scalars(select(Case.id).where(Case.reference == ref)).one()
               for title, ref in refs.items()}
        for title, scores in (("Songs", (5, 4)), ("Letters", (3, 3))):
            for member in (u["ngozi"], u["mei"]):
                review = Review(case_id=ids[title], member_id=member.id, stage="final",
                                recommendation="approve", comment="")
                review.scores = [CriterionScore(criterion_id=criterion.id, score=score)
                                 for criterion, score in zip(criteria, scores, strict=False)]
                db.add(review)
    member = app.test_client()
    sign_in(member, "Ngozi Committee")
    page = parse(member.get("/committee/queue").get_data(as_text=True))
    assert [row[5] for row in table_rows(page)] == ["no scores", "3", "4.5"]
    response = member.post("/committee/queue", data={
        **queue_form(member), "reason": "As scored at the November meeting.",
        "move": "score"})
    assert response.status_code == 303
    assert queue_titles(member) == ["Songs", "Letters", "Maps"]
    with session(app) as db:
        assert len(events(db, "case.queue_place")) == 2  # Letters kept its place


def test_the_public_sees_the_place_in_line_of_consenting_cases_only(
    app: Flask, sign_in: SignIn, client: object
) -> None:
    with session(app) as db:
        u = people(db)
        private = approved_case(db, u["ada"], "Private letters", public_listing=False)
        public = approved_case(db, u["omar"], "Public songs", public_listing=True)
        refs = (private.reference, public.reference)
    visitor = app.test_client()
    page = parse(visitor.get(f"/cases/{refs[1]}").get_data(as_text=True))
    assert "Support queue 2nd in line for support" in text_of(page)
    assert visitor.get(f"/api/v1/cases/{refs[1]}").get_json()["place_in_line"] == 2
    listed = visitor.get("/api/v1/cases").get_json()["cases"]
    assert [(case["reference"], case["place_in_line"]) for case in listed] == [(refs[1], 2)]
    assert visitor.get(f"/cases/{refs[0]}").status_code == 404
    assert visitor.get(f"/api/v1/cases/{refs[0]}").status_code == 404
    # the requester of the private case sees their own place
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    mine = parse(ada.get(f"/requests/{refs[0]}").get_data(as_text=True))
    assert "1st in line for support" in text_of(one(mine, "#stage-heading").parent)


def test_the_place_in_line_costs_one_statement_whatever_the_queue_holds(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        mine = approved_case(db, u["omar"], "Mine")
        reference = mine.reference
    omar = app.test_client()
    sign_in(omar, "Omar Requester")
    paths = (f"/requests/{reference}", "/requests/mine", f"/cases/{reference}",
             "/api/v1/cases", f"/api/v1/cases/{reference}")
    small = {path: _statements(app, omar, path) for path in paths}
    with session(app) as db:
        u = people(db)
        for index in range(12):
            approved_case(db, u["ada"], f"Another {index}")
    large = {path: _statements(app, omar, path) for path in paths}
    assert large == small
    assert omar.get("/api/v1/cases?per_page=100").get_json()["cases"][0]["place_in_line"] == 13


def _statements(app: Flask, client: FlaskClient, path: str) -> int:
    assert client.get(path).status_code == 200, path
    datacache.invalidate()
    with sql_statements(app) as sent:
        assert client.get(path).status_code == 200, path
    return len(sent)


def test_the_queue_marks_the_cases_changed_since_the_member_opened_them(
    app: Flask, sign_in: SignIn
) -> None:
    refs = three_approved(app)
    member = app.test_client()
    sign_in(member, "Ngozi Committee")
    assert unread_on(member, "/committee/queue") == set(refs.values())  # never opened
    member.get(f"/requests/{refs['Maps']}")
    assert unread_on(member, "/committee/queue") == {refs["Letters"], refs["Songs"]}

"""The whole lifecycle of a request, through HTTP, as each role would do it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case, ChecklistItem
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.groups.models import Referral, WorkingGroup
from tests.case_client import post_on_case
from tests.factories import join_group, make_user
from tests.helpers import SignIn, csrf_token
from tests.intake.support import form_data

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee")


def state_of(app: Flask, reference: str) -> str:
    with app.app_context():
        return get_session().scalars(select(Case.state).where(Case.reference == reference)).one()


def people(app: Flask) -> dict[str, int]:
    with app.app_context():
        db = get_session()
        ids = {name: make_user(db, name, "committee").id for name in COMMITTEE}
        ids["Sven Helpdesk"] = make_user(db, "Sven Helpdesk", "helpdesk").id
        ids["Ada Requester"] = make_user(db, "Ada Requester").id
        leila = make_user(db, "Leila Lead")
        join_group(db, leila, "implementation", lead=True)
        ids["Leila Lead"] = leila.id
        db.commit()
    return ids


def browser(app: Flask, sign_in: SignIn, name: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, name)
    return client


def test_request_goes_from_filing_to_closed(app: Flask, sign_in: SignIn) -> None:
    people(app)
    with app.app_context():
        implementation = get_session().scalars(
            select(WorkingGroup.id).where(WorkingGroup.slug == "implementation")).one()
    ada = browser(app, sign_in, "Ada Requester")
    filed = ada.post("/requests/new", data=form_data(csrf_token(ada, "/requests/new")))
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    ref = filed.headers["Location"].rsplit("/", 1)[-1]
    assert ref.startswith("CPH-")
    page = ada.get(f"/requests/{ref}").get_data(as_text=True)
    assert "Waiting on" in page and "the helpdesk" in page

    sven = browser(app, sign_in, "Sven Helpdesk")
    assert post_on_case(sven, ref, "message", body="Looks like spam? No, fine.",
                        visibility="internal").status_code == 302
    assert post_on_case(sven, ref, "action", action="triage").status_code == 302
    assert state_of(app, ref) == "in_initial_review"

    members = {name: browser(app, sign_in, name) for name in COMMITTEE}
    for name, client in members.items():  # each member votes on their own
        assert post_on_case(client, ref, "vote", vote_outcome="refer",
                            vote_comment=f"{name}: ask Implementation").status_code == 302
    ngozi = members["Ngozi Committee"]
    refer = post_on_case(
        ngozi, ref, "decision", outcome="refer", rationale="Needs a data model check",
        public_rationale="", groups=[str(implementation)],
        question="Can you check the metadata mapping?")
    assert refer.status_code == 302, refer.get_data(as_text=True)[:2000]
    assert state_of(app, ref) == "with_working_groups"

    leila = browser(app, sign_in, "Leila Lead")
    page = leila.get(f"/requests/{ref}").get_data(as_text=True)
    assert "Can you check the metadata mapping?" in page
    assert "Looks like spam" not in page  # internal notes stay with staff
    with app.app_context():
        referral_id = get_session().scalars(select(Referral.id)).one()
    answer = post_on_case(leila, ref, f"referrals/{referral_id}/answer",
                          answer="The mapping is fine; use P180.")
    assert answer.status_code == 302
    assert state_of(app, ref) == "awaiting_final_go"

    for client in members.values():
        assert post_on_case(client, ref, "vote", vote_outcome="approve").status_code == 302
    mei = members["Mei Committee"]
    go = post_on_case(mei, ref, "decision", outcome="approve", rationale="All good",
                      public_rationale="Welcome aboard!")
    assert go.status_code == 302
    assert state_of(app, ref) == "approved"

    assert post_on_case(sven, ref, "assign", assignee="Sven Helpdesk").status_code == 302
    assert post_on_case(sven, ref, "action", action="start_support").status_code == 302
    assert post_on_case(sven, ref, "checklist", key="category_created", done="1",
                        link="https://commons.wikimedia.org/wiki/Category:Baltic_maps"
                        ).status_code == 302
    assert post_on_case(sven, ref, "summary",
                        public_summary="Baltic maps are coming to Commons.").status_code == 302
    close = post_on_case(sven, ref, "action", action="close_resolved",
                         message="All 10,000 maps are on Commons. Thank you!")
    assert close.status_code == 302
    assert state_of(app, ref) == "closed"

    with app.app_context():
        db = get_session()
        item = db.scalars(select(ChecklistItem).where(ChecklistItem.key == "category_created")
                          ).one()
        assert item.done and item.link.endswith("Baltic_maps")
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "case")
                             .order_by(AuditEvent.id)).all()
    assert actions[0] == "case.create"
    for expected in ("case.triage", "decision.record", "case.refer", "case.referral_answered",
                     "case.referrals_answered", "case.approve", "case.start_support",
                     "case.checklist", "case.close_resolved"):
        assert expected in actions

    page = ada.get(f"/requests/{ref}").get_data(as_text=True)
    assert "All 10,000 maps are on Commons" in page
    assert "Welcome aboard!" in page
    assert "Looks like spam" not in page
    assert "Needs a data model check" not in page  # internal rationale
    assert "Ask Implementation" not in page  # reviews
    assert "Status: Closed (resolved)" in page

    visitor = app.test_client()  # anonymous: the public projection only
    public = visitor.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Baltic maps are coming to Commons." in public
    assert "ada@example.org" not in public and "Looks like spam" not in public
    api = visitor.get(f"/api/v1/cases/{ref}").get_json()
    assert api["state"] == "closed" and api["open"] is False

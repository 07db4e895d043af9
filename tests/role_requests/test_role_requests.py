"""Requests for a role through HTTP: a Wikimedian asks to join the helpdesk or the
Expert Committee, the administrators see it waiting (home page, menu, roles page) and
approve or decline it with an answer; the person is told and may withdraw."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.roles import roles_of
from app.core.audit_log import AuditEvent
from app.notifications.models import OutboxMessage
from app.role_requests.models import RoleRequest
from tests.factories import make_user
from tests.helpers import SignIn, app_session, csrf_token
from tests.html import parse, table_rows, text_of

ASK = "/roles/request"
REASON = "I ran the GLAM upload for our museum; 10 hours a month. Marker-7Q2 private."


@pytest.fixture
def people(app: Flask) -> int:
    """The administrator (HELPDESK_ADMINS), a requester and a helpdesk member; the last
    audit event's id before the test."""
    with app_session(app) as db:
        make_user(db, "Admin Demo", email="admin@example.org")
        make_user(db, "Ada Requester", email="ada@example.org")
        make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
        db.commit()
        return int(db.scalar(select(func.max(AuditEvent.id))) or 0)


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def ask(client: FlaskClient, role: str = "helpdesk", reason: str = REASON) -> Any:
    return client.post(ASK, data={"csrf_token": csrf_token(client, ASK), "role": role,
                                  "reason": reason})


def request_id(app: Flask, username: str = "Ada Requester") -> int:
    with app_session(app) as db:
        return db.scalars(select(RoleRequest.id).join(RoleRequest.user)
                          .where(RoleRequest.user.has(username=username))
                          .order_by(RoleRequest.id.desc())).first()


def answer(admin: FlaskClient, rid: int, verb: str, text: str | None = None) -> Any:
    data = {"csrf_token": csrf_token(admin, "/admin/")}
    if text is not None:
        data[f"decline-{rid}-answer"] = text
    return admin.post(f"/admin/role-requests/{rid}/{verb}", data=data)


def mails(app: Flask, kind: str) -> list[OutboxMessage]:
    with app_session(app) as db:
        return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def actions(app: Flask, since: int) -> list[str]:
    """The role events after audit event `since`."""
    with app_session(app) as db:
        return list(db.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("role.%"), AuditEvent.id > since)
            .order_by(AuditEvent.id)))


def roles(app: Flask, username: str) -> set[str]:
    with app_session(app) as db:
        from app.auth.roles import find_user
        return roles_of(find_user(db, username))


def test_asked_approved_granted_and_told(app: Flask, sign_in: SignIn, people: int) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    home = parse(ada.get("/"))
    assert home.select_one(f"a[href='{ASK}']") is not None  # the way in
    response = ask(ada)
    assert response.status_code == 303
    [row] = table_rows(parse(ada.get(ASK)))
    assert row[0].startswith("Helpdesk staff") and REASON in row[0]
    assert row[2] == "Waiting for an answer"
    # The administrators hear of it: an email, the home page, the menu's count.
    [told] = mails(app, "role_request")
    assert told.to_address == "admin@example.org" and REASON in told.body
    admin = signed_in(app, sign_in, "Admin Demo")
    home = parse(admin.get("/"))
    assert "1 request for a role is waiting for your answer." in text_of(home)
    roles_link = home.select_one(".site-nav a[href='/admin/']")
    assert roles_link is not None and roles_link.get("aria-describedby")
    card = parse(admin.get("/admin/")).select_one("#role-requests .role-request")
    assert "Ada Requester asks for the role Helpdesk staff" in text_of(card)
    assert REASON in text_of(card)

    rid = request_id(app)
    assert answer(admin, rid, "approve").status_code == 303
    assert "helpdesk" in roles(app, "Ada Requester")
    assert ada.get("/inbox").status_code == 200  # the role works at once
    [decision] = mails(app, "role_decision")
    assert decision.to_address == "ada@example.org"
    assert "was approved" in decision.body
    assert actions(app, people) == ["role.request", "role.grant", "role.request_approve"]
    assert "for a role is waiting" not in admin.get("/").get_data(as_text=True)
    # Nothing more to ask for as helpdesk staff; the committee still can be.
    choices = [i["value"] for i in parse(ada.get(ASK)).select("input[name=role]")]
    assert choices == ["committee"]


def test_declining_needs_an_answer_which_the_person_reads(app: Flask, sign_in: SignIn,
                                                          people: int) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    ask(ada, "committee")
    rid = request_id(app)
    admin = signed_in(app, sign_in, "Admin Demo")
    refused = answer(admin, rid, "decline", "   ")
    assert refused.status_code == 400
    error = parse(refused).select_one(f"#decline-{rid}-answer-error")
    assert error is not None and "Say why" in text_of(error)
    with app_session(app) as db:
        assert db.get(RoleRequest, rid).status == "pending"  # nothing half-done
    assert answer(admin, rid, "decline",
                  "We are seven already; the Commons working group needs you.").status_code == 303
    assert "committee" not in roles(app, "Ada Requester")
    row = table_rows(parse(ada.get(ASK)))[0]
    assert row[2].startswith("Declined")
    assert row[3] == "We are seven already; the Commons working group needs you."
    [mail] = mails(app, "role_decision")
    assert "the Commons working group needs you" in mail.body
    # Answered once: a second answer is a conflict.
    assert answer(admin, rid, "approve").status_code == 409
    # Declined, the person may ask again.
    assert ask(ada, "committee").status_code == 303


def test_withdraw_own_pending_request_only(app: Flask, sign_in: SignIn, people: int) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    ask(ada)
    rid = request_id(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    token = csrf_token(sven, "/")
    assert sven.post(f"/roles/requests/{rid}/withdraw",
                     data={"csrf_token": token}).status_code == 404
    response = ada.post(f"/roles/requests/{rid}/withdraw",
                        data={"csrf_token": csrf_token(ada, ASK)})
    assert response.status_code == 303
    assert table_rows(parse(ada.get(ASK)))[0][2].startswith("Withdrawn")
    admin = signed_in(app, sign_in, "Admin Demo")
    assert answer(admin, rid, "approve").status_code == 409
    assert "helpdesk" not in roles(app, "Ada Requester")
    assert actions(app, people) == ["role.request", "role.request_withdraw"]


@pytest.mark.parametrize(("role", "status", "message"), [
    ("admin", 400, "is not a role you can ask for"),
    ("", 400, "Choose a role."),
])
def test_only_the_helpdesk_and_the_committee_can_be_asked_for(
        app: Flask, sign_in: SignIn, people: int, role: str, status: int,
        message: str) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    response = ask(ada, role)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert actions(app, people) == []


def test_refused_requests_say_why_and_change_nothing(app: Flask, sign_in: SignIn,
                                                     people: int) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    no_reason = ask(ada, reason="  ")
    assert no_reason.status_code == 400
    assert "Tell the administrators why" in no_reason.get_data(as_text=True)
    ask(ada)
    twice = ask(ada)
    assert twice.status_code == 409
    assert "You have already asked for the role Helpdesk staff" in twice.get_data(as_text=True)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    held = ask(sven)
    assert held.status_code == 409
    assert "You already have the role Helpdesk staff" in held.get_data(as_text=True)
    with app_session(app) as db:
        assert len(db.scalars(select(RoleRequest)).all()) == 1


def test_a_blocked_account_cannot_ask(app: Flask, sign_in: SignIn, people: int) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    with app_session(app) as db:
        from app.auth.roles import find_user
        find_user(db, "Ada Requester").blocked = True
        db.commit()
    page = ada.get(ASK)
    assert "you cannot ask for a role" in page.get_data(as_text=True)
    assert parse(page).select("input[name=role]") == []
    assert ask(ada).status_code == 403


def test_who_may_do_what(app: Flask, client: FlaskClient, sign_in: SignIn,
                         people: int) -> None:
    assert client.get(ASK).status_code == 302  # sign in first
    ada = signed_in(app, sign_in, "Ada Requester")
    ask(ada)
    rid = request_id(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    token = csrf_token(sven, "/")
    for verb in ("approve", "decline"):
        assert sven.post(f"/admin/role-requests/{rid}/{verb}",
                         data={"csrf_token": token}).status_code == 403
    admin = signed_in(app, sign_in, "Admin Demo")
    assert admin.post(f"/admin/role-requests/{rid}/approve").status_code == 400  # no token
    assert answer(admin, rid + 1000, "approve").status_code == 404
    assert "helpdesk" not in roles(app, "Ada Requester")


def test_the_reason_is_seen_by_administrators_and_the_person_only(
        app: Flask, client: FlaskClient, sign_in: SignIn, people: int) -> None:
    ada = signed_in(app, sign_in, "Ada Requester")
    ask(ada)
    marker = "Marker-7Q2"
    assert marker in ada.get(ASK).get_data(as_text=True)
    assert marker in signed_in(app, sign_in, "Admin Demo").get("/admin/").get_data(as_text=True)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    for path in ("/", "/people", "/search?q=Marker", "/api/v1/cases", "/stats"):
        for reader in (sven, client):
            assert marker not in reader.get(path).get_data(as_text=True), path
    [told] = mails(app, "role_request")
    assert told.to_address == "admin@example.org"  # not the helpdesk, not the person

"""Requests that came by email: the helpdesk logs them and links the sender's account."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case, CaseMessage
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.notifications.models import OutboxMessage
from tests.factories import make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.intake.support import (
    LOG_EMAIL,
    NEW,
    count,
    error_of,
    form_data,
    only_case,
    page,
    signed_in,
)

# -- requests that came by email ------------------------------------------------

def email_data(token: str, **overrides: Any) -> dict[str, Any]:
    data = form_data(token, contact_name="Grace Sender", contact_email="grace@un.example",
                     contact_username="Grace_Wiki",
                     original_email="Dear helpdesk,\nwe have 5,000 photos…\nGrace")
    data.update(overrides)
    return data


def test_helpdesk_logs_a_request_that_came_by_email(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sven_id = signed_in(app, client, sign_in, "Sven Helpdesk", "helpdesk")
    form_page = client.get(LOG_EMAIL)
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert "The original email" in html and "Sender's email" in html

    response = client.post(LOG_EMAIL, data=email_data(csrf_token(client, LOG_EMAIL)))

    assert response.status_code == 302
    case = only_case(app)
    assert response.headers["Location"].endswith(f"/requests/{case.reference}")
    assert (case.requester_id, case.channel) == (None, "email")
    assert (case.contact_name, case.contact_email, case.contact_username) == (
        "Grace Sender", "grace@un.example", "Grace_Wiki")
    assert case.title == "Digitised maps of the Baltic"
    with app.app_context():
        db = get_session()
        [note] = db.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id))
        assert note.internal is True
        assert note.author_id == sven_id
        assert note.body == "Dear helpdesk,\nwe have 5,000 photos…\nGrace"
        create = db.scalars(select(AuditEvent).where(AuditEvent.action == "case.create")).one()
        assert create.actor_id == sven_id and create.after["channel"] == "email"
        created = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "created")).one()
        assert created.to_address == "grace@un.example"


def test_logging_an_email_needs_the_sender_and_the_email(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Sven Helpdesk", "helpdesk")
    response = client.post(LOG_EMAIL, data=email_data(csrf_token(client, LOG_EMAIL),
                                                      contact_email="", original_email=""))
    assert response.status_code == 400
    parsed = page(response)
    assert "sender's email" in error_of(parsed, "contact_email")
    assert "Paste the email" in error_of(parsed, "original_email")
    assert parsed.values["contact_username"] == "Grace_Wiki"
    assert count(app, Case) == 0


def test_only_the_helpdesk_logs_email_requests(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ngozi Committee", "committee")
    assert client.get(LOG_EMAIL).status_code == 403
    token = csrf_token(client, NEW)
    assert client.post(LOG_EMAIL, data=email_data(token)).status_code == 403
    assert count(app, Case) == 0


# -- linking an email case to the sender's account --------------------------------

def email_case(app: Flask) -> tuple[str, int]:
    with app.app_context():
        db = get_session()
        case = make_case(db, None, channel="email", contact_username="Omar Requester")
        db.commit()
        return case.reference, case.version


def test_helpdesk_links_an_email_case_to_the_senders_account(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    omar = app.test_client()
    omar_id = signed_in(app, omar, sign_in, "Omar Requester")
    reference, version = email_case(app)
    signed_in(app, client, sign_in, "Sven Helpdesk", "helpdesk")
    token = csrf_token(client, NEW)
    url = f"/requests/{reference}/link-requester"

    stale = client.post(url, data={"csrf_token": token, "username": "Omar_Requester",
                                   "version": version - 1})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.get_data(as_text=True)

    empty = client.post(url, data={"csrf_token": token, "username": " ", "version": version})
    assert empty.status_code == 400
    assert "Enter the Wikimedia username to link." in empty.get_data(as_text=True)

    unknown = client.post(url, data={"csrf_token": token, "username": "Nobody Here",
                                     "version": version})
    assert unknown.status_code == 404
    assert "No one called “Nobody Here” has signed in" in unknown.get_data(as_text=True)
    assert only_case(app).requester_id is None

    linked = client.post(url, data={"csrf_token": token, "username": "omar_Requester",
                                    "version": version})
    assert linked.status_code == 302
    assert linked.headers["Location"].endswith(f"/requests/{reference}")
    case = only_case(app)
    assert case.requester_id == omar_id
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "case.link_requester")).one()
        assert event.after["requester"] == "Omar Requester"
        assert event.before["requester"] is None

    again = client.post(url, data={"csrf_token": token, "username": "Omar Requester",
                                   "version": case.version})
    assert again.status_code == 409
    assert "already has a requester" in again.get_data(as_text=True)


def test_only_the_helpdesk_links_requesters(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    reference, version = email_case(app)
    signed_in(app, client, sign_in, "Omar Requester")
    response = client.post(f"/requests/{reference}/link-requester", data={
        "csrf_token": csrf_token(client, NEW), "username": "Omar Requester",
        "version": version})
    assert response.status_code == 403
    assert only_case(app).requester_id is None


def test_linking_an_unknown_case_is_404(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Sven Helpdesk", "helpdesk")
    response = client.post("/requests/CPH-1999-0042/link-requester", data={
        "csrf_token": csrf_token(client, NEW), "username": "Sven Helpdesk", "version": 1})
    assert response.status_code == 404
    assert "There is no case CPH-1999-0042" in response.get_data(as_text=True)


def test_a_web_request_already_has_its_requester(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    with app.app_context():
        db = get_session()
        case = make_case(db, make_user(db, "Ada Requester"))
        db.commit()
        reference = case.reference
    signed_in(app, client, sign_in, "Sven Helpdesk", "helpdesk")
    response = client.post(f"/requests/{reference}/link-requester", data={
        "csrf_token": csrf_token(client, NEW), "username": "Sven Helpdesk"})
    assert response.status_code == 409
    assert "already has a requester (Ada Requester)" in response.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalars(select(Case)).one().requester.username == "Ada Requester"

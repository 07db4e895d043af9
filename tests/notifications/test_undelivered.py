"""Undelivered mail: shown to administrators and the helpdesk with Resend; a 5xx answer
marks the address as failing on the case page until mail to it is accepted again."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.notifications.delivery import DeliveryReport, deliver_due
from app.notifications.models import FailingAddress
from tests.factories import make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.notifications.test_outbox import SmtpServer, outbox, smtp  # noqa: F401 - fixture

PAGE = "/undelivered-mail"
BOUNCING = "bounce@example.org"


def given_up_case(app: Flask, smtp: SmtpServer) -> str:  # noqa: F811 - the fixture's type
    """A case whose confirmation to BOUNCING was refused (550) until delivery gave up."""
    smtp.handler.refuse.add(BOUNCING)
    app.config.update(OUTBOX_MAX_ATTEMPTS=2, OUTBOX_RETRY_BASE_SECONDS=1)
    with app.app_context():
        db = get_session()
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Admin Demo", "admin")
        make_user(db, "Carlos Committee", "committee")
        case = make_case(db, make_user(db, "Ada Requester"), contact_email=BOUNCING,
                         title="Maps of the Baltic")
        db.commit()
        reference = case.reference
        first = deliver_due(db)
        assert (first.failed, first.gave_up) == (1, 0)
        (row,) = outbox(db)
        assert deliver_due(db, now=row.next_attempt_at) == DeliveryReport(gave_up=1)
    return reference


def page_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["Sven Helpdesk", "Admin Demo"])
def test_staff_see_what_was_not_delivered(
    app: Flask, smtp: SmtpServer, sign_in: SignIn, username: str  # noqa: F811
) -> None:
    reference = given_up_case(app, smtp)
    client = app.test_client()
    sign_in(client, username)

    html = page_of(client, PAGE)

    assert f'href="/requests/{reference}"' in html
    assert BOUNCING in html
    assert "We received your request" in html  # the subject
    assert "550" in html and "No such mailbox here" in html  # the last error
    assert ">2<" in html  # attempts
    assert "address refused" in html
    assert "Resend" in html
    assert "1 email not delivered" in html
    home = page_of(client, "/")
    assert "1 email could not be delivered." in home
    assert 'href="/undelivered-mail"' in home


def test_nobody_else_sees_the_page(
    app: Flask, smtp: SmtpServer, sign_in: SignIn  # noqa: F811
) -> None:
    given_up_case(app, smtp)
    anonymous = app.test_client()
    response = anonymous.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert anonymous.post(f"{PAGE}/1/resend").status_code in (302, 400)
    for username in ("Ada Requester", "Carlos Committee"):
        client = app.test_client()
        sign_in(client, username)
        assert client.get(PAGE).status_code == 403
        assert "could not be delivered" not in page_of(client, "/")
        assert 'href="/undelivered-mail"' not in page_of(client, "/")


def test_resend_is_audited_resets_the_attempts_and_sends(
    app: Flask, smtp: SmtpServer, sign_in: SignIn  # noqa: F811
) -> None:
    given_up_case(app, smtp)
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    with app.app_context():
        (row,) = outbox(get_session())
        row_id = row.id

    refused = client.post(f"{PAGE}/{row_id}/resend")  # no CSRF token
    assert refused.status_code in (302, 303, 400)
    with app.app_context():
        (row,) = outbox(get_session())
        assert row.attempts == 2

    token = csrf_token(client, PAGE)
    response = client.post(f"{PAGE}/{row_id}/resend", data={"csrf_token": token})

    assert response.status_code == 303
    assert f"The message to {BOUNCING} will be sent again" in page_of(client, PAGE)
    smtp.handler.refuse.clear()  # the address works now
    with app.app_context():
        db = get_session()
        (row,) = outbox(db)
        assert (row.attempts, row.sent_at) == (0, None)
        (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.resend"))
        assert (event.object_type, event.object_id) == ("outbox", str(row_id))
        assert event.actor is not None and event.actor.username == "Sven Helpdesk"
        assert deliver_due(db) == DeliveryReport(sent=1)
    assert "0 emails not delivered" in page_of(client, PAGE)
    assert client.post(f"{PAGE}/{row_id}/resend", data={"csrf_token": token}).status_code == 303
    assert "no longer waiting" in page_of(client, PAGE)


def note_on_case_page(client: FlaskClient, reference: str) -> bool:
    return "The mail server refused mail to" in page_of(client, f"/requests/{reference}")


def test_a_refused_address_is_noted_on_the_case_until_mail_to_it_works(
    app: Flask, smtp: SmtpServer, sign_in: SignIn  # noqa: F811
) -> None:
    reference = given_up_case(app, smtp)
    helpdesk, requester = app.test_client(), app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    sign_in(requester, "Ada Requester")
    with app.app_context():
        db = get_session()
        (failing,) = db.scalars(select(FailingAddress))
        assert failing.address == BOUNCING and "550" in failing.error
        case = db.scalars(select(Case)).one()
        assert "550 5.1.1 No such mailbox here" in (case.contact_email_failing or "")

    assert note_on_case_page(helpdesk, reference)
    assert not note_on_case_page(requester, reference)  # for staff only

    smtp.handler.refuse.clear()
    with app.app_context():
        db = get_session()
        make_case(db, make_user(db, "Omar Requester"), contact_email=BOUNCING.upper())
        db.commit()
        assert deliver_due(db).sent == 1  # mail to the address is accepted again
        assert list(db.scalars(select(FailingAddress))) == []
        assert all(case.contact_email_failing is None for case in db.scalars(select(Case)))
    assert not note_on_case_page(helpdesk, reference)


def test_a_changed_address_has_no_note(
    app: Flask, smtp: SmtpServer, sign_in: SignIn  # noqa: F811
) -> None:
    reference = given_up_case(app, smtp)
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    assert note_on_case_page(helpdesk, reference)
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case)).one()
        case.contact_email = "new-address@example.org"
        db.commit()
    assert not note_on_case_page(helpdesk, reference)


def test_the_person_with_a_refused_address_is_marked_until_it_changes(
    app: Flask, smtp: SmtpServer  # noqa: F811
) -> None:
    smtp.handler.refuse.add("sven@example.org")
    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
        make_case(db, make_user(db, "Ada Requester"))
        db.commit()
        deliver_due(db)  # the helpdesk's "new request" mail to Sven is refused
        db.expire_all()
        assert "550" in (sven.email_failing or "")
        sven.email = "sven@example.se"
        assert sven.email_failing is None
        db.commit()

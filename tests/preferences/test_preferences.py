"""The preferences page: email on/off, a private address, the language; the person's
country, languages and regions (shown on the committee page, counted on /gaps)."""

from __future__ import annotations

import json
from typing import Any

from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.notifications.models import OutboxMessage
from tests.factories import make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.html import field_value, is_checked, one, parse, table_rows, text_of

ADA_CENTRAL_ID = 1001


def ada(app: Flask) -> dict[str, Any]:
    with app.app_context():
        user = get_session().scalars(select(User).where(User.central_id == ADA_CENTRAL_ID)).one()
        return {"email_notifications": user.email_notifications, "email": user.email,
                "language": user.language}


def preference_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(get_session().scalars(
            select(AuditEvent).where(AuditEvent.action == "user.preferences")
            .order_by(AuditEvent.id)))


def input_tag(page: str, name: str) -> Tag:
    """The <input name=…> of the page."""
    return one(page, f'input[name="{name}"]')


def save(client: FlaskClient, **fields: str) -> Any:
    data = {"csrf_token": csrf_token(client, "/preferences"), **fields}
    return client.post("/preferences", data=data)


def test_anonymous_users_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/preferences")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/preferences"


def test_page_shows_the_current_choices_and_who_sees_the_address(
    client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")
    page = client.get("/preferences").get_data(as_text=True)
    assert input_tag(page, "email_notifications").has_attr("checked")
    assert "only the helpdesk and the Expert Committee can see it" in page
    assert '<option value="sv">Svenska</option>' in page


def test_save_address_and_turn_email_off_and_on(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")

    response = save(client, email=" ada@example.net ", language="")
    assert response.status_code == 303
    assert response.headers["Location"] == "/preferences"
    assert ada(app) == {"email_notifications": False, "email": "ada@example.net",
                        "language": None}
    page = client.get("/preferences").get_data(as_text=True)
    assert "Your preferences were saved." in page
    assert input_tag(page, "email")["value"] == "ada@example.net"
    assert not input_tag(page, "email_notifications").has_attr("checked")

    with app.app_context():  # with email off, a case change sends her nothing
        db = get_session()
        user = db.scalars(select(User).where(User.central_id == ADA_CENTRAL_ID)).one()
        make_case(db, user, contact_email="")
        db.commit()
        assert db.scalars(select(OutboxMessage)).all() == []

    assert save(client, email_notifications="y", email="ada@example.net").status_code == 303
    assert ada(app)["email_notifications"] is True
    with app.app_context():
        db = get_session()
        user = db.scalars(select(User).where(User.central_id == ADA_CENTRAL_ID)).one()
        make_case(db, user, contact_email="")
        db.commit()
        rows = db.scalars(select(OutboxMessage)).all()
        assert [(row.to_address, row.kind) for row in rows] == [("ada@example.net", "created")]

    assert save(client, email_notifications="y", email="").status_code == 303
    assert ada(app)["email"] is None


def test_audit_records_the_change_but_not_the_address(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")
    save(client, email_notifications="y", email="secret.person@example.net")
    save(client, email_notifications="y", email="other.secret@example.net")
    save(client, email_notifications="y", email="other.secret@example.net")  # no change

    first, second = preference_events(app)
    nothing_about_her = {"country": None, "languages": [], "regions": []}
    assert first.before == {"email_notifications": True, "email_set": False, "language": None,
                            **nothing_about_her}
    assert first.after == {"email_notifications": True, "email_set": True, "language": None,
                           **nothing_about_her, "email_changed": True}
    assert second.after["email_changed"] is True
    assert (first.object_type, first.object_id) == ("user", str(first.actor_id))
    logged = json.dumps([(e.before, e.after) for e in (first, second)])
    assert "@" not in logged and "secret" not in logged


def test_language_applies_at_once_and_is_remembered(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")
    # English picked earlier in this visit (it sticks in the session) ...
    assert '<html lang="en"' in client.get("/preferences?uselang=en").get_data(as_text=True)

    response = save(client, email_notifications="y", language="sv")

    assert response.status_code == 303  # ... and the saved choice replaces it at once
    assert '<html lang="sv"' in client.get("/preferences").get_data(as_text=True)
    assert ada(app)["language"] == "sv"
    # A new visit (another browser) gets Swedish from the saved choice once signed in.
    other = app.test_client()
    SignIn(app)(other, "Ada Requester")
    assert '<html lang="sv"' in other.get("/").get_data(as_text=True)

    save(client, email_notifications="y", language="")
    assert '<html lang="en"' in client.get("/preferences").get_data(as_text=True)
    assert ada(app)["language"] is None


def test_invalid_input_is_refused_with_field_messages(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")
    before = ada(app)

    response = save(client, email_notifications="", email="not an address", language="sv")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a valid email address, like name@example.org." in page
    assert 'aria-invalid="true"' in page
    assert 'value="not an address"' in page  # what was typed is kept for correcting

    response = save(client, email_notifications="y", email="", language="xx-nonsense")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)

    too_long = "a" * 250 + "@example.org"
    assert save(client, email=too_long).status_code == 400
    assert ada(app) == before
    assert preference_events(app) == []


def test_saving_needs_the_csrf_token(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Ada Requester")
    before = ada(app)
    response = client.post("/preferences", data={"email": "ada@example.net", "language": "sv"})
    assert response.status_code == 400
    assert ada(app) == before
    assert preference_events(app) == []


# -- country, languages and regions ---------------------------------------------------------

def about(app: Flask, username: str) -> tuple[str | None, list[str], list[str]]:
    with app.app_context():
        user = get_session().scalars(select(User).where(User.username == username)).one()
        return user.country, list(user.languages), list(user.regions)


def test_anyone_sets_their_country_languages_and_regions(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")
    soup = parse(client.get("/preferences"))
    section = one(soup, "fieldset#about-you")
    assert "All optional" in text_of(section)
    assert one(soup, "select#country option[value=KE]")
    assert soup.select('input[type=checkbox][name="languages"][value="sw"]')
    assert soup.select('input[type=checkbox][name="regions"][value="ssa"]')
    assert soup.select("select[multiple]") == []  # no Ctrl-click list

    response = client.post("/preferences", data={
        "csrf_token": csrf_token(client, "/preferences"), "email_notifications": "y",
        "country": "KE", "languages": ["sw", "en", "sw"], "regions": ["ssa", "mena"]})

    assert response.status_code == 303
    assert about(app, "Ada Requester") == ("KE", ["sw", "en"], ["mena", "ssa"])
    event = preference_events(app)[-1]
    assert event.before is not None and event.after is not None
    assert (event.before["country"], event.after["country"]) == (None, "KE")
    assert event.after["languages"] == ["sw", "en"]
    assert event.after["regions"] == ["mena", "ssa"]
    soup = parse(client.get("/preferences"))
    assert field_value(soup, "country") == "KE"
    assert is_checked(soup, "languages", "sw") and is_checked(soup, "regions", "mena")
    assert text_of(one(soup, "#languages-chosen")) == "Chosen: English, Swahili"

    assert client.post("/preferences", data={
        "csrf_token": csrf_token(client, "/preferences"), "email_notifications": "y",
        "country": "",
    }).status_code == 303  # "Not given", nothing ticked
    assert about(app, "Ada Requester") == (None, [], [])


def test_unknown_countries_languages_or_regions_are_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Ada Requester")
    token = csrf_token(client, "/preferences")
    for wrong in ({"country": "ZZ"}, {"languages": ["en", "not-a-language"]},
                  {"regions": ["ssa", "atlantis"]}):
        response = client.post("/preferences", data={"csrf_token": token, **wrong})
        assert response.status_code == 400, wrong
        soup = parse(response)
        name = next(iter(wrong))
        assert "Please choose from the list." in text_of(one(soup, f"#{name}-error")), wrong
    assert about(app, "Ada Requester") == (None, [], [])
    assert preference_events(app) == []


def test_the_committee_page_shows_what_members_set(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    with app.app_context():
        db = get_session()
        make_user(db, "Ngozi Committee", "committee")
        db.commit()
    sign_in(client, "Ngozi Committee")
    client.post("/preferences", data={
        "csrf_token": csrf_token(client, "/preferences"), "email_notifications": "y",
        "country": "NG", "languages": ["ha", "fr"], "regions": ["ssa", "mena"]})
    row = next(row for row in table_rows(parse(client.get("/committee")))
               if row[0] == "Ngozi Committee")
    assert row == ["Ngozi Committee", "Nigeria", "French, Hausa",
                   "Middle East and North Africa, Sub-Saharan Africa"]

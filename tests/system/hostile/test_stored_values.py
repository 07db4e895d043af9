"""Stored hostile values come back escaped (HTML), exact (JSON) and well-formed (Atom);
refused values and forged callbacks get a message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import DataError

from app.auth.models import User
from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from tests.helpers import SignIn, csrf_token
from tests.system.hostile.corpus import (
    PAYLOADS,
    Findings,
)

# -- stored values come back escaped ----------------------------------------------------

def test_a_hostile_request_round_trips_escaped(
    app: Flask, sign_in: SignIn, hostile_world: dict[str, Any]
) -> None:
    from tests.intake.support import form_data

    ada, sven = app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(sven, "Sven Helpdesk")
    title = str(PAYLOADS["script"])
    description = f"{PAYLOADS['attribute']}\n{PAYLOADS['wikitext']}\n{PAYLOADS['url']}"
    data = form_data(csrf_token(ada, "/requests/new"), title=title, description=description,
                     timeline=str(PAYLOADS["code"]), contact_name=str(PAYLOADS["code"]),
                     content_volume=str(PAYLOADS["nul"]), org_name=None, org_kind=None,
                     org_country=None, org_website=None, org_wikidata=None,
                     organisation_id=str(hostile_world["org_id"]))
    filed = ada.post("/requests/new", data=data)
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    reference = filed.headers["Location"].rsplit("/", 1)[-1]
    findings = Findings()

    page = ada.get(f"/requests/{reference}")
    findings.check("case page", page)
    html = page.get_data(as_text=True)
    for value in (title, PAYLOADS["attribute"], PAYLOADS["code"], PAYLOADS["wikitext"],
                  PAYLOADS["url"]):
        assert str(escape(value)) in html, value
    assert "beforeafter" in html  # the NUL byte was dropped, the text kept

    staff_page = sven.get(f"/requests/{reference}")
    findings.check("case page (helpdesk)", staff_page)
    assert str(escape(PAYLOADS["code"])) in staff_page.get_data(as_text=True)

    # Messages with payloads, shown on the case page; control characters dropped.
    for body in (PAYLOADS["attribute"], PAYLOADS["control"]):
        message = ada.post(f"/requests/{reference}/message", data={
            **_hidden(ada, reference), "body": body})
        assert message.status_code in (302, 303), message.status_code
    html = ada.get(f"/requests/{reference}").get_data(as_text=True)
    assert str(escape(PAYLOADS["attribute"])) in html
    assert "bell esc[31m vt ff" in html

    # Public once triaged: the public page, the list, the JSON API and the feed.
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        staff = db.scalars(select(User).where(User.username == "Sven Helpdesk")).one()
        service.move(db, case, staff, {"helpdesk"}, "triage")
        db.commit()
    anonymous = app.test_client()
    for path in (f"/cases/{reference}", "/cases", f"/dashboard?q={quote(title)}"):
        client = sven if path.startswith("/dashboard") else anonymous
        answer = client.get(path)
        findings.check(path, answer)
        assert str(escape(title)) in answer.get_data(as_text=True), path
    api = anonymous.get(f"/api/v1/cases/{reference}")
    findings.check("api", api)
    assert api.get_json()["title"] == title
    listing = anonymous.get("/api/v1/cases")
    assert title in [item["title"] for item in listing.get_json()["cases"]]
    feed = anonymous.get("/cases.atom")
    findings.check("feed", feed)
    document = ElementTree.fromstring(feed.get_data())  # noqa: S314 - our own answer
    titles = [element.text or "" for element in document.iter(
        "{http://www.w3.org/2005/Atom}title")]
    assert any(title in text for text in titles), titles
    assert not findings.problems, findings.problems


def _hidden(client: FlaskClient, reference: str) -> dict[str, str]:
    from tests.case_client import hidden_fields

    return hidden_fields(client.get(f"/requests/{reference}").get_data(as_text=True))


def test_a_value_the_database_refuses_is_a_400_with_a_message(app: Flask) -> None:
    """The forms keep values within the columns; should one slip through, the answer
    says what to do (not "the database cannot be reached", which is for outages)."""

    def refused() -> str:
        raise DataError("INSERT INTO cases …", {}, Exception("Data too long for column"))

    app.add_url_rule("/refused-value", "refused_value", refused)
    answer = app.test_client().get("/refused-value")
    assert answer.status_code == 400
    assert "too long or not in the form expected" in answer.get_data(as_text=True)


def test_a_forged_sign_in_callback_is_refused_as_such(app: Flask) -> None:
    """A callback that names no request token, or another one, is the client's doing:
    400, and the wiki is not asked (it used to be a 502, "the wiki refused")."""
    client = app.test_client()
    for query in ("oauth_verifier=x", "oauth_verifier=x&oauth_token=%FF%FE",
                  "oauth_verifier=%00&oauth_token=" + "t" * 100_000):
        assert client.get("/login").status_code == 302
        answer = client.get("/oauth-callback", query_string=query)
        assert answer.status_code == 400, query[:40]
        assert "does not belong to your sign-in attempt" in answer.get_data(as_text=True)


"""Changing a request after filing: its requester until the helpdesk triaged it, staff at
any time; each change in the history (before → after) and the audit log; a save over
someone else's change refused; a public field's change on the public page."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.mail.queries import PLACEHOLDER_ORGANISATION
from app.partners.models import Organisation
from tests.case_client import post_on_case
from tests.factories import case_fields, join_group, make_case, make_organisation, make_user
from tests.helpers import SignIn
from tests.html import parse, text_of


def browser_form(soup: BeautifulSoup) -> dict[str, Any]:
    """What a browser would send for the first form with a version field, as it is."""
    form = soup.select_one("form:has(input[name=version])")
    assert isinstance(form, Tag)
    data: dict[str, Any] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = str(field["name"])
        if field.name == "textarea":
            data[name] = field.get_text().removeprefix("\n")
        elif field.name == "select":
            data[name] = [str(o.get("value", "")) for o in field.select("option[selected]")][:1] \
                or [""]
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(str(field.get("value", "y")))
        elif field.get("type") != "submit":
            data[name] = str(field.get("value", ""))
    return data


def edit(client: FlaskClient, reference: str, **changes: Any) -> Any:
    page = client.get(f"/requests/{reference}/edit")
    assert page.status_code == 200, page.status_code
    data = {**browser_form(parse(page)), **changes}
    return client.post(f"/requests/{reference}/edit", data=data)


def setup(app: Flask) -> dict[str, Any]:
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        make_user(db, "Sven Helpdesk", "helpdesk")
        leila = make_user(db, "Leila Lead")
        join_group(db, leila, "implementation")
        case = make_case(db, ada, title="Maps of the Baltic")
        db.commit()
        return {"reference": case.reference, "id": case.id}


def history(client: FlaskClient, reference: str) -> str:
    soup = parse(client.get(f"/requests/{reference}"))
    section = soup.select_one("section[aria-labelledby=timeline-heading]")
    assert isinstance(section, Tag)
    return text_of(section)


def test_the_requester_changes_the_request_before_triage(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    ids = setup(app)
    sign_in(client, "Ada Requester")
    page = parse(client.get(f"/requests/{ids['reference']}"))
    link = page.select_one(f"a[href='/requests/{ids['reference']}/edit']")
    assert link is not None and text_of(link) == "Change the request"

    response = edit(client, ids["reference"], title="Maps and charts of the Baltic",
                    countries=["SE", "FI"], contact_email="ada@museum.example")

    assert response.status_code == 302
    with app.app_context():
        case = get_session().get(Case, ids["id"])
        assert case is not None
        assert case.title == "Maps and charts of the Baltic"
        assert case.countries == ["SE", "FI"]
        assert case.version == 2
        event = get_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "case.edit")).one()
        assert event.before == {"title": "Maps of the Baltic", "countries": ["SE"],
                                "contact_email": "ada@example.org"}
        assert event.after["title"] == "Maps and charts of the Baltic"
    shown = history(client, ids["reference"])
    assert "Title Maps of the Baltic → Maps and charts of the Baltic" in shown
    assert "Countries Sweden → Sweden, Finland" in shown
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    assert "ada@example.org → ada@museum.example" in history(sven, ids["reference"])
    leila = app.test_client()
    sign_in(leila, "Leila Lead")
    service_triage(app, sven, ids["reference"])
    _refer(app, ids["id"])
    assert "ada@museum.example" not in history(leila, ids["reference"])  # contact: staff only


def service_triage(app: Flask, staff: FlaskClient, reference: str) -> None:
    response = post_on_case(staff, reference, "action", action="triage",
                            public_summary="Old maps for Commons.")
    assert response.status_code == 302, response.status_code


def _refer(app: Flask, case_id: int) -> None:
    """Refer the case to Leila's group (so that she sees it)."""
    from app.groups.models import Referral, WorkingGroup

    with app.app_context():
        db = get_session()
        group = db.scalars(select(WorkingGroup).where(
            WorkingGroup.slug == "implementation")).one()
        db.add(Referral(case_id=case_id, group_id=group.id, question="Can you help?"))
        db.commit()


def test_after_triage_the_requester_may_no_longer_edit(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    ids = setup(app)
    sign_in(client, "Ada Requester")
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    service_triage(app, sven, ids["reference"])
    page = parse(client.get(f"/requests/{ids['reference']}"))
    assert page.select_one(f"a[href='/requests/{ids['reference']}/edit']") is None

    assert client.get(f"/requests/{ids['reference']}/edit").status_code == 403
    form = browser_form(parse(sven.get(f"/requests/{ids['reference']}/edit")))
    form["csrf_token"] = _token(client, ids["reference"])
    refused = client.post(f"/requests/{ids['reference']}/edit", data={**form, "title": "X"})
    assert refused.status_code == 403
    assert "already looked at your request" in refused.get_data(as_text=True)
    with app.app_context():
        assert get_session().get(Case, ids["id"]).title == "Maps of the Baltic"


def _token(client: FlaskClient, reference: str) -> str:
    page = parse(client.get(f"/requests/{reference}"))
    field = page.select_one("input[name=csrf_token]")
    assert isinstance(field, Tag)
    return str(field["value"])


def test_staff_edit_at_any_time_and_the_public_page_follows(
    app: Flask, sign_in: SignIn
) -> None:
    ids = setup(app)
    sven, visitor = app.test_client(), app.test_client()
    sign_in(sven, "Sven Helpdesk")
    service_triage(app, sven, ids["reference"])
    public = f"/cases/{ids['reference']}"
    assert "Maps of the Baltic" in visitor.get(public).get_data(as_text=True)

    response = edit(sven, ids["reference"], title="Nautical charts of the Baltic")

    assert response.status_code == 302
    page = visitor.get(public).get_data(as_text=True)
    assert "Nautical charts of the Baltic" in page and "Maps of the Baltic" not in page
    listing = visitor.get("/cases").get_data(as_text=True)
    assert "Nautical charts of the Baltic" in listing
    # the API, which the wiki bot reads at its next sync, has it too
    api = visitor.get(f"/api/v1/cases/{ids['reference']}").get_json()
    assert api["title"] == "Nautical charts of the Baltic"


def test_a_stale_edit_is_refused_with_409(app: Flask, sign_in: SignIn) -> None:
    ids = setup(app)
    ada, sven = app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(sven, "Sven Helpdesk")
    old_form = browser_form(parse(ada.get(f"/requests/{ids['reference']}/edit")))
    assert edit(sven, ids["reference"], timeline="Autumn 2027").status_code == 302

    late = ada.post(f"/requests/{ids['reference']}/edit", data={**old_form, "title": "Mine"})

    assert late.status_code == 409
    assert "changed by someone else" in late.get_data(as_text=True)
    with app.app_context():
        case = get_session().get(Case, ids["id"])
        assert (case.title, case.timeline) == ("Maps of the Baltic", "Autumn 2027")


def test_staff_set_the_organisation_of_a_request_from_the_mailbox(
    app: Flask, sign_in: SignIn
) -> None:
    with app.app_context():
        db = get_session()
        make_user(db, "Sven Helpdesk", "helpdesk")
        placeholder = make_organisation(db, PLACEHOLDER_ORGANISATION, kind="other")
        museum = make_organisation(db, "Sjöhistoriska museet")
        # As the mail job opens it: filed by no one, by email, organisation not known yet,
        # the lists of the request form empty.
        case = service.create_case(db, None, case_fields(
            db, organisation=placeholder, channel="email", requester_id=None,
            request_type="other", licence="other", content_kinds=[], target_projects=[],
            themes=[], countries=[], region="other", languages=[], support_types=[]))
        db.commit()
        reference, museum_id = case.reference, museum.id
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    page = parse(sven.get(f"/requests/{reference}"))
    assert "email, received in the helpdesk mailbox" in text_of(page)

    # Only the organisation: the lists the email left empty may stay so for staff.
    assert edit(sven, reference, organisation_id=str(museum_id)).status_code == 302

    with app.app_context():
        assert get_session().get(Case, case.id).organisation_id == museum_id
        assert get_session().get(Organisation, museum_id) is not None
    assert (f"Organisation {PLACEHOLDER_ORGANISATION} → Sjöhistoriska museet"
            in history(sven, reference))


def test_a_request_logged_by_the_helpdesk_says_so(app: Flask, sign_in: SignIn) -> None:
    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        case = service.create_case(db, sven, case_fields(db, channel="email",
                                                         requester_id=None))
        db.commit()
        reference = case.reference
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    shown = text_of(parse(client.get(f"/requests/{reference}")))
    assert "email, logged by the helpdesk" in shown
    assert "received in the helpdesk mailbox" not in shown

"""The partner registry: staff-only pages, duplicates, merging, contacts and placements."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.cases import service
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.partners.models import Organisation, OrganisationContact, Placement
from tests.factories import make_case, make_organisation, make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.helpers import queries_for as count_queries


@pytest.fixture
def people(app: Flask) -> None:
    with session(app) as db:
        make_user(db, "Ada Requester")
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Ngozi Committee", "committee")


@pytest.fixture
def staff(app: Flask, people: None, sign_in: SignIn) -> FlaskClient:
    """A client signed in as the helpdesk."""
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    return client


def text_of(response: TestResponse) -> str:
    """The page, with HTML character references resolved (' → ')."""
    return unescape(response.get_data(as_text=True))


def post_form(client: FlaskClient, path: str, data: dict[str, Any],
              page: str | None = None) -> TestResponse:
    """POST with the CSRF token of `page` (default: the same path)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **data})


def org_id(app: Flask, name: str) -> int:
    with session(app) as db:
        return db.scalars(select(Organisation.id).where(Organisation.name == name)).one()


def audit_events(app: Flask, action: str) -> list[AuditEvent]:
    with session(app) as db:
        return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id)))


VALID = {"name": "Nationalmuseum", "kind": "glam", "country": "SE",
         "website": "https://www.nationalmuseum.se", "wikidata_item": "Q842858",
         "themes": ["heritage", "education"], "notes": "Director prefers phone calls."}


# -- who may see the registry --------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    with session(app) as db:
        org = make_organisation(db, "Hidden Museum")
    for path in ("/partners", "/partners/new", f"/partners/{org.id}",
                 f"/partners/{org.id}/edit"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_requesters_are_refused(app: Flask, people: None, sign_in: SignIn) -> None:
    with session(app) as db:
        org = make_organisation(db, "Hidden Museum", notes="secret")
    client = app.test_client()
    sign_in(client, "Ada Requester")
    for path in ("/partners", "/partners/new", f"/partners/{org.id}",
                 f"/partners/{org.id}/edit"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/preferences")
    for path in ("/partners/new", f"/partners/{org.id}/edit", f"/partners/{org.id}/merge",
                 f"/partners/{org.id}/contacts", f"/partners/{org.id}/placements",
                 f"/partners/{org.id}/contacts/1/delete",
                 f"/partners/{org.id}/placements/1/delete"):
        response = client.post(path, data={"csrf_token": token, **VALID, "into": "1",
                                           "person": "X", "start_date": "2026-01-01"})
        assert response.status_code == 403, path
    with session(app) as db:
        assert db.scalars(select(Organisation)).all() == [db.get(Organisation, org.id)]


@pytest.mark.parametrize("username", ["Sven Helpdesk", "Ngozi Committee"])
def test_helpdesk_and_committee_may_use_the_registry(
    app: Flask, people: None, sign_in: SignIn, username: str
) -> None:
    with session(app) as db:
        org = make_organisation(db, "Open Museum")
    client = app.test_client()
    sign_in(client, username)
    for path in ("/partners", "/partners/new", f"/partners/{org.id}",
                 f"/partners/{org.id}/edit"):
        assert client.get(path).status_code == 200, path
    response = post_form(client, "/partners/new", {**VALID, "name": f"Made by {username}",
                                                   "wikidata_item": ""})
    assert response.status_code == 303


def test_unknown_organisation_is_404(staff: FlaskClient) -> None:
    assert staff.get("/partners/999999").status_code == 404
    assert staff.get("/partners/999999/edit").status_code == 404


# -- adding and editing ------------------------------------------------------------------


def test_create_organisation(app: Flask, staff: FlaskClient) -> None:
    response = post_form(staff, "/partners/new", VALID)
    assert response.status_code == 303
    with session(app) as db:
        org = db.scalars(select(Organisation)).one()
        assert (org.name, org.kind, org.country, org.website, org.wikidata_item) == (
            "Nationalmuseum", "glam", "SE", "https://www.nationalmuseum.se", "Q842858")
        assert org.themes == ["education", "heritage"]  # vocabulary order
        assert org.notes == "Director prefers phone calls."
        assert org.normalised_name == "nationalmuseum"
        assert org.created_by_id is not None
    assert response.headers["Location"].endswith(f"/partners/{org.id}")
    page = text_of(staff.get(f"/partners/{org.id}"))
    assert "Nationalmuseum" in page
    assert "Sweden" in page
    assert 'href="https://www.wikidata.org/wiki/Q842858"' in page
    assert "Cultural heritage" in page and "Education" in page
    assert "Director prefers phone calls." in page
    assert "Notes (private)" in page
    events = audit_events(app, "organisation.create")
    assert len(events) == 1 and events[0].object_id == str(org.id)
    assert events[0].after["name"] == "Nationalmuseum"


def test_create_accepts_a_lower_case_item_or_its_address(app: Flask, staff: FlaskClient) -> None:
    post_form(staff, "/partners/new", {**VALID, "wikidata_item": "q42"})
    post_form(staff, "/partners/new", {**VALID, "name": "Other",
                                       "wikidata_item": "https://www.wikidata.org/wiki/Q43"})
    with session(app) as db:
        assert sorted(str(item) for item in db.scalars(select(Organisation.wikidata_item))) == [
            "Q42", "Q43"]


@pytest.mark.parametrize("item", ["42", "Q042", "Q", "Q4x", "P31", "Q" + "1" * 40])
def test_invalid_wikidata_item_is_refused(app: Flask, staff: FlaskClient, item: str) -> None:
    response = post_form(staff, "/partners/new", {**VALID, "wikidata_item": item})
    assert response.status_code == 400
    page = text_of(response)
    assert "A Wikidata item is a Q followed by digits" in page or "too long" in page
    assert 'value="Nationalmuseum"' in page  # nothing lost
    assert "Director prefers phone calls." in page
    with session(app) as db:
        assert db.scalars(select(Organisation)).all() == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Enter the organisation's name."),
    ({"name": "x" * 256}, "at most 255 characters"),
    ({"kind": ""}, "Choose the kind of organisation."),
    ({"kind": "spaceship"}, "Please choose from the list."),
    ({"country": "ZZ"}, "Please choose from the list."),
    ({"website": "javascript:alert(1)"}, "starts with https:// or http://"),
    ({"website": "ftp://example.org"}, "starts with https:// or http://"),
    ({"themes": ["not_a_theme"]}, "Please choose from the list."),
])
def test_bad_input_is_explained_next_to_the_field(
    app: Flask, staff: FlaskClient, changes: dict[str, Any], message: str
) -> None:
    response = post_form(staff, "/partners/new", {**VALID, **changes})
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'class="field-error"' in page
    with session(app) as db:
        assert db.scalars(select(Organisation)).all() == []


@pytest.mark.parametrize(("existing", "attempt"), [
    ("Musée d'Orsay", "musee d orsay"),
    ("Musée d'Orsay", "MUSÉE D’ORSAY"),
    ("Museo Nacional del Prado", "Museo nacional, del Prado!"),
])
def test_duplicate_names_are_refused(app: Flask, staff: FlaskClient, existing: str,
                                     attempt: str) -> None:
    with session(app) as db:
        original = make_organisation(db, existing)
    response = post_form(staff, "/partners/new", {**VALID, "name": attempt,
                                                  "wikidata_item": ""})
    assert response.status_code == 409
    page = text_of(response)
    assert f'href="/partners/{original.id}"' in page
    assert "is already in the registry" in page
    with session(app) as db:
        assert db.scalars(select(Organisation.id)).all() == [original.id]


def test_same_wikidata_item_is_refused(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        original = make_organisation(db, "Musée d'Orsay", wikidata_item="Q23402")
    response = post_form(staff, "/partners/new", {**VALID, "name": "Orsay Museum",
                                                  "wikidata_item": "Q23402"})
    assert response.status_code == 409
    page = text_of(response)
    assert "same Wikidata item" in page
    assert f'href="/partners/{original.id}"' in page


def test_edit_organisation(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        org = make_organisation(db, "Old name", wikidata_item="Q1")
    page = text_of(staff.get(f"/partners/{org.id}/edit"))
    assert 'value="Old name"' in page
    loaded = re.search(r'name="loaded"[^>]*value="([^"]+)"', page)
    assert loaded
    response = post_form(staff, f"/partners/{org.id}/edit",
                         {**VALID, "name": "New name", "wikidata_item": "Q1",
                          "loaded": loaded.group(1)})
    assert response.status_code == 303
    with session(app) as db:
        changed = db.get(Organisation, org.id)
        assert changed is not None
        assert (changed.name, changed.normalised_name) == ("New name", "new name")
    [event_] = audit_events(app, "organisation.update")
    assert event_.before["name"] == "Old name" and event_.after["name"] == "New name"
    assert "wikidata_item" not in event_.after  # only what changed


def test_stale_edit_is_refused_and_keeps_the_input(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        org = make_organisation(db, "Original")
    page = text_of(staff.get(f"/partners/{org.id}/edit"))
    loaded = re.search(r'name="loaded"[^>]*value="([^"]+)"', page)
    assert loaded
    with session(app) as db:
        other = db.get(Organisation, org.id)
        assert other is not None
        other.notes = "Someone else's note."
    response = post_form(staff, f"/partners/{org.id}/edit",
                         {**VALID, "name": "Mine", "loaded": loaded.group(1)})
    assert response.status_code == 409
    assert 'value="Mine"' in text_of(response)
    with session(app) as db:
        current = db.get(Organisation, org.id)
        assert current is not None and current.name == "Original"


def test_edit_into_a_duplicate_offers_a_merge(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        keep = make_organisation(db, "Musée d'Orsay", wikidata_item="Q23402")
        dup = make_organisation(db, "Orsay")
    response = post_form(staff, f"/partners/{dup.id}/edit",
                         {**VALID, "name": "musee d orsay", "wikidata_item": ""})
    assert response.status_code == 409
    page = text_of(response)
    assert f'href="/partners/{keep.id}"' in page
    assert f'action="/partners/{dup.id}/merge"' in page
    assert f'name="into" value="{keep.id}"' in page
    # Editing an entry without changing its name is not a duplicate of itself.
    response = post_form(staff, f"/partners/{keep.id}/edit",
                         {**VALID, "name": "Musée d'Orsay", "wikidata_item": "Q23402"})
    assert response.status_code == 303


# -- merging -------------------------------------------------------------------------


def test_merge_moves_everything_and_deletes_the_source(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        target = make_organisation(db, "Musée d'Orsay", notes="Keep this.")
        source = make_organisation(db, "Orsay museum", wikidata_item="Q23402",
                                   notes="And this.", themes=["science"])
        case = make_case(db, ada, organisation=source, title="Impressionist paintings")
        db.add(OrganisationContact(organisation_id=source.id, name="Claire",
                                   email="claire@example.org"))
        db.add(Placement(organisation_id=source.id, person="Jean",
                         start_date=date(2025, 1, 1)))
    response = post_form(staff, f"/partners/{source.id}/merge", {"into": str(target.id)},
                         page=f"/partners/{source.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/partners/{target.id}")
    with session(app) as db:
        assert db.get(Organisation, source.id) is None
        moved = db.get(Case, case.id)
        assert moved is not None and moved.organisation_id == target.id
        assert [c.organisation_id for c in db.scalars(select(OrganisationContact))] == [
            target.id]
        assert [p.organisation_id for p in db.scalars(select(Placement))] == [target.id]
        kept = db.get(Organisation, target.id)
        assert kept is not None
        assert kept.wikidata_item == "Q23402"  # filled in from the source
        assert kept.notes is not None and "Keep this." in kept.notes and "And this." in kept.notes
    [merged] = audit_events(app, "organisation.merge")
    assert merged.before["source"]["id"] == source.id
    assert merged.before["source"]["name"] == "Orsay museum"
    assert merged.before["target"]["id"] == target.id
    assert merged.after["target"]["name"] == "Musée d'Orsay"
    assert merged.after["moved"]["cases"] == [case.reference]
    page = text_of(staff.get(f"/partners/{target.id}"))
    assert "Impressionist paintings" in page and "Claire" in page and "Jean" in page
    assert staff.get(f"/partners/{source.id}").status_code == 404


def test_merge_into_itself_or_nothing(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        org = make_organisation(db, "Lonely")
    path, page = f"/partners/{org.id}/merge", f"/partners/{org.id}"
    response = post_form(staff, path, {"into": str(org.id)}, page=page)
    assert response.status_code == 400
    assert "cannot be merged into itself" in text_of(response)
    assert post_form(staff, path, {"into": "999999"}, page=page).status_code == 404
    assert post_form(staff, path, {"into": "abc"}, page=page).status_code == 400
    assert post_form(staff, "/partners/999999/merge", {"into": str(org.id)},
                     page=page).status_code == 404
    with session(app) as db:
        assert db.get(Organisation, org.id) is not None
    assert audit_events(app, "organisation.merge") == []


# -- contacts and placements ---------------------------------------------------------


def test_contacts_add_and_delete(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        org = make_organisation(db, "Contact Museum")
    page = f"/partners/{org.id}"
    response = post_form(staff, f"{page}/contacts", {"name": "", "email": "not-an-email"},
                         page=page)
    assert response.status_code == 400
    html = text_of(response)
    assert "Enter the contact's name." in html
    assert "Enter an email address like name@example.org." in html
    assert 'value="not-an-email"' in html  # nothing lost
    response = post_form(staff, f"{page}/contacts",
                         {"name": "Astrid", "email": "astrid@example.org",
                          "role": "Archivist"}, page=page)
    assert response.status_code == 303
    html = text_of(staff.get(page))
    assert "Astrid" in html and "astrid@example.org" in html and "Archivist" in html
    with session(app) as db:
        contact = db.scalars(select(OrganisationContact)).one()
    [added] = audit_events(app, "organisation.contact_add")
    assert added.after == {"contact_id": contact.id, "name": "Astrid"}
    response = post_form(staff, f"{page}/contacts/{contact.id}/delete", {}, page=page)
    assert response.status_code == 303
    with session(app) as db:
        assert db.scalars(select(OrganisationContact)).all() == []
        other = make_organisation(db, "Another")
    assert len(audit_events(app, "organisation.contact_delete")) == 1
    assert post_form(staff, f"{page}/contacts/{contact.id}/delete", {},
                     page=page).status_code == 404
    # A contact of another organisation cannot be removed through this one.
    post_form(staff, f"/partners/{other.id}/contacts", {"name": "Bo"}, page=page)
    with session(app) as db:
        bo = db.scalars(select(OrganisationContact)).one()
    assert post_form(staff, f"{page}/contacts/{bo.id}/delete", {}, page=page).status_code == 404
    with session(app) as db:
        emails = [str(e.before) + str(e.after) for e in db.scalars(select(AuditEvent))]
    assert not any("astrid@example.org" in text for text in emails)


@pytest.mark.parametrize(("data", "message"), [
    ({"person": "", "start_date": "2025-01-01"}, "Enter who the Wikimedian in Residence is."),
    ({"person": "Jean", "start_date": ""}, "Enter the date the placement started."),
    ({"person": "Jean", "start_date": "01/02/2025"}, "Enter a date as year-month-day"),
    ({"person": "Jean", "start_date": "2025-02-30"}, "Enter a date as year-month-day"),
    ({"person": "Jean", "start_date": "2025-03-01", "end_date": "2025-02-01"},
     "The end date cannot be before the start date."),
])
def test_placement_validation(app: Flask, staff: FlaskClient, data: dict[str, str],
                              message: str) -> None:
    with session(app) as db:
        org = make_organisation(db, "Residence Museum")
    page = f"/partners/{org.id}"
    response = post_form(staff, f"{page}/placements", {"description": "Kept text", **data},
                         page=page)
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert "Kept text" in html
    with session(app) as db:
        assert db.scalars(select(Placement)).all() == []


def test_placements_add_and_delete(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        org = make_organisation(db, "Residence Museum")
    page = f"/partners/{org.id}"
    response = post_form(staff, f"{page}/placements",
                         {"person": "Jean Dupont", "start_date": "2025-01-15",
                          "end_date": "2025-12-31", "description": "Digitised letters."},
                         page=page)
    assert response.status_code == 303
    post_form(staff, f"{page}/placements", {"person": "Same Day", "start_date": "2026-02-01",
                                            "end_date": "2026-02-01"}, page=page)
    html = text_of(staff.get(page))
    assert "Jean Dupont" in html and "Digitised letters." in html
    assert "Jan 15, 2025" in html and "Dec 31, 2025" in html  # CLDR medium dates
    sv = text_of(staff.get(page + "?uselang=sv"))
    assert "15 jan. 2025" in sv
    with session(app) as db:
        placements = {p.person: p for p in db.scalars(select(Placement))}
    assert set(placements) == {"Jean Dupont", "Same Day"}
    [added, _other] = audit_events(app, "organisation.placement_add")
    assert added.after["start_date"] == "2025-01-15"
    placement_id = placements["Jean Dupont"].id
    response = post_form(staff, f"{page}/placements/{placement_id}/delete", {}, page=page)
    assert response.status_code == 303
    assert len(audit_events(app, "organisation.placement_delete")) == 1
    assert post_form(staff, f"{page}/placements/{placement_id}/delete", {},
                     page=page).status_code == 404
    with session(app) as db:
        assert [p.person for p in db.scalars(select(Placement))] == ["Same Day"]


# -- the detail page and the list ---------------------------------------------------------


def test_detail_shows_the_cases(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        org = make_organisation(db, "Case Museum")
        first = make_case(db, ada, organisation=org, title="Maps of Gotland")
        second = make_case(db, ada, organisation=org, title="Herbarium sheets")
        make_case(db, ada, organisation=make_organisation(db, "Elsewhere"), title="Not here")
    html = text_of(staff.get(f"/partners/{org.id}"))
    for case in (first, second):
        assert f'href="/requests/{case.reference}"' in html
    assert "Maps of Gotland" in html and "Herbarium sheets" in html
    assert "Submitted" in html
    assert "Not here" not in html


def test_list_search_filter_and_counts(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        orsay = make_organisation(db, "Musée d'Orsay", kind="glam", country="FR",
                                  wikidata_item="Q23402")
        make_organisation(db, "World Health Organization", kind="igo", country="CH")
        make_organisation(db, "Uppsala University", kind="academic")
        make_case(db, ada, organisation=orsay)
        make_case(db, ada, organisation=orsay)
    html = text_of(staff.get("/partners"))
    assert "3 organisations" in html
    assert 'href="https://www.wikidata.org/wiki/Q23402"' in html
    assert "France" in html and "Switzerland" in html
    assert "Gallery, library, archive or museum (GLAM)" in html
    assert re.search(r"Musée d'Orsay</bdi></a></th>.*?<td class=\"numeric\">2</td>", html, re.S)
    assert "Schweiz" in text_of(staff.get("/partners?uselang=sv"))
    staff.get("/partners?uselang=en")  # the choice stays in the session: back to English

    found = text_of(staff.get("/partners?q=MUSEE"))
    assert "Orsay" in found and "World Health" not in found and "1 organisation" in found
    found = text_of(staff.get("/partners?q=health"))
    assert "World Health" in found and "Orsay" not in found
    found = text_of(staff.get("/partners?kind=academic"))
    assert "Uppsala" in found and "Orsay" not in found and "World Health" not in found
    assert "No organisation matches" in text_of(staff.get("/partners?q=health&kind=glam"))
    assert "No organisation matches" in text_of(staff.get("/partners?q=%25"))
    assert staff.get("/partners?kind=spaceship").status_code == 400
    assert staff.get("/partners?page=0").status_code == 400


def test_list_is_paginated(app: Flask, staff: FlaskClient) -> None:
    with session(app) as db:
        for index in range(55):
            make_organisation(db, f"Organisation {index:02d}")
    first = text_of(staff.get("/partners"))
    assert "Organisation 49" in first and "Organisation 50" not in first
    assert "Page 1 of 2" in first
    second = text_of(staff.get("/partners?page=2"))
    assert "Organisation 54" in second and "Organisation 49" not in second




def add_organisations(app: Flask, start: int, count: int) -> None:
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        for index in range(start, start + count):
            org = make_organisation(db, f"Bulk {index:03d}", wikidata_item=f"Q{index + 1}")
            if index % 3 == 0:
                make_case(db, ada, organisation=org)


def test_list_query_count_does_not_grow(app: Flask, staff: FlaskClient) -> None:
    add_organisations(app, 0, 5)
    small = count_queries(app, staff, "/partners")
    small_search = count_queries(app, staff, "/partners?q=bulk&kind=glam")
    add_organisations(app, 5, 55)
    assert count_queries(app, staff, "/partners") == small
    assert count_queries(app, staff, "/partners?q=bulk&kind=glam") == small_search
    assert "60 organisations" in text_of(staff.get("/partners"))


# -- nothing private leaves the registry --------------------------------------------------


def test_private_notes_and_emails_never_reach_public_pages(
    app: Flask, client: FlaskClient, staff: FlaskClient
) -> None:
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        org = make_organisation(db, "Public Museum", notes="SECRET-NOTE-4711")
        db.add(OrganisationContact(organisation_id=org.id, name="Private Person",
                                   email="private.person@example.org"))
        case = make_case(db, ada, organisation=org, public_listing=True)
        service.move(db, case, sven, {"helpdesk"}, "triage")
    reference = case.reference
    staff_page = text_of(staff.get(f"/partners/{org.id}"))
    assert "SECRET-NOTE-4711" in staff_page and "private.person@example.org" in staff_page
    for path in ("/cases", f"/cases/{reference}", "/api/v1/cases", f"/api/v1/cases/{reference}",
                 "/cases.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = text_of(response)
        assert reference in body, path  # the case really is public
        for secret in ("SECRET-NOTE-4711", "private.person@example.org", "Private Person"):
            assert secret not in body, (path, secret)


def test_empty_posts_get_a_validation_answer(app: Flask, staff: FlaskClient) -> None:
    """What the authorization matrix expects of staff: a POST with only the CSRF token."""
    with session(app) as db:
        org = make_organisation(db, "Matrix Museum")
    token = csrf_token(staff, f"/partners/{org.id}")
    expected = {
        "/partners/new": 400,
        f"/partners/{org.id}/edit": 400,
        f"/partners/{org.id}/merge": 400,
        f"/partners/{org.id}/contacts": 400,
        f"/partners/{org.id}/contacts/999999/delete": 404,
        f"/partners/{org.id}/placements": 400,
        f"/partners/{org.id}/placements/999999/delete": 404,
    }
    answers = {path: staff.post(path, data={"csrf_token": token}).status_code
               for path in expected}
    assert answers == expected
    with session(app) as db:
        assert db.scalars(select(Organisation.id)).all() == [org.id]
    assert audit_events(app, "organisation.update") == []

"""Filing a request through the "Ask for help" form: fields, errors, drafts, who may."""

from __future__ import annotations

from datetime import UTC, datetime

from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cases.checklists import TEMPLATES
from app.cases.models import Case, ChecklistItem
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.notifications.models import OutboxMessage
from app.partners.models import Organisation
from tests.factories import make_organisation
from tests.helpers import SignIn, csrf_token
from tests.html import field_value, hidden_fields, is_checked, one, parse, text_of
from tests.intake.support import (
    LOG_EMAIL,
    NEW,
    count,
    error_of,
    form_data,
    only_case,
    page,
    signed_in,
    summary_links,
)

# -- filing a request ---------------------------------------------------------

def test_requester_files_a_complete_request(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    ada_id = signed_in(app, client, sign_in, "Ada Requester")
    form_page = client.get(NEW)
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert "only the helpdesk and the Expert Committee see it" in html
    assert "flagged for the Expert Committee" in html
    assert "themes, region, target projects" in html  # what public listing shows

    response = client.post(NEW, data=form_data(csrf_token(client, NEW)))

    assert response.status_code == 302
    year = datetime.now(UTC).year
    reference = f"CPH-{year}-0001"
    assert response.headers["Location"].endswith(f"/requests/{reference}")
    case = only_case(app)
    assert case.reference == reference
    assert (case.title, case.request_type, case.timeline) == (
        "Digitised maps of the Baltic", "commons_upload", "Spring 2027")
    assert case.description == "Ten thousand scanned maps from our collection, 1600-1900."
    assert case.content_kinds == ["images", "data"]
    assert case.content_volume == "about 10,000 files"
    assert (case.licence, case.licence_details, case.licence_flagged) == (
        "cc_by_sa", "4.0 international", False)
    assert case.target_projects == ["commons", "wikidata"]
    assert case.themes == ["heritage", "climate"]
    assert case.countries == ["SE", "FI"]
    assert case.region == "western_europe"  # Sweden and Finland share one region
    assert case.languages == ["sv", "fi"]
    assert case.support_types == ["mass_upload", "community"]
    assert case.support_details == "We need help with Pattypan."
    assert (case.contact_name, case.contact_email) == ("Ada Lovelace", "ada@example.org")
    assert case.public_listing is True
    assert (case.requester_id, case.channel, case.state) == (ada_id, "web", "submitted")
    org = case.organisation
    assert (org.name, org.kind, org.country, org.website, org.wikidata_item) == (
        "Sjöhistoriska museet", "glam", "SE", "https://www.sjohistoriska.se/", "Q1140532")

    with app.app_context():
        db = get_session()
        events = {(e.action, e.object_type) for e in db.scalars(select(AuditEvent))}
        assert ("case.create", "case") in events
        assert ("organisation.create", "organisation") in events
        keys = list(db.scalars(select(ChecklistItem.key).where(ChecklistItem.case_id == case.id)
                               .order_by(ChecklistItem.position)))
        assert keys == list(TEMPLATES["commons_upload"])
        outbox = list(db.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)))
        assert [m.to_address for m in outbox if m.kind == "created"] == ["ada@example.org"]
        assert reference in next(m.subject for m in outbox if m.kind == "created")

    flashed = client.get("/").get_data(as_text=True)
    assert f"Your request {reference} was filed" in flashed


def test_second_request_gets_the_next_number_and_can_pick_the_organisation(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    token = csrf_token(client, NEW)
    assert client.post(NEW, data=form_data(token)).status_code == 302
    with app.app_context():
        org_id = get_session().scalars(select(Organisation.id)).one()
    assert f'<option value="{org_id}">Sjöhistoriska museet</option>' in client.get(
        NEW).get_data(as_text=True)

    second = client.post(NEW, data=form_data(
        token, organisation_id=str(org_id), org_name="", org_kind="", org_country="",
        org_website="", org_wikidata="", countries=["IN"], request_type="wikidata_donation"))

    year = datetime.now(UTC).year
    assert second.status_code == 302
    assert second.headers["Location"].endswith(f"/requests/CPH-{year}-0002")
    with app.app_context():
        db = get_session()
        cases = list(db.scalars(select(Case).order_by(Case.number)))
        assert [c.reference for c in cases] == [f"CPH-{year}-0001", f"CPH-{year}-0002"]
        assert cases[1].organisation_id == org_id
        assert cases[1].region == "south_asia"
        assert db.scalar(select(func.count()).select_from(Organisation)) == 1
        keys = set(db.scalars(select(ChecklistItem.key)
                              .where(ChecklistItem.case_id == cases[1].id)))
        assert keys == set(TEMPLATES["wikidata_donation"])


def test_countries_in_several_regions_make_the_region_other(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    response = client.post(NEW, data=form_data(csrf_token(client, NEW),
                                               countries=["SE", "KE", "BR"]))
    assert response.status_code == 302
    assert only_case(app).region == "other"


def test_missing_fields_are_explained_next_to_each_field(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    data = {"csrf_token": csrf_token(client, NEW), "description": "Maps, lots of maps.",
            "content_volume": "about 3 GB", "countries": ["KE"], "themes": ["health"],
            "licence_details": "ask the archivist"}
    response = client.post(NEW, data=data)

    assert response.status_code == 400
    parsed = page(response)
    assert "Give your request a title." in error_of(parsed, "title")
    assert "Choose the type of request." in error_of(parsed, "request_type")
    assert "enter the name of a new one" in error_of(parsed, "org_name")
    assert "Choose the kind of organisation." in error_of(parsed, "org_kind")
    assert "at least one kind of content" in error_of(parsed, "content_kinds")
    assert "Choose the licence" in error_of(parsed, "licence")
    assert "at least one Wikimedia project" in error_of(parsed, "target_projects")
    assert "Give an email address" in error_of(parsed, "contact_email")
    for fine in ("description", "themes", "countries", "timeline", "languages"):
        assert f"{fine}-error" not in parsed.text, fine
    # The error summary at the top links to each wrong field.
    summary = summary_links(parsed)
    assert "Title: Give your request a title." in summary
    assert parsed.by_id["error-summary"]["role"] == "alert"
    html = response.get_data(as_text=True)
    assert 'href="#title"' in html and 'href="#content_kinds-0"' in html
    # What was typed is still there.
    assert parsed.values["description"] == "Maps, lots of maps."
    assert parsed.values["content_volume"] == "about 3 GB"
    assert parsed.values["licence_details"] == "ask the archivist"
    assert parsed.checked["countries"] == ["KE"]
    assert parsed.checked["themes"] == ["health"]
    assert count(app, Case) == 0
    assert count(app, Organisation) == 0


def test_invalid_values_are_refused_and_kept(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    response = client.post(NEW, data=form_data(
        csrf_token(client, NEW), title="x" * 256, contact_email="not-an-address",
        org_website="ftp://example.org/files", countries=["ZZ"], licence="copyleft-ish",
        content_kinds=["images", "smells"]))

    assert response.status_code == 400
    parsed = page(response)
    assert "at most 255 characters" in error_of(parsed, "title")
    assert "name@example.org" in error_of(parsed, "contact_email")
    assert "https://" in error_of(parsed, "org_website")
    assert "Please choose from the list." in error_of(parsed, "countries")
    assert "Please choose from the list." in error_of(parsed, "licence")
    assert "Please choose from the list." in error_of(parsed, "content_kinds")
    assert parsed.values["contact_email"] == "not-an-address"
    assert parsed.values["org_website"] == "ftp://example.org/files"
    assert parsed.values["org_name"] == "Sjöhistoriska museet"
    assert parsed.selected["org_kind"] == ["glam"]
    assert count(app, Case) == 0


def test_invalid_wikidata_items_are_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    token = csrf_token(client, NEW)
    for item in ("Q0", "42", "q42", "Q12x", "Q 12", "P31"):
        response = client.post(NEW, data=form_data(token, org_wikidata=item))
        assert response.status_code == 400, item
        parsed = page(response)
        assert "like Q42" in error_of(parsed, "org_wikidata"), item
        assert parsed.values["org_wikidata"] == item.strip()
    assert count(app, Case) == 0
    assert client.post(NEW, data=form_data(token, org_wikidata="Q42")).status_code == 302


def test_a_non_free_licence_is_accepted_but_flagged(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    response = client.post(NEW, data=form_data(csrf_token(client, NEW), licence="other",
                                               licence_details="CC BY-NC 4.0"))
    assert response.status_code == 302
    case = only_case(app)
    assert (case.licence, case.licence_flagged) == ("other", True)
    assert "flagged for the Expert Committee" in client.get("/").get_data(as_text=True)


def test_choosing_a_registry_entry_and_a_new_organisation_is_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    with app.app_context():
        db = get_session()
        org_id = make_organisation(db, "Museum of Examples").id
        db.commit()
    signed_in(app, client, sign_in, "Ada Requester")
    response = client.post(NEW, data=form_data(csrf_token(client, NEW),
                                               organisation_id=str(org_id)))
    assert response.status_code == 400
    assert "Keep only one" in error_of(page(response), "org_name")
    assert count(app, Case) == 0


def test_a_duplicate_of_the_registry_is_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    with app.app_context():
        db = get_session()
        make_organisation(db, "Musée d'Orsay", country="FR", wikidata_item="Q23402")
        db.commit()
    signed_in(app, client, sign_in, "Ada Requester")
    token = csrf_token(client, NEW)
    for variant in ("MUSEE D’ORSAY", "musée  d orsay!", "Musee-d-Orsay"):
        response = client.post(NEW, data=form_data(token, org_name=variant, org_wikidata=""))
        assert response.status_code == 400, variant
        parsed = page(response)
        message = error_of(parsed, "org_name")
        assert "“Musée d'Orsay” is already in the partner registry" in message
        assert "choose it in the list" in message
        assert parsed.values["org_name"] == variant

    response = client.post(NEW, data=form_data(token, org_name="Orsay Museum, Paris",
                                               org_wikidata="Q23402"))
    assert response.status_code == 400
    message = error_of(page(response), "org_wikidata")
    assert "Q23402" in message and "Musée d'Orsay" in message
    assert count(app, Organisation) == 1
    assert count(app, Case) == 0


def test_text_is_stored_without_nul_bytes_and_trimmed(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    response = client.post(NEW, data=form_data(
        csrf_token(client, NEW), title="  Maps\x00 of the Baltic  ",
        description="Line one\x00\nLine two"))
    assert response.status_code == 302
    case = only_case(app)
    assert case.title == "Maps of the Baltic"
    assert case.description == "Line one\nLine two"


def test_scripts_and_emoji_round_trip(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    title = "أرشيف الخرائط — মানচিত্র সংগ্রহ 🗺️📷"
    org_name = "বাংলা একাডেমি 📚 مكتبة الإسكندرية"
    signed_in(app, client, sign_in, "Ada Requester")
    token = csrf_token(client, NEW)
    # Kept as typed when the form comes back with an error…
    again = page(client.post(NEW, data=form_data(token, title=title, org_name=org_name,
                                                 contact_email="")))
    assert again.values["title"] == title
    assert again.values["org_name"] == org_name
    # …and stored as typed.
    response = client.post(NEW, data=form_data(token, title=title, org_name=org_name,
                                               contact_name="নাজমা 🌸"))
    assert response.status_code == 302
    case = only_case(app)
    assert case.title == title
    assert case.organisation.name == org_name
    assert case.contact_name == "নাজমা 🌸"


def test_country_and_language_names_follow_the_page_language(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    english = parse(client.get(NEW + "?uselang=en"))
    assert text_of(one(english, "#org_country option[value=SE]")) == "Sweden"
    assert box_label(english, "countries", "SE") == "Sweden"
    swedish = parse(client.get(NEW + "?uselang=sv"))
    assert text_of(one(swedish, "#org_country option[value=SE]")) == "Sverige"
    assert box_label(swedish, "countries", "SE") == "Sverige"
    assert box_label(swedish, "languages", "fi") == "finska"


def box_label(soup: BeautifulSoup, name: str, value: str) -> str:
    """The text of the label around the checkbox `name` = `value`."""
    return text_of(one(soup, f'label:has(> input[name="{name}"][value="{value}"])'))


def groups_of(soup: BeautifulSoup, name: str) -> dict[str, list[str]]:
    """A multi-choice field's groups: their labels and the values of their boxes."""
    return {text_of(group.select(".multi-choice__group-label")[0]):
            [str(box["value"]) for box in group.select(f'input[name="{name}"]')]
            for group in one(soup, f"fieldset#{name}").select(".multi-choice__group")}


def test_countries_and_languages_are_grouped_checkboxes_not_list_boxes(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    """A plain click never wipes earlier choices, on a phone too: no select-multiple,
    checkboxes in groups (countries by movement region, common languages first) that
    work without JavaScript; the script only adds a filter box, hidden without it."""
    signed_in(app, client, sign_in, "Ada Requester")
    soup = parse(client.get(NEW))
    assert soup.select("select[multiple]") == []
    assert "Ctrl" not in soup.get_text()
    countries = groups_of(soup, "countries")
    assert list(countries)[:3] == ["East, Southeast Asia and the Pacific",
                                   "Central and Eastern Europe", "Middle East and North Africa"]
    assert "SE" in countries["Western Europe"] and "KE" in countries["Sub-Saharan Africa"]
    every = [code for codes in countries.values() for code in codes]
    assert len(every) == len(set(every)) > 250  # each country once
    languages = groups_of(soup, "languages")
    assert list(languages) == ["Common languages", "All other languages"]
    assert {"en", "fr", "es", "ar", "zh", "ru", "sw"} <= set(languages["Common languages"])
    assert "fi" in languages["All other languages"]
    assert not set(languages["Common languages"]) & set(languages["All other languages"])
    # The filter is there for the script to show; the script is our own, deferred.
    assert one(soup, "#countries .multi-choice__filter").has_attr("hidden")
    assert one(soup, 'label[for="countries-filter"]')
    script = one(soup, 'head script[src$="/static/js/multichoice.js"]')
    assert script.has_attr("defer")
    # What is chosen is said in words, also without the script.
    assert text_of(one(soup, "#countries-chosen")) == "Chosen: none yet"
    assert "countries-chosen" in str(one(soup, "fieldset#countries")["aria-describedby"])


def test_required_fields_are_marked_and_the_list_of_them_is_gone(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    soup = parse(client.get(NEW))
    assert "Required: a title" not in soup.get_text()
    marked = {str(mark.find_parent(["div", "fieldset"]).get("id") or
                  mark.find_parent("div").select_one("[name]")["name"])
              for mark in soup.select(".form-field__required")}
    assert marked == {"title", "description", "request_type", "content_kinds", "licence",
                      "target_projects", "themes", "countries", "contact_email"}
    for name in ("title", "description", "request_type", "contact_email"):
        assert one(soup, f'[name="{name}"]').has_attr("required"), name
    assert all(box.has_attr("required") for box in soup.select('input[name="licence"]'))
    for name in ("timeline", "org_name", "content_volume"):
        assert not one(soup, f'[name="{name}"]').has_attr("required"), name


def test_after_an_error_the_summary_comes_first_and_takes_the_focus(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    response = client.post(NEW, data=form_data(csrf_token(client, NEW), title="",
                                               countries=[], languages=["sv", "xx"]))
    assert response.status_code == 400
    soup = parse(response)
    main = one(soup, "main")
    first = next(child for child in main.children if isinstance(child, Tag)
                 and "flash-list" not in (child.get("class") or []))
    assert first.get("id") == "error-summary"
    assert first.has_attr("autofocus") and first["tabindex"] == "-1"
    assert soup.title is not None and soup.title.get_text().startswith("Error: Ask for help")
    links = [str(a["href"]) for a in first.select("a")]
    assert links == ["#title", "#countries-0", "#languages-0"]
    assert one(soup, "input#countries-0")
    assert one(soup, "input#languages-0")
    assert is_checked(soup, "languages", "sv")
    assert text_of(one(soup, "#languages-chosen")) == "Chosen: Swedish"


def test_blocked_users_cannot_file_requests(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Blocked Example")
    response = client.get(NEW)
    assert response.status_code == 403
    assert "Your Wikimedia account is blocked, so you cannot file new requests" in (
        response.get_data(as_text=True))
    token = csrf_token(client, "/")  # the form is never shown; the sign-out form has a token
    posted = client.post(NEW, data=form_data(token))
    assert posted.status_code == 403
    assert "you cannot file new requests" in posted.get_data(as_text=True)
    assert count(app, Case) == 0
    assert count(app, Organisation) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in (NEW, LOG_EMAIL):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next={path}"


def test_an_expired_form_comes_back_with_everything_typed(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    """A form older than its security token (an hour) is not filed, and nothing typed
    is lost: it comes back filled in, with a fresh token, and sending it again files it."""
    signed_in(app, client, sign_in, "Ada Requester")
    data = form_data("an-expired-token")
    response = client.post(NEW, data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert count(app, Case) == 0
    soup = parse(response)
    assert "This form had expired, so nothing was sent yet" in text_of(one(soup, "#draft-note"))
    assert not soup.select("#draft-note a")  # still signed in: nothing else to do
    assert field_value(soup, "title") == data["title"]
    assert (field_value(soup, "description") or "").strip() == data["description"]
    assert field_value(soup, "org_kind") == "glam"
    for name in ("countries", "languages", "themes", "content_kinds"):
        assert all(is_checked(soup, name, value) for value in data[name]), name
    assert text_of(one(soup, "#countries-chosen")) == "Chosen: Finland, Sweden"
    token = hidden_fields(soup, "main form")["csrf_token"]
    assert client.post(NEW, data=form_data(token)).status_code == 302
    assert count(app, Case) == 1


def test_a_form_sent_after_signing_out_is_kept_with_a_way_to_sign_in_again(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    for ended in ("the sign-in only", "the whole session"):
        if ended == "the whole session":
            sign_in(client, "Ada Requester")
        token = csrf_token(client, NEW)
        with client.session_transaction() as stored:
            if ended == "the whole session":
                stored.clear()
            else:
                stored.pop("user_id")
        response = client.post(NEW, data=form_data(token, title="Maps"))
        assert response.status_code == 400, ended
        soup = parse(response)
        note = one(soup, "#draft-note")
        assert "You were signed out, so nothing was sent yet" in text_of(note), ended
        sign_in_link = note.select("a")[0]
        assert sign_in_link["href"].startswith("/login?next=")
        assert sign_in_link["target"] == "_blank"
        assert field_value(soup, "title") == "Maps"
        assert "Signed in as" not in text_of(one(soup, "header"))
    assert count(app, Case) == 0


def test_a_form_from_another_site_is_refused_and_not_shown_back(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    signed_in(app, client, sign_in, "Ada Requester")
    data = form_data("")
    del data["csrf_token"]
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = client.post(NEW, data=data, headers=headers)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "not sent from this site" in html
        assert data["title"] not in html
    assert count(app, Case) == 0

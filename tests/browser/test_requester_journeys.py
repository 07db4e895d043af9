"""Issue #16, journeys 3, 4 and part of 10, walked in the browser by the people they
annoyed: a requester fills in the request form (long lists they can search and tick,
required fields marked, the focus on the error summary, nothing lost when the session
ends), answers the committee's question from the top of the case page and withdraws a
request only after confirming; a committee member and a working-group lead set their
country, languages and regions, which the committee page shows and "Filling the gaps"
counts. axe-core audits every page on the way, the changed ones in Arabic too."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.cases.models import Case
from app.core.db import get_session
from dev.demo import load_demo_data
from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor

DEMO_QUESTION = "Could you tell us which licence the files have?"  # dev/demo.py


@pytest.fixture
def demo(app: Flask) -> dict[str, str]:
    """The demo data; the title → reference of every case."""
    with app.app_context():
        db = get_session()
        assert load_demo_data(db)
        return dict(db.execute(select(Case.title, Case.reference)).tuples().all())


def state_of(app: Flask, reference: str) -> str:
    with app.app_context():
        return get_session().scalars(
            select(Case.state).where(Case.reference == reference)).one()


def send(tab: Visitor, button: Locator) -> None:
    with tab.page.expect_navigation():
        button.click()


def box(page: Page, name: str, value: str) -> Locator:
    return page.locator(f'input[name="{name}"][value="{value}"]')


def audit_in_arabic(tab: Visitor) -> None:
    """The page the tab is on, again in Arabic (right to left), audited."""
    url = tab.page.url
    tab.goto(url + ("&" if "?" in url else "?") + "uselang=ar")
    assert tab.page.evaluate("() => document.documentElement.dir") == "rtl"
    tab.audit()


# -- journey 4: the request form -------------------------------------------------------

def fill_required_but_the_title(page: Page) -> None:
    page.get_by_label("Description", exact=True).fill("Scanned maps, 1600-1900.")
    page.get_by_label("Type of request").select_option("commons_upload")
    page.get_by_label("Name of the organisation").fill("Sjöhistoriska museet")
    page.get_by_label("Kind of organisation").select_option("glam")
    for name, value in (("content_kinds", "images"), ("licence", "cc_by_sa"),
                        ("target_projects", "commons"), ("themes", "heritage")):
        box(page, name, value).check()
    page.get_by_label("Contact email").fill("ada@example.org")


def test_a_requester_searches_the_long_lists_and_is_led_to_what_to_correct(
        visitor: OpenVisitor, demo: dict[str, str]) -> None:
    ada = visitor("Ada Requester")
    ada.goto("/requests/new")
    page = ada.page
    ada.audit()
    # Required fields say so in words; the paragraph that listed them is gone.
    expect(page.locator("main")).not_to_contain_text("Required: a title")
    expect(page.locator("#title").locator("xpath=..")).to_contain_text("(required)")
    expect(page.locator("fieldset#countries legend")).to_have_text("Countries (required)")

    # Countries: no list box where a click wipes the earlier choices, but boxes to tick,
    # found by typing in the filter.
    assert page.locator("select[multiple]").count() == 0
    countries = page.locator("fieldset#countries")
    search = countries.get_by_label("Filter the list")
    expect(search).to_be_visible()
    search.fill("swed")
    visible = countries.locator("li:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_have_text("Sweden")
    visible.get_by_text("Sweden").click()
    search.press("Enter")  # does not send the form
    assert page.url.endswith("/requests/new")
    search.fill("KENYA")
    countries.locator("li:visible").get_by_text("Kenya").click()
    search.fill("cote")  # accents do not matter
    expect(countries.locator("li:visible")).to_have_text(["Côte d’Ivoire"])
    search.fill("atlantis")
    expect(countries.locator(".multi-choice__none")).to_have_text(
        "Nothing in the list matches.")
    search.fill("")
    assert countries.locator("li:visible").count() > 250
    expect(box(page, "countries", "SE")).to_be_checked()  # nothing was wiped
    expect(box(page, "countries", "KE")).to_be_checked()
    expect(page.locator("#countries-chosen")).to_have_text("Chosen: Kenya, Sweden")
    # Languages: the common ones first.
    languages = page.locator("fieldset#languages")
    expect(languages.locator(".multi-choice__group-label").first).to_have_text(
        "Common languages")
    languages.get_by_label("Filter the list").fill("swedish")
    languages.locator("li:visible").get_by_text("Swedish").click()
    expect(page.locator("#languages-chosen")).to_have_text("Chosen: Swedish")

    # Sent without a title: the focus lands on the summary at the top, which links there.
    fill_required_but_the_title(page)
    send(ada, page.get_by_role("button", name="Send the request"))
    assert page.title().startswith("Error: Ask for help")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a")).to_have_text(["Title: Give your request a title."])
    ada.audit()
    expect(box(page, "countries", "KE")).to_be_checked()  # what was ticked is kept
    page.locator("#error-summary a").click()
    expect(page.locator("#title")).to_be_focused()
    page.locator("#title").fill("Maps of the Baltic")
    send(ada, page.get_by_role("button", name="Send the request"))
    expect(page.locator(".message--success")).to_contain_text("was filed")
    expect(page.locator("main")).to_contain_text("Kenya, Sweden")


def test_without_javascript_the_lists_are_plain_checkboxes_and_nothing_typed_is_lost(
        visitor: OpenVisitor, demo: dict[str, str]) -> None:
    ada = visitor("Ada Requester", javascript=False)
    ada.goto("/requests/new")
    page = ada.page
    expect(page.locator("fieldset#countries").get_by_label("Filter the list")).to_be_hidden()
    box(page, "countries", "SE").check()
    box(page, "countries", "FI").check()
    box(page, "languages", "sv").check()
    fill_required_but_the_title(page)
    send(ada, page.get_by_role("button", name="Send the request"))
    # The summary is the first thing in the main content, and has the focus.
    first = page.locator("main > :not(.flash-list)").first
    expect(first).to_have_id("error-summary")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#countries-chosen")).to_have_text("Chosen: Finland, Sweden")
    ada.audit()
    audit_in_arabic(ada)

    # The session ends while the form is being finished: sending it keeps everything.
    ada.goto("/requests/new?uselang=en")
    page.locator("#title").fill("Maps of the Baltic")
    page.get_by_label("Description", exact=True).fill("Ten thousand scanned maps.")
    box(page, "countries", "SE").check()
    ada.context.clear_cookies()
    send(ada, page.get_by_role("button", name="Send the request"))
    note = page.locator("#draft-note")
    expect(note).to_contain_text("You were signed out, so nothing was sent yet")
    expect(page.locator("#title")).to_have_value("Maps of the Baltic")
    expect(page.get_by_label("Description", exact=True)).to_have_value(
        "Ten thousand scanned maps.")
    expect(box(page, "countries", "SE")).to_be_checked()
    sign_in_again = note.get_by_role("link", name="Sign in again (opens in a new tab)")
    assert sign_in_again.get_attribute("target") == "_blank"
    ada.audit()


# -- journey 3: answering the committee, withdrawing -------------------------------------

def test_a_requester_answers_the_question_at_the_top_and_withdraws_only_after_confirming(
        app: Flask, visitor: OpenVisitor, demo: dict[str, str]) -> None:
    ada = visitor("Ada Requester", javascript=False)
    page = ada.page
    asked = demo["Photographs of Kenyan independence"]
    ada.goto(f"/requests/{asked}")
    ada.audit()
    question = page.locator("section#answer")
    expect(question.locator("h2")).to_have_text("The committee asks:")
    expect(question.locator("blockquote")).to_have_text(DEMO_QUESTION)
    # The question is the first thing, above where the request is and its history.
    top = question.bounding_box()
    stage = page.locator("#stage-heading").bounding_box()
    assert top is not None and stage is not None and top["y"] < stage["y"]
    # One box, labelled for the requester; none that answers without moving the case.
    answer = page.get_by_label("Your answer")
    expect(answer).to_have_count(1)
    expect(page.get_by_text("Message to the requester")).to_have_count(0)
    expect(page.get_by_label("Write a message")).to_have_count(0)
    audit_in_arabic(ada)
    ada.goto(f"/requests/{asked}?uselang=en")
    page.get_by_label("Your answer").fill("CC BY-SA 4.0, all of them.")
    send(ada, page.get_by_role("button", name="Send the information asked for"))
    expect(page.locator(".message--success")).to_contain_text(
        "your answer was sent, and the request is back with the Expert Committee")
    expect(page.locator("section#answer")).to_have_count(0)
    assert state_of(app, asked) == "in_initial_review"
    ada.audit()

    # Withdrawing: the button that does it is behind a confirmation step.
    withdraw = page.locator("details#withdraw")
    confirm = page.get_by_role("button", name="Yes, withdraw the request")
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("button", name="Withdraw the request")).to_have_count(0)
    withdraw.locator("summary").click()
    expect(confirm).to_be_visible()
    expect(withdraw).to_contain_text("Do you want to withdraw this request?")
    ada.audit()
    withdraw.locator("summary").click()  # changed their mind: nothing happens
    expect(confirm).to_be_hidden()
    assert state_of(app, asked) == "in_initial_review"
    withdraw.locator("summary").click()
    page.get_by_label("Why do you withdraw it? (optional)").fill("We found help nearby.")
    send(ada, confirm)
    assert state_of(app, asked) == "withdrawn"
    expect(page.locator(".timeline")).to_contain_text("We found help nearby.")


# -- journey 10 (part): country, languages and regions ---------------------------------

def test_people_set_their_country_languages_and_regions_for_the_roster_and_the_gaps(
        visitor: OpenVisitor, demo: dict[str, str]) -> None:
    ngozi = visitor("Ngozi Committee")
    page = ngozi.page
    ngozi.goto("/committee")
    with page.expect_navigation():
        page.get_by_role("link", name="Set your country, languages and regions in your "
                                       "preferences").click()
    assert page.url.endswith("/preferences#about-you")
    ngozi.audit()
    about = page.locator("#about-you")
    about.get_by_label("Your country").select_option("GH")
    search = about.get_by_label("Filter the list")
    search.fill("twi")
    about.locator("li:visible").get_by_text("Twi").click()
    about.get_by_label("Sub-Saharan Africa").check()
    send(ngozi, page.get_by_role("button", name="Save preferences"))
    expect(page.locator(".message--success")).to_have_text("Your preferences were saved.")
    audit_in_arabic(ngozi)
    ngozi.goto("/committee?uselang=en")
    row = page.get_by_role("row").filter(has_text="Ngozi Committee")
    expect(row).to_contain_text("Ghana")
    expect(row).to_contain_text("Twi")
    expect(row).to_contain_text("Sub-Saharan Africa")
    ngozi.audit()

    # A working-group member from Kenya: the request from Kenya is no longer a gap.
    anonymous = visitor()
    anonymous.goto("/gaps")
    gaps = anonymous.page.locator("#table-gaps")
    expect(gaps).to_contain_text("Kenya")
    leila = visitor("Leila Lead", javascript=False)
    leila.goto("/preferences")
    leila.page.get_by_label("Your country").select_option("KE")
    send(leila, leila.page.get_by_role("button", name="Save preferences"))
    expect(leila.page.locator(".message--success")).to_have_text("Your preferences were saved.")
    later = visitor()  # a browser may keep a public page for a minute
    later.goto("/gaps")
    expect(later.page.locator("main")).not_to_contain_text("Kenya")
    later.audit()

"""Issue #16, journeys 6, 7 and 8, walked in a real browser as the people they are for:

6. an administrator reads the audit log in names and links, and narrows it like
   Special:Log: by a person (their name is a link), a kind of change and a request;
7. the helpdesk writes the public summary as it accepts a request (the suggested text
   is in the box) and as it closes one (a button puts the closing suggestion in the
   box; without JavaScript the suggestion is there to copy), and a visitor reads the
   summary and the public timeline, with the committee's public reasons;
8. a Bengali reader sees dates and counts in Bengali digits, an Arabic reader in Latin
   digits, a British browser never an all-digit date; every time shows the exact
   moment on hover; and an Arabic requester finds every language named in the form.

axe-core audits the changed pages in English and Arabic.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, expect
from sqlalchemy import select

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core import regions
from app.core.db import get_session
from dev.demo import load_demo_data
from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee")
NEW_TITLE = "Lighthouse logbooks of the Baltic"
DECIDED_TITLE = "Herbarium sheets of Uppsala"
PUBLIC_REASON = "A well-documented collection with a free licence."
INTERNAL_REASON = "Internal: Mei knows the curator."
RAW_CODE = re.compile(r"\b(?:User|Request|Decision|Referral|Organisation|Working group) \d+\b")
ALL_DIGIT_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
BENGALI_DIGIT = re.compile("[০-৯]")


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """The demo data, a new consented request without a summary (to accept), and one
    in support whose committee gave its reasons (to close)."""
    with app.app_context():
        db = get_session()
        assert load_demo_data(db)
        users = {user.username: user for user in db.scalars(select(User))}
        demo = db.scalars(select(Case).order_by(Case.id)).first()
        assert demo is not None
        fields = {name: getattr(demo, name) for name in (
            "organisation_id", "request_type", "content_kinds", "licence", "target_projects",
            "themes", "countries", "region", "languages", "support_types", "timeline",
            "contact_name", "contact_email", "description")}
        ada, sven = users["Ada Requester"], users["Sven Helpdesk"]
        new = service.create_case(db, ada, {**fields, "title": NEW_TITLE,
                                            "public_listing": True, "requester_id": ada.id})
        decided = service.create_case(db, ada, {**fields, "title": DECIDED_TITLE,
                                                "public_listing": True, "requester_id": ada.id,
                                                "public_summary": "Uppsala's herbarium."})
        service.move(db, decided, sven, {"helpdesk"}, "triage")
        members = [users[name] for name in COMMITTEE]
        for outcome, reason in (("proceed", PUBLIC_REASON), ("approve", "")):
            service.record_decision(
                db, decided, members[0], case_access(db, members[0], decided),
                expected_version=decided.version, outcome=outcome, rationale=INTERNAL_REASON,
                public_rationale=reason, participant_ids=[m.id for m in members])
        service.move(db, decided, sven, {"helpdesk"}, "start_support")
        db.commit()
        return {"new": new.reference, "decided": decided.reference}


def send(tab: Visitor, button: Locator) -> None:
    """Press a submit button, wait for the answer, check it is a success, audit it."""
    with tab.page.expect_navigation():
        button.click()
    assert tab.page.locator(".message--success").count() == 1, tab.page.inner_text("main")[:800]
    tab.audit()


def action_form(tab: Visitor, button: str) -> Locator:
    page = tab.page
    return page.locator("main form").filter(
        has=page.get_by_role("button", name=button, exact=True))


def in_both_languages(tab: Visitor, path: str) -> None:
    for language in ("ar", "en"):
        separator = "&" if "?" in path else "?"
        tab.goto(f"{path}{separator}uselang={language}")
        tab.audit(f"{path} ({language})")


def test_the_helpdesk_writes_the_public_summary_and_the_public_sees_the_timeline(
        visitor: OpenVisitor, world: dict[str, Any]) -> None:
    # The helpdesk accepts the new request: the box holds a suggested summary.
    sven = visitor("Sven Helpdesk")
    sven.goto(f"/requests/{world['new']}")
    sven.audit()
    accept = action_form(sven, "Accept for review")
    box = accept.get_by_label("Public summary", exact=True)
    expect(box).to_have_value(re.compile(r"asked the Content Partnerships Hub for help with "
                                         f"“{NEW_TITLE}”"))
    box.fill("Logbooks of twelve Baltic lighthouses, 1850-1950, for Wikimedia Commons.")
    send(sven, accept.get_by_role("button", name="Accept for review"))

    # It closes the request in support: the current summary is in the box, the closing
    # suggestion under it, and the button puts it in the box.
    sven.goto(f"/requests/{world['decided']}")
    close = action_form(sven, "Close as resolved")
    box = close.get_by_label("Public summary", exact=True)
    expect(box).to_be_hidden()  # folded: there is a summary already
    close.locator("summary", has_text="Public summary").click()
    expect(box).to_have_value("Uppsala's herbarium.")
    suggestion = close.locator("[data-draft-text]")
    expect(suggestion).to_contain_text("the request is resolved")
    close.get_by_role("button", name="Use the suggested text").click()
    expect(box).to_have_value(suggestion.inner_text())
    expect(box).to_be_focused()
    sven.audit()
    close.get_by_label("Message to the requester (required)").fill("All sheets are on Commons.")
    send(sven, close.get_by_role("button", name="Close as resolved"))

    # Without JavaScript the suggestion is shown to copy, and no dead button.
    plain = visitor("Sven Helpdesk", javascript=False)
    plain.goto(f"/requests/{world['new']}")
    assert plain.page.get_by_role("button", name="Use the suggested text").count() == 0
    plain.audit()

    # A visitor reads the summary and the timeline, with the committee's public reason.
    anyone = visitor()
    anyone.goto(f"/cases/{world['decided']}")
    main = anyone.page.locator("main")
    expect(main).to_contain_text("The helpdesk supported the work, and the request is resolved.")
    history = anyone.page.get_by_role("region", name="History")
    items = history.get_by_role("listitem")
    expect(items).to_have_count(6)
    expect(items.nth(2)).to_contain_text("Committee decision (Initial feedback)")
    expect(items.nth(2)).to_contain_text(PUBLIC_REASON)
    expect(items.nth(3)).to_contain_text("Committee decision (Final go)")
    expect(items.last).to_contain_text("Closed (resolved)")
    expect(main).not_to_contain_text(INTERNAL_REASON)
    expect(main).not_to_contain_text("All sheets are on Commons.")
    moment = items.first.locator("time")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z", moment.get_attribute("datetime") or "")
    assert moment.get_attribute("title")
    updated = main.locator("time.time-ago")
    expect(updated).to_have_text(re.compile(r"just now|minute"))
    assert updated.get_attribute("title")  # the exact time, shown on hover
    in_both_languages(anyone, f"/cases/{world['decided']}")


def test_an_administrator_reads_and_narrows_the_audit_log(
        visitor: OpenVisitor, world: dict[str, Any]) -> None:
    admin = visitor("Admin Demo", javascript=False)
    admin.goto("/")
    with admin.page.expect_navigation():
        admin.page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Audit log", exact=True).click()
    admin.audit()
    page = admin.page
    table = page.locator(".audit-log table")
    assert not RAW_CODE.findall(table.inner_text()), RAW_CODE.findall(table.inner_text())
    decision = table.locator("tbody tr").filter(has_text="Committee decision recorded").first
    for name in COMMITTEE:  # who took part, by name
        expect(decision).to_contain_text(name)

    # Their name is a link to their changes.
    with page.expect_navigation():
        decision.get_by_role("link", name="Ngozi Committee", exact=True).first.click()
    assert "person=Ngozi" in page.url
    who = [cell.strip() for cell in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert who and set(who) == {"Ngozi Committee"}
    admin.audit()

    # A kind of change and a request, as on Special:Log.
    page.get_by_label("Who", exact=True).fill("")
    page.get_by_label("Kind of change").select_option(label="Requests")
    page.get_by_label("Request", exact=True).fill(world["decided"])
    with page.expect_navigation():
        page.get_by_role("button", name="Show changes").click()
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    for index in range(rows.count()):
        expect(rows.nth(index).get_by_role("link", name=world["decided"])).to_have_count(1)
    expect(table).to_contain_text("Workflow: Accept for review")
    expect(table).to_contain_text(DECIDED_TITLE)
    admin.audit()
    with page.expect_navigation():
        page.get_by_role("link", name="Clear filters").click()
    assert page.url.endswith("/admin/audit")

    # A request that does not exist: the error is at its field.
    page.get_by_label("Request", exact=True).fill("CPH-1999-0001")
    with page.expect_navigation():
        page.get_by_role("button", name="Show changes").click()
    expect(page.get_by_label("Request", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("There is no request CPH-1999-0001")
    admin.audit()
    in_both_languages(admin, "/admin/audit")


def test_dates_and_numbers_in_each_reader_language(
        visitor: OpenVisitor, world: dict[str, Any]) -> None:
    anyone = visitor()  # a British browser (en-GB)
    anyone.goto("/cases")
    table = anyone.page.locator("main table")
    assert not ALL_DIGIT_DATE.search(anyone.page.inner_text("main"))
    ago = table.locator("time.time-ago").first
    expect(ago).to_have_text(re.compile(r"ago|just now"))
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", ago.get_attribute("title") or "")

    anyone.goto("/cases?uselang=bn")
    status = anyone.page.locator("main [role=status]").inner_text()
    assert BENGALI_DIGIT.search(status) and not re.search(r"[0-9]", status), status
    times = table.locator("time.time-ago")
    for text in [*times.all_inner_texts()[:5], times.first.get_attribute("title") or ""]:
        assert not re.search(r"[0-9]", text), text
    anyone.goto(f"/cases/{world['decided']}?uselang=bn")
    filed = anyone.page.locator("main dl time").last
    assert BENGALI_DIGIT.search(filed.get_attribute("title") or ""), filed.get_attribute("title")
    history = anyone.page.locator("main ol.timeline time").first.inner_text()
    assert BENGALI_DIGIT.search(history) and not re.search(r"[0-9]", history), history
    anyone.audit()

    anyone.goto(f"/cases/{world['decided']}?uselang=ar")
    history = anyone.page.locator("main ol.timeline time").first.inner_text()
    assert re.search(r"20\d\d", history) and not re.search("[٠-٩]", history), history


def test_an_arabic_requester_finds_every_language_named(
        visitor: OpenVisitor, world: dict[str, Any]) -> None:
    ada = visitor("Ada Requester", javascript=False)
    codes = set(regions.language_codes())
    for path in ("/requests/new?uselang=ar", "/preferences?uselang=ar"):
        ada.goto(path)
        texts = ada.page.evaluate(
            "() => [...document.querySelectorAll('main label, main option')]"
            ".map(el => el.textContent.trim())")
        bare = sorted(set(texts) & codes)
        assert not bare, (path, bare)
    ada.goto("/requests/new?uselang=ar")
    assert ada.page.locator("main").get_by_text("Egyptian Arabic", exact=True).count() >= 1

"""My groups: members and leads of working groups find what waits for them — the
committee's questions with the answer form, the requests to join — from the menu and
the home page; the group page sends members to the case page, not the public one."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.cases.access import case_access
from app.cases.queries import find_case
from app.core.db import get_session
from app.groups import service as groups
from app.groups.models import JoinRequest, Referral, WorkingGroup
from tests.factories import join_group, make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.html import one, parse, text_of

QUESTION = "Can you check the metadata mapping?"
PRIVATE_TITLE = "Letters of a shipping company"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Leila leads Implementation, Omar is a plain member of it and of Translation; two
    cases referred to Implementation (one not public), one to Translation; Ada asks to
    join Implementation."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = [make_user(db, name, "committee")
                   for name in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
        leila, omar = make_user(db, "Leila Lead"), make_user(db, "Omar Requester")
        join_group(db, leila, "implementation", lead=True)
        join_group(db, omar, "implementation")
        join_group(db, omar, "translation")
        found = {group.slug: group for group in db.scalars(select(WorkingGroup))}
        references = {}
        for title, slugs, public in (("Baltic maps", ["implementation"], True),
                                     (PRIVATE_TITLE, ["implementation", "translation"], False)):
            case = make_case(db, ada, title=title, public_listing=public)
            service.move(db, case, sven, {"helpdesk"}, "triage")
            service.record_decision(
                db, case, members[0], case_access(db, members[0], case),
                expected_version=case.version, outcome="refer", rationale="Check it.",
                public_rationale="", participant_ids=[m.id for m in members],
                group_ids=[found[slug].id for slug in slugs], question=QUESTION)
            references[title] = case.reference
        groups.request_to_join(db, found["implementation"], ada, "I map metadata.")
        db.commit()
        return references


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def inside(element: Tag, selector: str) -> Tag:
    """The one element `selector` finds inside `element`."""
    found = element.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def plain(element: Tag) -> str:
    """The element's text as shown (white space folded, nothing added between tags)."""
    return " ".join(element.get_text().split())


def nav_links(html: str) -> list[str]:
    return [text_of(link) for link in parse(html).select('nav[aria-label="Main"] a')]


def referral_id(app: Flask, reference: str, slug: str) -> int:
    with app.app_context():
        db = get_session()
        case = find_case(db, reference)
        assert case is not None
        return db.scalars(
            select(Referral.id).join(WorkingGroup, WorkingGroup.id == Referral.group_id)
            .where(WorkingGroup.slug == slug, Referral.case_id == case.id)
        ).one()


def test_members_find_my_groups_in_the_menu_and_a_notice_on_the_home_page(
        app: Flask, sign_in: SignIn, world: dict[str, Any]) -> None:
    leila = signed_in(app, sign_in, "Leila Lead")
    home = leila.get("/").get_data(as_text=True)
    assert "My groups" in nav_links(home)
    notice = text_of(one(home, "section.home-work"))
    assert "2 questions from the committee are waiting for your groups' answers." in notice
    assert "1 request to join is waiting for your answer." in notice
    assert one(home, 'section.home-work a[href="/groups/mine"]')

    omar = signed_in(app, sign_in, "Omar Requester")
    home = omar.get("/").get_data(as_text=True)
    notice = text_of(one(home, "section.home-work"))
    assert "3 questions from the committee" in notice  # two groups, the same case twice
    assert "request to join" not in notice  # Omar leads no group
    # the menu shows on every page, the case page too (without a statement more)
    assert "My groups" in nav_links(omar.get("/cases").get_data(as_text=True))
    page = omar.get(f"/requests/{world['Baltic maps']}").get_data(as_text=True)
    assert "My groups" in nav_links(page)

    # people in no group: no menu entry, no notice; the page says how to join one
    ada = signed_in(app, sign_in, "Ada Requester")
    home = ada.get("/").get_data(as_text=True)
    assert "My groups" not in nav_links(home)
    assert parse(home).select_one("section.home-work") is None
    mine = ada.get("/groups/mine").get_data(as_text=True)
    assert "You are not a member of any working group yet." in mine
    assert one(mine, 'main a[href="/groups"]')
    assert "My groups" not in nav_links(app.test_client().get("/").get_data(as_text=True))


def test_my_groups_shows_the_questions_with_the_answer_form(
        app: Flask, sign_in: SignIn, world: dict[str, Any]) -> None:
    omar = signed_in(app, sign_in, "Omar Requester")
    html = omar.get("/groups/mine").get_data(as_text=True)
    page = parse(html)
    sections = {text_of(inside(section, "h2")).split(" Member")[0]: section
                for section in page.select("section.my-group")}
    assert set(sections) == {"Implementation", "Translation"}
    implementation = sections["Implementation"]
    items = implementation.select("li.my-group__item")
    assert [plain(inside(item, ".my-group__case")) for item in items] == [
        f"{world['Baltic maps']}: Baltic maps", f"{world[PRIVATE_TITLE]}: {PRIVATE_TITLE}"]
    first = items[0]
    assert f"The committee asks: {QUESTION}" in text_of(first)
    assert "waiting 0 days" in text_of(first)
    referral = referral_id(app, world["Baltic maps"], "implementation")
    # the case page, where the referral is (never the public page)
    link = inside(first, ".my-group__case a")
    assert link["href"] == f"/requests/{world['Baltic maps']}#referral-{referral}"
    form = inside(first, "form")
    assert form["action"] == f"/requests/{world['Baltic maps']}/referrals/{referral}/answer"
    label = inside(form, f'label[for="answer-{referral}"]')
    assert text_of(label) == "Your group's answer"
    # a plain member decides no join request
    assert "Requests to join" not in text_of(implementation)

    # answering from here records the answer and shows it on the case page
    response = omar.post(form["action"], data={
        "csrf_token": csrf_token(omar, "/groups/mine"), "answer": "The mapping is fine."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/requests/{world['Baltic maps']}"
    case_page = omar.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your group&#39;s answer was recorded." in case_page
    assert "The mapping is fine." in case_page
    remaining = parse(omar.get("/groups/mine").get_data(as_text=True))
    assert [plain(inside(item, ".my-group__case")) for item in
            remaining.select("li.my-group__item")] == [
        f"{world[PRIVATE_TITLE]}: {PRIVATE_TITLE}", f"{world[PRIVATE_TITLE]}: {PRIVATE_TITLE}"]


def test_a_lead_decides_join_requests_from_my_groups(
        app: Flask, sign_in: SignIn, world: dict[str, Any]) -> None:
    leila = signed_in(app, sign_in, "Leila Lead")
    html = leila.get("/groups/mine").get_data(as_text=True)
    section = one(html, "section.my-group")
    assert "Ada Requester asked on" in text_of(section)
    assert "I map metadata." in text_of(section)
    accept = inside(section, 'form[action$="/accept"]')
    response = leila.post(accept["action"], data={
        "csrf_token": csrf_token(leila, "/groups/mine"), "back": "mine"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/groups/mine"
    after = leila.get("/groups/mine").get_data(as_text=True)
    assert "Ada Requester is now a member of Implementation." in after
    assert "No request to join is waiting for an answer." in after
    with app.app_context():
        assert get_session().scalars(select(JoinRequest.status)).one() == "accepted"


def test_the_group_page_sends_members_to_the_case_page(
        app: Flask, sign_in: SignIn, world: dict[str, Any]) -> None:
    omar = signed_in(app, sign_in, "Omar Requester")
    page = parse(omar.get("/groups/implementation").get_data(as_text=True))
    links = [str(a["href"]) for a in page.select("main a")]
    for title in ("Baltic maps", PRIVATE_TITLE):
        assert f"/requests/{world[title]}#referrals-heading" in links
    assert f"/cases/{world['Baltic maps']}" not in links
    assert "/groups/mine" in links
    # visitors still see the public requests only, on their public pages
    public = parse(app.test_client().get("/groups/implementation").get_data(as_text=True))
    links = [str(a["href"]) for a in public.select("main a")]
    assert f"/cases/{world['Baltic maps']}" in links
    assert not any(link.startswith("/requests/") for link in links)
    assert PRIVATE_TITLE not in text_of(one(public, "main"))


def test_no_group_can_be_called_mine(app: Flask, sign_in: SignIn) -> None:
    with app.app_context():
        db = get_session()
        admin = make_user(db, "Admin Demo")
        with pytest.raises(groups.GroupError):
            groups.create_group(db, "mine", "Mine", "", admin)

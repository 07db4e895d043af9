"""The case page suggests people and affiliates who match the case (staff only); /gaps
counts countries with requests and no affiliate or member, hiding small counts from the
public."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.cases import service as case_service
from app.people.models import Affiliate, DirectoryEntry
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.html import parse, table_rows, text_of


def entry(user_id: int, **shown: bool) -> DirectoryEntry:
    flags = {"show_country": False, "show_languages": False, "show_regions": False,
             "show_skills": False, "show_roles": False, **shown}
    return DirectoryEntry(user_id=user_id, listed=True, skills=["mass-uploads"], **flags)


def test_the_case_page_suggests_who_matches_for_staff_only(
        app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        case = make_case(db, ada, countries=["SE"], languages=["sv", "en"],
                         support_types=["mass_upload"])
        reference = case.reference
        people = {name: make_user(db, name) for name in
                  ("Sara Sweden", "Hidden Swede", "Lars Language", "Uma Uploader",
                   "Unlisted Swede")}
        for user in people.values():
            user.country, user.languages = "SE", ["sv"]
        db.add_all([
            entry(people["Sara Sweden"].id, show_country=True),
            entry(people["Hidden Swede"].id),  # listed, but shows nothing that matches
            entry(people["Lars Language"].id, show_languages=True),
            entry(people["Uma Uploader"].id, show_skills=True),
            DirectoryEntry(user_id=people["Unlisted Swede"].id, listed=False, skills=[],
                           show_country=True, show_languages=True),
            Affiliate(name="Wikimedia Sverige", kind="chapter", countries=["SE"],
                      contact_url="https://wikimedia.se", active=True),
            Affiliate(name="Wikimedia Norge", kind="chapter", countries=["NO"], active=True),
            Affiliate(name="Old Swedish Group", kind="user_group", countries=["SE"],
                      active=False),
        ])
        assert sven
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    page = parse(helpdesk.get(f"/requests/{reference}"))
    suggested = {text_of(item) for item in page.select("#suggested-people li")}
    assert suggested == {"Sara Sweden: country: Sweden", "Lars Language: language: Swedish",
                         "Uma Uploader: skill: Mass uploads"}
    affiliates = [text_of(item) for item in page.select("#suggested-affiliates li")]
    assert affiliates == ["Wikimedia Sverige (Chapter): country: Sweden"]

    requester = app.test_client()
    sign_in(requester, "Ada Requester")
    text = requester.get(f"/requests/{reference}").get_data(as_text=True)
    assert "suggestions-heading" not in text and "Sara Sweden" not in text


def public_cases(db: object, countries: list[list[str]]) -> None:
    ada = make_user(db, "Ada Requester")  # type: ignore[arg-type]
    sven = make_user(db, "Sven Helpdesk", "helpdesk")  # type: ignore[arg-type]
    for codes in countries:
        case = make_case(db, ada, countries=codes)  # type: ignore[arg-type]
        case_service.move(db, case, sven, {"helpdesk"}, "triage")  # type: ignore[arg-type]


def gap_rows(client: FlaskClient) -> list[list[str]]:
    page = parse(client.get("/gaps"))
    if page.select_one("#table-gaps") is None:
        return []
    return table_rows(page, "#table-gaps")


def test_gaps_count_affiliates_and_the_directory_and_hide_small_counts(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    with session(app) as db:
        # Kenya 4, Brazil 2, Sweden 1, Norway 3 (a chapter there), India 1 (a listed person).
        public_cases(db, [["KE"], ["KE", "BR"], ["KE"], ["KE", "SE"], ["BR"], ["NO"], ["NO"],
                          ["NO"], ["IN"]])
        db.add(Affiliate(name="Wikimedia Norge", kind="chapter", countries=["NO"]))
        indian = make_user(db, "Priya Listed")
        indian.country = "IN"
        db.add(entry(indian.id, show_country=True))
        hidden = make_user(db, "Hidden Brazilian")
        hidden.country = "BR"
        db.add(entry(hidden.id))  # listed, but hides the country: it does not count
        # A private case about Kenya: staff see it counted, the public never.
        private = make_case(db, make_user(db, "Ada Requester"), countries=["KE"],
                            public_listing=False)
        assert private
    assert gap_rows(client) == [["Kenya", "Sub-Saharan Africa", "4"],
                                ["Brazil", "Latin America and the Caribbean", "fewer than 3"],
                                ["Sweden", "Western Europe", "fewer than 3"]]
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    assert gap_rows(helpdesk) == [["Kenya", "Sub-Saharan Africa", "5"],
                                  ["Brazil", "Latin America and the Caribbean", "2"],
                                  ["Sweden", "Western Europe", "1"]]


def test_the_public_gaps_do_not_order_small_counts_by_size(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    with session(app) as db:
        # Zambia 2, Angola 1: by size Zambia would come first and give the counts away.
        public_cases(db, [["ZM"], ["ZM"], ["AO"], ["KE"], ["KE"], ["KE"]])
    assert gap_rows(client) == [["Kenya", "Sub-Saharan Africa", "3"],
                                ["Angola", "Sub-Saharan Africa", "fewer than 3"],
                                ["Zambia", "Sub-Saharan Africa", "fewer than 3"]]
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    assert gap_rows(helpdesk) == [["Kenya", "Sub-Saharan Africa", "3"],
                                  ["Zambia", "Sub-Saharan Africa", "2"],
                                  ["Angola", "Sub-Saharan Africa", "1"]]

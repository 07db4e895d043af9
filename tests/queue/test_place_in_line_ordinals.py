"""The place in line reads as the language writes ordinals: "3rd in line for support",
chosen by the number's CLDR ordinal category, on the requester's pages and the public
page; other languages take their own messages and digits."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.html import one, parse, text_of
from tests.queue.support import approved_case, people

ENGLISH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th",
           21: "21st", 22: "22nd", 23: "23rd"}


def twenty_three_in_line(app: Flask) -> list[str]:
    """Ada's 23 approved requests, "Case 1" first in line; their references in order."""
    with session(app) as db:
        ada = people(db)["ada"]
        return [approved_case(db, ada, f"Case {place}", public_listing=True).reference
                for place in range(1, 24)]


def places_on_my_requests(client: FlaskClient, query: str = "") -> dict[str, str]:
    """"Case N" → the place in line shown next to it on My requests."""
    response = client.get("/requests/mine" + query)
    assert response.status_code == 200
    found = {}
    for row in parse(response.get_data(as_text=True)).select("tbody tr"):
        place = row.select_one(".queue-place")
        title = re.search(r"\bCase \d+\b", text_of(row))
        if place is not None and title is not None:
            found[title.group(0)] = text_of(place)
    return found


def test_english_ordinals_on_my_requests_the_case_page_and_the_public_page(
        app: Flask, sign_in: SignIn) -> None:
    refs = twenty_three_in_line(app)
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    shown = places_on_my_requests(ada)
    assert len(shown) == 23
    for place, ordinal in ENGLISH.items():
        assert shown[f"Case {place}"] == f"{ordinal} in line for support"
    page = parse(ada.get(f"/requests/{refs[2]}").get_data(as_text=True))
    where = one(page, "section[aria-labelledby=stage-heading]")
    assert "Support queue 3rd in line for support" in text_of(where)
    public = parse(app.test_client().get(f"/cases/{refs[21]}").get_data(as_text=True))
    assert "Support queue 22nd in line for support" in text_of(public)
    # the API keeps the number
    assert app.test_client().get(f"/api/v1/cases/{refs[21]}").get_json()["place_in_line"] == 22


def test_other_languages_render_their_own_ordinal_messages_and_digits(
        app: Flask, sign_in: SignIn) -> None:
    twenty_three_in_line(app)
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    for language in ("sv", "fr", "es", "ar", "bn"):
        shown = places_on_my_requests(ada, f"?uselang={language}")
        assert len(shown) == 23 and all(shown.values()), language
    # Bengali writes its own digits: ২৩ is 23
    assert "২৩" in shown["Case 23"] and "23" not in shown["Case 23"]

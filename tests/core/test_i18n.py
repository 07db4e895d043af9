"""Languages: which one a request gets, its direction, the language selector, dates and
numbers in it, and the health of the shipped catalogues."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import format_decimal
from sqlalchemy import select

from app.auth.models import User
from app.committee import service as committee_service
from app.core import formats, i18n
from app.core.db import get_session
from tests.factories import make_user
from tests.helpers import SignIn
from tests.pseudo import extract_catalogue

ROOT = Path(__file__).resolve().parents[2]
LANG = re.compile(r'<html lang="([^"]+)" dir="([^"]+)"')
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*(?:\d+)?(?:\.\d+)?[a-zA-Z]")
# The languages the Hub works in (issue: English, Swedish, Spanish, French, Arabic, Bengali).
SHIPPED = ("en", "sv", "es", "fr", "ar", "bn")


# Routes that are not HTML pages, and the one page only a signed-out visitor gets.
NOT_HTML = {
    "/static/<path:filename>", "/api/v1/cases", "/api/v1/cases/<reference>",
    "/api/v1/working-groups", "/api/v1/openapi.json", "/cases.atom", "/stats.csv",
    "/healthz", "/favicon.ico", "/login",
    "/api/v1/meetings", "/committee/meetings.ics", "/api/v1/asks",  # JSON, a calendar feed
}
ANONYMOUS_ONLY = {"/oauth-callback"}


def page_language(html: str) -> tuple[str, str]:
    match = LANG.search(html)
    assert match, html[:300]
    return match.group(1), match.group(2)


# ---------------------------------------------------------------------------------
# Which language a request gets


def test_every_language_of_the_hub_is_shipped() -> None:
    assert set(i18n.shipped_languages()) >= set(SHIPPED)
    assert i18n.shipped_languages()[0] == "en"


def test_uselang_beats_saved_choice_beats_browser_beats_english(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(EXTRA_LANGUAGES=["ar"])
    client = app.test_client()
    assert page_language(client.get("/").get_data(as_text=True))[0] == "en"
    browser = {"Accept-Language": "sv;q=0.9, en;q=0.5"}
    assert page_language(client.get("/", headers=browser).get_data(as_text=True))[0] == "sv"
    # an explicit choice is remembered for the visit, and beats the browser
    assert page_language(client.get("/?uselang=ar", headers=browser).get_data(
        as_text=True))[0] == "ar"
    assert page_language(client.get("/cases", headers=browser).get_data(as_text=True))[0] == "ar"
    # ?uselang= beats the saved choice (and becomes the saved choice)
    assert page_language(client.get("/?uselang=sv").get_data(as_text=True))[0] == "sv"
    assert page_language(client.get("/cases").get_data(as_text=True))[0] == "sv"
    assert page_language(client.get("/?uselang=en", headers=browser).get_data(
        as_text=True))[0] == "en"
    assert page_language(client.get("/", headers=browser).get_data(as_text=True))[0] == "en"


def test_swedish_pages_are_in_swedish(client: Any) -> None:
    html = client.get("/?uselang=sv").get_data(as_text=True)
    assert page_language(html) == ("sv", "ltr")
    assert '<option value="sv" lang="sv" selected>Svenska</option>' in html


@pytest.mark.parametrize("asked", ["xx", "sv-XX", "../etc", "", "de"])
def test_unknown_uselang_falls_back_without_error(make_app: Callable[..., Flask],
                                                  asked: str) -> None:
    client = make_app().test_client()
    response = client.get("/", query_string={"uselang": asked})
    assert response.status_code == 200
    assert page_language(response.get_data(as_text=True))[0] == "en"
    with_browser = client.get("/", query_string={"uselang": asked},
                              headers={"Accept-Language": "sv"})
    assert page_language(with_browser.get_data(as_text=True))[0] == "sv"


def test_arabic_is_right_to_left(make_app: Callable[..., Flask]) -> None:
    assert i18n.text_direction("ar") == "rtl"
    assert i18n.text_direction("sv") == "ltr"
    assert i18n.text_direction("not a language") == "ltr"
    app = make_app(EXTRA_LANGUAGES=["ar"])  # shipped or not: the page is right to left
    for path in ("/?uselang=ar", "/cases?uselang=ar", "/privacy?uselang=ar"):
        response = app.test_client().get(path)
        assert response.status_code == 200
        assert page_language(response.get_data(as_text=True)) == ("ar", "rtl"), path


def test_saved_user_language_applies_without_a_session_choice(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(EXTRA_LANGUAGES=["ar"])
    with app.app_context():
        db = get_session()
        make_user(db, "Ada Requester").language = "sv"
        db.commit()
    client = app.test_client()
    SignIn(app)(client, "Ada Requester")
    browser = {"Accept-Language": "ar"}
    assert page_language(client.get("/", headers=browser).get_data(as_text=True))[0] == "sv"
    # a choice made during the visit beats the saved one
    assert page_language(client.get("/?uselang=ar").get_data(as_text=True))[0] == "ar"
    assert page_language(client.get("/").get_data(as_text=True))[0] == "ar"


def test_a_language_chosen_before_signing_in_survives_it(make_app: Callable[..., Flask]
                                                         ) -> None:
    app = make_app()
    with app.app_context():
        db = get_session()
        make_user(db, "Ada Requester").language = "en"
        db.commit()
    client = app.test_client()
    client.get("/?uselang=sv")
    SignIn(app)(client, "Ada Requester")
    assert page_language(client.get("/").get_data(as_text=True))[0] == "sv"


def test_an_unavailable_saved_user_language_is_ignored(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    with app.app_context():
        db = get_session()
        make_user(db, "Ada Requester").language = "tlh"
        db.commit()
    client = app.test_client()
    SignIn(app)(client, "Ada Requester")
    html = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert page_language(html)[0] == "sv"
    with app.app_context():
        user = get_session().scalars(select(User).where(User.username == "Ada Requester")).one()
        assert user.language == "tlh"


# ---------------------------------------------------------------------------------
# The language selector


class LanguageForm(HTMLParser):
    """The language selector's form: action, hidden inputs, options, selected option."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.action: str | None = None
        self.hidden: list[tuple[str, str]] = []
        self.options: list[str] = []
        self.selected: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and "lang-select" in attributes.get("class", "").split():
            self.inside = True
            self.action = attributes.get("action")
        elif self.inside and tag == "input" and attributes.get("type") == "hidden":
            self.hidden.append((attributes.get("name", ""), attributes.get("value", "")))
        elif self.inside and tag == "option":
            self.options.append(attributes.get("value", ""))
            if "selected" in attributes:
                self.selected.append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def language_form(html: str) -> LanguageForm:
    parser = LanguageForm()
    parser.feed(html)
    assert parser.action is not None, "no language selector on the page"
    return parser


def argument_free_pages(app: Flask) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in (rule.methods or set()) and not rule.arguments
                  and rule.rule not in NOT_HTML and rule.rule not in ANONYMOUS_ONLY)


def test_the_language_selector_keeps_the_page_and_its_query(app: Flask, sign_in: SignIn
                                                            ) -> None:
    with app.app_context():
        make_user(get_session(), "Admin Demo")
        get_session().commit()
    client = app.test_client()
    sign_in(client, "Admin Demo")
    checked = []
    for path in argument_free_pages(app):
        response = client.get(path, query_string={"q": "maps", "page": "1", "uselang": "sv"})
        if response.status_code != 200:
            continue
        form = language_form(response.get_data(as_text=True))
        assert form.action == path, path
        assert sorted(form.hidden) == [("page", "1"), ("q", "maps")], path
        assert form.selected == ["sv"], path
        assert form.options == list(i18n.shipped_languages()), path
        checked.append(path)
    assert {"/", "/cases", "/admin/", "/admin/audit", "/preferences"} <= set(checked), checked


def test_the_language_selector_on_a_filtered_list(client: Any) -> None:
    html = client.get("/cases?state=open&uselang=sv").get_data(as_text=True)
    form = language_form(html)
    assert form.action == "/cases"
    assert form.hidden == [("state", "open")]
    assert form.selected == ["sv"]


# ---------------------------------------------------------------------------------
# Dates and numbers


def _spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")


def test_dates_and_numbers_follow_the_language(app: Flask) -> None:
    moment = datetime(2026, 3, 5, 14, 7, 33)
    with app.app_context():
        db = get_session()
        author = make_user(db, "Ngozi Committee", "committee")
        page = committee_service.create_guideline(db, author, "dates", "Dates", "Body.", "")
        page.updated_at = moment
        db.commit()
    client = app.test_client()
    # One date format with the month's name, and times without seconds (issue #16).
    expected = {"en": "Mar 5, 2026, 2:07 PM", "sv": "5 mars 2026 14:07",
                "bn": "৫ মার্চ, ২০২৬ ২:০৭ PM"}
    for language, shown in expected.items():
        html = client.get(f"/guidelines/dates?uselang={language}").get_data(as_text=True)
        assert shown in _spaces(html), (language, shown)
        assert ":33" not in html and "৩৩" not in html
        with app.test_request_context(f"/?uselang={language}"):
            assert _spaces(formats.format_datetime(moment)) == shown
    with app.test_request_context("/?uselang=sv"):
        assert _spaces(format_decimal(1234567.5)) == "1 234 567,5"
    with app.test_request_context("/?uselang=en"):
        assert format_decimal(1234567.5) == "1,234,567.5"


# ---------------------------------------------------------------------------------
# The shipped catalogues


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _catalogues() -> list[Path]:
    return sorted(i18n.TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def _message_ids(message: Any) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def _message_strings(message: Any) -> list[str]:
    return ([message.string] if isinstance(message.string, str)
            else list(message.string or ()))


def _catalogue_problems(language: str, catalogue: Any, source_ids: set[str]) -> list[str]:
    """Everything that keeps a catalogue from being complete and faithful to the source."""
    problems: list[str] = []
    expected_forms = get_plural(language).num_plurals
    if catalogue.num_plurals != expected_forms:
        problems.append(f"{language}: {catalogue.num_plurals} plural forms, CLDR has "
                        f"{expected_forms}")
    seen: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        ids, strings = _message_ids(message), _message_strings(message)
        seen.add(ids[0])
        if message.fuzzy:
            problems.append(f"{language}: fuzzy entry {ids[0]!r}")
        if len(ids) > 1 and len(strings) != expected_forms:
            problems.append(f"{language}: {ids[0]!r} has {len(strings)} plural forms")
        if not all(strings):
            problems.append(f"{language}: not translated: {ids[0]!r}")
            continue
        source_names = set().union(*(_placeholders(text) for text in ids))
        for form in strings:
            if _placeholders(form) != source_names:
                problems.append(f"{language}: {ids[0]!r} has {sorted(_placeholders(form))}, "
                                f"the source has {sorted(source_names)}: {form!r}")
    problems += [f"{language}: missing (run make translations): {missing!r}"
                 for missing in sorted(source_ids - seen)]
    return problems


def test_every_shipped_language_has_every_message_of_the_source() -> None:
    """Complete against the messages in the source now (a stale catalogue fails), no
    fuzzy entry, placeholders identical in every form, CLDR's number of plural forms."""
    source = extract_catalogue(ROOT)
    source_ids = {_message_ids(message)[0] for message in source if message.id}
    assert {path.parent.parent.name for path in _catalogues()} >= set(SHIPPED) - {"en"}
    problems: list[str] = []
    for path in _catalogues():
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        problems += _catalogue_problems(path.parent.parent.name, catalogue, source_ids)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("language", [code for code in SHIPPED if code != "en"])
def test_msgfmt_check_reports_the_language_complete(language: str) -> None:
    po = i18n.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr

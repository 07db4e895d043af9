"""Dates, times, numbers and names of languages as each language writes them (issue #16,
journeys 6 and 8): one date format with the month's name, never "12/4/26"; times without
seconds; "3 days ago" with the date and time on hover; the language's own digits where
CLDR's default numbering system is native (Bengali), Latin digits where it is not
(Arabic: CLDR's default for ``ar`` is ``latn``); and every language named, never a code."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from babel import Locale
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from app.core import formats, i18n, regions
from app.core.models import utcnow
from tests.helpers import SignIn
from tests.html import one, text_of

MOMENT = datetime(2026, 12, 4, 15, 4, 5)
ALL_DIGITS_DATE = re.compile(r"\b\d{1,4}[/.\-‏]+\d{1,2}[/.\-‏]+\d{1,4}\b")
BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_cldr_default_numbering_systems() -> None:
    """The premise: Bengali's default digits are its own, Arabic's (the `ar` locale's)
    and the other shipped languages' are Latin."""
    assert Locale.parse("bn").default_numbering_system == "beng"
    for code in ("ar", "en", "sv", "fr", "es"):
        assert Locale.parse(code).default_numbering_system == "latn", code
    assert formats.digit_table(Locale.parse("ar")) is None
    assert "1234567890".translate(formats.digit_table(Locale.parse("bn")) or {}) == (
        "১২৩৪৫৬৭৮৯০")


@pytest.mark.parametrize(("language", "day", "moment", "time"), [
    ("en", "Dec 4, 2026", "Dec 4, 2026, 3:04 PM", "3:04 PM"),
    ("sv", "4 dec. 2026", "4 dec. 2026 15:04", "15:04"),
    ("fr", "4 déc. 2026", "4 déc. 2026, 15:04", "15:04"),
    ("es", "4 dic 2026", "4 dic 2026, 15:04", "15:04"),
    ("ar", "4 ديسمبر 2026", "4 ديسمبر 2026، 3:04 م", "3:04 م"),
    ("bn", "৪ ডিসে, ২০২৬", "৪ ডিসে, ২০২৬ ৩:০৪ PM", "৩:০৪ PM"),
])
def test_one_date_format_with_the_month_name_and_no_seconds(
        app: Flask, language: str, day: str, moment: str, time: str) -> None:
    with app.test_request_context(f"/?uselang={language}"):
        assert _plain(formats.format_date(MOMENT)) == day
        assert _plain(formats.format_date(MOMENT.date())) == day
        assert _plain(formats.format_datetime(MOMENT)) == moment
        assert _plain(formats.format_time(MOMENT)) == time
        for shown in (day, moment):
            assert not ALL_DIGITS_DATE.search(shown), shown
        assert "05" not in formats.format_datetime(MOMENT)  # no seconds


def test_a_british_reader_is_never_shown_an_all_digit_date(app: Flask) -> None:
    """The issue's "12/4/26", read as 12 April: the English locale that a British
    browser gets shows the month's name."""
    with app.test_request_context("/", headers={"Accept-Language": "en-GB,en;q=0.8"}):
        assert formats.format_date(MOMENT) == "Dec 4, 2026"
        html = render_template_string("{{ moment|datetime }} {{ moment|date }}", moment=MOMENT)
        assert not ALL_DIGITS_DATE.search(html), html


@pytest.mark.parametrize(("language", "ago", "number"), [
    ("en", "3 days ago", "1,234,567.5"),
    ("sv", "för 3 dagar sedan", "1 234 567,5"),
    ("ar", "قبل 3 أيام", "1,234,567.5"),
    ("bn", "৩ দিন আগে", "১২,৩৪,৫৬৭.৫"),
])
def test_relative_times_and_numbers(app: Flask, language: str, ago: str, number: str) -> None:
    with app.test_request_context(f"/?uselang={language}"):
        assert formats.format_ago(MOMENT, MOMENT + timedelta(days=3, hours=2)) == ago
        assert _plain(formats.format_number(1234567.5)) == number
        assert formats.format_ago(MOMENT, MOMENT - timedelta(hours=5)) != ago  # "in 5 hours"
    with app.test_request_context("/?uselang=en"):
        assert formats.format_ago(MOMENT, MOMENT + timedelta(seconds=20)) == "just now"
        assert formats.format_ago(MOMENT, MOMENT - timedelta(hours=5)) == "in 5 hours"


def test_time_elements_carry_the_moment_and_the_exact_time_on_hover(app: Flask) -> None:
    with app.test_request_context("/?uselang=en"):
        earlier = utcnow().replace(second=0) - timedelta(hours=5, seconds=30)
        relative = str(formats.time_element(earlier, relative=True))
        assert relative == (f'<time datetime="{formats.iso(earlier)}" title="'
                            f'{formats.format_datetime(earlier)}" class="time-ago">5 hours ago'
                            '</time>')
        assert str(formats.time_element(MOMENT)) == (
            '<time datetime="2026-12-04T15:04Z" title="Dec 4, 2026, 3:04\u202fPM">'
            'Dec 4, 2026</time>')
        assert ">Dec 4, 2026, 3:04" in str(formats.time_element(MOMENT, with_time=True))
        assert str(formats.time_element(date(2026, 1, 6))) == (
            '<time datetime="2026-01-06">Jan 6, 2026</time>')
        assert str(formats.time_element(None)) == ""
        page = render_template_string(
            "{{ m|ago }}|{{ m|when }}|{{ m|when(time=True) }}|{{ m|date }}|{{ m|datetime }}|"
            "{{ 1234|number }}|{{ none|datetime }}", m=MOMENT)
        assert page.count("<time ") == 3 and page.endswith("|1,234|")


def test_messages_show_counts_in_the_language_digits(app: Flask) -> None:
    """Whole numbers given to a message are written in Bengali digits on Bengali pages;
    `%(num)d` and plural rules still see the number; strings (references) are left as
    they are; other languages are unchanged."""
    template = ('{{ ngettext("%(num)s day", "%(num)s days", 12) }}|'
                '{{ _("Page %(number)s of %(pages)s", number=3, pages=12) }}|'
                '{{ ngettext("%(num)d case", "%(num)d cases", 1) }}|'
                '{{ _("Linked with %(reference)s.", reference="CPH-2026-0042") }}')
    with app.test_request_context("/?uselang=bn"):
        bengali = render_template_string(template)
    with app.test_request_context("/?uselang=en"):
        english = render_template_string(template)
    assert english == "12 days|Page 3 of 12|1 case|Linked with CPH-2026-0042."
    days, pages, cases, linked = bengali.split("|")
    assert "১২" in days and "12" not in days
    assert "৩" in pages and "১২" in pages
    assert "1" in cases  # %(num)d: the number itself
    assert "CPH-2026-0042" in linked
    assert not re.search(r"\d", days + pages, re.ASCII)
    assert formats.LocalNumber(12, "১২") == 12 and f"{formats.LocalNumber(3, '৩')}" == "৩"


def test_a_bengali_page_uses_bengali_digits(app: Flask, client: FlaskClient) -> None:
    html = client.get("/cases?uselang=bn").get_data(as_text=True)
    status = text_of(one(html, 'p[role="status"]'))
    assert not re.search(r"\d", status, re.ASCII), status
    assert any(digit in status for digit in BENGALI_DIGITS)


# ---------------------------------------------------------------------------------
# Names of languages: CLDR in the reader's language, then the language's own name, then
# English; never a bare code.

def test_language_names_fall_back_to_the_autonym_then_english() -> None:
    assert i18n.language_name("sv", "en") == "Swedish"
    assert i18n.language_name("arz", "ar") == "Egyptian Arabic"  # CLDR ar lacks it
    assert i18n.language_name("ltg", "ar") == "latgalīšu"  # its own name
    assert i18n.language_name("gan", "bn") == "Gan Chinese"  # CLDR bn's "name" is the code
    assert i18n.language_name("sv") == "Svenska"  # a menu: own name, capitalised
    assert i18n.language_name("ar") == "العربية"
    assert i18n.language_name("qqq", "en") == "qqq"  # nothing names it
    assert regions.language_name is i18n.language_name  # one namer


@pytest.mark.parametrize("language", ["ar", "bn", "sv"])
def test_no_content_language_is_offered_as_a_bare_code(language: str) -> None:
    names = dict(regions.language_choices(language))  # what the forms offer
    assert len(names) > 600
    bare = sorted(code for code, name in names.items() if name.casefold() == code)
    assert not bare, bare
    assert names["arz"] and names["ary"] and names["aeb"] and names["arq"]


class _Texts(HTMLParser):
    """Visible text of options and labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("option", "label"):
            self.inside.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("option", "label") and self.inside:
            self.inside.pop()

    def handle_data(self, data: str) -> None:
        if self.inside and data.strip():
            self.texts.append(data.strip())


@pytest.mark.parametrize("language", ["ar", "bn", "sv"])
def test_request_form_and_preferences_name_every_language(
        app: Flask, client: FlaskClient, sign_in: SignIn, language: str) -> None:
    codes = set(regions.language_codes())
    sign_in(client, "Ada Requester")
    for path in ("/requests/new", "/preferences"):
        response = client.get(f"{path}?uselang={language}")
        assert response.status_code == 200, path
        parser = _Texts()
        parser.feed(response.get_data(as_text=True))
        bare = sorted({text for text in parser.texts if text in codes})
        assert not bare, (path, language, bare)


class _VisibleText(HTMLParser):
    """The text of a page's <main>, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main" or self.depth:
            self.depth += tag not in ("br", "img", "input", "meta", "link", "hr")
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.text.append(data)


def _main_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.text)


def test_statistics_and_guidelines_in_the_language_digits_without_seconds(
        app: Flask, client: FlaskClient) -> None:
    """Figures formatted in Python (the statistics, a guideline's date) follow the same
    rules as the templates' filters."""
    from app.committee import service as committee_service
    from app.core.db import get_session
    from tests.factories import make_case, make_user

    with app.app_context():
        db = get_session()
        author = make_user(db, "Ngozi Committee", "committee")
        page = committee_service.create_guideline(db, author, "dates", "Dates", "Body.", "")
        page.updated_at = MOMENT
        make_case(db, make_user(db, "Ada Requester"))
        db.commit()
    stats = _main_text(client.get("/stats?uselang=bn").get_data(as_text=True))
    assert any(digit in stats for digit in BENGALI_DIGITS), stats[:300]
    latin = re.findall(r"[0-9]+", stats)
    assert not latin, latin[:10]
    guideline = client.get("/guidelines/dates?uselang=en").get_data(as_text=True)
    assert "3:04 PM" in _plain(guideline) and "3:04:05" not in guideline

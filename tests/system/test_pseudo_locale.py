"""The pseudo-locale test: every page, for every kind of person, every error page and
every notification email, rendered in a pseudo-locale where each message is ⟦áççéñţéď⟧.

Any visible text (and the title, alt, aria-label and placeholder attributes, and the
labels of submit buttons) with a plain Latin letter left in it, after the user data
and the few things below that are legitimately not messages are taken out, did not
come through a message: the test fails and names the page, the role and the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.dates import format_timedelta
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.admin import labels as audit_labels
from app.auth.models import User
from app.cases import service, transitions
from app.cases.access import case_access
from app.cases.labels import THEMES
from app.cases.models import CannedReply, Case, CaseMessage, ChecklistItem
from app.committee import service as committee_service
from app.committee import votes
from app.committee.models import (
    ConflictOfInterest,
    Decision,
    Guideline,
    GuidelineRevision,
    Review,
)
from app.core import i18n, regions
from app.core.db import get_session
from app.groups import service as group_service
from app.groups.models import JoinRequest, Referral, WorkingGroup
from app.meetings.models import AgendaItem, Meeting
from app.notifications import service as notify
from app.notifications.models import OutboxMessage
from app.partners import service as registry
from app.partners.models import Organisation, OrganisationContact, Placement
from dev.standin.server import RunningServer
from tests.case_client import hidden_fields, post_on_case
from tests.conftest import app_config, empty_all_tables
from tests.factories import join_group, make_case, make_organisation, make_user
from tests.helpers import SignIn
from tests.pseudo import PSEUDO_LOCALE, build
from tests.system.test_authorization import EXPECTED, ROLES, USERNAMES, path_for, routes, world  # noqa: F401 - `world` is a fixture used by name

ROOT = Path(__file__).resolve().parents[2]

# Routes that answer with something other than an HTML page (or only redirect).
NOT_HTML = {
    "/static/<path:filename>", "/api/v1/cases", "/api/v1/cases/<reference>",
    "/api/v1/working-groups", "/api/v1/openapi.json", "/cases.atom", "/stats.csv",
    "/healthz", "/favicon.ico", "/login",
}
# Checked last: the sign-in callback page (without an answer from the wiki).
LAST = "/oauth-callback"

# Elements whose text is not shown; attributes whose text is shown (or read out).
HIDDEN_ELEMENTS = {"script", "style"}
TEXT_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
BUTTON_INPUTS = {"submit", "button", "reset"}

# --------------------------------------------------------------------------------
# (c) Things that are legitimately not messages, each with its reason.

# Case references (CPH-2026-0042): identifiers, the same in every language.
REFERENCE = re.compile(r"\bCPH-\d{4}-\d{4}\b")
# Web addresses (links in emails, an example address in a placeholder) are addresses.
URL = re.compile(r"https?://\S+")


def _cldr_date_words(locale: Locale) -> list[str]:
    """Month and day names (wide and abbreviated) Babel uses to format a date in `locale`."""
    words: set[str] = set()
    for table in (locale.months, locale.days):
        for context in table.values():
            for width, names in context.items():
                if width != "narrow":
                    words.update(str(name) for name in names.values())
    return sorted(words, key=len, reverse=True)


def _cldr_names(locale: Locale) -> list[str]:
    """Country and language names from CLDR, in the page's language (e.g. 'Svedujo'), and
    the names the app gives the languages CLDR does not name in it (their own name, or
    their English one: `i18n.language_name`)."""
    names = {str(name) for name in locale.territories.values()}
    names |= {str(name) for name in locale.languages.values()}
    names |= {i18n.language_name(code, locale) for code in regions.language_codes()}
    return sorted(names, key=len, reverse=True)


def _relative_times(locale: Locale) -> re.Pattern[str]:
    """Relative times as Babel writes them from CLDR in `locale` ("antaŭ 5 horoj", "post
    1 tago"): the words around any number, for every unit `app.core.formats` shows."""
    phrases = set()
    for unit in (60, 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400):
        for count in (1, 2, 5):
            for sign in (-1, 1):
                text = format_timedelta(timedelta(seconds=sign * count * unit),
                                        granularity="minute", add_direction=True,
                                        locale=locale)
                phrases.add(re.escape(text).replace(str(count), r"\d+"))
    return re.compile(rf"(?<!\w)(?:{'|'.join(sorted(phrases, key=len, reverse=True))})(?!\w)")


def _words(values: Iterable[str]) -> re.Pattern[str]:
    """Any of `values` as a whole word or phrase (longest first)."""
    ordered = sorted({value for value in values if value and value.strip()}, key=len,
                     reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    alternatives = "|".join(re.escape(value) for value in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


PSEUDO = Locale.parse(PSEUDO_LOCALE)
# Dates and times formatted by Babel in the page's language: a month or day name right
# before or after the digits of a date ("5 Mar 2026", "Marto 2026").
_DATE_NAMES = "|".join(re.escape(word) for word in _cldr_date_words(PSEUDO))
DATE_WORDS = re.compile(rf"(?<=\d )(?:{_DATE_NAMES})(?!\w)|(?<!\w)(?:{_DATE_NAMES})(?= \d)")
CLDR_NAMES = _words(_cldr_names(PSEUDO))
# "3 days ago" (app.core.formats.format_ago) in the page's language, from CLDR.
RELATIVE_TIMES = _relative_times(PSEUDO)
# The placeholders people type into canned replies ($reference) are syntax, not words.
CANNED_PLACEHOLDER = re.compile(r"\$[a-z_]+\b")
NOT_MESSAGES = (REFERENCE, CLDR_NAMES, DATE_WORDS, RELATIVE_TIMES,
                CANNED_PLACEHOLDER)  # and URL, first
# The themes' short names, which a CSV file of affiliates writes: syntax, not words, when
# a page shows one alone in a <code> element (the import page lists them).
THEME_CODES = frozenset(THEMES)

WORD = re.compile(r"[^\W\d_]+")
# A language or country code in a list of languages or countries, where CLDR has no
# name for it in the page's language (Esperanto lacks many): the code is its name.
CODE = re.compile(r"[a-z]{2,3}|[A-Z]{2}")

# The interface languages, each offered by its own name (the preferences' select).
OFFERED = frozenset((*i18n.shipped_languages(), PSEUDO_LOCALE))

LATIN = re.compile(r"[A-Za-z]")


def leftovers(text: str, data: re.Pattern[str]) -> list[str]:
    """The plain Latin words of `text` that are neither a message nor user data nor one of
    the NOT_MESSAGES. The pseudo-locale accents every letter of a message (placeholders
    aside), so a plain letter came from data or from text that skipped translation."""
    masked = data.sub(" ", URL.sub(" ", text))
    for pattern in NOT_MESSAGES:
        masked = pattern.sub(" ", masked)
    return [word for word in WORD.findall(masked) if LATIN.search(word)]


class VisibleText(HTMLParser):
    """Every visible text node and every shown attribute of a page, in document order,
    as (where, text) pairs. Names of languages in their own language are let through
    here (and checked): the language selector's options, and any text marked with a
    lang= of its own that is exactly that language's name."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str]] = []
        self.stack: list[tuple[str, str | None]] = []  # open elements and their lang=
        self.hidden = 0
        self.option: tuple[str, bool] | None = None  # inside <option>: value, has lang=
        self.problems: list[str] = []

    def where(self) -> str:
        return "/".join(tag for tag, _ in self.stack[-3:])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag not in self.VOID:
            self.stack.append((tag, attributes.get("lang")))
            if tag in HIDDEN_ELEMENTS:
                self.hidden += 1
        where = self.where() or tag
        for name in TEXT_ATTRIBUTES:
            if attributes.get(name):
                self.pieces.append((f"{where} @{name}", attributes[name]))
        if tag == "input" and attributes.get("type", "").lower() in BUTTON_INPUTS \
                and attributes.get("value"):
            self.pieces.append((f"{where} @value", attributes["value"]))
        if tag == "option":
            self.option = (attributes.get("value", ""), "lang" in attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack:
                closed, _ = self.stack.pop()
                if closed in HIDDEN_ELEMENTS:
                    self.hidden -= 1
                if closed == tag:
                    break
        if tag == "option":
            self.option = None

    def own_language(self) -> str | None:
        """The lang= of the innermost element that has one."""
        return next((lang for _, lang in reversed(self.stack) if lang), None)

    def handle_data(self, data: str) -> None:
        if self.hidden or not data.strip():
            return
        text = data.strip()
        if self.option is not None:
            value, marked = self.option
            if marked:
                # The language selector: each language by its own name, from CLDR.
                if text != i18n.language_name(value):
                    self.problems.append(f"language option {value!r}: {data!r}")
                return
            if value in OFFERED and text == i18n.language_name(value):
                return  # a language to choose for the interface, by its own name
            if text == value and CODE.fullmatch(value):
                return  # CLDR has no name for this country or language in this language
        language = self.own_language()
        if language not in (None, PSEUDO_LOCALE) and text == i18n.language_name(language):
            return  # a language named in its own language, and marked so with lang=
        self.pieces.append((self.where(), data))


def untranslated(html: str, data: re.Pattern[str]) -> list[str]:
    """What on the page did not come through a message (empty when all is well)."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    found = list(parser.problems)
    for where, text in parser.pieces:
        if where.endswith("code") and text.strip() in THEME_CODES:
            continue
        words = leftovers(text, data)
        if words:
            found.append(f"{where}: {' '.join(text.split())[:160]!r} → {words}")
    return found


# --------------------------------------------------------------------------------
# The app in the pseudo-locale, and a world with data on every page


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pseudo catalogue, extracted from the source now and compiled."""
    folder = tmp_path_factory.mktemp("pseudo-translations")
    build(ROOT, folder)
    return folder


@pytest.fixture
def app(database_url: str, standin: RunningServer, standin_app: Flask,
        pseudo_translations: Path) -> Iterator[Flask]:
    """The app with the pseudo-locale as an extra language (overrides conftest's app)."""
    application = create_app(app_config(
        database_url, standin, EXTRA_LANGUAGES=[PSEUDO_LOCALE],
        BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations)))
    yield application
    application.extensions["database"].engine.dispose()
    empty_all_tables(database_url)
    standin_app.extensions["standin"].reset()


def _advance(db: Any, case: Case, step: str) -> None:
    """One step of the workflow, taken by whoever takes it."""
    users = {user.username: user for user in db.scalars(select(User))}
    sven = users["Sven Helpdesk"]
    members = [users[name] for name in ("Ngozi Committee", "Mei Committee",
                                        "Carlos Committee")]
    if step in ("triage", "start_support"):
        service.move(db, case, sven, {"helpdesk"}, step)
    elif step in ("close_resolved", "reopen"):
        service.move(db, case, sven, {"helpdesk"}, step, message="Fertig gemacht")
    elif step == "withdraw":
        service.move(db, case, case.requester, {"requester"}, step)
    else:
        service.record_decision(
            db, case, members[0], case_access(db, members[0], case),
            expected_version=case.version, outcome=step, rationale="Intern Begründung",
            public_rationale="Welche Lizenz haben die Dateien" if step == "ask_information"
            else "", participant_ids=[m.id for m in members])
    db.flush()


@pytest.fixture
def scene(app: Flask, world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The authorization test's world, and more: cases in other states, messages,
    votes, a canned reply, contacts, a placement, a join request, a second revision.
    Returns the world's path values plus `paths` (more pages) and `data` (the allow-list
    of user data, as one pattern)."""
    with app.app_context():
        db = get_session()
        users = {user.username: user for user in db.scalars(select(User))}
        ada, omar, sven = users["Ada Requester"], users["Omar Requester"], users["Sven Helpdesk"]
        ngozi = users["Ngozi Committee"]
        leila = users["Leila Lead"]
        case = db.scalars(select(Case).where(Case.reference == world["reference"])).one()
        # The world's case: messages both ways, a summary, a priority, an assignee.
        service.post_message(db, case, ada, case_access(db, ada, case), "Hallo Welt", False)
        service.post_message(db, case, sven, case_access(db, sven, case), "Nur intern",
                             True)
        service.set_public_summary(db, case, sven, case_access(db, sven, case),
                                   "Karten der Ostsee", case.version)
        service.set_priority(db, case, ngozi, case_access(db, ngozi, case), "high",
                             case.version)
        service.assign(db, case, sven, case_access(db, sven, case), sven, case.version)
        # More cases: one in each kind of state the pages treat differently.
        organisation = make_organisation(db, "Biblioteko Ekzempla", kind="academic",
                                         country="KE", wikidata_item="Q4242",
                                         website="https://biblioteko.example.org")
        more = {}
        for title, requester, steps in (
            ("Fotos aus Nairobi", ada, ("triage", "ask_information")),
            ("Regendaten Monsun", omar, ("triage", "proceed")),
            ("Zeitungsarchiv Stockholm", ada, ("triage", "proceed", "approve",
                                              "start_support")),
            ("Hochwasserkarten", omar, ("triage", "proceed", "approve", "start_support",
                                        "close_resolved")),
            ("Logos der Partner", ada, ("triage", "decline")),
            ("Verschobenes Projekt", ada, ("withdraw",)),
        ):
            other = make_case(db, requester, title=title, organisation=organisation,
                              request_type="wikidata_donation", themes=["climate", "health"],
                              countries=["KE"], region="ssa", content_volume="zweitausend",
                              timeline="Herbst", contact_name="Kontakt Person",
                              contact_email="kontakt@example.org",
                              description="Eine Beschreibung")
            for step in steps:
                _advance(db, other, step)
            more[title] = other
        # A vote with a comment and scores on the case waiting for its final go.
        votes.cast_vote(db, more["Regendaten Monsun"], ngozi, "final", "approve", "Gute Sache",
                        {criterion.id: (4, "") for criterion in votes.active_criteria(db)[:2]})
        supported = more["Zeitungsarchiv Stockholm"]
        first_item = db.scalars(select(ChecklistItem).where(
            ChecklistItem.case_id == supported.id).order_by(ChecklistItem.position)).first()
        assert first_item is not None
        service.tick_checklist(db, supported, sven, case_access(db, sven, supported),
                               first_item.key, True, "https://commons.example.org/x",
                               supported.version)
        service.link_cases(db, supported, sven, case_access(db, sven, supported),
                           case.reference)
        db.add(CannedReply(language=PSEUDO_LOCALE, title="Danke schön",
                           body="Danke, $organisation! Wir haben $reference bekommen.",
                           updated_by_id=sven.id))
        db.add(CannedReply(language="sv", title="Tack", body="Tack så mycket",
                           updated_by_id=sven.id))
        registry.add_contact(db, sven, organisation, "Wanjiru Kontakt", "w@example.org",
                             "Archivarin")
        registry.add_placement(db, sven, organisation, "Jomo Resident", date(2025, 1, 6),
                               date(2026, 6, 30), "Ein Jahr im Archiv")
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        group_service.request_to_join(db, group, omar, "Ich möchte helfen")
        join_group(db, sven, "communication", lead=True)
        ngozi.country, ngozi.languages = "KE", ["sv", "en"]
        ngozi.regions = ["ssa", "western_europe"]
        page = db.scalars(select(Guideline)).one()
        base = db.scalars(select(GuidelineRevision.id)).one()
        committee_service.edit_guideline(db, page, ngozi, base, "Mit uns arbeiten",
                                         "Hallo zusammen", "Tippfehler")
        leila.language = PSEUDO_LOCALE
        db.commit()
        references = [other.reference for other in more.values()]
        data = collect_user_data(db)
    paths = [f"/requests/{reference}" for reference in references]
    paths += [f"/cases/{reference}" for reference in references]
    paths += ["/cases?q=nichts", "/cases?state=in_support", "/partners?q=nichts",
              "/dashboard?waiting=1", "/dashboard?state=needs_information",
              "/admin/audit?page=2", f"/partners/{organisation_id(app)}"]
    return {**world, "paths": paths, "data": data}


def organisation_id(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalars(select(Organisation.id).where(
            Organisation.name == "Biblioteko Ekzempla")).one())


# (b) User data: what people typed in, and what the migrations seeded as data (the
# working groups' and guidelines' names, slugs and texts are data, edited in the app).
USER_DATA: tuple[tuple[type, tuple[str, ...]], ...] = (
    (User, ("username", "email")),
    (Organisation, ("name", "website", "wikidata_item")),
    (Case, ("title", "description", "content_volume", "licence_details", "support_details",
            "timeline", "public_summary", "contact_name", "contact_email",
            "contact_username")),
    (CaseMessage, ("body",)),
    (Review, ("comment",)),
    (ConflictOfInterest, ("reason",)),
    (Decision, ("rationale", "public_rationale")),
    (Referral, ("question", "answer")),
    (CannedReply, ("title", "body")),
    (WorkingGroup, ("slug", "name", "description")),
    (JoinRequest, ("note",)),
    (Guideline, ("slug", "title", "body")),
    (GuidelineRevision, ("title", "body", "summary")),
    (OrganisationContact, ("name", "email", "role")),
    (Placement, ("person", "description")),
    (Meeting, ("title", "location", "notes")),
    (AgendaItem, ("topic", "notes")),
)


def collect_user_data(db: Any) -> re.Pattern[str]:
    values: set[str] = set()
    for model, columns in USER_DATA:
        for row in db.execute(select(*(getattr(model, name) for name in columns))):
            for value in row:
                if isinstance(value, str):
                    values.add(value.strip())
                    values.update(line.strip() for line in value.splitlines())
    return _words(values)


# --------------------------------------------------------------------------------
# The tests


def html_routes(app: Flask) -> list[str]:
    """Every GET route that answers with an HTML page, the sign-in callback last."""
    rules = sorted(rule for method, rule in routes(app)
                   if method == "GET" and rule not in NOT_HTML)
    rules.sort(key=lambda rule: rule == LAST)
    return rules


def check(client: FlaskClient, path: str, data: re.Pattern[str]) -> tuple[int, list[str]]:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}uselang={PSEUDO_LOCALE}")
    if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
        return response.status_code, []
    html = response.get_data(as_text=True)
    assert f'lang="{PSEUDO_LOCALE}"' in html, (path, html[:200])
    return response.status_code, untranslated(html, data)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_the_pseudo_locale(app: Flask, scene: dict[str, Any], role: str
                                         ) -> None:
    client = app.test_client()
    client.get(f"/?uselang={PSEUDO_LOCALE}")  # chosen before signing in, as people do
    if role != "anonymous":
        SignIn(app)(client, USERNAMES[role])
    findings: list[str] = []
    seen = []
    for rule in html_routes(app):
        status, found = check(client, path_for(rule, scene), scene["data"])
        expected = EXPECTED.get(("GET", rule), {}).get(role)
        if expected == 200:
            assert status == 200, (rule, status)
        seen.append((rule, status))
        findings += [f"{rule} ({status}): {item}" for item in found]
    for path in scene["paths"]:
        status, found = check(client, path, scene["data"])
        findings += [f"{path} ({status}): {item}" for item in found]
    assert any(status == 200 for _, status in seen)
    assert not findings, f"{role} sees text that is not a message:\n" + "\n".join(findings)


def test_error_pages_in_the_pseudo_locale(app: Flask, scene: dict[str, Any]) -> None:
    client = app.test_client()
    data = scene["data"]
    findings = []
    for path, status in (("/no-such-page", 404), ("/cases/CPH-1999-0001", 404),
                         ("/admin/audit", 302), ("/groups/999", 404)):
        got, found = check(client, path, data)
        assert got == status, path
        findings += [f"{path} ({got}): {item}" for item in found]
    SignIn(app)(client, USERNAMES["requester"])
    for path, status in (("/admin/", 403), ("/dashboard", 403), ("/no-such-page", 404)):
        got, found = check(client, path, data)
        assert got == status, path
        findings += [f"{path} ({got}): {item}" for item in found]
    response = client.post(f"/preferences?uselang={PSEUDO_LOCALE}", data={})  # no token
    assert response.status_code == 400
    findings += [f"POST /preferences (400): {item}"
                 for item in untranslated(response.get_data(as_text=True), data)]
    assert not findings, "\n".join(findings)


def test_refused_and_confirmed_forms_in_the_pseudo_locale(app: Flask, scene: dict[str, Any]
                                                          ) -> None:
    """What a POST answers with: a stale save (the list of changes made meanwhile), a
    form error naming a role, and a confirmation naming one."""
    data, reference = scene["data"], scene["reference"]
    findings = []
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.get(f"/?uselang={PSEUDO_LOCALE}")
        SignIn(app)(client, USERNAMES["helpdesk"])
    stale = hidden_fields(second.get(f"/requests/{reference}").get_data(as_text=True))
    # (Both summaries are data: the page shows the saved one in the triage and closing
    # forms, the refused one in the summary form.)
    assert post_on_case(first, reference, "summary",
                        public_summary="Hallo Welt").status_code == 302
    response = second.post(f"/requests/{reference}/summary",
                           data={**stale, "public_summary": "Karten der Ostsee"})  # data
    assert response.status_code == 409
    findings += [f"stale save (409): {item}"
                 for item in untranslated(response.get_data(as_text=True), data)]
    admin = app.test_client()
    admin.get(f"/?uselang={PSEUDO_LOCALE}")
    SignIn(app)(admin, USERNAMES["admin"])
    token = hidden_fields(admin.get("/admin/").get_data(as_text=True))["csrf_token"]
    again = admin.post("/admin/roles/grant", data={
        "csrf_token": token, "username": USERNAMES["helpdesk"], "role": "helpdesk"})
    assert again.status_code == 409
    findings += [f"grant a held role (409): {item}"
                 for item in untranslated(again.get_data(as_text=True), data)]
    with app.app_context():
        sven_id = get_session().scalars(select(User.id).where(
            User.username == USERNAMES["helpdesk"])).one()
    revoked = admin.post("/admin/roles/revoke", data={
        "csrf_token": token, "user_id": sven_id, "role": "helpdesk"}, follow_redirects=True)
    assert revoked.status_code == 200
    findings += [f"revoke a role (flash): {item}"
                 for item in untranslated(revoked.get_data(as_text=True), data)]
    assert not findings, "\n".join(findings)


def test_every_notification_in_the_pseudo_locale(app: Flask) -> None:
    """Each kind of email notify.py and the groups' notices write, to a reader of eo."""
    with app.app_context():
        db = get_session()
        users = {}
        for name, roles in (("Ada Requester", ()), ("Sven Helpdesk", ("helpdesk",)),
                            ("Ngozi Committee", ("committee",)),
                            ("Mei Committee", ("committee",)),
                            ("Carlos Committee", ("committee",)), ("Leila Lead", ()),
                            ("Omar Requester", ())):
            user = make_user(db, name, *roles, email=f"{name.split()[0].lower()}@example.org")
            user.language = PSEUDO_LOCALE
            users[name] = user
        join_group(db, users["Leila Lead"], "implementation", lead=True)
        case = make_case(db, users["Ada Requester"], contact_email="")  # created, new_request
        _advance(db, case, "triage")  # state_changed
        ada = users["Ada Requester"]
        service.post_message(db, case, ada, case_access(db, ada, case), "Hallo Welt", False)
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        ngozi = users["Ngozi Committee"]
        service.record_decision(  # referral
            db, case, ngozi, case_access(db, ngozi, case), expected_version=case.version,
            outcome="refer", rationale="Intern", public_rationale="",
            participant_ids=[users[n].id for n in ("Mei Committee", "Carlos Committee")],
            group_ids=[group.id], question="Könnt ihr helfen")
        notify.reminder(db, case)  # reminder
        omar = users["Omar Requester"]
        request = group_service.request_to_join(db, group, omar, "Ich möchte helfen")
        group_service.accept(db, group, request, users["Leila Lead"])
        translation = db.scalars(select(WorkingGroup).where(
            WorkingGroup.slug == "translation")).one()
        join_group(db, users["Leila Lead"], "translation", lead=True)
        second = group_service.request_to_join(db, translation, ada, "")
        group_service.decline(db, translation, second, users["Leila Lead"])
        db.commit()
        data = collect_user_data(db)
        outbox = list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        kinds = {message.kind for message in outbox}
        assert {"created", "new_request", "state_changed", "message", "referral", "reminder",
                "join_request", "join_decision"} <= kinds, kinds
        findings = []
        for message in outbox:
            assert message.language == PSEUDO_LOCALE
            for part, text in (("subject", message.subject), ("body", message.body)):
                for line in text.splitlines():
                    words = leftovers(line, data)
                    if words:
                        findings.append(f"{message.kind} {part}: {line!r} → {words}")
    assert not findings, "\n".join(findings)


# audit.record(db, actor, "case.create", "case", …) or with an `action` variable, and
# action = "group.archive" if … else "group.unarchive".
AUDIT_CALL = re.compile(
    r'audit\.record\(\s*\w+,\s*[\w.]+,\s*(?:"([a-z_.]+)"|(\w+)),\s*"([a-z_]+)"')
ASSIGNED_ACTION = re.compile(
    r'\baction = "([a-z_]+\.[a-z_]+)"(?: if .* else "([a-z_]+\.[a-z_]+)")?')


def test_every_audited_action_and_object_has_a_name(app: Flask) -> None:
    """The audit log page names every event and object kind the code records."""
    codes: set[str] = set()
    objects: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for literal, variable, object_type in AUDIT_CALL.findall(source):
            objects.add(object_type)
            if literal:
                codes.add(literal)
            elif variable == "action":
                for match in ASSIGNED_ACTION.findall(source):
                    codes.update(code for code in match if code)
    codes |= {f"case.{action}" for action in transitions.ACTIONS}
    assert len(codes) > 40 and "role.grant" in codes and "group.join_accept" in codes
    with app.test_request_context(f"/?uselang={PSEUDO_LOCALE}"):
        unnamed = sorted(code for code in codes if audit_labels.action_label(code) == code)
        unnamed += sorted(code for code in objects if audit_labels.object_label(code) == code)
    assert not unnamed, f"audit codes without a name on the audit log page: {unnamed}"


def test_the_check_finds_raw_english() -> None:
    data = _words(["Ada Requester", "Museum of Examples"])
    good = ('<html lang="eo"><head><title>⟦Ĥóɱé⟧ – ⟦Ĥéĺþ⟧</title></head><body>'
            '<p>⟦Šíĝñéď íñ áš Ada Requester⟧</p><p>CPH-2026-0001 · 5 Mar 2026, 14:07:00</p>'
            '<a title="⟦Ŕéáď⟧" href="/x">Museum of Examples</a>'
            '<select><option value="sv" lang="sv">Svenska</option></select>'
            '<input type="submit" value="⟦Šéñď⟧"><script>var raw = "English";</script>'
            '<p>⟦Ŕéáď <a href="/g">ţĥé ĝúíďé</a>⟧</p></body></html>')
    assert untranslated(good, data) == []
    for bad in ('<p>Raw text</p>', '<p>⟦Šţáţé: submitted⟧</p>', '<a aria-label="Close">×</a>',
                '<input type="submit" value="Send">', '<img alt="Chart" src="x">',
                '<input placeholder="Search">', '<button title="More">⟦X⟧</button>',
                '<option value="sv" lang="sv">Swedish</option>'):
        assert untranslated(bad, data), bad

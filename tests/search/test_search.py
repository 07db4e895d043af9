"""Full-text search through HTTP: staff at /search, everyone on the public list (/cases?q=).

Runs on whichever database the suite uses (SQLite FTS5, or MariaDB FULLTEXT with
TEST_DATABASE_URL): the same expectations hold for both.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from app.cases.models import Case, CaseMessage
from app.core.models import utcnow
from app.mail.models import IncomingMail
from app.search import queries
from app.search.terms import split_words
from tests.factories import join_group, make_case, make_organisation, make_user
from tests.helpers import SignIn, queries_for
from tests.helpers import app_session as session
from tests.html import parse, text_of


def helpdesk_user(db: Any) -> Any:
    return make_user(db, "Sven Helpdesk", "helpdesk")


def triaged(db: Any, requester: Any = None, **fields: Any) -> Case:
    """A case the helpdesk accepted (public when its requester consented). Written
    directly: what the search reads is the rows, however they were written."""
    case = make_case(db, requester, **fields)
    case.state, case.accepted_at = "in_initial_review", utcnow()
    db.flush()
    return case


def message(db: Any, case: Case, body: str, internal: bool) -> None:
    db.add(CaseMessage(case_id=case.id, author_id=helpdesk_user(db).id, body=body,
                       internal=internal))
    db.flush()


def signed_in(app: Flask, sign_in: SignIn, username: str, *roles: str) -> FlaskClient:
    with session(app) as db:
        make_user(db, username, *roles)
    client = app.test_client()
    sign_in(client, username)
    return client


@pytest.fixture
def helpdesk(app: Flask, sign_in: SignIn) -> FlaskClient:
    return signed_in(app, sign_in, "Sven Helpdesk", "helpdesk")


def references(response: TestResponse) -> list[str]:
    """The references of the results, in the order shown."""
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return [text_of(link) for link in parse(response).select(".search-result__title a")]


def public_references(response: TestResponse) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return [text_of(cell) for cell in parse(response).select("table tbody th[scope=row] a")]


@pytest.fixture
def world(app: Flask) -> dict[str, str]:
    """Cases with a distinct word in each searchable field; name → reference."""
    refs: dict[str, str] = {}
    with session(app) as db:
        requester = make_user(db, "Ada Requester")
        refs["title"] = make_case(db, requester, title="Herbarium sheets of Uppsala").reference
        refs["description"] = make_case(
            db, requester, description="Glass negatives of lighthouses, 1890–1930.").reference
        refs["organisation"] = make_case(
            db, requester, organisation=make_organisation(db, "Quokka Foundation")).reference
        refs["contact_email"] = make_case(
            db, requester, contact_email="curator@zanzibar-archive.example").reference
        with_messages = triaged(db, requester)
        message(db, with_messages, "Could you check the Kalimba recordings?", internal=False)
        message(db, with_messages, "Staff only: the Marimba licence looks doubtful.",
                internal=True)
        refs["message"] = refs["internal_message"] = with_messages.reference
        by_mail = make_case(db, requester)
        db.add(IncomingMail(message_key="k1@example.org", from_address="sender@ostrich.example",
                            outcome="reply", case_id=by_mail.id, subject="Re: our request"))
        refs["sender"] = by_mail.reference
        make_case(db, requester, title="Nothing to see", description="Plain text.")
    return refs


@pytest.mark.parametrize(("field", "query"), [
    ("title", "herbarium"),
    ("description", "lighthouses"),
    ("organisation", "Quokka"),
    ("contact_email", "zanzibar"),
    ("message", "kalimba"),
    ("internal_message", "marimba"),
    ("sender", "sender@ostrich.example"),
])
def test_staff_find_a_case_by_each_field(helpdesk: FlaskClient, world: dict[str, str],
                                         field: str, query: str) -> None:
    assert references(helpdesk.get("/search", query_string={"q": query})) == [world[field]]


def test_staff_find_a_case_by_its_reference_whole_or_in_part(
        helpdesk: FlaskClient, world: dict[str, str]) -> None:
    reference = world["title"]
    assert references(helpdesk.get("/search", query_string={"q": reference})) == [reference]
    # A short number (below MariaDB's shortest indexed word) still finds its reference.
    number = reference.rsplit("-", 1)[1].lstrip("0")[-2:]
    assert reference in references(helpdesk.get("/search", query_string={"q": number}))


def test_a_word_finds_longer_words_that_start_with_it(helpdesk: FlaskClient,
                                                      world: dict[str, str]) -> None:
    assert references(helpdesk.get("/search", query_string={"q": "herbar"})) == [world["title"]]


def test_common_words_are_not_required(helpdesk: FlaskClient, world: dict[str, str]) -> None:
    """MariaDB does not index stopwords: on both databases they are left out."""
    for query in ("the herbarium", "Herbarium of the", "what is a herbarium"):
        assert references(helpdesk.get("/search", query_string={"q": query})) == [
            world["title"]], query


def test_a_title_match_ranks_above_a_description_match_and_words_are_marked(
        app: Flask, helpdesk: FlaskClient) -> None:
    with session(app) as db:
        in_description = make_case(db, None, title="Old photographs",
                                   description="Pictures of orchids <b>and</b> ferns & more")
        in_title = make_case(db, None, title="Orchids & <i>ferns</i> of Borneo",
                             description="A herbarium.")
        refs = (in_title.reference, in_description.reference)
    response = helpdesk.get("/search", query_string={"q": "orchid"})
    assert references(response) == list(refs)
    titles = [str(h) for h in parse(response).select(".search-result__title bdi")]
    assert "<mark>Orchid</mark>s &amp; &lt;i&gt;ferns&lt;/i&gt; of Borneo" in titles[0]
    passages = [result.select_one(".search-result__passage")
                for result in parse(response).select(".search-result")]
    assert passages[0] is None  # its description does not hold the word
    assert "<mark>orchid</mark>s &lt;b&gt;and&lt;/b&gt; ferns &amp; more" in str(passages[1])
    assert parse(response).select("i, b") == []  # nothing typed became markup


def test_internal_messages_only_for_those_who_read_them(
        app: Flask, sign_in: SignIn, world: dict[str, str]) -> None:
    ref = world["internal_message"]
    for name, roles in (("Sven Helpdesk", ("helpdesk",)), ("Ngozi Committee", ("committee",))):
        client = signed_in(app, sign_in, name, *roles)
        response = client.get("/search", query_string={"q": "marimba"})
        assert references(response) == [ref]
        assert "Internal message" in text_of(parse(response).select_one(".search-result"))
    admin = signed_in(app, sign_in, "Admin Demo")  # an admin by configuration only
    assert references(admin.get("/search", query_string={"q": "marimba"})) == []
    assert references(admin.get("/search", query_string={"q": "kalimba"})) == [ref]


def test_only_staff_may_search(app: Flask, client: FlaskClient, sign_in: SignIn,
                               world: dict[str, str]) -> None:
    response = client.get("/search?q=herbarium")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    requester = signed_in(app, sign_in, "Ada Requester")
    assert requester.get("/search?q=herbarium").status_code == 403
    assert parse(requester.get("/")).select("nav a[href='/search']") == []
    staff = signed_in(app, sign_in, "Sven Helpdesk", "helpdesk")
    assert text_of(parse(staff.get("/")).select_one("nav a[href='/search']")) == "Search cases"
    with session(app) as db:
        join_group(db, make_user(db, "Leila Lead"), "implementation", lead=True)
    assert signed_in(app, sign_in, "Leila Lead").get("/search?q=herbarium").status_code == 403


def test_an_empty_query_shows_the_form(helpdesk: FlaskClient, world: dict[str, str]) -> None:
    for query in ("", "?q=", "?q=+++", "?q=%22%22"):
        response = helpdesk.get(f"/search{query}")
        assert response.status_code == 200
        page = parse(response)
        assert page.select_one("input[name=q]") is not None
        assert page.select(".search-result") == [] and page.select(".search-count") == []


# Every word must be found: those with "herbarium" and no other word find the case.
HOSTILE = ['"', '"unbalanced', "*", "-", "+-*~<>", "NEAR(", "NEAR(orchid herbarium, 2)",
           "title:herbarium", "{title}: herbarium", "herbarium OR", "AND", "NOT herbarium",
           "'; DROP TABLE cases; --", "%", "_", "\\", "^herbarium", "herbarium*", "(", ")(",
           "@", "@@", "a" * 199, "ab " * 66, "🦒🌍", "مكتبة", "\u200f\u202e", "\x00herbarium",
           "-herbarium", '"herbarium', "herbarium\"'", "@herbarium", "CPH-%", "ä" * 150]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_a_clear_message(
        app: Flask, helpdesk: FlaskClient, client: FlaskClient, world: dict[str, str],
        query: str) -> None:
    with session(app) as db:
        db.execute(update(Case).values(public_listing=True, accepted_at=utcnow()))
    staff = helpdesk.get("/search", query_string={"q": query})
    assert staff.status_code == 200, staff.get_data(as_text=True)[:800]
    public = client.get("/cases", query_string={"q": query})
    assert public.status_code == 200, public.get_data(as_text=True)[:800]
    if split_words(query) == ["herbarium"]:
        assert world["title"] in references(staff)
        assert world["title"] in public_references(public)


def test_a_query_too_long_is_refused_with_a_message(helpdesk: FlaskClient,
                                                    client: FlaskClient) -> None:
    staff = helpdesk.get("/search", query_string={"q": "x" * 201})
    assert staff.status_code == 422
    assert "at most 200 characters" in text_of(parse(staff).select_one(".field-error"))
    public = client.get("/cases", query_string={"q": "x" * 201})
    assert public.status_code == 400
    assert "at most 200 characters" in public.get_data(as_text=True)


def test_filters_and_pages_are_kept(app: Flask, helpdesk: FlaskClient) -> None:
    with session(app) as db:
        for number in range(23):
            make_case(db, None, title=f"Meteorite survey {number}")
        make_case(db, None, title="Meteorite by mail", channel="email")
        accepted = triaged(db, None, title="Meteorite accepted")
        accepted_ref = accepted.reference
    first = helpdesk.get("/search", query_string={"q": "meteorite", "state": "submitted"})
    assert "24 cases found" in text_of(parse(first).select_one(".search-count"))
    assert len(references(first)) == 20
    next_link = parse(first).select_one("a[rel=next]")["href"]
    assert "q=meteorite" in next_link and "state=submitted" in next_link
    second = helpdesk.get(next_link)
    assert len(references(second)) == 4
    assert set(references(first)).isdisjoint(references(second))
    assert accepted_ref not in references(first) + references(second)
    past_the_end = helpdesk.get("/search", query_string={"q": "meteorite", "state": "submitted",
                                                          "page": "9"})
    assert references(past_the_end) == references(second)  # the last page
    triage = helpdesk.get("/search", query_string={"q": "meteorite", "state": "in_initial_review"})
    assert references(triage) == [accepted_ref]
    by_mail = helpdesk.get("/search", query_string={"q": "meteorite", "channel": "email"})
    assert [text_of(h) for h in parse(by_mail).select(".search-result__title bdi")] == [
        "Meteorite by mail"]
    today = utcnow().date().isoformat()
    kept = helpdesk.get("/search", query_string={"q": "meteorite", "created_from": today,
                                                 "created_to": today})
    assert "25 cases found" in text_of(parse(kept).select_one(".search-count"))
    none = helpdesk.get("/search", query_string={"q": "meteorite", "created_to": "2020-01-01"})
    assert references(none) == []
    wrong = helpdesk.get("/search", query_string={"q": "meteorite", "created_from": today,
                                                  "created_to": "2020-01-01"})
    assert wrong.status_code == 422
    assert helpdesk.get("/search", query_string={"q": "x", "state": "nonsense"}).status_code == 422


def test_the_index_follows_changes(app: Flask, helpdesk: FlaskClient,
                                   world: dict[str, str]) -> None:
    with session(app) as db:
        db.execute(update(Case).where(Case.reference == world["title"])
                   .values(title="Seaweed pressings"))
    assert references(helpdesk.get("/search?q=herbarium")) == []
    assert references(helpdesk.get("/search?q=seaweed")) == [world["title"]]


def test_search_stays_within_a_flat_query_budget(app: Flask, helpdesk: FlaskClient) -> None:
    with session(app) as db:
        first = triaged(db, None, title="Nebula photographs")
        message(db, first, "More nebula files", internal=True)
    few = queries_for(app, helpdesk, "/search?q=nebula")
    public_few = queries_for(app, helpdesk, "/cases?q=nebula")  # signed in: never cached
    with session(app) as db:
        for number in range(15):
            case = triaged(db, None, title=f"Nebula {number}", description="nebula " * 5)
            message(db, case, "nebula again", internal=False)
            message(db, case, "nebula inside", internal=True)
    many = queries_for(app, helpdesk, "/search?q=nebula")
    assert many == few <= 8
    assert queries_for(app, helpdesk, "/cases?q=nebula") == public_few <= 8


def without_the_query(response: TestResponse) -> str:
    """The page without the search box, which shows what the visitor typed."""
    page = parse(response)
    for box in page.select("input[name=q]"):
        box.decompose()
    for echo in page.select("input[type=hidden], a[href*=login]"):  # keep the address
        echo.decompose()
    return str(page).lower()


PRIVATE = {
    "description": "Xylophonics",
    "contact_email": "hidden@quasarmail.example",
    "internal": "Wombatish",
    "public_message": "Pangolinish",
    "unlisted_title": "Narwhalish",
}


def test_the_public_search_finds_public_fields_only(app: Flask, client: FlaskClient) -> None:
    with session(app) as db:
        requester = make_user(db, "Ada Requester")
        public = triaged(db, requester, title="Open Tapestry maps",
                         description=f"Private {PRIVATE['description']} notes",
                         contact_email=PRIVATE["contact_email"],
                         organisation=make_organisation(db, "Guild of Weavers"))
        public.public_summary = "Scans of the Tapestry of Bayeux"
        message(db, public, f"Internal {PRIVATE['internal']}", internal=True)
        message(db, public, f"To the requester {PRIVATE['public_message']}", internal=False)
        triaged(db, requester, title=f"Secret {PRIVATE['unlisted_title']} case",
                public_listing=False)
        make_case(db, requester, title="Tapestry not yet accepted")  # never triaged
        ref = public.reference
    for query in ("tapestry", "weavers", "bayeux", ref):
        response = client.get("/cases", query_string={"q": query})
        assert public_references(response) == [ref], query
    marked = parse(client.get("/cases?q=bayeux")).select_one(".search-result__passage")
    assert "<mark>Bayeux</mark>" in str(marked)
    for name, secret in PRIVATE.items():
        for query in (secret, secret.split("@")[0], secret.lower()):
            response = client.get("/cases", query_string={"q": query})
            assert response.status_code == 200
            assert public_references(response) == [], name
            assert secret.lower() not in without_the_query(response), name


def test_the_public_search_keeps_the_filters(app: Flask, client: FlaskClient) -> None:
    with session(app) as db:
        requester = make_user(db, "Ada Requester")
        for number in range(52):
            triaged(db, requester, title=f"Comet {number}", themes=["science"])
        triaged(db, requester, title="Comet heritage", themes=["heritage"])
    response = client.get("/cases", query_string={"q": "comet", "theme": "science"})
    assert len(public_references(response)) == 50
    page = parse(response)
    assert page.select_one("input[name=q]")["value"] == "comet"
    next_link = page.select_one("a[rel=next]")["href"]
    assert "q=comet" in next_link and "theme=science" in next_link
    assert len(public_references(client.get(next_link))) == 2
    heritage = client.get("/cases", query_string={"q": "comet", "theme": "heritage"})
    assert len(public_references(heritage)) == 1


def test_an_address_is_found_whole_wherever_it_is(app: Flask, sign_in: SignIn,
                                                 helpdesk: FlaskClient,
                                                 world: dict[str, str]) -> None:
    """An email address is looked for whole: the cases that only share its domain's
    words ("zanzibar", "archive", "example") are not found."""
    with session(app) as db:
        in_description = make_case(
            db, None, description="Write to registrar@zanzibar-archive.example please.").reference
        in_message = triaged(db, None)
        message(db, in_message, "Copy to Keeper@Zanzibar-Archive.example", internal=False)
        message(db, in_message, "Ask mbali.de.vries@museum.example first", internal=True)
        plain = make_case(db, None, contact_email="Ab@Cd.example").reference
        in_message_ref = in_message.reference
    for query, expected in (("curator@zanzibar-archive.example", [world["contact_email"]]),
                            ("CURATOR@zanzibar-archive.example", [world["contact_email"]]),
                            ("registrar@zanzibar-archive.example", [in_description]),
                            ("keeper@zanzibar-archive.example", [in_message_ref]),
                            ("mbali.de.vries@museum.example", [in_message_ref]),
                            ("ab@cd.example", [plain]),
                            ("nobody@zanzibar-archive.example", [])):
        assert references(helpdesk.get("/search", query_string={"q": query})) == expected, query
    admin = signed_in(app, sign_in, "Admin Demo")
    assert references(admin.get("/search", query_string={
        "q": "mbali.de.vries@museum.example"})) == []  # an internal message


def test_a_sender_is_found_only_by_the_whole_address(app: Flask, helpdesk: FlaskClient,
                                                     world: dict[str, str]) -> None:
    with session(app) as db:
        mails = db.scalars(select(IncomingMail.case_id)).all()
    assert mails
    assert references(helpdesk.get("/search?q=ostrich")) == []


def test_a_common_word_is_not_required_and_the_count_says_so(
        app: Flask, helpdesk: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word found in more than COMMON cases of one field (at the bench's 10,000
    cases: 1,000) is a common word: like a stopword, not required of a case."""
    monkeypatch.setattr(queries, "COMMON", 3)
    with session(app) as db:
        for number in range(4):
            make_case(db, None, title=f"Nebula survey {number}")
        both = make_case(db, None, title="Quasar nebula").reference
        quasar_only = make_case(db, None, title="Quasar maps").reference
        make_case(db, None, title="Pulsar")
    common = helpdesk.get("/search", query_string={"q": "nebula"})
    assert text_of(parse(common).select_one(".search-count")).startswith("At least ")
    found = references(helpdesk.get("/search", query_string={"q": "quasar nebula"}))
    assert sorted(found) == sorted([both, quasar_only]), found
    assert references(helpdesk.get("/search", query_string={"q": "quasar pulsar"})) == []
    rare = helpdesk.get("/search", query_string={"q": "quasar"})
    assert text_of(parse(rare).select_one(".search-count")) == "2 cases found"


def test_the_public_count_says_at_least_for_a_common_word(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "COMMON", 3)
    with session(app) as db:
        requester = make_user(db, "Ada Requester")
        for number in range(4):
            triaged(db, requester, title=f"Nebula survey {number}")
        triaged(db, requester, title="Quasar maps")

    def count(query: str) -> str:
        page = parse(client.get("/cases", query_string={"q": query}))
        return text_of(page.select_one("p[role=status]"))

    assert count("nebula").startswith("At least ")
    assert count("quasar") == "1 public case"


def test_results_mark_the_cases_changed_since_the_searcher_opened_them(
        app: Flask, helpdesk: FlaskClient) -> None:
    with session(app) as db:
        opened = triaged(db, None, title="Glacier photographs").reference
        unopened = triaged(db, None, title="Glacier maps").reference
    helpdesk.get(f"/requests/{opened}")
    page = parse(helpdesk.get("/search", query_string={"q": "glacier"}))
    marked = {text_of(item.select_one(".search-result__title a"))
              for item in page.select(".search-result")
              if item.select_one(".badge--unread") is not None}
    assert marked == {unopened}

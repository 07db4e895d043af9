"""Public pages: the case list, the case page and the Atom feed, for signed-out visitors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core.db import get_session
from tests.factories import make_case, make_organisation, make_user
from tests.helpers import SignIn
from tests.html import link_with_rel, one

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_feed(data: bytes) -> ET.Element:
    """Our own feed, parsed (ElementTree refuses what is not well-formed XML)."""
    return ET.fromstring(data)  # noqa: S314 - the app's own answer, not untrusted input


def triaged(db: Session, **fields: object) -> Case:
    """A case the helpdesk has accepted."""
    case = make_case(db, make_user(db, "Ada Requester"), **fields)
    service.move(db, case, make_user(db, "Sven Helpdesk", "helpdesk"), {"helpdesk"}, "triage")
    return case


def summarise(db: Session, case: Case, text: str) -> None:
    sven = make_user(db, "Sven Helpdesk", "helpdesk")
    service.set_public_summary(db, case, sven, case_access(db, sven, case), text, case.version)


class TableRows(HTMLParser):
    """The text of each body row of the first table on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_body = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def rows(html: str) -> list[list[str]]:
    parser = TableRows()
    parser.feed(html)
    return parser.rows


def test_list_shows_public_cases_signed_out(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        shown = triaged(db, title="Baltic maps", themes=["heritage", "climate"],
                        region="western_europe",
                        organisation=make_organisation(db, "Sjöhistoriska museet"))
        triaged(db, title="Secret plans", public_listing=False)
        make_case(db, make_user(db, "Ada Requester"), title="Brand new request")
        db.commit()
        reference = shown.reference

    response = client.get("/cases")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<caption>" in html and 'scope="col"' in html
    table = rows(html)
    assert len(table) == 1
    row = table[0]
    assert row[0] == reference
    assert row[1:6] == ["Baltic maps", "Sjöhistoriska museet",
                        "Cultural heritage, Climate and environment", "Western Europe",
                        "In initial review"]
    assert row[6] == "0"
    assert f'href="/cases/{reference}"' in html
    assert "Secret plans" not in html and "Brand new request" not in html
    assert 'type="application/atom+xml"' in html


def test_list_is_the_same_for_a_signed_in_user(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    with app.app_context():
        db = get_session()
        triaged(db, title="Shown to all")
        db.commit()
    sign_in(client, "Ngozi Committee")
    assert [r[1] for r in rows(client.get("/cases").get_data(as_text=True))] == ["Shown to all"]


def test_list_filters_by_state_theme_and_region(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        triaged(db, title="Climate in Africa", themes=["climate"], region="ssa")
        triaged(db, title="Heritage in Europe", themes=["heritage"], region="western_europe")
        gone = triaged(db, title="Withdrawn heritage", themes=["heritage"],
                       region="western_europe")
        service.move(db, gone, make_user(db, "Ada Requester"), {"requester"}, "withdraw")
        db.commit()

    def titles(query: str) -> list[str]:
        response = client.get(f"/cases?{query}")
        assert response.status_code == 200
        return sorted(row[1] for row in rows(response.get_data(as_text=True)))

    assert titles("") == ["Climate in Africa", "Heritage in Europe", "Withdrawn heritage"]
    assert titles("theme=heritage") == ["Heritage in Europe", "Withdrawn heritage"]
    assert titles("region=ssa") == ["Climate in Africa"]
    assert titles("state=withdrawn") == ["Withdrawn heritage"]
    assert titles("theme=heritage&state=in_initial_review") == ["Heritage in Europe"]
    assert titles("theme=gender") == []
    assert titles("state=&theme=&region=") == titles("")
    html = client.get("/cases?theme=heritage").get_data(as_text=True)
    # The form is labelled, keeps the choice, and works without JavaScript (GET).
    assert one(html, "form.filters").get("method") == "get"
    for name in ("state", "theme", "region"):
        assert f'<label for="filter-{name}">' in html and f'id="filter-{name}"' in html
    assert '<option value="heritage" selected>' in html
    assert '<option value="submitted"' not in html
    assert client.get("/cases?state=nope").status_code == 400
    assert client.get("/cases?page=zero").status_code == 400


def test_list_paginates_by_50_keeping_filters(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        organisation = make_organisation(db)
        for number in range(52):
            triaged(db, title=f"Case {number:02d}", organisation=organisation)
        db.commit()
    first = client.get("/cases?theme=heritage").get_data(as_text=True)
    assert len(rows(first)) == 50
    assert "Page 1 of 2" in first
    href = link_with_rel(first, "next")
    assert href is not None
    assert "theme=heritage" in href and "page=2" in href
    second = client.get(href).get_data(as_text=True)
    assert len(rows(second)) == 2
    assert 'rel="prev"' in second and 'rel="next"' not in second
    everything = {row[0] for row in rows(first) + rows(second)}
    assert len(everything) == 52


def test_case_page_shows_the_public_fields(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        case = triaged(db, title="Baltic maps", themes=["heritage"], region="western_europe",
                       target_projects=["commons", "wikidata"],
                       organisation=make_organisation(db, "Maritime Museum", kind="glam"))
        summarise(db, case, "We are helping with a first batch of 500 maps.")
        db.commit()
        reference = case.reference

    response = client.get(f"/cases/{reference}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Baltic maps", reference, "Maritime Museum",
                 "Gallery, library, archive or museum (GLAM)", "Cultural heritage",
                 "Western Europe", "Wikimedia Commons, Wikidata", "In initial review",
                 "We are helping with a first batch of 500 maps.",
                 "the Expert Committee", "14 days", "0 days"):
        assert text in html, text
    assert "Digitised maps" not in html  # the default description is private
    assert "ada@example.org" not in html
    assert client.get(f"/cases/{reference.lower()}").status_code == 200


def test_case_page_is_404_when_not_consented_or_not_triaged(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        db = get_session()
        hidden = triaged(db, title="Private title", public_listing=False)
        new = make_case(db, make_user(db, "Ada Requester"), title="Untriaged title")
        db.commit()
        refs = [hidden.reference, new.reference, "CPH-1999-0001"]
    for reference in refs:
        response = client.get(f"/cases/{reference}")
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "There is no public case" in html
        assert "Private title" not in html and "Untriaged title" not in html


def test_feed_is_valid_atom_with_the_cases(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        first = triaged(db, title="Baltic maps", themes=["heritage"])
        summarise(db, first, "First batch uploaded.")
        second = triaged(db, title="Climate data")
        triaged(db, title="Private one", public_listing=False)
        db.commit()
        refs = [second.reference, first.reference]

    response = client.get("/cases.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = parse_feed(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title")
    assert feed.findtext(f"{ATOM}id", "").startswith("tag:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", feed.findtext(f"{ATOM}updated", ""))
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "http://localhost/cases.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"{refs[0]}: Climate data", f"{refs[1]}: Baltic maps"]
    ids = [e.findtext(f"{ATOM}id", "") for e in entries]
    assert all(re.match(r"^(tag|urn):", entry_id) for entry_id in ids)
    assert len(set(ids)) == 2
    link = entries[1].find(f"{ATOM}link[@rel='alternate']")
    assert link is not None and link.get("href") == f"http://localhost/cases/{refs[1]}"
    summary = entries[1].findtext(f"{ATOM}summary", "")
    assert "First batch uploaded." in summary and "In initial review" in summary
    assert entries[0].findtext(f"{ATOM}updated") == feed.findtext(f"{ATOM}updated")
    assert b"Private one" not in response.data
    # The entry id of a case stays the same as the case changes.
    again = parse_feed(client.get("/cases.atom").data)
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == ids


def test_feed_has_at_most_50_newest_entries(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        organisation = make_organisation(db)
        cases = [triaged(db, title=f"Case {n:02d}", organisation=organisation)
                 for n in range(52)]
        db.commit()
        newest = cases[-1].reference
        oldest = {cases[0].reference, cases[1].reference}
    feed = parse_feed(client.get("/cases.atom").data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 50
    assert entries[0].findtext(f"{ATOM}title", "").startswith(newest)
    titles = " ".join(e.findtext(f"{ATOM}title", "") for e in entries)
    assert not any(reference in titles for reference in oldest)


def test_titles_are_escaped_everywhere(app: Flask, client: FlaskClient) -> None:
    evil = "<script>alert(1)</script> & \x07bell"
    with app.app_context():
        db = get_session()
        case = triaged(db, title=evil,
                       organisation=make_organisation(db, "<b>Bold</b> Org"))
        summarise(db, case, "<img src=x onerror=alert(2)>")
        db.commit()
        reference = case.reference
    for path in ("/cases", f"/cases/{reference}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>Bold</b>" not in html
        assert "<img src=x" not in html
    feed = parse_feed(client.get("/cases.atom").data)  # still well-formed XML
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == f"{reference}: <script>alert(1)</script> & bell"
    assert "<img src=x onerror=alert(2)>" in entry.findtext(f"{ATOM}summary", "")

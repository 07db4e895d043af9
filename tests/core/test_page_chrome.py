"""What every page has around its content: the icon, the menu (a <details> that opens
without JavaScript), the small enhancing script, and the tables that turn into cards
on phones (app.core.tables). The browser side of it is tests/browser/test_phone.py."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup

from app.core.db import get_session
from app.core.tables import header_labels, label_cells
from tests.factories import make_user
from tests.helpers import SignIn
from tests.html import one, parse, text_of


def test_every_page_names_an_icon_the_app_serves(client: FlaskClient) -> None:
    for path in ("/", "/cases", "/no-such-page"):
        icon = one(client.get(path).get_data(as_text=True), 'link[rel="icon"]')
        assert icon["href"] == "/static/favicon.svg", path
        assert icon["type"] == "image/svg+xml"
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    # Where a browser looks when a page names none (and feed readers): an .ico.
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200
    assert ico.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert ico.data[:4] == b"\x00\x00\x01\x00"  # an icon resource


def test_the_menu_is_a_disclosure_holding_the_navigation_and_the_tools(
        client: FlaskClient) -> None:
    page = parse(client.get("/").get_data(as_text=True))
    menu = one(page, "header details.site-menu")
    summary = menu.select_one("summary")
    assert summary is not None and text_of(summary) == "Menu"
    icon = summary.select_one("svg")
    assert icon is not None and icon["aria-hidden"] == "true"
    assert menu.select_one('nav[aria-label="Main"]') is not None
    assert menu.select_one("form.lang-select") is not None
    assert menu.select_one('a[href^="/login"]') is not None  # "Sign in"
    script = one(page, 'head script[src="/static/js/site.js"]')
    assert script.has_attr("defer") and not script.get_text().strip()
    assert client.get("/static/js/site.js").status_code == 200


def test_the_canned_replies_are_in_the_menu_of_the_helpdesk_and_the_committee(
        app: Flask, sign_in: SignIn) -> None:
    with app.app_context():
        db = get_session()
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Ngozi Committee", "committee")
        make_user(db, "Ada Requester")
        db.commit()
    for username, shown in (("Sven Helpdesk", True), ("Ngozi Committee", True),
                            ("Ada Requester", False)):
        client = app.test_client()
        sign_in(client, username)
        nav = one(client.get("/").get_data(as_text=True), 'nav[aria-label="Main"]')
        links = {text_of(link): link["href"] for link in nav.select("a")}
        assert (links.get("Canned replies") == "/canned-replies") is shown, username


TABLE = Markup(
    "<caption>Cases</caption>"
    '<thead><tr><th scope="col"><a href="?sort=ref">Reference</a></th>'
    '<th scope="col" colspan="2">Who &amp; where</th>'
    '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>'
    '<tbody><tr><th scope="row"><a href="/requests/CPH-1">CPH-1</a></th><td>Ada</td>'
    '<td data-label="Place">Lund</td><td><button>Open</button></td></tr>'
    '<tr><th scope="row">CPH-2</th><td colspan="3">Nobody yet</td></tr></tbody>')


def test_each_body_cell_is_labelled_with_its_column_header() -> None:
    assert header_labels(str(TABLE)) == ["Reference", "Who & where", "Who & where", "Actions"]
    html = label_cells(TABLE)
    assert isinstance(html, Markup)
    soup = parse(str(html))
    rows = [[cell.get("data-label") for cell in row.find_all(["th", "td"])]
            for row in soup.select("tbody tr")]
    assert rows == [["Reference", "Who & where", "Place", "Actions"],
                    ["Reference", "Who & where"]]
    assert all(not cell.has_attr("data-label") for cell in soup.select("thead th"))
    assert 'data-label="Who &amp; where"' in html  # escaped in the attribute


def test_a_cells_value_of_text_and_elements_is_one_element() -> None:
    """On a card a cell is a grid (name, value): its value must be one grid item."""
    table = Markup('<thead><tr><th scope="col">Roles</th><th scope="col">Note</th></tr>'
                   '</thead><tbody><tr><td>Helpdesk, <bdi>Communication</bdi></td><td>'
                   '</td></tr></tbody>')
    soup = parse(str(label_cells(table)))
    roles, empty = soup.select("tbody td")
    assert [child.name for child in roles.children] == ["div"]
    assert text_of(roles.select_one(".cell-value")) == "Helpdesk, Communication"
    assert empty.decode_contents() == ""  # an empty cell stays empty (hidden on a card)


def test_a_table_without_a_header_row_is_left_as_it_is() -> None:
    body = Markup("<tbody><tr><td>1</td></tr></tbody>")
    assert label_cells(body) == body

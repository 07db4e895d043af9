"""Text people type is isolated on every page (``<bdi>``, or ``dir="auto"`` on the element
holding it): a title written right to left, or with a right-to-left override (U+202E,
which shows "gnp.exe" as "exe.png"), cannot reorder the page around it. And one-line
names and titles lose their bidi controls when they are typed in (as MediaWiki's titles
do); free text keeps them, isolated where it is shown.

The names are put straight into the database (as an older version of the tool, an email
or an import could have stored them), so the isolation is checked on the controls too.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import NavigableString, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core.db import get_session
from app.core.forms import clean_line
from app.groups.models import JoinRequest, Referral, WorkingGroup
from app.mail.models import HELD, IncomingMail
from tests.factories import join_group, make_user
from tests.helpers import SignIn, csrf_token
from tests.html import parse
from tests.system import test_authorization as matrix

world = matrix.world  # the authorization matrix's data, a fixture here too

RLO, PDF = "\u202e", "\u202c"
# What each kind of text becomes: "<label> ‮<MARK>‬", shown reversed without isolation.
MARK = "gnp.exe"


def spoof(label: str) -> str:
    """A text with a right-to-left override in the middle."""
    return f"{label} {RLO}{label.upper()}{MARK}{PDF}"


HOSTILE_USER = spoof("Zed")  # a helpdesk member's username, as the wiki could send it


@pytest.fixture
def bidi_world(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    """The authorization world with an override in every kind of text people type."""
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == world["reference"])).one()
        sven = db.scalars(select(User).where(User.username == "Sven Helpdesk")).one()
        ada = db.scalars(select(User).where(User.username == "Ada Requester")).one()
        omar = db.scalars(select(User).where(User.username == "Omar Requester")).one()
        zed = make_user(db, HOSTILE_USER, "helpdesk")
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        join_group(db, zed, "implementation")
        case.title = spoof("Title")
        case.organisation.name = spoof("Organisation")
        case.public_summary = spoof("Summary")
        case.timeline = spoof("Timeline")
        group.name = spoof("Group")
        group.description = spoof("About")
        for referral in db.scalars(select(Referral).where(Referral.case_id == case.id)):
            referral.question = spoof("Question")
        service.post_message(db, case, ada, case_access(db, ada, case), spoof("Message"),
                             internal=False)
        service.post_message(db, case, sven, case_access(db, sven, case), spoof("Note"),
                             internal=True)
        service.assign(db, case, sven, case_access(db, sven, case), zed, case.version)
        db.add(JoinRequest(group_id=group.id, user_id=omar.id, note=spoof("Join")))
        mail = IncomingMail(message_key="bidi@example.org", from_address="bidi@example.org",
                            from_name=spoof("Sender"), subject=spoof("Subject"),
                            outcome=HELD, note=spoof("Why"), body=spoof("Body"))
        db.add(mail)
        db.commit()
        return {**world, "mail_id": mail.id}


def unisolated(html: str) -> list[str]:
    """Every piece of the page's text holding the mark that is not isolated: not inside a
    <bdi>, nor inside an element with dir="auto" (the document's head is plain text)."""
    found = []
    soup = parse(html)
    body = soup.body or soup
    for text in body.find_all(string=lambda value: MARK in value):
        assert isinstance(text, NavigableString)
        if not any(parent.name == "bdi" or parent.get("dir") == "auto"
                   for parent in text.parents if isinstance(parent, Tag)):
            found.append(f"<{text.parent.name if text.parent else '?'}> {text.strip()!r}")
    for element in body.find_all(True):
        for name, value in element.attrs.items():
            if isinstance(value, str) and MARK in value and name not in ("value",):
                found.append(f"<{element.name} {name}=…> {value!r}")
    for element in body.find_all(["input", "textarea"]):
        if MARK in str(element.get("value", "")) + element.get_text() \
                and element.get("dir") != "auto":
            found.append(f"<{element.name} name={element.get('name')}> without dir=auto")
    return found


# (who, path, labels the page must show): every page that shows what people type.
PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("anonymous", "/cases", ("Title", "Organisation")),
    ("anonymous", "/cases/{reference}", ("Title", "Organisation", "Summary")),
    ("helpdesk", "/dashboard", ("Title", "Organisation")),
    ("helpdesk", "/inbox", ()),
    ("helpdesk", "/requests/{reference}", ("Title", "Organisation", "Message", "Note",
                                            "Zed", "Summary", "Question", "Timeline")),
    ("requester", "/requests/{reference}", ("Title", "Organisation", "Message")),
    ("requester", "/requests/mine", ("Title",)),
    ("committee", "/requests/{reference}", ("Title", "Message", "Group", "Question")),
    ("committee", "/dashboard", ("Title",)),
    ("helpdesk", "/partners", ("Organisation",)),
    ("helpdesk", "/partners/{org_id}", ("Organisation", "Title")),
    ("helpdesk", "/partners/{org_id}/edit", ("Organisation",)),
    ("anonymous", "/groups", ("Group", "About")),
    ("anonymous", "/groups/{slug}", ("Group", "About", "Zed")),
    ("member", "/groups/mine", ("Group", "Question")),
    ("admin", "/groups/{slug}/requests", ("Join",)),
    ("admin", "/groups/manage", ("Group",)),
    ("admin", "/admin/audit", ("Zed",)),
    ("admin", "/admin/", ()),
    ("helpdesk", "/requests/{reference}/mail", ()),
    ("helpdesk", "/mail", ("Subject",)),
    ("helpdesk", "/mail/{mail_id}", ("Subject", "Sender", "Why", "Body")),
    ("committee", "/committee", ()),
    ("helpdesk", "/canned-replies", ()),
)


@pytest.mark.parametrize(("role", "path", "labels"), PAGES,
                         ids=[f"{role} {path}" for role, path, _labels in PAGES])
def test_what_people_typed_is_isolated(app: Flask, sign_in: SignIn,
                                       bidi_world: dict[str, Any], role: str, path: str,
                                       labels: tuple[str, ...]) -> None:
    client: FlaskClient = app.test_client()
    if role != "anonymous":
        sign_in(client, matrix.USERNAMES[role])
    page = client.get(path.format(**bidi_world))
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    for label in labels:
        assert f"{label.upper()}{MARK}" in html, f"{label} is not on {path}"
    assert not unisolated(html), unisolated(html)


def test_the_override_stays_in_free_text_and_is_escaped(
    app: Flask, sign_in: SignIn, bidi_world: dict[str, Any]
) -> None:
    """A message keeps its controls (someone may need them), inside an isolated element."""
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    html = client.get(f"/requests/{bidi_world['reference']}").get_data(as_text=True)
    assert spoof("Message") in html


# -- one-line names lose their controls where they are typed in ----------------------

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def test_clean_line_strips_every_bidi_control() -> None:
    assert clean_line(f" {RLO}Maps{PDF} of the \u2067Baltic\u2069\u200f ") == \
        "Maps of the Baltic"
    assert clean_line(CONTROLS + "x" + CONTROLS) == "x"
    assert clean_line("خرائط البلطيق") == "خرائط البلطيق"  # right-to-left text stays
    assert clean_line("a\u200db") == "a\u200db"  # a joiner is not a direction control
    assert clean_line(None) is None


def test_a_title_and_organisation_typed_with_controls_are_stored_without(
    app: Flask, sign_in: SignIn, world: dict[str, Any]
) -> None:
    from tests.intake.support import form_data

    client = app.test_client()
    sign_in(client, "Ada Requester")
    data = form_data(csrf_token(client, "/requests/new"), title=spoof("Maps"),
                     description=spoof("Described"), org_name=spoof("Museum"))
    filed = client.post("/requests/new", data=data)
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    reference = filed.headers["Location"].rsplit("/", 1)[-1]
    with app.app_context():
        case = get_session().scalars(select(Case).where(Case.reference == reference)).one()
        assert case.title == f"Maps MAPS{MARK}"
        assert case.organisation.name == f"Museum MUSEUM{MARK}"
        assert case.description == spoof("Described")  # free text keeps them


def test_a_group_name_typed_with_controls_is_stored_without(
    app: Flask, sign_in: SignIn, world: dict[str, Any]
) -> None:
    client = app.test_client()
    sign_in(client, "Admin Demo")
    added = client.post("/groups/manage/add", data={
        "csrf_token": csrf_token(client, "/groups/manage"), "slug": "bidi-group",
        "name": spoof("Crew"), "description": spoof("Crew text")})
    assert added.status_code in (302, 303), added.get_data(as_text=True)[:2000]
    with app.app_context():
        group = get_session().scalars(
            select(WorkingGroup).where(WorkingGroup.slug == "bidi-group")).one()
        assert group.name == f"Crew CREW{MARK}"
        assert group.description == spoof("Crew text")

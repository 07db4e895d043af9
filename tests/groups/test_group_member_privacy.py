"""Members of a working group a case was referred to read the request and the
conversation with the requester (public messages) — never internal notes, contact
details, committee reviews or internal rationales. Members of other groups see nothing
of the case (DESIGN.md, "Working groups"; the privacy page says so)."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.cases.access import case_access
from app.committee import votes
from app.core.db import get_session
from app.groups.models import WorkingGroup
from tests.factories import join_group, make_case, make_user
from tests.helpers import SignIn

DESCRIPTION = "Forty thousand glass-plate negatives of the harbour."
PUBLIC_MESSAGE = "Could you tell us which licence the negatives carry?"
REQUESTER_MESSAGE = "They are all in the public domain, scanned in 2024."
INTERNAL_NOTE = "Internal: the director of the museum asked us to hurry."
CONTACT_EMAIL = "curator.private@example.org"
CONTACT_NAME = "Ingrid Privatcontact"
REVIEW_COMMENT = "Review: strong collection, check the metadata first."
RATIONALE = "Rationale: the implementation group knows this archive."
QUESTION = "Can your group help plan the upload?"
PRIVATE = (INTERNAL_NOTE, CONTACT_EMAIL, CONTACT_NAME, REVIEW_COMMENT, RATIONALE)
TITLE = "Harbour negatives"


@pytest.fixture
def referred_case(app: Flask) -> str:
    """A case not listed publicly, referred to Implementation (Leila is a member; Omar is
    a member of Translation), with every kind of text on it."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = [make_user(db, name, "committee")
                   for name in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
        join_group(db, make_user(db, "Leila Lead"), "implementation")
        join_group(db, make_user(db, "Omar Requester"), "translation")
        case = make_case(db, ada, title=TITLE, description=DESCRIPTION, public_listing=False,
                         contact_email=CONTACT_EMAIL, contact_name=CONTACT_NAME)
        service.move(db, case, sven, {"helpdesk"}, "triage")
        staff = case_access(db, sven, case)
        service.post_message(db, case, sven, staff, PUBLIC_MESSAGE, internal=False)
        service.post_message(db, case, sven, staff, INTERNAL_NOTE, internal=True)
        service.post_message(db, case, ada, case_access(db, ada, case), REQUESTER_MESSAGE,
                             internal=False)
        votes.cast_vote(db, case, members[1], "initial", "refer", REVIEW_COMMENT, {})
        group = db.scalars(select(WorkingGroup.id)
                           .where(WorkingGroup.slug == "implementation")).one()
        service.record_decision(db, case, members[0], case_access(db, members[0], case),
                                expected_version=case.version, outcome="refer",
                                rationale=RATIONALE, public_rationale="",
                                participant_ids=[m.id for m in members], group_ids=[group],
                                question=QUESTION)
        db.commit()
        return case.reference


def shows(page: str, text: str) -> bool:
    """Whether the HTML page shows the text (as written, or escaped)."""
    return text in page or escape(text) in page


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def test_a_member_of_the_group_reads_the_conversation_not_what_is_private(
    app: Flask, sign_in: SignIn, referred_case: str
) -> None:
    leila = signed_in(app, sign_in, "Leila Lead")
    response = leila.get(f"/requests/{referred_case}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for shown in (TITLE, DESCRIPTION, PUBLIC_MESSAGE, REQUESTER_MESSAGE, QUESTION):
        assert shows(page, shown), shown
    for hidden in PRIVATE:
        assert not shows(page, hidden), hidden


def test_the_requester_and_staff_see_what_they_should(
    app: Flask, sign_in: SignIn, referred_case: str
) -> None:
    """The other side of the same page: the texts the member does not see are there."""
    sven = signed_in(app, sign_in, "Sven Helpdesk").get(f"/requests/{referred_case}")
    for shown in (INTERNAL_NOTE, CONTACT_EMAIL, CONTACT_NAME, PUBLIC_MESSAGE):
        assert shows(sven.get_data(as_text=True), shown), shown
    mei = signed_in(app, sign_in, "Mei Committee").get(f"/requests/{referred_case}")
    assert shows(mei.get_data(as_text=True), REVIEW_COMMENT)
    assert shows(mei.get_data(as_text=True), RATIONALE)
    ada = signed_in(app, sign_in, "Ada Requester").get(f"/requests/{referred_case}")
    assert shows(ada.get_data(as_text=True), PUBLIC_MESSAGE)
    assert not shows(ada.get_data(as_text=True), INTERNAL_NOTE)


def test_a_member_of_another_group_sees_nothing_of_the_case(
    app: Flask, sign_in: SignIn, referred_case: str
) -> None:
    omar = signed_in(app, sign_in, "Omar Requester")
    answers: dict[str, Any] = {
        f"/requests/{referred_case}": 403,
        f"/cases/{referred_case}": 404,
        f"/api/v1/cases/{referred_case}": 404,
    }
    for path, status in answers.items():
        response = omar.get(path)
        assert response.status_code == status, path
        page = response.get_data(as_text=True)
        for hidden in (TITLE, DESCRIPTION, PUBLIC_MESSAGE, REQUESTER_MESSAGE, QUESTION,
                       *PRIVATE):
            assert not shows(page, hidden), (path, hidden)
    groups_page = omar.get("/groups/translation").get_data(as_text=True)
    assert referred_case not in groups_page and not shows(groups_page, TITLE)


def test_the_privacy_page_says_what_group_members_see(client: FlaskClient) -> None:
    page = client.get("/privacy").get_data(as_text=True)
    assert "working group" in page
    assert "never internal notes" in page

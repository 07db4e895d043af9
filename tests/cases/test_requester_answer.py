"""The requester answering the committee (issue #16, journey 3): the question at the top
of the case page, one answer box that moves the case back to the committee, and
withdrawing behind a confirmation step."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient

from app.cases import queries
from app.core.db import get_session
from tests.case_client import post_on_case
from tests.cases.test_workflow import setup_case
from tests.helpers import SignIn
from tests.html import one, parse, text_of

QUESTION = "Please tell us more."  # what setup_case's committee asks


def inside(element: Tag, selector: str) -> Tag:
    """The one element `selector` finds inside `element`."""
    found = element.select(selector)
    assert len(found) == 1, f"{len(found)} elements match {selector!r}"
    return found[0]


def state_of(app: Flask, reference: str) -> str:
    with app.app_context():
        case = queries.find_case(get_session(), reference)
        assert case is not None
        return case.state


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def page_of(client: FlaskClient, reference: str) -> BeautifulSoup:
    response = client.get(f"/requests/{reference}")
    assert response.status_code == 200
    return parse(response)


def test_the_requester_sees_the_question_first_and_one_box_to_answer_it(
        app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage", "ask_information"))
    ada = signed_in(app, sign_in, "Ada Requester")
    soup = page_of(ada, ref)

    main = one(soup, "main")
    sections = [section.get("id") or section.get("aria-labelledby")
                for section in main.find_all("section", recursive=False)]
    assert sections[0] == "answer"  # before "Where this request is"
    card = one(soup, "section#answer")
    assert text_of(inside(card, "h2")) == "The committee asks:"
    assert text_of(inside(card, "blockquote")) == QUESTION
    assert text_of(inside(card, 'label[for="answer-body"]')) == "Your answer"
    box = inside(card, "textarea#answer-body")
    assert box.has_attr("required") and box["name"] == "message"
    assert "(required)" in text_of(card)
    # One box only: no "Message to the requester", no message form beside the answer.
    assert "Message to the requester" not in text_of(main)
    assert soup.select(f'form[action="/requests/{ref}/message"]') == []
    assert len(soup.select("textarea")) == 2  # the answer, and the withdrawal's reason
    assert one(soup, 'a[href="#answer-body"]')

    response = post_on_case(ada, ref, "action", action="answer", message="CC BY-SA 4.0.")
    assert response.status_code == 302
    assert state_of(app, ref) == "in_initial_review"
    after = parse(ada.get(response.headers["Location"]))
    assert "your answer was sent" in text_of(one(after, ".message--success"))
    assert after.select("section#answer") == []  # nothing waits on the requester now
    assert one(after, f'form[action="/requests/{ref}/message"]')


def test_an_empty_answer_is_refused_next_to_the_question(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage", "ask_information"))
    ada = signed_in(app, sign_in, "Ada Requester")
    response = post_on_case(ada, ref, "action", action="answer", message="  ")
    assert response.status_code == 400
    assert state_of(app, ref) == "needs_information"
    soup = parse(response)
    assert "Message" in text_of(one(soup, "#case-error"))
    assert one(soup, "section#answer textarea#answer-body")


def test_a_message_from_the_requester_while_asked_is_the_answer(
        app: Flask, sign_in: SignIn) -> None:
    """A message sent from an older page does not leave the case waiting on the
    requester: it is taken as the answer."""
    ref = setup_case(app, ("triage", "ask_information"))
    ada = signed_in(app, sign_in, "Ada Requester")
    response = post_on_case(ada, ref, "message", body="Here is what you asked for.")
    assert response.status_code == 302
    assert state_of(app, ref) == "in_initial_review"
    soup = page_of(ada, ref)
    assert "your answer was sent" in text_of(one(soup, ".message--success"))
    assert "Here is what you asked for." in text_of(one(soup, ".timeline"))


def test_the_helpdesk_answers_for_an_email_requester_and_keeps_its_messages(
        app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage", "ask_information"))
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    soup = page_of(sven, ref)
    card = one(soup, "section#answer")
    assert text_of(inside(card, 'label[for="answer-body"]')) == "The requester's answer"
    assert one(soup, f'form[action="/requests/{ref}/message"]')  # notes stay possible
    assert post_on_case(sven, ref, "message", body="Reminded them by phone.",
                        visibility="internal").status_code == 302
    assert state_of(app, ref) == "needs_information"


def test_the_committee_sees_no_answer_box(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage", "ask_information"))
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    assert page_of(ngozi, ref).select("section#answer") == []


def test_withdrawing_takes_a_confirmation_step(app: Flask, sign_in: SignIn) -> None:
    ref = setup_case(app, ("triage",))
    ada = signed_in(app, sign_in, "Ada Requester")
    soup = page_of(ada, ref)
    step = one(soup, "details#withdraw")
    assert not step.has_attr("open")
    assert text_of(inside(step, "summary")) == "Withdraw the request…"
    button = inside(step, "button[type=submit]")
    assert text_of(button) == "Yes, withdraw the request"
    assert "Do you want to withdraw this request?" in text_of(step)
    # The only button that withdraws is the one inside the confirmation step.
    withdrawing = [form for form in soup.select("form")
                   if form.select_one('input[name="action"][value="withdraw"]')]
    assert len(withdrawing) == 1 and withdrawing[0].find_parent("details") is step
    assert text_of(inside(step, 'label[for="withdraw-message"]')) == (
        "Why do you withdraw it? (optional)")

    response = post_on_case(ada, ref, "action", action="withdraw", message="We found help.")
    assert response.status_code == 302
    assert state_of(app, ref) == "withdrawn"
    assert "We found help." in text_of(one(page_of(ada, ref), ".timeline"))

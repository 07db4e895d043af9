"""Watching a case: told of the changes one may see, by email and on the home page;
unwatched in one click on the case page or from the email's signed link."""

from __future__ import annotations

import re

from flask import Flask

from app.cases.models import Case
from app.committee import votes
from tests.attention.support import act, mail_to, panel, people, say
from tests.case_client import post_on_case
from tests.factories import make_case
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.html import parse, text_of


def _unwatch_path(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/unwatch/\S+)", body)
    assert found, body
    return found.group(1)


def test_watch_and_be_told_of_what_one_may_see(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"], title="Maps")
        act(db, case, u["sven"], "triage")
        reference, case_id = case.reference, case.id
    mei = app.test_client()
    sign_in(mei, "Mei Committee")
    page = mei.get(f"/requests/{reference}").get_data(as_text=True)
    assert "Watch this request" in page  # not on the case, so not watching
    response = mei.post(f"/requests/{reference}/watch",
                        data={"csrf_token": csrf_token(mei, f"/requests/{reference}"),
                              "watch": "1"})
    assert response.status_code == 303
    assert "Stop watching" in mei.get(f"/requests/{reference}").get_data(as_text=True)

    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["sven"], "Check the licence first.", internal=True)
    with session(app) as db:
        told = mail_to(db, "mei@example.org", "watched")
        assert len(told) == 1 and "Check the licence first." in told[0].body
        assert mail_to(db, "ada@example.org", "watched") == []  # never an internal note
        assert all("Check the licence" not in m.body for m in mail_to(db, "ada@example.org"))
    # and on her home page, until she opens the case
    assert panel(mei, "watched") == [reference]
    mei.get(f"/requests/{reference}")
    assert panel(mei, "watched") == []

    # one click on the case page stops it
    mei.post(f"/requests/{reference}/watch",
             data={"csrf_token": csrf_token(mei, f"/requests/{reference}"), "watch": "0"})
    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["sven"], "Another note.", internal=True)
    with session(app) as db:
        assert len(mail_to(db, "mei@example.org", "watched")) == 1


def test_people_on_the_case_watch_it_by_default(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"], title="Maps")
        act(db, case, u["sven"], "triage")
        reference, case_id = case.reference, case.id
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    assert "Watch this request" in ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    # her vote puts her on the case
    assert post_on_case(ngozi, reference, "vote", stage="initial", vote_outcome="proceed",
                        vote_comment="Fine.").status_code == 302
    assert "Stop watching" in ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["ada"], "A question from me.")
    with session(app) as db:
        told = mail_to(db, "ngozi@example.org", "watched")
        assert len(told) == 1 and "A question from me." in told[0].body


def test_unwatch_from_the_emails_signed_link(app: Flask, client: object,
                                            sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"], title="Maps")
        act(db, case, u["sven"], "triage")
        votes.cast_vote(db, case, u["ngozi"], "initial", "proceed", "Fine.", {})
        say(db, case, u["sven"], "Note one.", internal=True)
        case_id = case.id
    with session(app) as db:
        path = _unwatch_path(mail_to(db, "ngozi@example.org", "watched")[0].body)
    browser = app.test_client()  # not signed in: the link is enough
    confirm = browser.get(path)
    assert confirm.status_code == 200
    assert "Ngozi Committee" in text_of(parse(confirm.get_data(as_text=True)))
    # a GET changes nothing
    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["sven"], "Note two.", internal=True)
    with session(app) as db:
        assert len(mail_to(db, "ngozi@example.org", "watched")) == 2

    # a changed token is refused
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert browser.get(tampered).status_code == 404
    assert browser.post(tampered, data={"csrf_token": csrf_token(browser, path)}
                        ).status_code == 404
    # without the form's token the POST is refused
    assert browser.post(path).status_code == 400

    done = browser.post(path, data={"csrf_token": csrf_token(browser, path)})
    assert done.status_code == 200 and "no more emails" in done.get_data(as_text=True)
    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["sven"], "Note three.", internal=True)
    with session(app) as db:
        assert len(mail_to(db, "ngozi@example.org", "watched")) == 2
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    with session(app) as db:
        reference = db.get(Case, case_id).reference
    assert "Watch this request" in ngozi.get(f"/requests/{reference}").get_data(as_text=True)


def test_only_people_who_may_see_the_case_watch_it(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        reference = make_case(db, u["ada"], title="Maps").reference
    omar = app.test_client()
    sign_in(omar, "Omar Requester")
    token = csrf_token(omar, "/")
    assert omar.post(f"/requests/{reference}/watch",
                     data={"csrf_token": token, "watch": "1"}).status_code == 403

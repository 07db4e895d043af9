"""Sessions that really end: a copied session cookie stops working as soon as the
session is over — after signing out, an admin's "sign out everywhere", a block learned
at sign-in, or too long without use. The server keeps a record of every live session
(a SHA-256 of its id only), read in the statement that loads the user.

Every test copies the signed-in browser's cookie into a second test client (what a
stolen or leftover cookie is) and goes through HTTP.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from app.auth.models import User, UserSession
from app.auth.sessions import TOUCH_INTERVAL
from app.core.audit_log import AuditEvent
from app.core.models import utcnow
from dev.standin.accounts import DemoAccount
from tests.factories import make_user
from tests.helpers import SignIn, app_session, csrf_token, sql_statements

COOKIE = "helpdesk_session"
SIGNED_OUT_NOTICE = "You were signed out."


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    with app_session(app) as db:
        users = {"ada": make_user(db, "Ada Requester"), "sven": make_user(db, "Sven Helpdesk",
                                                                          "helpdesk"),
                 "admin": make_user(db, "Admin Demo")}  # admin by HELPDESK_ADMINS
        db.flush()
        return {name: user.id for name, user in users.items()}


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(COOKIE, cookie.value)
    return other


def text_of(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def signed_in(client: FlaskClient, name: str) -> bool:
    return f"Signed in as {name}" in text_of(client.get("/"))


def session_of(client: FlaskClient) -> dict[str, Any]:
    with client.session_transaction() as session:
        return dict(session)


def save_language(client: FlaskClient, token: str, language: str = "sv") -> TestResponse:
    """A POST any signed-in user may make (303 when it goes through)."""
    return client.post("/preferences", data={"csrf_token": token, "language": language})


def records(app: Flask, user_id: int) -> list[UserSession]:
    with app_session(app) as db:
        return list(db.scalars(select(UserSession).where(UserSession.user_id == user_id)
                               .order_by(UserSession.id)))


def language_of(app: Flask, user_id: int) -> str | None:
    with app_session(app) as db:
        return db.get(User, user_id).language  # type: ignore[union-attr]


def sign_out(client: FlaskClient) -> TestResponse:
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_signing_out_ends_every_copy_of_the_session(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    browser = app.test_client()
    sign_in(browser, "Ada Requester")
    copy = copy_of(app, browser)
    assert signed_in(copy, "Ada Requester")  # the copy works while the session lives
    token = csrf_token(copy, "/preferences")

    assert sign_out(browser).status_code == 302
    assert not signed_in(browser, "Ada Requester")

    page = text_of(copy.get("/"))
    assert "Signed in as" not in page and "Sign in" in page
    assert SIGNED_OUT_NOTICE not in page  # they signed out themselves: no notice
    assert "user_id" not in session_of(copy)
    assert copy.get("/preferences").status_code == 302  # to sign in
    refused = save_language(copy, token)
    assert refused.status_code == 400
    assert language_of(app, people["ada"]) is None
    [record] = records(app, people["ada"])
    assert record.ended_at is not None and record.end_reason == "signed_out"


def test_a_post_from_the_copy_after_sign_out_is_refused_at_once(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    """The copy's very first request after the sign-out is a form it loaded before."""
    browser = app.test_client()
    sign_in(browser, "Ada Requester")
    copy = copy_of(app, browser)
    token = csrf_token(copy, "/preferences")
    sign_out(browser)
    assert save_language(copy, token).status_code == 400
    assert language_of(app, people["ada"]) is None
    assert not signed_in(copy, "Ada Requester")


def test_only_a_hash_of_the_session_id_is_stored(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    browser = app.test_client()
    sign_in(browser, "Ada Requester")
    sid = session_of(browser)["sid"]
    [record] = records(app, people["ada"])
    assert record.sid_hash == hashlib.sha256(sid.encode()).hexdigest()
    assert record.ended_at is None and record.end_reason is None
    with app_session(app) as db:
        stored = [str(value) for row in db.execute(select(UserSession.__table__)) for value in row]
    assert sid not in " ".join(stored)


def test_a_session_without_a_record_is_over(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    """A session id the server never handed out (or one whose record was deleted)."""
    browser = app.test_client()
    sign_in(browser, "Ada Requester")
    with browser.session_transaction() as session:
        session["sid"] = "made-up"
    page = text_of(browser.get("/"))
    assert "Signed in as" not in page
    assert SIGNED_OUT_NOTICE in page


def test_signing_in_again_gives_a_new_session_and_keeps_the_other_browsers(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "Ada Requester")
    sign_in(phone, "Ada Requester")
    assert session_of(laptop)["sid"] != session_of(phone)["sid"]
    sign_out(phone)
    assert signed_in(laptop, "Ada Requester")  # signing out ends only that session
    assert not signed_in(phone, "Ada Requester")


# -- an admin signs a user out everywhere --------------------------------------------


def sign_out_everywhere(admin: FlaskClient, username: str) -> TestResponse:
    return admin.post("/admin/sessions/end", data={
        "signout-csrf_token": csrf_token(admin, "/admin/"), "signout-username": username})


def test_an_admin_signs_a_user_out_everywhere(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    laptop, phone, sven, admin = (app.test_client() for _ in range(4))
    sign_in(laptop, "Ada Requester")
    sign_in(phone, "Ada Requester")
    copy = copy_of(app, laptop)
    token = csrf_token(copy, "/preferences")
    sign_in(sven, "Sven Helpdesk")
    sign_in(admin, "Admin Demo")

    answer = sign_out_everywhere(admin, "Ada_Requester")
    assert answer.status_code == 302
    assert "Ada Requester is signed out on every device and browser." in text_of(
        admin.get(answer.headers["Location"]))

    assert save_language(copy, token).status_code == 400
    for browser in (laptop, phone):
        page = text_of(browser.get("/"))
        assert "Signed in as" not in page
        assert SIGNED_OUT_NOTICE in page
    assert language_of(app, people["ada"]) is None
    assert {(r.end_reason, r.ended_at is not None) for r in records(app, people["ada"])} == {
        ("signed_out_everywhere", True)}
    assert signed_in(sven, "Sven Helpdesk")  # nobody else
    assert signed_in(admin, "Admin Demo")
    with app_session(app) as db:
        event = db.scalars(select(AuditEvent)
                           .where(AuditEvent.action == "user.sign_out_everywhere")).one()
        assert (event.actor_id, event.object_id) == (people["admin"], str(people["ada"]))
        assert event.after == {"username": "Ada Requester", "sessions": 2}
    assert "Signed out everywhere" in text_of(admin.get("/admin/audit"))

    sign_in(laptop, "Ada Requester")  # signing in again works as always
    assert signed_in(laptop, "Ada Requester")
    assert save_language(laptop, csrf_token(laptop, "/preferences")).status_code == 303


def test_signing_out_everywhere_is_for_admins_and_needs_the_form_token(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    ada, sven, admin = app.test_client(), app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(sven, "Sven Helpdesk")
    sign_in(admin, "Admin Demo")
    token = csrf_token(sven, "/preferences")
    refused = sven.post("/admin/sessions/end", data={
        "signout-csrf_token": token, "signout-username": "Ada Requester"})
    assert refused.status_code == 403
    assert admin.post("/admin/sessions/end",
                      data={"signout-username": "Ada Requester"}).status_code == 400
    assert admin.get("/admin/sessions/end").status_code == 405
    assert signed_in(ada, "Ada Requester")

    unknown = sign_out_everywhere(admin, "Nobody Here")
    assert unknown.status_code == 404
    assert "No user called “Nobody Here” has signed in to the helpdesk." in text_of(unknown)
    empty = sign_out_everywhere(admin, "")
    assert empty.status_code == 400
    assert "Enter a username." in text_of(empty)


def test_the_roles_page_offers_it(app: Flask, sign_in: SignIn, people: dict[str, int]) -> None:
    admin = app.test_client()
    sign_in(admin, "Admin Demo")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'action="/admin/sessions/end"' in page
    assert 'name="signout-username"' in page and 'id="signout-username"' in page
    assert "Sign this user out everywhere" in page


# -- a block learned at sign-in --------------------------------------------------------


def test_a_block_ends_the_users_other_sessions(
    app: Flask, sign_in: SignIn, people: dict[str, int], standin_state: Any
) -> None:
    before, sven = app.test_client(), app.test_client()
    sign_in(before, "Ada Requester")
    copy = copy_of(app, before)
    token = csrf_token(copy, "/preferences")
    sign_in(sven, "Sven Helpdesk")
    standin_state.add_account(DemoAccount("Ada Requester", 1001, "blocked since", blocked=True))

    after = app.test_client()
    sign_in(after, "Ada Requester")  # the wiki now says the account is blocked

    assert save_language(copy, token).status_code == 400
    page = text_of(before.get("/"))
    assert "Signed in as" not in page and SIGNED_OUT_NOTICE in page
    page = text_of(after.get("/"))  # the browser that signed in now is signed in, blocked
    assert "Signed in as Ada Requester" in page and "account is blocked" in page
    assert signed_in(sven, "Sven Helpdesk")
    reasons = [record.end_reason for record in records(app, people["ada"])]
    assert reasons == ["blocked", None]

    # Signing in again while still blocked ends nothing more.
    again = app.test_client()
    sign_in(again, "Ada Requester")
    assert signed_in(after, "Ada Requester") and signed_in(again, "Ada Requester")


# -- expiry, last use, pruning ---------------------------------------------------------


def test_a_session_unused_for_its_lifetime_is_over(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    browser = app.test_client()
    sign_in(browser, "Ada Requester")
    with app_session(app) as db:
        db.execute(update(UserSession).values(
            last_seen_at=utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)))
    page = text_of(browser.get("/"))
    assert "Signed in as" not in page and SIGNED_OUT_NOTICE in page
    [record] = records(app, people["ada"])
    assert record.end_reason == "expired" and record.ended_at is not None


def test_last_use_is_written_only_every_few_minutes(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    browser = app.test_client()
    sign_in(browser, "Ada Requester")
    browser.get("/privacy")
    with sql_statements(app) as sent:
        assert browser.get("/privacy").status_code == 200
    # the user, their grants and the session's record, in the first statement; no other
    # statement reads or writes the records
    assert "user_sessions" in sent[0] and "role_grants" in sent[0]
    assert not any("user_sessions" in statement for statement in sent[1:])
    baseline = len(sent)

    long_ago = utcnow() - TOUCH_INTERVAL - timedelta(seconds=5)
    with app_session(app) as db:
        db.execute(update(UserSession).values(last_seen_at=long_ago))
    with sql_statements(app) as sent:
        assert browser.get("/privacy").status_code == 200
    assert len(sent) == baseline + 1
    assert [s for s in sent if s.lstrip().upper().startswith("UPDATE USER_SESSIONS")]
    [record] = records(app, people["ada"])
    assert record.last_seen_at > long_ago
    with sql_statements(app) as sent:
        assert browser.get("/privacy").status_code == 200
    assert len(sent) == baseline


def test_prune_deletes_the_records_of_sessions_long_over(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    live, ended, old_ended, old_unused = (app.test_client() for _ in range(4))
    for browser in (live, ended, old_ended, old_unused):
        sign_in(browser, "Ada Requester")
    sign_out(ended)
    sign_out(old_ended)
    long_ago = utcnow() - app.permanent_session_lifetime - timedelta(hours=1)
    kept = [r.id for r in records(app, people["ada"])][:2]
    with app_session(app) as db:
        ids = [r.id for r in db.scalars(select(UserSession).order_by(UserSession.id))]
        db.execute(update(UserSession).where(UserSession.id == ids[2])
                   .values(ended_at=long_ago))
        db.execute(update(UserSession).where(UserSession.id == ids[3])
                   .values(last_seen_at=long_ago))

    result = app.test_cli_runner().invoke(args=["sessions", "prune"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 session records" in result.output
    assert [r.id for r in records(app, people["ada"])] == kept
    assert signed_in(live, "Ada Requester")


def test_signing_in_deletes_the_users_own_records_long_over(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    first = app.test_client()
    sign_in(first, "Ada Requester")
    sign_out(first)
    with app_session(app) as db:
        db.execute(update(UserSession).values(
            ended_at=utcnow() - app.permanent_session_lifetime - timedelta(hours=1)))
    sign_in(first, "Ada Requester")
    assert [r.ended_at for r in records(app, people["ada"])] == [None]

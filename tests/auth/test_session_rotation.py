"""A role change renews the session of the user it concerns.

Sign-in starts a fresh session; when an admin grants or revokes one of a user's
roles, that user's next request gets a renewed session (same user, new session
id, new CSRF token), so a form loaded under the old roles is refused. Other
users' sessions are untouched; an admin changing their own roles is renewed in
the same answer. The session's server-side record ends with the renewal, so any
other copy of the old cookie is signed out: only one browser carries on.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.auth.models import User, UserSession
from app.auth.service import grant_role, revoke_role
from app.core.db import get_session
from tests.factories import make_user
from tests.helpers import SignIn, app_session, csrf_token

RENEWED = "Your roles on the helpdesk changed since this page was loaded"
COOKIE = "helpdesk_session"
SIGNED_OUT_NOTICE = "You were signed out."


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    with app.app_context():
        db = get_session()
        users = {
            "ngozi": make_user(db, "Ngozi Committee", "committee"),
            "sven": make_user(db, "Sven Helpdesk", "helpdesk"),
            "ada": make_user(db, "Ada Requester"),
            "admin": make_user(db, "Admin Demo"),  # admin by HELPDESK_ADMINS
        }
        db.commit()
        return {name: user.id for name, user in users.items()}


def session_of(client: FlaskClient) -> dict[str, Any]:
    with client.session_transaction() as session:
        return dict(session)


def save_preferences(client: FlaskClient, token: str) -> TestResponse:
    """A POST that any signed-in user may make (303 when the form token is good)."""
    return client.post("/preferences", data={"csrf_token": token, "language": ""})


def text_of(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_revoking_a_role_renews_that_users_session(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    ngozi, sven, admin = app.test_client(), app.test_client(), app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    sign_in(sven, "Sven Helpdesk")
    sign_in(admin, "Admin Demo")
    ngozi_token = csrf_token(ngozi, "/preferences")
    sven_token = csrf_token(sven, "/preferences")
    before = session_of(ngozi)
    assert ngozi.get("/dashboard").status_code == 200

    answer = admin.post("/admin/roles/revoke", data={
        "csrf_token": csrf_token(admin, "/admin/"), "user_id": people["ngozi"],
        "role": "committee"})
    assert answer.status_code == 302

    # The form Ngozi loaded as a committee member is refused, with a reason.
    refused = save_preferences(ngozi, ngozi_token)
    assert refused.status_code == 400
    page = text_of(refused)
    assert RENEWED in page
    assert "Your roles on the helpdesk changed: you no longer have" in page
    after = session_of(ngozi)
    assert after["user_id"] == before["user_id"]  # still signed in, as the same user
    assert after["sid"] != before["sid"]
    assert after.get("csrf_token") != before.get("csrf_token")
    # Pages follow the new roles; a form loaded now works.
    assert ngozi.get("/dashboard").status_code == 403
    home = text_of(ngozi.get("/"))
    assert "Ngozi Committee" in home
    assert save_preferences(ngozi, csrf_token(ngozi, "/preferences")).status_code == 303

    # Sven's session was not touched: his old form still goes through.
    assert save_preferences(sven, sven_token).status_code == 303
    assert sven.get("/inbox").status_code == 200


def test_granting_a_role_renews_the_session_and_says_so(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    ada, admin = app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(admin, "Admin Demo")
    old_token = csrf_token(ada, "/preferences")
    before = session_of(ada)
    assert ada.get("/inbox").status_code == 403

    answer = admin.post("/admin/roles/grant", data={
        "csrf_token": csrf_token(admin, "/admin/"), "username": "Ada Requester",
        "role": "helpdesk"})
    assert answer.status_code == 302

    page = text_of(ada.get("/"))
    assert "Your roles on the helpdesk changed. You now have: Helpdesk staff." in page
    assert session_of(ada)["sid"] != before["sid"]
    assert ada.get("/inbox").status_code == 200
    assert 'href="/inbox"' in text_of(ada.get("/"))
    refused = save_preferences(ada, old_token)
    assert refused.status_code == 400
    assert "The form had expired" in text_of(refused)
    assert save_preferences(ada, csrf_token(ada, "/preferences")).status_code == 303


def test_an_admin_changing_their_own_roles_is_renewed_at_once(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    admin = app.test_client()
    sign_in(admin, "Admin Demo")
    token = csrf_token(admin, "/admin/")
    before = session_of(admin)
    answer = admin.post("/admin/roles/grant", data={
        "csrf_token": token, "username": "Admin Demo", "role": "committee"})
    assert answer.status_code == 302
    after = session_of(admin)
    assert after["sid"] != before["sid"]
    assert after["user_id"] == before["user_id"]
    page = admin.get(answer.headers["Location"])
    assert "Admin Demo now has the role" in text_of(page)  # the message survived renewal
    # The token of the page the change was made on is spent.
    assert save_preferences(admin, token).status_code == 400
    assert admin.get("/dashboard").status_code == 200
    assert save_preferences(admin, csrf_token(admin, "/preferences")).status_code == 303


def test_a_change_from_the_command_line_renews_too(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    """Revoking and granting the same role again (e.g. `flask roles`) is a change too."""
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    token = csrf_token(sven, "/preferences")
    before = session_of(sven)
    with app.app_context():
        db = get_session()
        user = db.scalars(select(User).where(User.id == people["sven"])).one()
        revoke_role(db, user, "helpdesk", None)
        db.commit()
        grant_role(db, user, "helpdesk", None)
        db.commit()
    assert save_preferences(sven, token).status_code == 400
    assert session_of(sven)["sid"] != before["sid"]
    assert sven.get("/inbox").status_code == 200


def test_nothing_changes_without_a_role_change(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    token = csrf_token(ngozi, "/preferences")
    before = session_of(ngozi)
    for path in ("/", "/dashboard", "/preferences"):
        assert ngozi.get(path).status_code == 200
    assert save_preferences(ngozi, token).status_code == 303
    assert session_of(ngozi)["sid"] == before["sid"]


def test_a_session_from_before_fingerprints_is_kept(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    token = csrf_token(ada, "/preferences")
    with ada.session_transaction() as session:
        del session["roles"]
        sid = session["sid"]
    assert save_preferences(ada, token).status_code == 303
    assert session_of(ada)["sid"] == sid
    assert "roles" in session_of(ada)


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(COOKIE, cookie.value)
    return other


def revoke(admin: FlaskClient, user_id: int, role: str) -> None:
    answer = admin.post("/admin/roles/revoke", data={
        "csrf_token": csrf_token(admin, "/admin/"), "user_id": user_id, "role": role})
    assert answer.status_code == 302


def reasons(app: Flask, user_id: int) -> list[tuple[str | None, bool]]:
    """(end reason, ended) of the user's session records, oldest first."""
    with app_session(app) as db:
        return [(record.end_reason, record.ended_at is not None) for record in db.scalars(
            select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id))]


def test_a_role_change_ends_every_other_copy_of_the_session(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    ngozi, admin = app.test_client(), app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    copy = copy_of(app, ngozi)
    copy_token = csrf_token(copy, "/preferences")
    sign_in(admin, "Admin Demo")

    revoke(admin, people["ngozi"], "committee")
    assert reasons(app, people["ngozi"]) == [("role_changed", False)]  # marked, still live

    page = text_of(ngozi.get("/"))  # the first request with the old id renews it
    assert "Your roles on the helpdesk changed: you no longer have" in page
    assert "Signed in as Ngozi Committee" in page
    assert reasons(app, people["ngozi"]) == [("role_changed", True), (None, False)]

    # The old cookie is dead at once: its form is refused and it is signed out.
    refused = save_preferences(copy, copy_token)
    assert refused.status_code == 400
    assert SIGNED_OUT_NOTICE in text_of(refused)
    assert "Signed in as" not in text_of(copy.get("/"))
    # The renewed browser carries on.
    assert save_preferences(ngozi, csrf_token(ngozi, "/preferences")).status_code == 303
    assert "Signed in as Ngozi Committee" in text_of(ngozi.get("/"))


def test_only_the_first_copy_to_come_back_is_renewed(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    sven, admin = app.test_client(), app.test_client()
    sign_in(sven, "Sven Helpdesk")
    copy = copy_of(app, sven)
    sign_in(admin, "Admin Demo")
    revoke(admin, people["sven"], "helpdesk")

    assert "Your roles on the helpdesk changed" in text_of(copy.get("/"))
    assert "Signed in as Sven Helpdesk" in text_of(copy.get("/"))
    page = text_of(sven.get("/"))
    assert "Signed in as" not in page and SIGNED_OUT_NOTICE in page
    assert session_of(sven).get("user_id") is None


def test_a_marked_session_is_renewed_even_without_a_fingerprint(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    """The record's mark alone renews: a session from before fingerprints were kept."""
    ada, admin = app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    with ada.session_transaction() as session:
        del session["roles"]
        sid = session["sid"]
    sign_in(admin, "Admin Demo")
    answer = admin.post("/admin/roles/grant", data={
        "csrf_token": csrf_token(admin, "/admin/"), "username": "Ada Requester",
        "role": "helpdesk"})
    assert answer.status_code == 302
    assert "You now have: Helpdesk staff." in text_of(ada.get("/"))
    assert session_of(ada)["sid"] != sid
    assert ada.get("/inbox").status_code == 200


def test_an_admins_old_cookie_dies_when_they_change_their_own_roles(
    app: Flask, sign_in: SignIn, people: dict[str, int]
) -> None:
    admin = app.test_client()
    sign_in(admin, "Admin Demo")
    copy = copy_of(app, admin)
    answer = admin.post("/admin/roles/grant", data={
        "csrf_token": csrf_token(admin, "/admin/"), "username": "Admin Demo",
        "role": "committee"})
    assert answer.status_code == 302
    assert reasons(app, people["admin"]) == [("role_changed", True), (None, False)]
    assert "Signed in as Admin Demo" in text_of(admin.get("/"))
    page = text_of(copy.get("/"))
    assert "Signed in as" not in page and SIGNED_OUT_NOTICE in page

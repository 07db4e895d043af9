"""Roles: who may see admin pages, granting and revoking, all audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.labels import ROLE_LABELS, role_choices, role_label
from app.auth.models import RoleGrant
from app.auth.roles import ROLES
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from tests.helpers import SignIn, csrf_token

ADMIN_PAGES = ["/admin/", "/admin/audit"]


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_anonymous_users_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_non_admins_get_403(client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Ada Requester")
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 403
        assert "You do not have permission" in response.get_data(as_text=True)


def test_admin_from_config_sees_admin_pages(client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Admin Demo")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200


def test_grant_and_revoke_through_the_admin_page(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    other = app.test_client()
    sign_in(other, "Ngozi Committee")
    assert other.get("/admin/").status_code == 403
    sign_in(client, "Admin Demo")
    token = csrf_token(client, "/admin/")
    response = client.post(
        "/admin/roles/grant",
        data={"csrf_token": token, "username": "Ngozi_Committee", "role": "admin"},
    )
    assert response.status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert "Ngozi Committee now has the role Administrator" in page
    assert other.get("/admin/").status_code == 200  # the grant takes effect at once

    with app.app_context():
        grant = get_session().scalars(select(RoleGrant)).one()
        user_id = grant.user_id
    response = client.post(
        "/admin/roles/revoke", data={"csrf_token": token, "user_id": user_id, "role": "admin"}
    )
    assert response.status_code == 302
    assert other.get("/admin/").status_code == 403
    assert audit_actions(app)[-2:] == ["role.grant", "role.revoke"]
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    # newest first, each event by its name
    assert audit_page.index("Role revoked") < audit_page.index("Role granted")


def test_grant_to_unknown_user_explains(client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Admin Demo")
    token = csrf_token(client, "/admin/")
    response = client.post(
        "/admin/roles/grant",
        data={"csrf_token": token, "username": "Nobody Here", "role": "helpdesk"},
    )
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "has signed in to the helpdesk yet" in html
    assert 'aria-describedby="username-help username-error"' in html
    assert 'value="Nobody Here"' in html  # what the admin typed is kept


def test_grant_twice_is_a_conflict(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(app.test_client(), "Sven Helpdesk")
    sign_in(client, "Admin Demo")
    token = csrf_token(client, "/admin/")
    data = {"csrf_token": token, "username": "Sven Helpdesk", "role": "helpdesk"}
    assert client.post("/admin/roles/grant", data=data).status_code == 302
    response = client.post("/admin/roles/grant", data=data)
    assert response.status_code == 409
    assert "already has the role" in response.get_data(as_text=True)
    assert audit_actions(app).count("role.grant") == 1


def test_grant_with_invalid_role_is_refused(client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Admin Demo")
    token = csrf_token(client, "/admin/")
    response = client.post(
        "/admin/roles/grant", data={"csrf_token": token, "username": "Admin Demo", "role": "god"}
    )
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_roles_cli_grant_and_revoke(app: Flask, sign_in: SignIn) -> None:
    sign_in(app.test_client(), "Mei Committee")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["roles", "grant", "Mei_Committee", "committee"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["roles", "grant", "Mei Committee", "committee"])
    assert again.exit_code != 0
    assert "already has the role" in again.output
    unknown = runner.invoke(args=["roles", "grant", "Ghost", "committee"])
    assert unknown.exit_code != 0
    assert "must sign in once first" in unknown.output
    result = runner.invoke(args=["roles", "revoke", "Mei Committee", "committee"])
    assert result.exit_code == 0, result.output
    assert audit_actions(app)[-2:] == ["role.grant", "role.revoke"]


def test_audit_log_is_paginated_newest_first(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 3
    sign_in(app.test_client(), "Mei Committee")
    runner = app.test_cli_runner()
    for _ in range(3):
        runner.invoke(args=["roles", "grant", "Mei Committee", "committee"])
        runner.invoke(args=["roles", "revoke", "Mei Committee", "committee"])
    sign_in(client, "Admin Demo")
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 3" in first
    assert first.count("<tr>") == 4  # header + 3 events
    assert first.index("Role revoked") < first.index("Role granted")
    last = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert "First sign-in" in last
    assert client.get("/admin/audit?page=abc").status_code == 200


def test_every_role_has_a_name_in_the_order_of_roles(app: Flask) -> None:
    with app.test_request_context("/?uselang=de"):
        assert tuple(ROLE_LABELS) == ROLES
        assert [code for code, _name in role_choices()] == list(ROLES)
        assert role_label("helpdesk") == dict(role_choices())["helpdesk"]
        assert role_label("helpdesk") != "helpdesk"
        assert role_label("no-such-role") == "no-such-role"

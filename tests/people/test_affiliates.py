"""The registry of Wikimedia affiliates: admins add, edit and import them from CSV (every
line checked first: one wrong line and nothing is imported)."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.core.audit_log import AuditEvent
from app.people.models import Affiliate
from tests.factories import make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.html import parse, table_rows, text_of

GOOD = (
    "name,kind,countries,contact_url,active\n"
    "Wikimedia Sverige,chapter,SE,https://meta.wikimedia.org/wiki/Wikimedia_Sverige,yes\n"
    "Wikimedia Community User Group Kenya,user group,KE,,\n"
    "Wiki Movimento Brasil,user_group,BR PT,https://example.org/wmb,no\n"
)


def admin_client(app: Flask, sign_in: SignIn) -> FlaskClient:
    with session(app) as db:
        make_user(db, "Admin Demo")
    client = app.test_client()
    sign_in(client, "Admin Demo")
    return client


def upload(client: FlaskClient, text: str | bytes) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post("/affiliates/import", data={
        "csrf_token": csrf_token(client, "/affiliates/import"),
        "file": (io.BytesIO(data), "affiliates.csv"),
    }, content_type="multipart/form-data")


def registry(app: Flask) -> dict[str, tuple[str, list[str], bool]]:
    with session(app) as db:
        return {a.name: (a.kind, list(a.countries), a.active)
                for a in db.scalars(select(Affiliate))}


def test_a_good_file_adds_and_then_updates(app: Flask, client: FlaskClient,
                                           sign_in: SignIn) -> None:
    admin = admin_client(app, sign_in)
    answer = upload(admin, GOOD)
    assert answer.status_code == 303
    assert registry(app) == {
        "Wikimedia Sverige": ("chapter", ["SE"], True),
        "Wikimedia Community User Group Kenya": ("user_group", ["KE"], True),
        "Wiki Movimento Brasil": ("user_group", ["BR", "PT"], False),
    }
    assert "3 added, 0 updated" in text_of(parse(admin.get("/affiliates")))
    # Again: the affiliate of that name is updated.
    assert upload(admin, "name,kind,countries\nWikimedia Community User Group Kenya,hub,KE;TZ\n"
                  ).status_code == 303
    assert registry(app)["Wikimedia Community User Group Kenya"] == ("hub", ["KE", "TZ"], True)
    # Everyone reads the registry.
    rows = table_rows(parse(client.get("/affiliates")), "#table-affiliates")
    assert [row[0] for row in rows] == ["Wiki Movimento Brasil (not active)",
                                        "Wikimedia Community User Group Kenya",
                                        "Wikimedia Sverige"]
    assert rows[1][1:3] == ["Hub", "Kenya, Tanzania"]
    with session(app) as db:
        assert db.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "affiliate").order_by(AuditEvent.id)).all() == [
            "affiliate.create"] * 3 + [
            "affiliate.update"]


def test_a_bad_file_imports_nothing_and_says_which_lines(app: Flask, sign_in: SignIn) -> None:
    admin = admin_client(app, sign_in)
    bad = (GOOD + "Wikimedia Sverige,chapter,SE,,\n"      # line 5: a duplicate
           "Nowhere,club,XX,ftp://example.org,maybe\n")  # line 6: four mistakes
    answer = upload(admin, bad)
    assert answer.status_code == 422
    errors = [text_of(item) for item in parse(answer).select("#import-errors li")]
    assert errors[0] == "Line 5: “Wikimedia Sverige” is already on an earlier line."
    assert [error.split(":")[0] for error in errors[1:]] == ["Line 6"] * 4
    assert "XX" in errors[2]
    assert registry(app) == {}
    # Not UTF-8, no header, empty: refused, nothing stored.
    assert upload(admin, "name;kind\nA;chapter\n".encode("utf-16")).status_code == 422
    assert upload(admin, "a,b,c\n1,2,3\n").status_code == 422
    assert upload(admin, "name,kind,countries\n").status_code == 422
    assert registry(app) == {}
    assert admin.post("/affiliates/import", data={
        "csrf_token": csrf_token(admin, "/affiliates/import")}).status_code == 400


def test_admins_add_and_edit_one_and_others_cannot(app: Flask, sign_in: SignIn) -> None:
    admin = admin_client(app, sign_in)
    form = {"csrf_token": csrf_token(admin, "/affiliates/new"), "name": "Wikimedia Norge",
            "kind": "chapter", "countries": ["NO"], "contact_url": "https://wikimedia.no",
            "active": "y"}
    assert admin.post("/affiliates/new", data=form).status_code == 303
    assert admin.post("/affiliates/new", data=form).status_code == 409  # the name is taken
    assert admin.post("/affiliates/new", data={**form, "kind": "club",
                                               "name": "Other"}).status_code == 400
    with session(app) as db:
        affiliate_id = db.scalars(select(Affiliate.id)).one()
    edit = f"/affiliates/{affiliate_id}/edit"
    assert admin.post(edit, data={**form, "countries": ["NO", "SJ"]}).status_code == 303
    assert registry(app) == {"Wikimedia Norge": ("chapter", ["NO", "SJ"], True)}
    with session(app) as db:
        make_user(db, "Ada Requester")
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    assert ada.get("/affiliates/new").status_code == 403
    assert ada.get(edit).status_code == 403
    assert ada.get("/affiliates/import").status_code == 403

"""Saved views on the committee dashboard: save, apply, the most used as tabs, rename,
delete; each person sees only their own."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.attention.support import people
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.html import parse, text_of


def tabs(client: FlaskClient) -> list[str]:
    soup = parse(client.get("/dashboard").get_data(as_text=True))
    return [text_of(link) for link in soup.select(".saved-views__tab")]


def save(client: FlaskClient, name: str, **filters: str) -> str:
    """Save the filters; the address the view opens."""
    token = csrf_token(client, "/dashboard")
    response = client.post("/views", data={"csrf_token": token, "name": name, **filters})
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def test_save_apply_order_by_use_rename_delete(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        people(db)
    ngozi, mei = app.test_client(), app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    sign_in(mei, "Mei Committee")

    heritage = save(ngozi, "Heritage", theme="heritage", state="all")
    urgent = save(ngozi, "Urgent", priority="urgent")
    assert tabs(ngozi) == ["Heritage", "Urgent"]  # used once each, by name

    # applying a view opens the dashboard with its filters, and counts the use
    opened = ngozi.get(urgent)
    assert opened.status_code == 303
    assert "priority=urgent" in opened.headers["Location"]
    page = ngozi.get(opened.headers["Location"]).get_data(as_text=True)
    assert parse(page).select_one('select[name="priority"] option[selected]')["value"] == "urgent"
    assert tabs(ngozi) == ["Urgent", "Heritage"]  # the most used first

    # only the five most used are tabs
    for index in range(5):
        save(ngozi, f"View {index}", q=f"word{index}")
    assert len(tabs(ngozi)) == 5 and tabs(ngozi)[0] == "Urgent"

    # rename, refuse a name taken, delete
    views_page = parse(ngozi.get("/views").get_data(as_text=True))
    heritage_id = heritage.rsplit("/", 1)[1]
    token = csrf_token(ngozi, "/views")
    assert ngozi.post(f"/views/{heritage_id}/rename",
                      data={"csrf_token": token, "name": "Old maps"}).status_code == 303
    assert "Old maps" in text_of(parse(ngozi.get("/views").get_data(as_text=True)))
    refused = ngozi.post(f"/views/{heritage_id}/rename",
                         data={"csrf_token": token, "name": "Urgent"})
    assert refused.status_code == 409
    assert "You already have a view named" in refused.get_data(as_text=True)
    assert views_page is not None
    assert ngozi.post(f"/views/{heritage_id}/delete",
                      data={"csrf_token": token}).status_code == 303
    listed = parse(ngozi.get("/views").get_data(as_text=True)).select(".saved-views__list a")
    assert "Old maps" not in [text_of(link) for link in listed]

    # Mei sees none of Ngozi's views, and cannot open, rename or delete them
    assert tabs(mei) == []
    assert parse(mei.get("/views").get_data(as_text=True)).select(".saved-views__list") == []
    urgent_id = urgent.rsplit("/", 1)[1]
    mei_token = csrf_token(mei, "/views")
    assert mei.get(f"/views/{urgent_id}").status_code == 404
    assert mei.post(f"/views/{urgent_id}/delete", data={"csrf_token": mei_token}
                    ).status_code == 404
    assert mei.post(f"/views/{urgent_id}/rename",
                    data={"csrf_token": mei_token, "name": "Mine"}).status_code == 404
    assert "Urgent" in tabs(ngozi)


def test_a_view_needs_a_name_and_a_staff_role(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        people(db)
    ngozi, ada = app.test_client(), app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    sign_in(ada, "Ada Requester")
    token = csrf_token(ngozi, "/dashboard")
    refused = ngozi.post("/views", data={"csrf_token": token, "name": "  ", "theme": "heritage"})
    assert refused.status_code == 422
    page = parse(refused.get_data(as_text=True))
    assert "Give the view a name." in text_of(page) and tabs(ngozi) == []
    # the way back keeps the filters that were to be saved
    assert page.select_one('a[href="/dashboard?theme=heritage"]') is not None
    assert ada.get("/views").status_code == 403

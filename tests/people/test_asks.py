"""Asks volunteers can take: a lead posts one, anyone signed in takes it and gives it
back, the lead marks it done; all audited; shown on the group page, /groups, the home
page and the API, which never reveal a case that is not public."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service as case_service
from app.core.audit_log import AuditEvent
from app.people.models import Ask
from tests.factories import join_group, make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.html import one, parse, text_of

SLUG = "translation"
GROUP = f"/groups/{SLUG}"
NEW = f"{GROUP}/asks/new"


def world(app: Flask) -> dict[str, str]:
    """Leila leads Translation; a public case and a private one."""
    with session(app) as db:
        leila = make_user(db, "Leila Lead")
        join_group(db, leila, SLUG, lead=True)
        make_user(db, "Ada Requester").languages = ["sw", "en"]
        make_user(db, "Omar Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        public = make_case(db, make_user(db, "Ada Requester"), title="Public maps")
        case_service.move(db, public, sven, {"helpdesk"}, "triage")
        private = make_case(db, make_user(db, "Ada Requester"), title="Secret herbarium",
                            public_listing=False)
        case_service.move(db, private, sven, {"helpdesk"}, "triage")
        return {"public": public.reference, "private": private.reference}


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def post_ask(client: FlaskClient, **fields: Any) -> Any:
    data = {"csrf_token": csrf_token(client, NEW), "title": "Translate the upload guide",
            "description": "About 2,000 words.", **fields}
    return client.post(NEW, data=data)


def ask_id(app: Flask, title: str = "Translate the upload guide") -> int:
    with session(app) as db:
        return db.scalars(select(Ask.id).where(Ask.title == title)).one()


def act(client: FlaskClient, ask: int, what: str) -> Any:
    return client.post(f"/asks/{ask}/{what}", data={"csrf_token": csrf_token(client, GROUP)})


def home_asks(client: FlaskClient) -> str:
    """The text of the home page's asks section ("" when it has none)."""
    heading = parse(client.get("/")).select_one("#home-asks-heading")
    return text_of(heading.parent) if heading is not None and heading.parent else ""


def audit(app: Flask) -> list[str]:
    with session(app) as db:
        return list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "ask")
                               .order_by(AuditEvent.id)))


def test_the_whole_life_of_an_ask(app: Flask, sign_in: SignIn) -> None:
    world(app)
    leila = signed_in(app, sign_in, "Leila Lead")
    answer = post_ask(leila, languages=["sw"], skills=["translation"])
    assert answer.status_code == 303
    ask = ask_id(app)
    page = parse(leila.get(GROUP))
    assert "Translate the upload guide" in text_of(one(page, f"#ask-{ask}"))
    assert "Swahili" in text_of(one(page, f"#ask-{ask}"))

    ada = signed_in(app, sign_in, "Ada Requester")
    # Ada works in Swahili: the home page offers her the ask.
    assert "Translate the upload guide" in home_asks(ada)
    # Omar works in no language the ask wants, nor does Leila: their home pages do not.
    assert "Translate the upload guide" not in home_asks(signed_in(app, sign_in,
                                                                    "Omar Requester"))
    assert home_asks(leila) == ""
    assert parse(ada.get(GROUP)).select_one(f'#ask-{ask} form[action="/asks/{ask}/take"]')
    assert act(ada, ask, "take").status_code == 303
    assert "You took:" in home_asks(ada) and "Open asks in your languages" not in home_asks(ada)
    page = parse(ada.get(GROUP))
    assert page.select_one(f'#ask-{ask} form[action="/asks/{ask}/give-back"]')
    assert page.select_one(f'#ask-{ask} form[action="/asks/{ask}/done"]') is None
    assert parse(leila.get(GROUP)).select_one(f'#ask-{ask} form[action="/asks/{ask}/done"]')
    omar = signed_in(app, sign_in, "Omar Requester")
    assert parse(omar.get(GROUP)).select_one(f'#ask-{ask} form') is None  # taken by Ada
    assert act(omar, ask, "take").status_code == 409  # taken already
    assert act(omar, ask, "give-back").status_code == 403  # not his
    assert act(ada, ask, "done").status_code == 403  # only leads mark done
    assert act(ada, ask, "give-back").status_code == 303
    assert act(omar, ask, "take").status_code == 303
    assert act(leila, ask, "done").status_code == 303
    assert act(leila, ask, "done").status_code == 409
    assert audit(app) == ["ask.create", "ask.take", "ask.give_back", "ask.take", "ask.done"]
    # Done: no longer listed.
    assert parse(leila.get(GROUP)).select_one(f"#ask-{ask}") is None


def test_only_leads_and_admins_post_asks(app: Flask, client: FlaskClient,
                                         sign_in: SignIn) -> None:
    world(app)
    with session(app) as db:
        join_group(db, make_user(db, "Omar Requester"), SLUG)  # a plain member
    omar = signed_in(app, sign_in, "Omar Requester")
    assert omar.get(NEW).status_code == 403
    assert "Post an ask" not in omar.get(GROUP).get_data(as_text=True)
    admin = signed_in(app, sign_in, "Admin Demo")
    assert post_ask(admin, title="Check licences").status_code == 303
    assert client.get(NEW).status_code == 302  # signed out: sign in first
    leila = signed_in(app, sign_in, "Leila Lead")
    answer = post_ask(leila, title="")
    assert answer.status_code == 400
    assert "Say in a few words what help is needed." in answer.get_data(as_text=True)
    assert audit(app) == ["ask.create"]


def test_a_case_must_be_public_or_referred_and_a_private_one_never_shows(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    cases = world(app)
    leila = signed_in(app, sign_in, "Leila Lead")
    refused = post_ask(leila, case_reference=cases["private"])
    assert refused.status_code == 422
    assert "nor one referred to this group" in refused.get_data(as_text=True)
    assert post_ask(leila, title="Public one", case_reference=cases["public"]).status_code == 303
    [ask] = client.get("/api/v1/asks").get_json()["asks"]
    assert ask["case"]["reference"] == cases["public"]
    assert "taken_by" not in ask
    # The case leaves the public listing: the ask stays, its case no longer shows anywhere.
    from app.cases.models import Case
    with session(app) as db:
        case = db.scalars(select(Case).where(Case.reference == cases["public"])).one()
        case.public_listing = False
    api = client.get("/api/v1/asks").get_json()
    assert [ask["case"] for ask in api["asks"]] == [None]
    text = client.get("/api/v1/asks").get_data(as_text=True)
    assert cases["public"] not in text and cases["private"] not in text
    assert cases["public"] not in client.get(GROUP).get_data(as_text=True)
    assert cases["public"] not in client.get("/groups").get_data(as_text=True)


def test_a_case_referred_to_the_group_may_be_linked_but_stays_hidden(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    cases = world(app)
    from app.cases.models import Case
    from app.groups.models import Referral, WorkingGroup
    with session(app) as db:
        case = db.scalars(select(Case).where(Case.reference == cases["private"])).one()
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == SLUG)).one()
        db.add(Referral(case_id=case.id, group_id=group.id, question="Help?"))
    leila = signed_in(app, sign_in, "Leila Lead")
    assert post_ask(leila, case_reference=cases["private"]).status_code == 303
    assert client.get("/api/v1/asks").get_json()["asks"][0]["case"] is None
    assert cases["private"] not in client.get(GROUP).get_data(as_text=True)
    assert "Secret herbarium" not in client.get("/groups").get_data(as_text=True)


def test_open_asks_show_on_groups_and_the_api_for_everyone(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    world(app)
    leila = signed_in(app, sign_in, "Leila Lead")
    assert post_ask(leila, skills=["translation"], languages=["fr"]).status_code == 303
    section = one(parse(client.get("/groups")), "#all-asks-heading").parent
    assert section is not None and "Translate the upload guide" in text_of(section)
    asks = client.get("/api/v1/asks").get_json()["asks"]
    assert len(asks) == 1
    assert asks[0]["group"]["slug"] == SLUG
    assert asks[0]["skills"] == [{"code": "translation", "name": "Translation"}]
    assert asks[0]["languages"] == ["fr"]
    assert asks[0]["status"] == "open"
    # Signed out, there is no button to take it, only a way to sign in.
    page = parse(client.get(GROUP))
    assert page.select_one('form[action$="/take"]') is None
    assert "Sign in to take an ask" in text_of(page)


def test_a_blocked_account_cannot_take_an_ask(app: Flask, sign_in: SignIn) -> None:
    world(app)
    leila = signed_in(app, sign_in, "Leila Lead")
    post_ask(leila)
    blocked = signed_in(app, sign_in, "Blocked Example")
    assert act(blocked, ask_id(app), "take").status_code == 403
    assert act(blocked, 999999, "take").status_code == 404

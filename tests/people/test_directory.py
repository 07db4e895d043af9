"""The directory of people: only those who opted in, only the fields each chose to show;
skills from the list admins keep."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.core.audit_log import AuditEvent
from app.people.models import DirectoryEntry
from tests.factories import join_group, make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.html import is_checked, one, parse, table_rows, text_of


def people(app: Flask) -> None:
    """Ada (Kenya, Swahili and English, SSA), Omar (Egypt, Arabic), Leila (a listed lead)."""
    with session(app) as db:
        ada = make_user(db, "Ada Requester")
        ada.country, ada.languages, ada.regions = "KE", ["sw", "en"], ["ssa"]
        omar = make_user(db, "Omar Requester")
        omar.country, omar.languages, omar.regions = "EG", ["ar"], ["mena"]
        leila = make_user(db, "Leila Lead", "helpdesk")
        leila.country = "SE"
        join_group(db, leila, "translation", lead=True, listed=True)
        join_group(db, leila, "communication", listed=False)


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def save(client: FlaskClient, **fields: Any) -> Any:
    data = {"csrf_token": csrf_token(client, "/people/me"), **fields}
    return client.post("/people/me", data=data)


def rows(client: FlaskClient, query: str = "") -> dict[str, list[str]]:
    page = parse(client.get(f"/people{query}"))
    if page.select_one("#table-people") is None:
        return {}
    return {row[0]: row[1:] for row in table_rows(page, "#table-people")}


def test_only_people_who_opted_in_appear_with_what_they_chose(
        app: Flask, sign_in: SignIn) -> None:
    people(app)
    ada = signed_in(app, sign_in, "Ada Requester")
    assert rows(ada) == {}  # nobody opted in yet
    assert save(ada, listed="y", show_country="y", show_languages="y",
                skills=["translation", "outreach"], show_skills="y").status_code == 303
    omar = signed_in(app, sign_in, "Omar Requester")
    assert save(omar, show_country="y").status_code == 303  # saved, but not listed
    leila = signed_in(app, sign_in, "Leila Lead")
    assert save(leila, listed="y", show_roles="y").status_code == 303

    found = rows(omar)
    assert set(found) == {"Ada Requester", "Leila Lead"}
    # Ada hid her regions and roles; shows country, languages, skills.
    assert found["Ada Requester"] == ["Kenya", "Swahili, English", "", "Outreach, Translation",
                                      "", ""]
    # Leila shows only her roles: helpdesk, and the group that lists her (not the other).
    assert found["Leila Lead"] == ["", "", "", "", "", "Helpdesk, Translation"]
    table = text_of(one(parse(omar.get("/people")), "#table-people"))
    assert "Communication" not in table and "Sweden" not in table and "Egypt" not in table

    # Filters.
    assert set(rows(omar, "?language=sw")) == {"Ada Requester"}
    assert set(rows(omar, "?skill=outreach")) == {"Ada Requester"}
    assert rows(omar, "?country=SE") == {}  # Leila does not show her country
    assert omar.get("/people?country=ZZ").status_code == 400

    # The audit log keeps each change; the form shows what was saved.
    with session(app) as db:
        assert db.scalars(select(AuditEvent.action)
                          .where(AuditEvent.object_type == "directory_entry")).all() == [
            "directory.update"] * 3
    page = parse(ada.get("/people/me"))
    assert is_checked(page, "skills", "translation") and not is_checked(page, "skills", "metadata")


def test_opting_out_removes_a_person_and_signed_out_visitors_see_nobody(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    people(app)
    ada = signed_in(app, sign_in, "Ada Requester")
    save(ada, listed="y", show_country="y")
    assert "Ada Requester" in rows(ada)
    save(ada, show_country="y")  # the box unticked
    assert rows(ada) == {}
    assert client.get("/people").status_code == 302  # signed out: sign in first
    with session(app) as db:
        assert db.scalars(select(DirectoryEntry.listed)).all() == [False]


def test_admins_keep_the_list_of_skills(app: Flask, sign_in: SignIn) -> None:
    people(app)
    admin = signed_in(app, sign_in, "Admin Demo")
    answer = admin.post("/skills", data={"csrf_token": csrf_token(admin, "/skills"),
                                         "code": "iiif", "name": "IIIF"})
    assert answer.status_code == 303
    again = admin.post("/skills", data={"csrf_token": csrf_token(admin, "/skills"),
                                        "code": "iiif", "name": "IIIF again"})
    assert again.status_code == 409
    wrong = admin.post("/skills", data={"csrf_token": csrf_token(admin, "/skills"),
                                        "code": "Not A Code", "name": "x"})
    assert wrong.status_code == 400
    ada = signed_in(app, sign_in, "Ada Requester")
    assert "IIIF" in text_of(parse(ada.get("/people/me")))
    save(ada, listed="y", skills=["iiif"], show_skills="y")
    from app.people.models import Skill
    with session(app) as db:
        skill_id = db.scalars(select(Skill.id).where(Skill.code == "iiif")).one()
    retire = admin.post(f"/skills/{skill_id}/retire",
                        data={"csrf_token": csrf_token(admin, "/skills")})
    assert retire.status_code == 303
    omar = signed_in(app, sign_in, "Omar Requester")
    assert 'value="iiif"' not in omar.get("/people/me").get_data(as_text=True)
    # Ada keeps it, and still shows it.
    assert 'value="iiif"' in ada.get("/people/me").get_data(as_text=True)
    assert rows(omar)["Ada Requester"][3] == "IIIF"
    assert ada.get("/skills").status_code == 403


def listed_volunteers(app: Flask, count: int) -> None:
    """`count` listed volunteers: the even ones speak Swahili, the odd ones hide their
    languages (and speak it too); every third speaks only en-GB."""
    from app.auth.models import User

    with session(app) as db:
        for n in range(count):
            user = User(central_id=90_000 + n, username=f"Volunteer {n:03d}",
                        languages=["en-gb"] if n % 3 == 0 else ["sw", "fr"])
            db.add(user)
            db.flush()
            db.add(DirectoryEntry(user_id=user.id, listed=True, show_languages=n % 2 == 0,
                                  skills=[]))


def pager_links(client: FlaskClient, query: str) -> dict[str, str]:
    nav = parse(client.get(f"/people{query}")).select_one("nav.pagination")
    if nav is None:
        return {}
    links = {str(link["rel"][0]): str(link["href"]) for link in nav.select("a[rel]")}
    current = nav.select_one("[aria-current=page]")
    assert current is not None
    return {**links, "current": text_of(current)}


def test_the_directory_comes_in_pages_that_keep_the_filters(
        app: Flask, sign_in: SignIn) -> None:
    people(app)
    listed_volunteers(app, 130)
    ada = signed_in(app, sign_in, "Ada Requester")

    first = rows(ada)
    assert list(first) == [f"Volunteer {n:03d}" for n in range(50)]
    assert pager_links(ada, "") == {"next": "/people?page=2", "current": "Page 1 of 3"}
    third = rows(ada, "?page=3")
    assert list(third) == [f"Volunteer {n:03d}" for n in range(100, 130)]
    assert pager_links(ada, "?page=3") == {"prev": "/people?page=2", "current": "Page 3 of 3"}
    assert list(rows(ada, "?page=99")) == list(third)  # past the end: the last page
    assert list(rows(ada, "?page=zero")) == list(first)

    # Swahili: only those who show their languages (even numbers), not the en-GB ones
    # (multiples of 3): 43 people, one page; "en" finds nobody ("en-gb" is not "en").
    swahili = [f"Volunteer {n:03d}" for n in range(130) if n % 2 == 0 and n % 3]
    assert list(rows(ada, "?language=sw")) == swahili[:50] and len(swahili) == 43
    assert pager_links(ada, "?language=sw") == {}
    assert rows(ada, "?language=en") == {}
    assert len(rows(ada, "?language=en-gb")) == 22  # even multiples of 3 below 130

    listed_volunteers_more(app)
    assert pager_links(ada, "?language=sw") == {"next": "/people?page=2&language=sw",
                                                 "current": "Page 1 of 2"}
    # 43 + 10: the second page holds the last three.
    assert list(rows(ada, "?language=sw&page=2")) == [f"Zanzibar volunteer {n:02d}"
                                                      for n in range(7, 10)]


def listed_volunteers_more(app: Flask) -> None:
    """Ten more listed volunteers who show their Swahili (sorted after the others)."""
    from app.auth.models import User

    with session(app) as db:
        for n in range(10):
            user = User(central_id=95_000 + n, username=f"Zanzibar volunteer {n:02d}",
                        languages=["sw"])
            db.add(user)
            db.flush()
            db.add(DirectoryEntry(user_id=user.id, listed=True, skills=[]))

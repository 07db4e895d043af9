"""Themes of the right people (issue #18): affiliates and directory entries carry the
cases' themes; the case page suggests by theme together with countries and languages,
best matches first, saying why each matched; a person's hidden themes never show or
match."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.core.audit_log import AuditEvent
from app.people.models import Affiliate, DirectoryEntry
from tests.factories import make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.html import is_checked, parse, table_rows, text_of


def signed_in(app: Flask, sign_in: SignIn, username: str, *roles: str) -> FlaskClient:
    with session(app) as db:
        make_user(db, username, *roles)
    client = app.test_client()
    sign_in(client, username)
    return client


def save_entry(client: FlaskClient, **fields: Any) -> Any:
    return client.post("/people/me", data={"csrf_token": csrf_token(client, "/people/me"),
                                           **fields})


def directory(client: FlaskClient, query: str = "") -> dict[str, list[str]]:
    page = parse(client.get(f"/people{query}"))
    if page.select_one("#table-people") is None:
        return {}
    return {row[0]: row[1:] for row in table_rows(page, "#table-people")}


def test_people_pick_themes_and_the_directory_shows_them_only_if_they_chose(
        app: Flask, sign_in: SignIn) -> None:
    leila = signed_in(app, sign_in, "Leila Lead")
    assert save_entry(leila, listed="y", themes=["heritage", "health"],
                      show_themes="y").status_code == 303
    hidden = signed_in(app, sign_in, "Mei Committee")
    assert save_entry(hidden, listed="y", themes=["health"]).status_code == 303  # not shown
    assert save_entry(hidden, listed="y", themes=["astrology"]).status_code == 400

    viewer = signed_in(app, sign_in, "Omar Requester")
    found = directory(viewer)
    # Username → country, languages, regions, skills, themes, roles (in the list's order).
    assert found["Leila Lead"][4] == "Health, Cultural heritage"
    assert found["Mei Committee"][4] == ""
    assert set(directory(viewer, "?theme=health")) == {"Leila Lead"}
    assert directory(viewer, "?theme=climate") == {}
    assert viewer.get("/people?theme=astrology").status_code == 400

    page = parse(leila.get("/people/me"))
    assert is_checked(page, "themes", "heritage") and is_checked(page, "themes", "health")
    assert not is_checked(page, "themes", "gender") and is_checked(page, "show_themes", "y")
    with session(app) as db:
        after = db.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "directory.update").order_by(AuditEvent.id)).first()
        assert after is not None
        assert after["themes"] == ["health", "heritage"] and after["show_themes"] is True


def test_admins_give_affiliates_themes_and_everyone_sees_them(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    admin = signed_in(app, sign_in, "Admin Demo")
    form = {"csrf_token": csrf_token(admin, "/affiliates/new"), "name": "WikiProject Med",
            "kind": "thematic", "themes": ["health", "science"], "active": "y"}
    assert admin.post("/affiliates/new", data=form).status_code == 303
    assert admin.post("/affiliates/new", data={**form, "name": "Other",
                                               "themes": ["astrology"]}).status_code == 400
    rows = table_rows(parse(client.get("/affiliates")), "#table-affiliates")
    assert rows == [["WikiProject Med", "Thematic organisation", "", "Health, Science", ""]]
    with session(app) as db:
        affiliate = db.scalars(select(Affiliate)).one()
        affiliate_id = affiliate.id
    edit = f"/affiliates/{affiliate_id}/edit"
    page = parse(admin.get(edit))
    assert is_checked(page, "themes", "health") and not is_checked(page, "themes", "gender")
    assert admin.post(edit, data={**form, "themes": ["health"]}).status_code == 303
    with session(app) as db:
        assert db.scalars(select(Affiliate.themes)).one() == ["health"]
        changed = db.scalars(select(AuditEvent).where(
            AuditEvent.action == "affiliate.update")).one()
        assert (changed.before or {})["themes"] == ["health", "science"]
        assert (changed.after or {})["themes"] == ["health"]


def upload(client: FlaskClient, text: str) -> Any:
    return client.post("/affiliates/import", data={
        "csrf_token": csrf_token(client, "/affiliates/import"),
        "file": (io.BytesIO(text.encode()), "affiliates.csv"),
    }, content_type="multipart/form-data")


def themes_of(app: Flask) -> dict[str, list[str]]:
    with session(app) as db:
        return {a.name: list(a.themes) for a in db.scalars(select(Affiliate))}


def test_the_csv_import_takes_themes_by_short_name_or_name(
        app: Flask, sign_in: SignIn) -> None:
    admin = signed_in(app, sign_in, "Admin Demo")
    page = parse(admin.get("/affiliates/import"))
    assert ["human_rights", "Human rights"] in table_rows(page, "#table-themes")
    good = ("name,kind,countries,themes\n"
            "Wiki Loves Monuments Sverige,thematic,SE,heritage\n"
            "Art+Feminism,user_group,,gender equity; Cultural Heritage ;\n"
            "Wikimedia Norge,chapter,NO,\n"
            "Climate group,thematic,,Climate-and-environment;human rights;climate\n")
    assert upload(admin, good).status_code == 303
    assert themes_of(app) == {"Wiki Loves Monuments Sverige": ["heritage"],
                              "Art+Feminism": ["gender", "heritage"],
                              "Wikimedia Norge": [],
                              "Climate group": ["climate", "human_rights"]}

    bad = ("name,kind,countries,themes\n"
           "Wikimedia Norge,chapter,NO,heritage\n"
           "Astro,thematic,,astrology;health;GLAM\n")
    answer = upload(admin, bad)
    assert answer.status_code == 422
    errors = [text_of(item) for item in parse(answer).select("#import-errors li")]
    assert len(errors) == 1 and errors[0].startswith("Line 3: Unknown themes: astrology, GLAM")
    assert themes_of(app)["Wikimedia Norge"] == []  # nothing imported

    # A file without a themes column leaves the themes as they are.
    assert upload(admin, "name,kind,countries\nArt+Feminism,thematic,US\n").status_code == 303
    assert themes_of(app)["Art+Feminism"] == ["gender", "heritage"]
    # An empty themes cell clears them.
    assert upload(admin, "name,kind,countries,themes\nArt+Feminism,thematic,US,\n"
                  ).status_code == 303
    assert themes_of(app)["Art+Feminism"] == []


def person(db: Any, central_id: int, name: str, languages: list[str], themes: list[str], *,
           show_themes: bool = True) -> None:
    user = User(central_id=central_id, username=name, languages=languages)
    db.add(user)
    db.flush()
    db.add(DirectoryEntry(user_id=user.id, listed=True, skills=[], themes=themes,
                          show_country=True, show_languages=True, show_skills=True,
                          show_regions=True, show_roles=True, show_themes=show_themes))


def test_the_case_page_ranks_suggestions_by_theme_country_and_language(
        app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        case = make_case(db, make_user(db, "Ada Requester"), countries=["SE"],
                         languages=["sv", "en"], themes=["heritage", "gender"],
                         support_types=[])
        reference = case.reference
        db.add_all([
            Affiliate(name="Wikimedia Sverige", kind="chapter", countries=["SE"],
                      themes=["heritage", "education"], active=True),
            Affiliate(name="Art+Feminism", kind="user_group", countries=[],
                      themes=["heritage", "gender"], active=True),
            Affiliate(name="Svenska Wikimedianer", kind="user_group", countries=["SE"],
                      themes=[], active=True),
            Affiliate(name="Wiki Loves Monuments Sverige", kind="thematic", countries=[],
                      themes=["heritage"], active=True),
            Affiliate(name="WikiProject Med", kind="thematic", countries=[],
                      themes=["health"], active=True),
            Affiliate(name="Old Heritage Group", kind="user_group", countries=[],
                      themes=["heritage"], active=False),
        ])
        person(db, 91_001, "Hanna Heritage", ["sv"], ["heritage"])
        person(db, 91_002, "Bilingual Bo", ["en", "sv"], [])
        person(db, 91_003, "Greta Gender", ["fi"], ["gender"])
        person(db, 91_004, "Hidden Interest", ["fi"], ["heritage", "gender"],
               show_themes=False)
    helpdesk = signed_in(app, sign_in, "Sven Helpdesk", "helpdesk")
    page = parse(helpdesk.get(f"/requests/{reference}"))
    # Two ways first (country or language, and theme); then one way with two things;
    # then one way with one thing, by name.
    assert [text_of(item) for item in page.select("#suggested-affiliates li")] == [
        "Wikimedia Sverige (Chapter): country: Sweden, theme: Cultural heritage",
        "Art+Feminism (User group): theme: Gender equity, theme: Cultural heritage",
        "Svenska Wikimedianer (User group): country: Sweden",
        "Wiki Loves Monuments Sverige (Thematic organisation): theme: Cultural heritage",
    ]
    assert [text_of(item) for item in page.select("#suggested-people li")] == [
        "Hanna Heritage: language: Swedish, theme: Cultural heritage",
        "Bilingual Bo: language: English, language: Swedish",
        "Greta Gender: theme: Gender equity",
    ]
    assert "Hidden Interest" not in text_of(page)

    # At most ten of each, the best kept.
    with session(app) as db:
        db.add_all([Affiliate(name=f"Heritage group {n:02d}", kind="user_group",
                              countries=[], themes=["heritage"], active=True)
                    for n in range(10)])
    listed = [text_of(item).split(" (")[0] for item in
              parse(helpdesk.get(f"/requests/{reference}")).select("#suggested-affiliates li")]
    assert listed == ["Wikimedia Sverige", "Art+Feminism",
                      *[f"Heritage group {n:02d}" for n in range(8)]]

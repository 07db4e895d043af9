"""“Filling the gaps” counts the country each working-group member sets in their
preferences (issue #16: before, only a membership's own country counted, and no form
set it)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.groups.models import WorkingGroup
from tests.factories import join_group, make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.stats.test_stats import fixture, tables_of

TITLE = "Countries with requests and no affiliate or member"


def test_a_members_country_from_their_preferences_fills_a_gap(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    with session(app) as db:
        fixture(db)  # gaps: Kenya (2 requests), France (1)
        join_group(db, make_user(db, "Omar Requester"), "translation")
        db.commit()
    assert [row[0] for row in tables_of(client, "/gaps")[TITLE]] == ["France", "Kenya"]

    omar = app.test_client()
    sign_in(omar, "Omar Requester")
    assert omar.post("/preferences", data={
        "csrf_token": csrf_token(omar, "/preferences"), "country": "KE",
    }).status_code == 303

    assert [row[0] for row in tables_of(client, "/gaps")[TITLE]] == ["France"]


def test_only_members_of_active_groups_count(app: Flask, client: FlaskClient) -> None:
    with session(app) as db:
        fixture(db)
        make_user(db, "Not In A Group").country = "KE"
        archived_member = make_user(db, "Archived Member")
        archived_member.country = "FR"
        join_group(db, archived_member, "evaluation")
        assert db.scalars(select(WorkingGroup.archived)
                          .where(WorkingGroup.slug == "evaluation")).one()
        db.commit()
    assert [row[0] for row in tables_of(client, "/gaps")[TITLE]] == ["France", "Kenya"]

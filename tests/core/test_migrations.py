"""Alembic migrations: up, down, up again; models match; utf8mb4 round-trips; rows of
every table survive an upgrade from every earlier revision, and a step down and up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import schema
from app.core.backup import SEEDED_TABLES
from app.core.db import get_session
from app.core.models import Base
from app.core.schema import metadata
from app.search.index import is_index_object
from tests.core.world import (
    REVISIONS,
    app_on,
    build_world,
    columns_at,
    columns_of,
    insert_rows,
    rows_of,
    scratch_database,
)


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same engine as the suite's (a new schema on MariaDB)."""
    with scratch_database(tmp_path) as url:
        yield url


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {name for name in inspect(engine).get_table_names()
                if name != "alembic_version" and not is_index_object(name)}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(scratch_url: str) -> None:
    schema.upgrade(scratch_url)
    assert tables(scratch_url) == set(metadata().tables)
    schema.downgrade(scratch_url, "base")
    assert tables(scratch_url) == set()
    schema.upgrade(scratch_url)
    assert tables(scratch_url) == set(metadata().tables)


def test_models_match_migrations(scratch_url: str) -> None:
    schema.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={
                "compare_type": True,
                # The full-text search's FTS5 tables and FULLTEXT indexes are no models.
                "include_object": lambda _o, name, *_: not is_index_object(name)}),
            metadata()
        )
    engine.dispose()
    assert diff == [], f"models differ from migrations; write a migration: {diff}"


@pytest.mark.parametrize("name", ["مستخدم عربي", "বাংলা ব্যবহারকারী", "Emoji 🦒🌍 User", "Ñandú Çà"])
def test_names_round_trip(scratch_url: str, name: str) -> None:
    schema.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with Session(engine) as db:
        db.add(User(central_id=7, username=name))
        db.commit()
    with Session(engine) as db:
        assert db.scalars(select(User.username)).one() == name
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            charsets = conn.execute(text(
                "SELECT DISTINCT CCSA.character_set_name FROM information_schema.TABLES T "
                "JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY CCSA "
                "ON CCSA.collation_name = T.table_collation WHERE T.table_schema = DATABASE()"
            )).scalars().all()
        assert set(charsets) == {"utf8mb4"}
    engine.dispose()


def _schema(url: str, table: str) -> tuple[list[str], list[tuple[str, tuple[str, ...]]], list[Any]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return ([column["name"] for column in found.get_columns(table)],
                sorted((index["name"], tuple(index["column_names"]))
                       for index in found.get_indexes(table)),
                sorted(str(sorted(c["column_names"])) for c in found.get_unique_constraints(table)))
    finally:
        engine.dispose()


def test_0004_backfills_is_open_and_goes_back_cleanly(scratch_url: str) -> None:
    """0004 adds cases.is_open from the state, and its indexes; down again, nothing else
    changes and no row is lost."""
    schema.upgrade(scratch_url, "0003")
    before = {name: _schema(scratch_url, name) for name in ("cases", "audit_events")}
    engine = create_engine(scratch_url)
    states = ["submitted", "in_support", "closed", "declined", "withdrawn", "approved"]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (name, normalised_name, kind, themes, "
                          "created_at) VALUES ('Museum', 'museum', 'glam', '[]', :now)"),
                     {"now": "2026-11-27 10:00:00"})
        for number, state in enumerate(states, start=1):
            conn.execute(text(
                "INSERT INTO cases (reference, year, number, version, title, description, "
                "organisation_id, request_type, content_kinds, content_volume, licence, "
                "licence_details, licence_flagged, target_projects, themes, countries, "
                "languages, support_types, support_details, timeline, public_listing, "
                "public_summary, contact_name, contact_email, contact_username, channel, "
                "state, priority, created_at, updated_at, state_changed_at, "
                "stage_started_at, paused_seconds) VALUES (:ref, 2026, :number, 1, 'T', 'D', "
                "1, 'other', '[]', '', 'cc0', '', 0, '[]', '[]', '[]', '[]', '[]', '', '', 1, "
                "'', '', '', '', 'web', :state, 'normal', :now, :now, :now, :now, 0)"),
                {"ref": f"CPH-2026-{number:04d}", "number": number, "state": state,
                 "now": "2026-11-27 10:00:00"})
    schema.upgrade(scratch_url)
    with engine.connect() as conn:
        flags = dict(conn.execute(text("SELECT state, is_open FROM cases")).all())
    assert {state: bool(flag) for state, flag in flags.items()} == {
        "submitted": True, "in_support": True, "approved": True,
        "closed": False, "declined": False, "withdrawn": False}
    indexes = dict(_schema(scratch_url, "cases")[1])
    assert indexes["ix_cases_open_queue"] == ("is_open", "state_changed_at", "id")
    assert indexes["ix_cases_public_order"][0] == "public_listing"
    assert dict(_schema(scratch_url, "audit_events")[1])["ix_audit_events_object"] == (
        "object_type", "object_id", "id")

    schema.downgrade(scratch_url, "0003")
    assert {name: _schema(scratch_url, name) for name in ("cases", "audit_events")} == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == len(states)
    engine.dispose()
    schema.upgrade(scratch_url)


def test_0005_public_only_when_the_helpdesk_accepted(scratch_url: str) -> None:
    """0005 backfills `cases.accepted_at` from the audit log: a consented request withdrawn
    or closed before triage is no longer public; triaged and reopened ones stay."""
    schema.upgrade(scratch_url, "0004")
    engine = create_engine(scratch_url)
    # reference number: (state, the case's move actions in the audit log)
    history = {1: ("withdrawn", ["withdraw"]), 2: ("closed", ["close_duplicate"]),
               3: ("withdrawn", ["triage", "withdraw"]), 4: ("in_initial_review", ["triage"]),
               5: ("in_initial_review", ["withdraw", "reopen"]), 6: ("submitted", []),
               7: ("approved", [])}  # 7: written by hand, no audit trail
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (name, normalised_name, kind, themes, "
                          "created_at) VALUES ('Museum', 'museum', 'glam', '[]', :now)"),
                     {"now": "2026-11-27 10:00:00"})
        for number, (state, actions) in history.items():
            conn.execute(text(
                "INSERT INTO cases (id, reference, year, number, version, title, description, "
                "organisation_id, request_type, content_kinds, content_volume, licence, "
                "licence_details, licence_flagged, target_projects, themes, countries, "
                "languages, support_types, support_details, timeline, public_listing, "
                "public_summary, contact_name, contact_email, contact_username, channel, "
                "state, is_open, priority, created_at, updated_at, state_changed_at, "
                "stage_started_at, paused_seconds) VALUES (:number, :ref, 2026, :number, 1, "
                "'T', 'D', 1, 'other', '[]', '', 'cc0', '', 0, '[]', '[]', '[]', '[]', '[]', "
                "'', '', 1, '', '', '', '', 'web', :state, 1, 'normal', :now, :now, :now, "
                ":now, 0)"),
                {"ref": f"CPH-2026-{number:04d}", "number": number, "state": state,
                 "now": "2026-11-27 10:00:00"})
            for hour, action in enumerate(actions, start=11):
                conn.execute(text(
                    "INSERT INTO audit_events (created_at, action, object_type, object_id) "
                    "VALUES (:at, :action, 'case', :id)"),
                    {"at": f"2026-11-27 {hour}:00:00", "action": f"case.{action}",
                     "id": str(number)})
    schema.upgrade(scratch_url)
    with engine.connect() as conn:
        accepted = dict(conn.execute(text("SELECT number, accepted_at FROM cases")).all())
    assert {number: str(at)[:16] if at else None for number, at in accepted.items()} == {
        1: None, 2: None, 3: "2026-11-27 11:00", 4: "2026-11-27 11:00",
        5: "2026-11-27 12:00", 6: None, 7: "2026-11-27 10:00"}
    assert dict(_schema(scratch_url, "cases")[1])["ix_cases_public_order"][-1] == "accepted_at"
    schema.downgrade(scratch_url, "0004")
    assert "accepted_at" not in _schema(scratch_url, "cases")[0]
    engine.dispose()
    schema.upgrade(scratch_url)


def test_0008_moves_committee_profiles_into_users(scratch_url: str) -> None:
    """0008 gives every user a country, languages and regions (set on the preferences
    page), fills the languages and regions from the committee profiles it drops; down
    again, the profiles come back from what people gave."""
    schema.upgrade(scratch_url, "0007")
    engine = create_engine(scratch_url)
    now = {"now": "2026-12-01 10:00:00"}
    with engine.begin() as conn:
        for user_id, name in ((1, "Ngozi"), (2, "Ada"), (3, "Mei")):
            conn.execute(text(
                "INSERT INTO users (id, central_id, username, blocked, email_notifications, "
                "created_at) VALUES (:id, :id, :name, 0, 1, :now)"),
                {"id": user_id, "name": name, **now})
        conn.execute(text(
            "INSERT INTO committee_profiles (user_id, languages, regions, updated_at) VALUES "
            "(1, '[\"yo\", \"en\"]', '[\"ssa\"]', :now), (3, '[]', '[\"eseap\"]', :now)"),
            now)
    schema.upgrade(scratch_url)
    assert "committee_profiles" not in tables(scratch_url)
    with Session(engine) as db:
        found = {user.username: (user.country, user.languages, user.regions)
                 for user in db.scalars(select(User))}
        assert found == {"Ngozi": (None, ["yo", "en"], ["ssa"]), "Ada": (None, [], []),
                         "Mei": (None, [], ["eseap"])}
        ada = db.scalars(select(User).where(User.username == "Ada")).one()
        ada.country, ada.languages = "KE", ["sw"]
        db.commit()
    schema.downgrade(scratch_url, "0007")
    with engine.connect() as conn:
        profiles = conn.execute(text(
            "SELECT user_id, languages, regions FROM committee_profiles ORDER BY user_id")).all()
    assert [(user_id, json.loads(languages), json.loads(regions))
            for user_id, languages, regions in profiles] == [
        (1, ["yo", "en"], ["ssa"]), (2, ["sw"], []), (3, [], ["eseap"])]
    engine.dispose()
    schema.upgrade(scratch_url)


@pytest.fixture(scope="module")
def world_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Rows in every table, as the app writes them today (read from a scratch database)."""
    with scratch_database(tmp_path_factory.mktemp("world")) as url:
        schema.upgrade(url)
        build_world(url)
        rows = rows_of(url)
    assert all(rows.values()), [name for name, found in rows.items() if not found]
    return rows


def _cut(rows: dict[str, list[dict[str, Any]]],
         columns: dict[str, set[str]]) -> dict[str, list[dict[str, Any]]]:
    """The rows of those tables, with those columns only (a table a later migration
    dropped has no rows today: see test_0008_moves_committee_profiles_into_users)."""
    return {name: [{key: value for key, value in row.items() if key in kept}
                   for row in rows[name]] for name, kept in columns.items() if name in rows}


def _app_reads(url: str, rows: dict[str, list[dict[str, Any]]],
               columns: dict[str, set[str]]) -> None:
    """Every model loads every row of its table, and the public pages show them."""
    app = app_on(url)
    try:
        with app.app_context():
            db = get_session()
            for mapper in Base.registry.mappers:
                loaded = db.scalars(select(mapper.class_)).all()
                for item in loaded:
                    for attribute in mapper.column_attrs:
                        getattr(item, attribute.key)
                if mapper.local_table.name in columns:
                    assert len(loaded) == len(rows[mapper.local_table.name]), mapper
        client = app.test_client()
        for page in ("/", "/cases", "/cases.atom", "/groups", "/api/v1/cases",
                     "/api/v1/working-groups"):
            assert client.get(page).status_code == 200, page
        if "cases" in columns:
            listed = client.get("/api/v1/cases").get_json()["cases"]
            assert listed, "no case is public after the upgrade"
            for case in listed:
                assert client.get(f"/cases/{case['reference']}").status_code == 200
                assert client.get(f"/api/v1/cases/{case['reference']}").status_code == 200
    finally:
        app.extensions["database"].engine.dispose()


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_upgrade_from_an_earlier_revision_keeps_the_rows(
        scratch_url: str, world_rows: dict[str, list[dict[str, Any]]], revision: str) -> None:
    """Rows written at `revision` (today's rows, cut down to the tables and columns it
    had) come through every later migration unchanged, and the app reads them."""
    schema.upgrade(scratch_url, revision)
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        then = columns_at(conn)
        insert_rows(conn, world_rows, replace=SEEDED_TABLES)
    engine.dispose()

    schema.upgrade(scratch_url)

    assert rows_of(scratch_url, then) == _cut(world_rows, then)
    _app_reads(scratch_url, world_rows, then)


def test_one_step_down_and_up_again_keeps_the_rows(
        scratch_url: str, world_rows: dict[str, list[dict[str, Any]]]) -> None:
    """Downgrading the newest migration keeps every row of the tables both revisions
    have; upgrading again brings back the same rows."""
    schema.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        insert_rows(conn, world_rows, replace=SEEDED_TABLES)
        at_head = columns_at(conn)
    schema.downgrade(scratch_url, "-1")
    with engine.connect() as conn:
        below = columns_at(conn)
    engine.dispose()
    both = {name: found & at_head[name] for name, found in below.items() if name in at_head}
    assert rows_of(scratch_url, both) == _cut(world_rows, both)

    schema.upgrade(scratch_url)

    assert rows_of(scratch_url, both) == _cut(world_rows, both)
    assert columns_of(scratch_url) == at_head
    _app_reads(scratch_url, world_rows, both)  # a table the newest migration made is empty

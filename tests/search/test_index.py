"""The search index in the database: built from the rows already there when migration
0014 runs, gone when it is undone, and (SQLite) kept by triggers that every upgrade puts
back. Runs on the suite's database (SQLite, or MariaDB with TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.cases.models import CaseMessage
from app.core import backup, schema
from app.search.index import FTS, SEARCH_TEXTS, is_index_object, repair
from app.search.queries import full_text
from tests.conftest import empty_all_tables
from tests.core.world import scratch_database
from tests.factories import make_case
from tests.helpers import app_session


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    with scratch_database(tmp_path) as url:
        yield url


def found(url: str, source: str, column: str, word: str) -> set[int]:
    engine = create_engine(url)
    try:
        with Session(engine) as db:
            ft = full_text(db)
            return set(db.scalars(ft.matches(source, column, ft.expression(column, [word]))))
    finally:
        engine.dispose()


def index_objects(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        names = set(found.get_table_names())
        for table in ("cases", "organisations", "case_messages"):
            names |= {index["name"] for index in found.get_indexes(table)}
        return {name for name in names if is_index_object(name)}
    finally:
        engine.dispose()


def fill(url: str) -> int:
    """An organisation, a case and a message, in plain SQL (the tables as migration 0013
    left them; later migrations do not matter here); the case's id."""
    engine = create_engine(url)
    now = {"now": "2026-11-27 10:00:00"}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (name, normalised_name, kind, themes, "
                          "created_at) VALUES ('Quokka Foundation', 'quokka foundation', "
                          "'glam', '[]', :now)"), now)
        conn.execute(text(
            "INSERT INTO cases (reference, year, number, version, title, description, "
            "organisation_id, request_type, content_kinds, content_volume, licence, "
            "licence_details, licence_flagged, target_projects, themes, countries, "
            "languages, support_types, support_details, timeline, public_listing, "
            "public_summary, contact_name, contact_email, contact_username, channel, "
            "state, priority, created_at, updated_at, state_changed_at, "
            "stage_started_at, paused_seconds) VALUES ('CPH-2026-0001', 2026, 1, 1, "
            "'Herbarium sheets', 'Lighthouses', (SELECT MAX(id) FROM organisations), "
            "'other', '[]', '', 'cc0', '', 0, '[]', '[]', '[]', '[]', '[]', '', '', 1, "
            "'', '', '', '', 'web', 'submitted', 'normal', :now, :now, :now, :now, 0)"), now)
        case_id = int(conn.execute(text("SELECT MAX(id) FROM cases")).scalar_one())
        conn.execute(text("INSERT INTO case_messages (case_id, internal, body, created_at) "
                          "VALUES (:case, 1, 'The kalimba recordings', :now)"),
                     {"case": case_id, **now})
    engine.dispose()
    return case_id


def test_the_upgrade_indexes_the_rows_already_there_and_the_downgrade_removes_it(
        scratch_url: str) -> None:
    schema.upgrade(scratch_url, "0013")
    case_id = fill(scratch_url)
    schema.upgrade(scratch_url, "0014")
    assert found(scratch_url, "cases", "title", "herbarium") == {case_id}
    schema.downgrade(scratch_url, "0013")
    assert index_objects(scratch_url) == set()
    schema.upgrade(scratch_url, "0014")
    assert index_objects(scratch_url)
    assert found(scratch_url, "cases", "title", "herbarium") == {case_id}
    assert found(scratch_url, "cases", "description", "lighthouse") == {case_id}
    assert found(scratch_url, "organisations", "name", "quokka")
    assert found(scratch_url, "cases", "title", "lighthouse") == set()  # fields kept apart


def test_0018_gathers_the_messages_already_there_per_case(scratch_url: str) -> None:
    schema.upgrade(scratch_url, "0017")
    case_id = fill(scratch_url)  # one internal message
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO case_messages (case_id, internal, body, created_at) "
                          "VALUES (:case, 0, 'Theremin tapes', '2026-11-27 11:00:00')"),
                     {"case": case_id})
    engine.dispose()
    schema.upgrade(scratch_url, "0018")
    assert found(scratch_url, "search_texts", "all_messages", "kalimba") == {case_id}
    assert found(scratch_url, "search_texts", "all_messages", "theremin") == {case_id}
    assert found(scratch_url, "search_texts", "messages", "theremin") == {case_id}
    assert found(scratch_url, "search_texts", "messages", "kalimba") == set()  # internal
    schema.downgrade(scratch_url, "0017")
    assert "search_texts" not in index_objects(scratch_url)
    schema.upgrade(scratch_url)
    assert found(scratch_url, "search_texts", "messages", "theremin") == {case_id}


def test_an_import_rebuilds_the_messages_text_it_leaves_out(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as source, scratch_database(tmp_path) as target:
        schema.upgrade(source, "0017")
        case_id = fill(source)
        schema.upgrade(source)
        schema.upgrade(target)
        path = tmp_path / "backup.jsonl"
        engine = create_engine(source)
        backup.export_database(engine, path)
        engine.dispose()
        assert "search_texts" not in path.read_text()
        engine = create_engine(target)
        backup.import_database(engine, path)
        engine.dispose()
        assert found(target, "search_texts", "all_messages", "kalimba") == {case_id}


def test_every_upgrade_puts_back_triggers_a_rebuilt_table_lost(scratch_url: str) -> None:
    schema.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    assert repair(engine) == []  # nothing missing after a plain upgrade
    if engine.dialect.name == "sqlite":
        # What Alembic's batch mode does to a table's triggers (copy, drop, rename).
        with engine.begin() as conn:
            for fts, _source, _columns, _key in FTS:
                for suffix in ("ai", "ad", "au"):
                    conn.execute(text(f"DROP TRIGGER {fts}_{suffix}"))
    engine.dispose()
    case_id = fill(scratch_url)
    schema.upgrade(scratch_url)  # already there: only the repair runs
    assert found(scratch_url, "cases", "title", "herbarium") == {case_id}
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET title = 'Seaweed pressings'"))
    engine.dispose()
    assert found(scratch_url, "cases", "title", "herbarium") == set()
    assert found(scratch_url, "cases", "title", "seaweed") == {case_id}


def test_the_suites_reset_leaves_no_message_text_behind(app: Flask,
                                                         database_url: str) -> None:
    """search_texts is the index's own table, not a model: the reset between tests
    empties it too, or a case of a later test (SQLite reuses the id) would be found by
    the messages of an earlier test's case."""
    with app_session(app) as db:
        case = make_case(db, None)
        db.add(CaseMessage(case_id=case.id, body="Ocelot sightings", internal=False))
    empty_all_tables(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(SEARCH_TEXTS)).scalar() == 0
    finally:
        engine.dispose()

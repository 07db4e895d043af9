"""Alembic migrations: up, down, up again; models match; utf8mb4 round-trips."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import schema
from app.models import Base, User


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same engine as the suite's (a new schema on MariaDB)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"helpdesk_scratch_{uuid.uuid4().hex[:8]}"
    server = create_engine(make_url(base).set(database=""))
    with server.begin() as conn:
        conn.execute(text(
            f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
    try:
        yield str(make_url(base).set(database=name).render_as_string(hide_password=False))
    finally:
        with server.begin() as conn:
            conn.execute(text(f"DROP DATABASE {name}"))
        server.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(scratch_url: str) -> None:
    schema.upgrade(scratch_url)
    assert tables(scratch_url) == set(Base.metadata.tables)
    schema.downgrade(scratch_url, "base")
    assert tables(scratch_url) == set()
    schema.upgrade(scratch_url)
    assert tables(scratch_url) == set(Base.metadata.tables)


def test_models_match_migrations(scratch_url: str) -> None:
    schema.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
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

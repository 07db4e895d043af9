"""Run Alembic from the app: `flask --app app db upgrade|downgrade|current|revision`."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

from app.core.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"

# Every module that defines tables (each feature keeps its own in `models.py`).
MODEL_MODULES = ("app.auth.models", "app.core.audit_log", "app.partners.models",
                 "app.queue.models",
                 "app.cases.models", "app.committee.models", "app.groups.models",
                 "app.notifications.models", "app.mail.models", "app.wikicheck.models",
                 "app.attachments.models", "app.people.models", "app.attention.models",
                 "app.meetings.models", "app.role_requests.models")


def metadata() -> MetaData:
    """The metadata of every table of the app (imports each feature's models)."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at our scripts and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def _ensure_sqlite_dir(database_url: str) -> None:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate up to `revision`."""
    _ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), revision)
    _repair_search_index(database_url)


def _repair_search_index(database_url: str) -> None:
    """SQLite drops a table's triggers with it (Alembic's batch mode): put back those of
    the full-text search (app.search.index)."""
    from sqlalchemy import create_engine

    from app.search.index import repair

    engine = create_engine(database_url)
    try:
        repair(engine)
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str = "-1") -> None:
    """Migrate down to `revision` ("base" removes every table)."""
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> None:
    """Print the current revision."""
    command.current(alembic_config(database_url), verbose=False)


def revision(database_url: str, message: str, autogenerate: bool = True) -> None:
    """Write a new migration script (compared against the models)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=autogenerate)

"""The full-text indexes in the database (made by migration 0014), and their upkeep.

MariaDB keeps its FULLTEXT indexes (`ftx_…`) current by itself. On SQLite the FTS5
tables (`search_…`) are kept current by triggers on the tables they index: triggers
rather than the services, because rows are written by many features, by jobs and by
plain Core inserts (imports, the bench's seed), and a trigger sees every one of them.

SQLite drops a table's triggers when the table is dropped, which is how Alembic's batch
mode changes a column (copy, drop, rename): `repair_sqlite()` runs after every upgrade
and puts back triggers that went missing, then rebuilds the index from the rows.

Neither the FTS tables nor the FULLTEXT indexes are models: `is_index_object()` names
them for the model/migration comparison and for the backup, which leave them out.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

SQLITE_PREFIX = "search_"
MARIADB_PREFIX = "ftx_"

# The FTS5 tables: (FTS table, content table, its indexed columns). Migration 0014 has
# the same list.
FTS = (
    ("search_cases", "cases", ("title", "description", "public_summary", "contact_email")),
    ("search_organisations", "organisations", ("name",)),
    ("search_messages", "case_messages", ("body",)),
)


def is_index_object(name: str | None) -> bool:
    """A table or index of the full-text search (not a model): the FTS5 tables with their
    shadow tables, and the FULLTEXT indexes."""
    return bool(name) and str(name).startswith((SQLITE_PREFIX, MARIADB_PREFIX))


def sqlite_triggers(fts: str, source: str, columns: tuple[str, ...]) -> dict[str, str]:
    """Name → statement of the triggers that keep `fts` in step with `source`."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    # Names of our own tables and columns (constants above), never input.
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
    delete = (f"INSERT INTO {fts}({fts}, rowid, {names}) "  # noqa: S608
              f"VALUES ('delete', old.id, {old});")
    return {
        f"{fts}_ai": f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {source} BEGIN {insert} END",
        f"{fts}_ad": f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {source} BEGIN {delete} END",
        f"{fts}_au": (f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {source} "
                      f"BEGIN {delete} {insert} END"),
    }


def repair_sqlite(conn: Connection) -> list[str]:
    """Put back the missing triggers of the FTS tables that exist, and rebuild those
    indexes from their tables. Returns the triggers it created (none, normally)."""
    if conn.dialect.name != "sqlite":
        return []
    found: dict[str, str] = dict(conn.execute(text(  # rows: a Result has keys(), fools dict()
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'trigger')")).tuples().all())
    created: list[str] = []
    for fts, source, columns in FTS:
        if found.get(fts) != "table":
            continue  # not migrated that far (or downgraded): nothing to keep
        missing = {name: statement for name, statement
                   in sqlite_triggers(fts, source, columns).items() if name not in found}
        for name, statement in missing.items():
            conn.execute(text(statement))
            created.append(name)
        if missing:
            conn.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))  # noqa: S608
    return created


def repair(engine: Engine) -> list[str]:
    """`repair_sqlite` in a transaction of its own."""
    with engine.begin() as conn:
        return repair_sqlite(conn)

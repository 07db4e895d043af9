"""The full-text indexes in the database (migrations 0014 and 0018), and their upkeep.

MariaDB keeps its FULLTEXT indexes (`ftx_…`) current by itself. On SQLite the FTS5
tables (`search_…`) are kept current by triggers on the tables they index: triggers
rather than the services, because rows are written by many features, by jobs and by
plain Core inserts (imports, the bench's seed), and a trigger sees every one of them.

Messages are searched through `search_texts`, one row per case with the text of its
messages: `messages` (those the requester sees too) and `all_messages` (internal ones
as well, for those who may read them). A common word is then looked up among at most
one row per case instead of among every message (100,000 at the bench's scale), and
no grouping per case is needed. The app keeps it current: each message the ORM writes
is appended to its case's row (`_message_written`, whichever feature writes it; rows
are never updated or deleted by the app, but if they were the case's row is rebuilt),
and `rebuild_texts()` fills it from scratch after plain inserts (a backup's import,
the bench).

SQLite drops a table's triggers when the table is dropped, which is how Alembic's batch
mode changes a column (copy, drop, rename): `repair_sqlite()` runs after every upgrade
and puts back triggers that went missing, then rebuilds the index from the rows.

Neither the FTS tables, `search_texts` (derived from `case_messages`) nor the FULLTEXT
indexes are models: `is_index_object()` names them for the model/migration comparison
and for the backup, which leave them out (an import rebuilds `search_texts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapper

from app.cases.models import CaseMessage

SQLITE_PREFIX = "search_"
MARIADB_PREFIX = "ftx_"

# The FTS5 tables: (FTS table, content table, its indexed columns, its key). Migrations
# 0014 and 0018 have the same list.
FTS = (
    ("search_cases", "cases", ("title", "description", "public_summary", "contact_email"), "id"),
    ("search_organisations", "organisations", ("name",), "id"),
    ("search_texts_fts", "search_texts", ("messages", "all_messages"), "case_id"),
)

# MariaDB stores TEXT in at most 64 KB: a case's messages take more.
LONG_TEXT = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
SEARCH_TEXTS = Table(
    "search_texts", MetaData(),
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True, autoincrement=False),
    Column("messages", LONG_TEXT, nullable=False),  # not internal: to and from the requester
    Column("all_messages", LONG_TEXT, nullable=False),  # internal ones as well
)
SEPARATOR = "\n"


def is_index_object(name: str | None) -> bool:
    """A table or index of the full-text search (not a model): the FTS5 tables with their
    shadow tables, and the FULLTEXT indexes."""
    return bool(name) and str(name).startswith((SQLITE_PREFIX, MARIADB_PREFIX))


def sqlite_triggers(fts: str, source: str, columns: tuple[str, ...],
                    key: str = "id") -> dict[str, str]:
    """Name → statement of the triggers that keep `fts` in step with `source`."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    # Names of our own tables and columns (constants above), never input.
    added = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{key}, {new});"  # noqa: S608
    removed = (f"INSERT INTO {fts}({fts}, rowid, {names}) "  # noqa: S608
               f"VALUES ('delete', old.{key}, {old});")
    return {
        f"{fts}_ai": f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {source} BEGIN {added} END",
        f"{fts}_ad": f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {source} BEGIN {removed} END",
        f"{fts}_au": (f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {source} "
                      f"BEGIN {removed} {added} END"),
    }


def repair_sqlite(conn: Connection) -> list[str]:
    """Put back the missing triggers of the FTS tables that exist, and rebuild those
    indexes from their tables. Returns the triggers it created (none, normally)."""
    if conn.dialect.name != "sqlite":
        return []
    found: dict[str, str] = dict(conn.execute(text(  # rows: a Result has keys(), fools dict()
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'trigger')")).tuples().all())
    created: list[str] = []
    for fts, source, columns, key in FTS:
        if found.get(fts) != "table":
            continue  # not migrated that far (or downgraded): nothing to keep
        missing = {name: statement for name, statement
                   in sqlite_triggers(fts, source, columns, key).items() if name not in found}
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


# --- search_texts: the text of each case's messages ---------------------------------------


def append_message(conn: Connection, case_id: int, body: str, internal: bool) -> None:
    """Add one new message to its case's row (one statement: an insert, or an update
    that appends under the row's lock, so two messages written at once both stay)."""
    public = "" if internal else body
    dialect = conn.dialect.name
    values = {"case_id": case_id, "messages": public, "all_messages": body}
    table = SEARCH_TEXTS
    if dialect == "sqlite":
        statement: Any = sqlite.insert(table).values(values)
        statement = statement.on_conflict_do_update(index_elements=[table.c.case_id], set_={
            "messages": _joined(table.c.messages, public),
            "all_messages": _joined(table.c.all_messages, body)})
    else:
        statement = mysql.insert(table).values(values)
        statement = statement.on_duplicate_key_update(
            messages=_joined(table.c.messages, public),
            all_messages=_joined(table.c.all_messages, body))
    conn.execute(statement)


def _joined(column: Any, piece: str) -> Any:
    """`column` with `piece` added after a separator (unchanged when `piece` is empty)."""
    return column.concat(SEPARATOR + piece) if piece else column


def _texts(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """search_texts rows from (case_id, internal, body) rows ordered by case."""
    current: dict[str, Any] | None = None
    public: list[str] = []
    every: list[str] = []
    for case_id, internal, body in rows:
        if current is None or current["case_id"] != case_id:
            if current is not None:
                yield {**current, "messages": SEPARATOR.join(public),
                       "all_messages": SEPARATOR.join(every)}
            current, public, every = {"case_id": case_id}, [], []
        every.append(body or "")
        if not internal:
            public.append(body or "")
    if current is not None:
        yield {**current, "messages": SEPARATOR.join(public),
               "all_messages": SEPARATOR.join(every)}


def _messages(case_ids: list[int] | None = None) -> Any:
    messages = CaseMessage.__table__
    query = select(messages.c.case_id, messages.c.internal, messages.c.body)
    if case_ids is not None:
        query = query.where(messages.c.case_id.in_(case_ids))
    return query.order_by(messages.c.case_id, messages.c.id)


def rebuild_texts(conn: Connection, case_ids: list[int] | None = None,
                  batch: int = 500) -> int:
    """Write the rows of `search_texts` again from the messages (of `case_ids`, or of
    every case); the number of rows written."""
    wipe = delete(SEARCH_TEXTS)
    if case_ids is not None:
        wipe = wipe.where(SEARCH_TEXTS.c.case_id.in_(case_ids))
    conn.execute(wipe)
    written, rows = 0, []
    for row in _texts(conn.execute(_messages(case_ids)).yield_per(batch)):
        rows.append(row)
        if len(rows) == batch:
            conn.execute(insert(SEARCH_TEXTS), rows)
            written, rows = written + len(rows), []
    if rows:
        conn.execute(insert(SEARCH_TEXTS), rows)
        written += len(rows)
    return written


@event.listens_for(CaseMessage, "after_insert")
def _message_written(_mapper: Mapper[Any], conn: Connection, message: CaseMessage) -> None:
    append_message(conn, message.case_id, message.body or "", bool(message.internal))


@event.listens_for(CaseMessage, "after_update")
@event.listens_for(CaseMessage, "after_delete")
def _message_changed(_mapper: Mapper[Any], conn: Connection, message: CaseMessage) -> None:
    """Not done by the app today; should it ever be (an erasure, a move to another case),
    the text found stays the messages' text."""
    rebuild_texts(conn, sorted({message.case_id, *_previous_case(message)}))


def _previous_case(message: CaseMessage) -> list[int]:
    history = inspect(message).attrs.case_id.history
    return [case_id for case_id in history.deleted or () if case_id is not None]


def refill_texts(conn: Connection) -> None:
    """After rows were put in by plain inserts (a backup's import): `search_texts` from
    the messages, when the database has it (an import into an earlier revision has not;
    migration 0018 fills it then)."""
    if inspect(conn).has_table(SEARCH_TEXTS.name):
        rebuild_texts(conn)

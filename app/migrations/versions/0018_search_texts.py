"""Messages searched per case: `search_texts` (issue #17).

One row per case with the text of its messages: `messages` (not internal) and
`all_messages` (internal ones too), filled here from the messages already there and
then kept by the app (`app.search.index`). Searching a common word then looks through
one row per case, not through every message. The full-text index of `case_messages`
itself (MariaDB `ftx_case_messages_body`, SQLite `search_messages` and its triggers)
is no longer read, and goes.

MariaDB: one FULLTEXT index per column. SQLite: an FTS5 table with external content
(`search_texts_fts`) and its triggers, as migration 0014 made them.

Like the indexes of 0014, `search_texts` is not a model: `app.search.index.is_index_object`
names it, for the model/migration comparison and the backup to leave it out.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
FULLTEXT = (
    ("ftx_search_texts_messages", "search_texts", "messages"),
    ("ftx_search_texts_all_messages", "search_texts", "all_messages"),
)
OLD_FULLTEXT = ("ftx_case_messages_body", "case_messages", "body")
TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"  # as in 0014
FTS = ("search_texts_fts", "search_texts", ("messages", "all_messages"), "case_id")
OLD_FTS = ("search_messages", "case_messages", ("body",), "id")
SEPARATOR = "'\n'"


def _sqlite_triggers(fts: str, source: str, columns: tuple[str, ...], key: str) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    # Names of our own tables and columns (constants above), never input.
    added = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{key}, {new});"  # noqa: S608
    removed = (f"INSERT INTO {fts}({fts}, rowid, {names}) "  # noqa: S608
               f"VALUES ('delete', old.{key}, {old});")
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {source} BEGIN {added} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {source} BEGIN {removed} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {source} "
        f"BEGIN {removed} {added} END",
    ]


def _create_fts(fts: str, source: str, columns: tuple[str, ...], key: str) -> None:
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, "
               f"content='{source}', content_rowid='{key}', tokenize=\"{TOKENIZE}\")")
    for statement in _sqlite_triggers(fts, source, columns, key):
        op.execute(statement)
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def _drop_fts(fts: str) -> None:
    for suffix in ("au", "ad", "ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")


def _fill(sqlite: bool) -> None:
    """One row per case that has messages (the order of the messages does not matter to
    a search; MariaDB cuts GROUP_CONCAT at group_concat_max_len, raised first)."""
    if sqlite:
        public = "group_concat(CASE WHEN internal THEN NULL ELSE body END, '\n')"
        every = "group_concat(body, '\n')"
    else:
        op.execute("SET SESSION group_concat_max_len = 4294967295")
        public = f"GROUP_CONCAT(CASE WHEN internal THEN NULL ELSE body END SEPARATOR {SEPARATOR})"
        every = f"GROUP_CONCAT(body SEPARATOR {SEPARATOR})"
    op.execute(f"INSERT INTO search_texts (case_id, messages, all_messages) "  # noqa: S608
               f"SELECT case_id, COALESCE({public}, ''), COALESCE({every}, '') "
               f"FROM case_messages GROUP BY case_id")


def upgrade() -> None:
    op.create_table(
        "search_texts",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("messages", LONG_TEXT, nullable=False),
        sa.Column("all_messages", LONG_TEXT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_search_texts_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_search_texts")),
        **TABLE_OPTIONS,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    _fill(sqlite)
    if sqlite:
        _drop_fts(OLD_FTS[0])
        _create_fts(*FTS)
    else:
        op.execute(f"DROP INDEX {OLD_FULLTEXT[0]} ON {OLD_FULLTEXT[1]}")
        for name, table, column in FULLTEXT:  # built from the rows filled above
            op.execute(f"CREATE FULLTEXT INDEX {name} ON {table} ({column})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_fts(FTS[0])
        _create_fts(*OLD_FTS)
    else:
        for name, table, _column in reversed(FULLTEXT):
            op.execute(f"DROP INDEX {name} ON {table}")
        name, table, column = OLD_FULLTEXT
        op.execute(f"CREATE FULLTEXT INDEX {name} ON {table} ({column})")
    op.drop_table("search_texts")

"""Full-text search indexes (MariaDB FULLTEXT, SQLite FTS5).

MariaDB: one InnoDB FULLTEXT index per searched column (`ftx_…`), so that each field can be
matched, and weighted, on its own; InnoDB keeps them current by itself.

SQLite: FTS5 tables (`search_…`) with external content (the text stays in `cases`,
`case_messages`, `organisations`; the FTS table holds only the index), kept current by
triggers on those tables, and rebuilt from the rows already there. The triggers are the
same as `app.search.index.SQLITE_TRIGGERS`, which puts them back should a later batch
migration rebuild one of those tables (SQLite drops a table's triggers with it).

Neither is a SQLAlchemy model: `app.search.index.is_index_object` names them, for the
model/migration comparison and the backup to leave them out.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# MariaDB: (index, table, column). InnoDB builds one FULLTEXT index per statement.
FULLTEXT = (
    ("ftx_cases_title", "cases", "title"),
    ("ftx_cases_description", "cases", "description"),
    ("ftx_cases_public_summary", "cases", "public_summary"),
    ("ftx_cases_contact_email", "cases", "contact_email"),
    ("ftx_organisations_name", "organisations", "name"),
    ("ftx_case_messages_body", "case_messages", "body"),
)

# SQLite: (FTS table, content table, columns). Letters, digits and combining marks
# (Bengali vowel signs) make words; accents are ignored.
TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
FTS = (
    ("search_cases", "cases", ("title", "description", "public_summary", "contact_email")),
    ("search_organisations", "organisations", ("name",)),
    ("search_messages", "case_messages", ("body",)),
)


def _sqlite_triggers(fts: str, source: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    # Names of our own tables and columns (constants above), never input.
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
    delete = (f"INSERT INTO {fts}({fts}, rowid, {names}) "  # noqa: S608
              f"VALUES ('delete', old.id, {old});")
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {source} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {source} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {source} "
        f"BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for fts, source, columns in FTS:
            op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, "
                       f"content='{source}', content_rowid='id', tokenize=\"{TOKENIZE}\")")
            for statement in _sqlite_triggers(fts, source, columns):
                op.execute(statement)
            op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
    else:
        for name, table, column in FULLTEXT:  # built from the rows already there
            op.execute(f"CREATE FULLTEXT INDEX {name} ON {table} ({column})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for fts, _source, _columns in reversed(FTS):
            for suffix in ("au", "ad", "ai"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    else:
        for name, table, _column in reversed(FULLTEXT):
            op.execute(f"DROP INDEX {name} ON {table}")

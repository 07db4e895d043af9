"""Back up and restore the whole database: `flask --app app export FILE`, `import FILE`.

The file is versioned JSON Lines (UTF-8; gzip-compressed when FILE ends in `.gz`):

    {"format": "cp-helpdesk-export", "format_version": 1, "alembic_revision": "0005",
     "exported_at": "2026-12-05T03:17:00.123456Z", "tables": ["guidelines", …]}
    {"table": "users", "row": {"id": 1, "username": "…", "created_at": "2026-…", …}}
    …one line per row, table after table, parents before children…
    {"end": true, "rows": {"users": 9, …}, "sha256": "…"}

Datetimes, dates and times are ISO 8601 strings, bytes base64, JSON columns their
value as is. A JSON column can hold SQL NULL or the JSON value `null` (what the ORM
writes for None); both read back as None, so a row whose JSON column holds SQL NULL
names it in `"sql_null": [...]`. The last line counts the rows of each table and
hashes every line before it, so a truncated or altered file is refused instead of
restoring part of the data.

Both read the tables and columns from the database itself (with the models' types), so
a backup made at an older revision restores into a database migrated to that revision
(`flask --app app db upgrade REV`), to be migrated onwards after the import.
Export streams (server-side cursor, `yield_per`) inside one read transaction, a
consistent snapshot on MariaDB. Import restores into a new, migrated database at the
same revision, in one transaction: anything wrong and nothing is written. It inserts
with SQLAlchemy Core, which is also how it restores the audit log (append-only through
the ORM). Self-referencing foreign keys (`cases.duplicate_of_id`) are inserted as NULL
and set once the whole table is in, so a case may name a later one.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import click
from flask.cli import with_appcontext
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    bindparam,
    inspect,
    literal,
    null,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.search.index import is_index_object, refill_texts

FORMAT = "cp-helpdesk-export"
FORMAT_VERSION = 1
BATCH_SIZE = 1000
# Tables the migrations fill (the working groups, the committee's criteria): a new
# database has their rows, and an import replaces them with the file's.
SEEDED_TABLES = ("working_groups", "committee_criteria", "skills")


class BackupError(Exception):
    """The export or import cannot be done; the message says why (nothing was written)."""


@dataclass
class Report:
    """What an export or import did."""

    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows over all tables."""
        return sum(self.rows.values())


def database_tables(conn: Connection) -> list[Table]:
    """The tables the database has now, parents first, with the app's column types.

    Read from the database, not the models: a database not yet migrated to the code's
    newest revision (an older backup being restored) has other tables and columns.
    A column the models no longer have keeps the type the database reports."""
    from app.core.schema import metadata  # Alembic: imported only when a command runs

    models = metadata().tables
    found = MetaData()
    found.reflect(conn)
    tables = [table for table in found.sorted_tables  # not the search index (triggers fill it)
              if table.name != "alembic_version" and not is_index_object(table.name)]
    for table in tables:
        model = models.get(table.name)
        for column in table.columns:
            if model is not None and column.name in model.columns:
                column.type = model.columns[column.name].type
    return tables


def database_revision(conn: Connection) -> str | None:
    """The database's Alembic revision (None when it was never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(revisions)) or None


# --- export -----------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A column value as JSON (JSON columns' values are passed as they are)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_columns(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns
            if isinstance(column.type, JSON) and column.nullable]


def _lines_of(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """The table's rows as export lines, read in batches (ordered by primary key)."""
    json_columns = _json_columns(table)
    flags = [column.is_(None).label(f"sql_null {column.name}") for column in json_columns]
    statement = select(table, *flags).order_by(*table.primary_key.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH_SIZE).execute(statement)
    is_json = {column.name for column in table.columns if isinstance(column.type, JSON)}
    for row in result:
        values = row._mapping
        line: dict[str, Any] = {"table": table.name, "row": {
            column.name: values[column] if column.name in is_json else _encode(values[column])
            for column in table.columns}}
        sql_null = [column.name for column in json_columns if values[f"sql_null {column.name}"]]
        if sql_null:
            line["sql_null"] = sql_null
        yield line


def _open(path: Path) -> IO[bytes]:
    """The file to read, gzip-decompressed when its name ends in .gz."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # the caller closes it


@contextlib.contextmanager
def _create(path: Path, compress: bool) -> Iterator[IO[bytes]]:
    """A new file only its owner can read (it holds email addresses and internal notes)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # also when it was already there
    with os.fdopen(descriptor, "wb") as raw:
        if not compress:
            yield raw
            return
        with gzip.GzipFile(fileobj=raw, mode="wb") as packed:
            yield packed  # type: ignore[misc]


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _begin_snapshot(conn: Connection) -> Connection:
    """Read every table at the same moment, while the app goes on writing."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")  # pysqlite starts no transaction for a SELECT
        return conn
    conn = conn.execution_options(isolation_level="REPEATABLE READ")
    conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT")
    return conn


def export_database(engine: Engine, path: Path) -> Report:
    """Write every row of every table to `path` (replaced only once it is complete)."""
    partial = path.with_name(path.name + ".partial")
    try:
        with engine.connect() as conn, _create(partial, path.name.endswith(".gz")) as out:
            conn = _begin_snapshot(conn)
            report = _export(conn, out)
        os.replace(partial, path)
    except SQLAlchemyError as exc:
        raise BackupError(f"Could not read the database: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return report


def _export(conn: Connection, out: IO[bytes]) -> Report:
    revision = database_revision(conn)
    if revision is None:
        raise BackupError("The database has no migrations applied; there is nothing to export.")
    tables = database_tables(conn)
    digest = hashlib.sha256()
    header = _dump({"format": FORMAT, "format_version": FORMAT_VERSION,
                    "alembic_revision": revision,
                    "exported_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    "tables": [table.name for table in tables]})
    out.write(header)
    digest.update(header)
    report = Report(revision)
    for table in tables:
        report.rows[table.name] = 0
        for line in _lines_of(conn, table):
            data = _dump(line)
            out.write(data)
            digest.update(data)
            report.rows[table.name] += 1
    out.write(_dump({"end": True, "rows": report.rows, "sha256": digest.hexdigest()}))
    return report


# --- import -----------------------------------------------------------------------------


def _decode(column: Column[Any], value: Any) -> Any:
    """A value of the file as the column stores it."""
    kind = column.type
    if value is None or isinstance(kind, JSON):
        return value
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value, validate=True)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal(value)
    return value


@dataclass
class _Line:
    number: int
    data: dict[str, Any]


class _Reader:
    """The file's lines, parsed, with the running hash of the ones read so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()

    def __iter__(self) -> Iterator[_Line]:
        try:
            with _open(self.path) as source:
                for number, raw in enumerate(source, start=1):
                    yield _Line(number, self._parse(number, raw))
                    self.digest.update(raw)
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise BackupError(f"Cannot read {self.path}: {exc}") from exc

    def _parse(self, number: int, raw: bytes) -> dict[str, Any]:
        try:
            if not raw.endswith(b"\n"):
                raise ValueError("the line is cut off")
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise BackupError(f"Line {number} of {self.path} is damaged ({exc}); "
                              "the file is truncated or corrupt.") from exc
        return data


def _check_header(path: Path, header: dict[str, Any], revision: str | None) -> str:
    """The database's revision, once it is the file's."""
    if header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a helpdesk export (its first line is no export "
                          "header).")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is in export format version {header.get('format_version')}; "
                          f"this version of the helpdesk reads format version {FORMAT_VERSION}.")
    wanted = header.get("alembic_revision")
    if revision is None:
        raise BackupError(f"The database has no migrations applied. Run `flask --app app db "
                          f"upgrade {wanted}` first, then import.")
    if wanted != revision:
        raise BackupError(
            f"{path} was exported at migration revision {wanted}, but the database is at "
            f"revision {revision}. Import into a new database migrated to {wanted} "
            f"(`flask --app app db upgrade {wanted}`), then run `flask --app app db upgrade`.")
    return revision


def _check_empty(conn: Connection, tables: list[Table], revision: str) -> None:
    filled = [table.name for table in tables if table.name not in SEEDED_TABLES
              and conn.execute(select(literal(1)).select_from(table).limit(1)).first()]
    if filled:
        raise BackupError(
            f"The database is not empty (rows in: {', '.join(filled)}). Import restores "
            f"into a new database only: create an empty one, run `flask --app app db "
            f"upgrade {revision}`, then import. Nothing was changed.")


class _Restore:
    """Inserts the rows of one table after another, in batches."""

    def __init__(self, conn: Connection, path: Path, tables: list[Table]) -> None:
        self.conn, self.path = conn, path
        self.tables = {table.name: table for table in tables}
        self.rows: dict[str, int] = {}
        self.table: Table | None = None
        self.batch: list[dict[str, Any]] = []
        self.later: list[dict[str, Any]] = []  # self-references, set once the table is in

    def add(self, line: _Line) -> None:
        """Queue one row line (inserted when the batch is full or the table ends)."""
        table = self._table_of(line)
        row, sql_null = line.data.get("row"), line.data.get("sql_null", [])
        if not isinstance(row, dict) or set(row) != set(table.columns.keys()) \
                or not isinstance(sql_null, list):
            raise BackupError(f"Line {line.number} of {self.path}: the row does not have "
                              f"the columns of table {table.name}.")
        try:
            values = {column.name: null() if column.name in sql_null
                      else _decode(column, row[column.name]) for column in table.columns}
        except (TypeError, ValueError) as exc:
            raise BackupError(f"Line {line.number} of {self.path}: a value cannot be read "
                              f"({exc}).") from exc
        self._defer_self_references(table, values)
        self.batch.append(values)
        self.rows[table.name] += 1
        if len(self.batch) >= BATCH_SIZE:
            self._insert()

    def _table_of(self, line: _Line) -> Table:
        name = line.data.get("table")
        table = self.tables.get(name) if isinstance(name, str) else None
        if table is None:
            raise BackupError(f"Line {line.number} of {self.path} names no table of the "
                              f"database ({str(name)[:80]!r}).")
        if table is not self.table:
            if table.name in self.rows:
                raise BackupError(f"Line {line.number} of {self.path}: the rows of table "
                                  f"{table.name} are not all together.")
            self.finish()
            self.table, self.rows[table.name] = table, 0
        return table

    @staticmethod
    def _self_references(table: Table) -> list[Column[Any]]:
        return [fk.parent for fk in table.foreign_keys if fk.column.table is table]

    def _defer_self_references(self, table: Table, values: dict[str, Any]) -> None:
        columns = self._self_references(table)
        if any(values[column.name] is not None for column in columns):
            key = {f"pk {column.name}": values[column.name] for column in table.primary_key}
            self.later.append(key | {f"new {c.name}": values[c.name] for c in columns})
            values.update({column.name: None for column in columns})

    def _insert(self) -> None:
        if self.table is not None and self.batch:
            self._run(self.table.insert(), self.batch)
        self.batch = []

    def finish(self) -> None:
        """Insert what is queued for the current table, then its self-references."""
        self._insert()
        table = self.table
        if table is None or not self.later:
            return
        statement = table.update().where(
            *[column == bindparam(f"pk {column.name}") for column in table.primary_key]
        ).values({column.name: bindparam(f"new {column.name}")
                  for column in self._self_references(table)})
        for start in range(0, len(self.later), BATCH_SIZE):
            self._run(statement, self.later[start:start + BATCH_SIZE])
        self.later = []

    def _run(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        try:
            self.conn.execute(statement, rows)
        except SQLAlchemyError as exc:
            name = self.table.name if self.table is not None else "?"
            raise BackupError(f"The database refused rows of table {name} from {self.path}: "
                              f"{getattr(exc, 'orig', exc)}. Nothing was imported.") from exc


def import_database(engine: Engine, path: Path) -> Report:
    """Restore the file into a new, migrated, empty database, all or nothing."""
    reader = _Reader(path)
    lines = iter(reader)
    with engine.connect() as conn:
        header = next(lines, None)
        if header is None:
            raise BackupError(f"{path} is empty.")
        revision = _check_header(path, header.data, database_revision(conn))
        tables = database_tables(conn)
        _check_empty(conn, tables, revision)
    try:
        with engine.begin() as conn:
            for table in reversed(tables):
                if table.name in SEEDED_TABLES:
                    conn.execute(table.delete())
            restore = _Restore(conn, path, tables)
            end, digest = _restore_rows(lines, reader, restore)
            _check_end(path, end, restore.rows, digest)
            refill_texts(conn)  # derived from the messages, so not in the file
    except SQLAlchemyError as exc:
        raise BackupError(f"Could not write to the database: {exc}") from exc
    return Report(revision, restore.rows)


def _restore_rows(lines: Iterator[_Line], reader: _Reader,
                  restore: _Restore) -> tuple[dict[str, Any], str]:
    """Insert every row line; returns the end line and the hash of the lines before it."""
    for line in lines:
        if line.data.get("end") is not True:
            restore.add(line)
            continue
        digest = reader.digest.hexdigest()
        restore.finish()
        extra = next(lines, None)
        if extra is not None:
            raise BackupError(f"Line {extra.number} of {reader.path} comes after the end "
                              "line; the file is corrupt. Nothing was imported.")
        return line.data, digest
    raise BackupError(f"{reader.path} stops before its end line: it is truncated (an export "
                      "that did not finish, or a partial copy). Nothing was imported.")


def _check_end(path: Path, end: dict[str, Any], rows: dict[str, int], digest: str) -> None:
    counted = {name: count for name, count in rows.items() if count}
    expected = end.get("rows")
    if not isinstance(expected, dict) or {n: c for n, c in expected.items() if c} != counted:
        raise BackupError(f"{path} does not hold the rows its end line counts; the file is "
                          "corrupt. Nothing was imported.")
    if end.get("sha256") != digest:
        raise BackupError(f"{path} was changed after the export (its checksum does not "
                          "match); the file is corrupt. Nothing was imported.")


# --- commands ---------------------------------------------------------------------------


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(file: Path) -> None:
    """Write the whole database to FILE (JSON Lines; gzip if FILE ends in .gz)."""
    from app.core.db import get_database

    try:
        report = export_database(get_database().engine, file)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Exported {report.total} rows of {len(report.rows)} tables "
               f"(revision {report.revision}) to {file}.")
    _echo_files(report)


# Tables whose rows name files kept on disk (app/core/storage.py), not in the export.
FILE_TABLES = ("attachments", "mail_attachments")


def _echo_files(report: Report) -> None:
    """Say how many rows name files on disk: the export holds the rows, not the files."""
    from flask import current_app

    files = sum(report.rows.get(name, 0) for name in FILE_TABLES)
    click.echo(f"{files} attachment rows name files under ATTACHMENTS_DIR "
               f"({current_app.config['ATTACHMENTS_DIR']}); back up that folder with the file.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Restore FILE (made by `export`) into a new database migrated to the same revision."""
    from app.core.db import get_database

    try:
        report = import_database(get_database().engine, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {report.total} rows into {len(report.rows)} tables "
               f"(revision {report.revision}) from {file}.")
    _echo_files(report)

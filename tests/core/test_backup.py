"""`flask export` / `flask import`: every row of every table comes back, column for
column; a non-empty database, another revision or a damaged file is refused and
changes nothing."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, func, select

from app.auth.models import User
from app.core import backup, schema
from app.core.audit_log import AuditEvent
from app.core.schema import metadata
from tests.core.world import (
    REVISIONS,
    app_on,
    build_world,
    columns_of,
    insert_rows,
    rows_of,
    scratch_database,
    snapshot,
    tables_with_rows,
)


def run(url: str, *args: str) -> Result:
    """`flask --app app ARGS…` on the database at `url`."""
    app = app_on(url)
    try:
        return app.test_cli_runner().invoke(args=list(args))
    finally:
        app.extensions["database"].engine.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with rows in every table (built once for the module)."""
    with scratch_database(tmp_path_factory.mktemp("world")) as url:
        schema.upgrade(url)
        build_world(url)
        yield url


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[str]:
    """A new database, migrated (so it holds only what the migrations seed)."""
    with scratch_database(tmp_path) as url:
        schema.upgrade(url)
        yield url


@pytest.fixture(scope="module")
def exported(world: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world, exported once."""
    path = tmp_path_factory.mktemp("export") / "helpdesk.jsonl"
    result = run(world, "export", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_every_table_has_rows_before_the_export(world: str) -> None:
    empty = [name for name, count in tables_with_rows(world).items() if count == 0]
    assert empty == [], f"the round trip would not cover these tables: {empty}"


@pytest.mark.parametrize(("name", "batch_size"), [("helpdesk.jsonl", backup.BATCH_SIZE),
                                                  ("helpdesk.jsonl.gz", 7)])
def test_round_trip_restores_every_row_and_column(
        world: str, fresh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        name: str, batch_size: int) -> None:
    """Small batches: the reads and inserts cross batch boundaries, and the case that
    duplicates a later one is inserted before it."""
    monkeypatch.setattr(backup, "BATCH_SIZE", batch_size)
    path = tmp_path / name
    exported = run(world, "export", str(path))
    assert exported.exit_code == 0, exported.output
    counts = tables_with_rows(world)
    assert f"Exported {sum(counts.values())} rows of {len(counts)} tables" in exported.output

    imported = run(fresh, "import", str(path))

    assert imported.exit_code == 0, imported.output
    assert f"Imported {sum(counts.values())} rows" in imported.output
    assert snapshot(fresh) == snapshot(world)
    assert not list(tmp_path.glob("*.partial"))
    assert path.stat().st_mode & 0o777 == 0o600, "only the tool reads its backups"


def test_the_file_is_versioned_json_lines(exported: Path, world: str) -> None:
    lines = [json.loads(line) for line in exported.read_bytes().splitlines()]
    header, rows, end = lines[0], lines[1:-1], lines[-1]
    assert header["format"] == "cp-helpdesk-export"
    assert header["format_version"] == backup.FORMAT_VERSION
    engine = create_engine(world)
    with engine.connect() as conn:
        assert header["alembic_revision"] == backup.database_revision(conn)
    engine.dispose()
    assert header["exported_at"].endswith("Z")
    order = [table.name for table in metadata().sorted_tables]
    seen = [line["table"] for line in rows]
    assert sorted(seen, key=order.index) == seen, "parents come before children"
    assert end["end"] is True
    assert sum(end["rows"].values()) == len(rows)
    user = next(line["row"] for line in rows if line["table"] == "users")
    assert isinstance(user["created_at"], str)
    placement = next(line["row"] for line in rows if line["table"] == "placements")
    assert placement["start_date"] == "2026-01-31"
    case = next(line["row"] for line in rows if line["table"] == "cases")
    assert isinstance(case["themes"], list)
    assert any(line.get("sql_null") == ["before"] for line in rows)


def test_ids_go_on_after_an_import(exported: Path, fresh: str) -> None:
    assert run(fresh, "import", str(exported)).exit_code == 0
    engine = create_engine(fresh)
    with engine.begin() as conn:
        highest = conn.execute(select(func.max(User.id))).scalar_one()
        conn.execute(User.__table__.insert(), {
            "central_id": 99, "username": "New", "blocked": False,
            "email_notifications": True, "created_at": datetime(2026, 12, 5, 10)})
        assert conn.execute(select(func.max(User.id))).scalar_one() == highest + 1
    engine.dispose()


def test_refuses_a_database_that_is_not_empty(exported: Path, fresh: str) -> None:
    engine = create_engine(fresh)
    with engine.begin() as conn:
        conn.execute(User.__table__.insert(), {
            "central_id": 5, "username": "Already here", "blocked": False,
            "email_notifications": True, "created_at": datetime(2026, 12, 5, 10)})
    engine.dispose()
    before = snapshot(fresh)

    result = run(fresh, "import", str(exported))

    assert result.exit_code != 0
    assert "not empty" in result.output and "users" in result.output
    assert snapshot(fresh) == before


def test_the_seeded_tables_are_what_the_migrations_fill(fresh: str) -> None:
    from tests.conftest import SEEDED_TABLES

    filled = {name for name, count in tables_with_rows(fresh).items() if count}
    assert filled == set(backup.SEEDED_TABLES) == set(SEEDED_TABLES)


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _edit_row(lines: list[bytes]) -> list[bytes]:
    """Change one value and keep the line valid JSON (only the checksum tells)."""
    index = next(i for i, line in enumerate(lines) if b'"table":"users"' in line)
    data = json.loads(lines[index])
    data["row"]["username"] = "Mallory"
    return [*lines[:index], (json.dumps(data) + "\n").encode(), *lines[index + 1:]]


def _drop_row(lines: list[bytes]) -> list[bytes]:
    """Drop a row no other row refers to: only the count can tell it is missing."""
    index = next(i for i, line in enumerate(lines) if b'"table":"review_scores"' in line)
    return lines[:index] + lines[index + 1:]


DAMAGE: dict[str, tuple[Callable[[list[bytes]], list[bytes]], str]] = {
    "cut between lines": (lambda lines: lines[: len(lines) * 2 // 3], "truncated"),
    "cut inside a line": (lambda lines: [*lines[:-2], lines[-2][:25]], "damaged"),
    "end line missing": (lambda lines: lines[:-1], "truncated"),
    "empty": (lambda lines: [], "empty"),
    "garbage line": (lambda lines: [*lines[:5], b"\x00\xff{not json\n", *lines[5:]],
                     "damaged"),
    "value changed": (_edit_row, "checksum"),
    "row missing": (_drop_row, "corrupt"),
    "line after the end": (lambda lines: [*lines, lines[1]], "after the end"),
    "unknown table": (lambda lines: [*lines[:-1], b'{"table":"nope","row":{}}\n', lines[-1]],
                      "names no table"),
}


def test_a_damaged_file_is_refused_and_changes_nothing(
        exported: Path, fresh: str, tmp_path: Path) -> None:
    """Every damage is found, most of them only after rows were inserted: the whole
    import is one transaction, so the seeded rows it replaced are back too."""
    before = snapshot(fresh)
    for what, (damage, message) in DAMAGE.items():
        path = tmp_path / "damaged.jsonl"
        path.write_bytes(b"".join(damage(_lines(exported))))
        result = run(fresh, "import", str(path))
        assert result.exit_code != 0, what
        assert message in result.output, (what, result.output)
        assert "Traceback" not in result.output
        assert snapshot(fresh) == before, what


def test_a_truncated_gzip_file_is_refused(exported: Path, fresh: str, tmp_path: Path) -> None:
    packed = gzip.compress(exported.read_bytes())
    path = tmp_path / "helpdesk.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    before = snapshot(fresh)
    result = run(fresh, "import", str(path))
    assert result.exit_code != 0
    assert str(path) in result.output
    assert snapshot(fresh) == before


def _with_header(exported: Path, path: Path, **changes: object) -> Path:
    lines = _lines(exported)
    header = json.loads(lines[0]) | changes
    path.write_bytes(b"".join([(json.dumps(header) + "\n").encode(), *lines[1:]]))
    return path


def test_refuses_another_format_version(exported: Path, fresh: str, tmp_path: Path) -> None:
    result = run(fresh, "import", str(_with_header(exported, tmp_path / "v2.jsonl",
                                                   format_version=2)))
    assert result.exit_code != 0
    assert "format version 2" in result.output
    assert f"format version {backup.FORMAT_VERSION}" in result.output


def test_refuses_another_revision(exported: Path, fresh: str, tmp_path: Path) -> None:
    result = run(fresh, "import", str(_with_header(exported, tmp_path / "old.jsonl",
                                                   alembic_revision="0003")))
    assert result.exit_code != 0
    current = json.loads(_lines(exported)[0])["alembic_revision"]
    assert "revision 0003" in result.output and f"revision {current}" in result.output
    assert "db upgrade 0003" in result.output


def test_refuses_a_database_never_migrated(exported: Path, tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        result = run(url, "import", str(exported))
    assert result.exit_code != 0
    assert "no migrations" in result.output


def test_refuses_a_file_that_is_no_export(fresh: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"hello": "world"}\n')
    result = run(fresh, "import", str(path))
    assert result.exit_code != 0
    assert "not a helpdesk export" in result.output


def test_export_of_a_database_never_migrated_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with scratch_database(tmp_path) as url:
        result = run(url, "export", str(path))
    assert result.exit_code != 0
    assert "no migrations" in result.output
    assert not path.exists() and not list(tmp_path.glob("*.partial"))


def test_the_audit_log_is_restored_as_it_was(exported: Path, fresh: str) -> None:
    """Append-only through the ORM; the import writes it with Core, ids and all."""
    assert run(fresh, "import", str(exported)).exit_code == 0
    events = AuditEvent.__table__
    engine = create_engine(fresh)
    with engine.connect() as conn:
        restored = conn.execute(select(events.c.id, events.c.before.is_(None))
                                .where(events.c.action == "test.sql_null")).one()
        assert tuple(restored) == (tables_with_rows(fresh)["audit_events"], True)
    engine.dispose()


def test_a_backup_of_an_earlier_revision_restores_then_upgrades(
        world: str, tmp_path: Path) -> None:
    """The restore path for a backup older than the code: migrate the new database to
    the backup's revision, import, migrate to the newest."""
    earlier = REVISIONS[-2]
    with scratch_database(tmp_path) as old, scratch_database(tmp_path) as new:
        schema.upgrade(old, earlier)
        engine = create_engine(old)
        with engine.begin() as conn:
            insert_rows(conn, rows_of(world), replace=backup.SEEDED_TABLES)
        engine.dispose()
        path = tmp_path / "earlier.jsonl"
        assert run(old, "export", str(path)).exit_code == 0
        assert json.loads(_lines(path)[0])["alembic_revision"] == earlier
        schema.upgrade(new, earlier)

        result = run(new, "import", str(path))

        assert result.exit_code == 0, result.output
        then = columns_of(old)
        assert rows_of(new, then) == rows_of(old, then)
        upgraded = run(new, "db", "upgrade")
        assert upgraded.exit_code == 0, upgraded.output
        schema.upgrade(old)
        assert snapshot(new) == snapshot(old)

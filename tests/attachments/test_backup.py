"""The export/import round trip carries the attachment rows and says where their files are."""

from __future__ import annotations

import json
from pathlib import Path

from app.core import schema
from tests.core.test_backup import run
from tests.core.world import build_world, scratch_database, tables_with_rows


def test_the_round_trip_counts_the_attachments(tmp_path: Path) -> None:
    with scratch_database(tmp_path / "a") as world, scratch_database(tmp_path / "b") as fresh:
        schema.upgrade(world)
        build_world(world)
        schema.upgrade(fresh)
        path = tmp_path / "helpdesk.jsonl"

        exported = run(world, "export", str(path))
        assert exported.exit_code == 0, exported.output
        end = json.loads(path.read_bytes().splitlines()[-1])
        assert end["rows"]["attachments"] == 2
        assert "4 attachment rows name files under ATTACHMENTS_DIR" in exported.output

        imported = run(fresh, "import", str(path))
        assert imported.exit_code == 0, imported.output
        assert tables_with_rows(fresh)["attachments"] == 2
        assert "4 attachment rows name files under ATTACHMENTS_DIR" in imported.output

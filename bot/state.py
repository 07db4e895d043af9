"""The bot's memory between runs: a small JSON file, written atomically.

Per wiki (keyed by its api.php URL) it keeps, for every page the bot wrote, the
hash of the block it last wrote (drift detection) and that revision's id, plus
the references of the cases it has published (so a case that leaves the public
projection stays in the archive, by reference only) and how many cases it last
listed (so an app that suddenly answers "no cases" cannot blank the page).

A lock file next to the state file keeps two runs from overlapping.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

VERSION = 1


class StateError(RuntimeError):
    """The state file cannot be read, written or locked (exit status 2)."""


@dataclass
class PageRecord:
    """What the bot last wrote to one page."""

    hash: str
    revid: int | None = None
    written_at: str = ""


@dataclass
class WikiState:
    """The bot's memory of one wiki."""

    pages: dict[str, PageRecord] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    case_count: int | None = None

    def record(self, title: str, inner_hash: str, revid: int | None) -> None:
        """Remember the block just written (or found identical) on `title`."""
        self.pages[title] = PageRecord(
            hash=inner_hash, revid=revid,
            written_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )


class StateFile:
    """The JSON file; `load(wiki_key)` gives a WikiState, `save()` writes it back."""

    def __init__(self, path: Path) -> None:
        """Keep the state in `path` (created on first save)."""
        self.path = Path(path)
        self._document: dict[str, Any] = {"version": VERSION, "wikis": {}}

    def load(self, wiki_key: str) -> WikiState:
        """The state of one wiki (empty when the file or the wiki is new)."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raw = ""
        except OSError as error:
            raise StateError(f"cannot read the state file {self.path}: {error}") from error
        if raw.strip():
            try:
                document = json.loads(raw)
                if not isinstance(document, dict) or document.get("version") != VERSION:
                    raise ValueError("unknown format")
                if not isinstance(document.get("wikis"), dict):
                    raise ValueError("no wikis")
            except ValueError as error:
                raise StateError(
                    f"the state file {self.path} is corrupt ({error}); fix or remove it "
                    "(without it, drift since the last run cannot be detected)"
                ) from error
            self._document = document
        data = self._document["wikis"].get(wiki_key) or {}
        try:
            pages = {
                str(title): PageRecord(hash=str(record["hash"]), revid=record.get("revid"),
                                       written_at=str(record.get("written_at", "")))
                for title, record in (data.get("pages") or {}).items()
            }
            published = [str(ref) for ref in data.get("published") or []]
            count = data.get("case_count")
        except (AttributeError, KeyError, TypeError) as error:
            raise StateError(f"the state file {self.path} is corrupt: {error}") from error
        return WikiState(pages=pages, published=published,
                         case_count=int(count) if isinstance(count, int) else None)

    def save(self, wiki_key: str, state: WikiState) -> None:
        """Write the file atomically (a temporary file renamed over it)."""
        self._document.setdefault("wikis", {})[wiki_key] = {
            "pages": {
                title: {"hash": record.hash, "revid": record.revid,
                        "written_at": record.written_at}
                for title, record in sorted(state.pages.items())
            },
            "published": state.published,
            "case_count": state.case_count,
        }
        text = json.dumps(self._document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            raise StateError(f"cannot write the state file {self.path}: {error}") from error


@contextlib.contextmanager
def run_lock(state_path: Path) -> Iterator[None]:
    """Hold an exclusive lock next to the state file for the whole run."""
    lock_path = Path(f"{state_path}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a")  # noqa: SIM115 - held for the whole run
    except OSError as error:
        raise StateError(f"cannot create the lock file {lock_path}: {error}") from error
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise StateError(
                f"another sync is running (it holds {lock_path}); try again later"
            ) from error
        yield
    finally:
        handle.close()

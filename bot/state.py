"""The bot's memory between runs: a small JSON file, written atomically.

Per wiki — keyed by the wiki's identity from its site information (`wikiid@host`),
not by the URL the bot reached it at — it keeps, for every page the bot wrote, keyed
by the page's id: its title, the hash of the block the bot last wrote (drift
detection) and that revision's id. Besides: the references of the cases it has
published (a case that leaves the public projection stays listed, by reference
only), how many cases it last listed (an app that suddenly answers "no cases"
cannot blank the pages) and the years of the archive pages it keeps.

Version 1 files (keyed by the api.php URL and by title) are still read: the first
run against that URL moves its records under the wiki's identity, and each page
gets its id when the bot next reads it.

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

VERSION = 2
LEGACY_VERSION = 1


class StateError(RuntimeError):
    """The state file cannot be read, written or locked (exit status 2)."""


@dataclass
class PageRecord:
    """What the bot last wrote to one page."""

    hash: str
    revid: int | None = None
    written_at: str = ""
    title: str = ""
    page_id: int | None = None


@dataclass
class WikiState:
    """The bot's memory of one wiki."""

    records: list[PageRecord] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    case_count: int | None = None
    archive_years: list[int] = field(default_factory=list)
    api_urls: list[str] = field(default_factory=list)

    def find(self, title: str, page_id: int | None) -> PageRecord | None:
        """The record of the page at `title` whose id is `page_id` (None: not the bot's).

        A record without an id (from a version 1 file) matches by title.
        """
        if page_id is not None:
            for record in self.records:
                if record.page_id == page_id:
                    return record
        for record in self.records:
            if record.title == title and (record.page_id is None or page_id is None):
                return record
        return None

    def by_title(self, title: str) -> PageRecord | None:
        """The record of the page the bot last wrote under `title`, whatever its id."""
        return next((record for record in self.records if record.title == title), None)

    def record(self, title: str, page_id: int | None, inner_hash: str,
               revid: int | None) -> None:
        """Remember the block just written (or found identical) on `title`."""
        self.records = [
            record for record in self.records
            if record.title != title and (page_id is None or record.page_id != page_id)
        ]
        self.records.append(PageRecord(
            hash=inner_hash, revid=revid, title=title, page_id=page_id,
            written_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        ))

    @property
    def pages(self) -> dict[str, PageRecord]:
        """The records by title."""
        return {record.title: record for record in self.records}


def _records(raw: Any, *, legacy: bool) -> list[PageRecord]:
    records = []
    for key, value in (raw or {}).items():
        if legacy:  # version 1: keyed by title, no page id
            title, page_id = str(key), None
        else:
            title = str(value.get("title", ""))
            page_id = int(key) if str(key).isdigit() else None
        revid = value.get("revid")
        records.append(PageRecord(
            hash=str(value["hash"]), revid=int(revid) if isinstance(revid, int) else None,
            written_at=str(value.get("written_at", "")), title=title, page_id=page_id,
        ))
    return records


def _wiki_state(data: dict[str, Any], *, legacy: bool) -> WikiState:
    count = data.get("case_count")
    return WikiState(
        records=_records(data.get("pages"), legacy=legacy),
        published=[str(ref) for ref in data.get("published") or []],
        case_count=count if isinstance(count, int) else None,
        archive_years=sorted({int(year) for year in data.get("archive_years") or []}),
        api_urls=[str(url) for url in data.get("api_urls") or []],
    )


class StateFile:
    """The JSON file; `load(identity, api_url)` gives a WikiState, `save()` writes it back."""

    def __init__(self, path: Path) -> None:
        """Keep the state in `path` (created on first save)."""
        self.path = Path(path)
        self._document: dict[str, Any] = {"version": VERSION, "wikis": {}}
        self.migrated_from: str | None = None

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": VERSION, "wikis": {}}
        except OSError as error:
            raise StateError(f"cannot read the state file {self.path}: {error}") from error
        if not raw.strip():
            return {"version": VERSION, "wikis": {}}
        try:
            document = json.loads(raw)
            if not isinstance(document, dict) or document.get("version") not in (
                VERSION, LEGACY_VERSION
            ):
                raise ValueError("unknown format")
            if not isinstance(document.get("wikis"), dict):
                raise ValueError("no wikis")
        except ValueError as error:
            raise StateError(
                f"the state file {self.path} is corrupt ({error}); fix or remove it "
                "(without it, drift since the last run cannot be detected)"
            ) from error
        if document["version"] == LEGACY_VERSION:
            # Version 1 was keyed by the API URL; keep those until a run claims them.
            document = {"version": VERSION, "wikis": {}, "legacy": document["wikis"]}
        return document

    def load(self, identity: str, api_url: str = "") -> WikiState:
        """The state of one wiki (empty when the file or the wiki is new)."""
        self._document = self._read()
        try:
            data = self._document["wikis"].get(identity)
            if data is not None:
                state = _wiki_state(data, legacy=False)
            else:
                legacy = self._document.get("legacy") or {}
                old = legacy.get(api_url)
                state = _wiki_state(old, legacy=True) if old is not None else WikiState()
                if old is not None:
                    self.migrated_from = api_url
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise StateError(f"the state file {self.path} is corrupt: {error}") from error
        if api_url and api_url not in state.api_urls:
            state.api_urls.append(api_url)
        return state

    def save(self, identity: str, state: WikiState) -> None:
        """Write the file atomically (a temporary file renamed over it)."""
        pages = {}
        for record in sorted(state.records, key=lambda item: item.title):
            key = str(record.page_id) if record.page_id is not None else f"title:{record.title}"
            pages[key] = {"title": record.title, "hash": record.hash, "revid": record.revid,
                          "written_at": record.written_at}
        self._document.setdefault("wikis", {})[identity] = {
            "api_urls": state.api_urls,
            "pages": pages,
            "published": state.published,
            "case_count": state.case_count,
            "archive_years": sorted(state.archive_years),
        }
        if self.migrated_from is not None:
            legacy = self._document.get("legacy") or {}
            legacy.pop(self.migrated_from, None)
            if legacy:
                self._document["legacy"] = legacy
            else:
                self._document.pop("legacy", None)
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

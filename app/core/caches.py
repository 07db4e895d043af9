"""Small per-process caches of things that change rarely, checked on every use.

A cached value is stored with the *data version* it was computed at and is used only
while the version is unchanged (and for at most `max_age` seconds):

- the newest id of the audit log (`latest_audit_id()`, an index look-up): every
  change the app makes to cases, organisations, working groups, canned replies or
  roles writes an audit event in the same transaction, so a change committed by any
  process — another worker, a command-line job — shows at once;
- a counter of this process (`local_generation()`), bumped whenever a session of this
  process flushes changed objects or runs an ORM insert, update or delete: changes
  made here show at once even when they write no audit event (tests, scripts).

Changes made outside the app (SQL by hand) show after `max_age` at the latest.
Values must be plain data (strings, tuples, frozen dataclasses), never ORM objects: a
cached value is shared by all threads and outlives the session that read it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import ScalarSelect, event, func, select
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import ORMExecuteState, Session

from app.core.audit_log import AuditEvent

T = TypeVar("T")

_generation = 0
_generation_lock = threading.Lock()


def local_generation() -> int:
    """How many times sessions of this process have written objects."""
    return _generation


def _bump() -> None:
    global _generation
    with _generation_lock:
        _generation += 1


def invalidate() -> None:
    """Make every cached value of this process stale (after changing data by hand)."""
    _bump()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if session.new or session.dirty or session.deleted:  # still the pre-flush state here
        _bump()


_database_errors = 0


@event.listens_for(Engine, "handle_error")
def _on_database_error(_context: ExceptionContext) -> None:
    """Count database errors: after one, `RecentAuditId` asks the database again (so a
    database that went away gives its usual error page, not a cached one)."""
    global _database_errors
    with _generation_lock:
        _database_errors += 1


@event.listens_for(Session, "do_orm_execute")
def _on_orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _bump()


def latest_audit_id_column() -> ScalarSelect[Any]:
    """`(SELECT max(id) FROM audit_events)`, to add to another query's columns."""
    return select(func.max(AuditEvent.id)).scalar_subquery()


_LATEST_AUDIT = select(func.max(AuditEvent.id))


def latest_audit_id(db: Session) -> int:
    """The newest audit event's id (0 when the log is empty): an index look-up, run on
    the session's connection without the ORM's machinery (it is on every cached page)."""
    return int(db.connection().scalar(_LATEST_AUDIT) or 0)


def data_version(db: Session) -> tuple[int, int]:
    """The version a cached value is checked against (this process's generation is
    read before the database, so a value computed from what the query sees is never
    stored under a newer version)."""
    generation = local_generation()
    return (latest_audit_id(db), generation)


class RecentAuditId:
    """The audit log's newest id, read from the database at most once per `window`
    seconds (per process): for pages answered from a cache far more often than that,
    where a change made by another process may show up to `window` seconds late.
    This process's own changes still show at once (`local_generation()` is read on
    every call)."""

    def __init__(self) -> None:
        self._value = 0
        self._read_at: float | None = None
        self._errors_then = 0
        self._lock = threading.Lock()

    def version(self, session: Callable[[], Session], window: float) -> tuple[int, int]:
        """(newest audit id, this process's generation); `session()` gives the session
        to read the id with, when it is read. Read again after any database error."""
        generation, errors = local_generation(), _database_errors
        now = time.monotonic()
        with self._lock:
            if (self._read_at is not None and now - self._read_at < window
                    and errors == self._errors_then):
                return (self._value, generation)
        value = latest_audit_id(session())
        with self._lock:
            self._value, self._read_at, self._errors_then = value, now, errors
        return (value, generation)


class VersionedCache(Generic[T]):
    """At most `size` values, each valid for its data version and `max_age` seconds."""

    def __init__(self, size: int = 64, max_age: float = 60.0) -> None:
        self.size, self.max_age = size, max_age
        self._items: OrderedDict[Hashable, tuple[Hashable, float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable) -> T | None:
        """The value stored for `key` at `version`, if still fresh."""
        if self.max_age <= 0:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            stored_version, stored_at, value = found
            if stored_version != version or time.monotonic() - stored_at > self.max_age:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, version: Hashable, value: T) -> None:
        """Store `value` for `key` at `version` (the oldest entries make room)."""
        if self.max_age <= 0:
            return
        with self._lock:
            self._items[key] = (version, time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_compute(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The cached value, or `compute()` stored for next time."""
        found = self.get(key, version)
        if found is None:
            found = compute()
            self.put(key, version, found)
        return found

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


DEFAULT_MAX_AGE = 60.0


def app_cache(name: str, size: int) -> VersionedCache[Any]:
    """The current app's cache called `name`; its values live DATA_CACHE_SECONDS (60 by
    default; 0 turns the caches off, e.g. to measure pages with nothing cached)."""
    key = f"helpdesk_cache_{name}"
    cache: VersionedCache[Any] | None = current_app.extensions.get(key)
    max_age = float(current_app.config.get("DATA_CACHE_SECONDS", DEFAULT_MAX_AGE))
    if cache is None or cache.max_age != max_age:
        cache = current_app.extensions[key] = VersionedCache(size=size, max_age=max_age)
    return cache

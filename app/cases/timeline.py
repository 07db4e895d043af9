"""A case's timeline: state changes (from the audit log) and messages, merged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.cases.models import Case, CaseMessage
from app.cases.transitions import ACTIONS, STATES
from app.core.audit_log import AuditEvent
from app.core.babel_cache import labels


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline."""

    at: datetime
    kind: str  # "state" | "message" | "edit"
    actor: User | None
    text: str
    internal: bool = False
    state: str | None = None
    # An edit of the request: (field, before, after) of each changed field.
    changes: tuple[tuple[str, Any, Any], ...] = ()


# Fields of a request whose edits only staff see in the history (the contact details).
PRIVATE_EDITS = frozenset({"contact_name", "contact_email"})


def _edit_entries(event: AuditEvent) -> list[TimelineEntry]:
    """An edit of the request (`case.edit`): its changes, the contact details' apart."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    changes = [(field, before.get(field), value) for field, value in after.items()]
    parts = ([c for c in changes if c[0] not in PRIVATE_EDITS],
             [c for c in changes if c[0] in PRIVATE_EDITS])
    return [TimelineEntry(event.created_at, "edit", event.actor, "", internal=private,
                          changes=tuple(part))
            for private, part in zip((False, True), parts, strict=True) if part]


def _state_entries(db: Session, case: Case) -> list[TimelineEntry]:
    # One statement each for events and messages, their people joined (index
    # ix_audit_events_object finds the case's events).
    events = db.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id))
        .order_by(AuditEvent.id)
    ).all()
    entries = []
    names = labels(STATES)
    for event in events:
        action = event.action.removeprefix("case.")
        after = event.after if isinstance(event.after, dict) else {}
        if action == "create":
            entries.append(TimelineEntry(event.created_at, "state", event.actor,
                                         names["submitted"], state="submitted"))
        elif action in ACTIONS and "state" in after:
            state = str(after["state"])
            entries.append(TimelineEntry(event.created_at, "state", event.actor,
                                         names.get(state, state), state=state))
        elif action == "edit":
            entries.extend(_edit_entries(event))
    return entries


def timeline(db: Session, case: Case, include_internal: bool) -> list[TimelineEntry]:
    """State changes and messages, oldest first; internal notes only for staff."""
    query = (select(CaseMessage).options(joinedload(CaseMessage.author))
             .where(CaseMessage.case_id == case.id).order_by(CaseMessage.id))
    if not include_internal:
        query = query.where(CaseMessage.internal.is_(False))
    messages = [TimelineEntry(m.created_at, "message", m.author, m.body, m.internal)
                for m in db.scalars(query)]
    entries = [entry for entry in _state_entries(db, case)
               if include_internal or not entry.internal] + messages
    return sorted(entries, key=lambda entry: (entry.at, entry.kind != "state"))


def changes_since(db: Session, case: Case, since: datetime) -> list[AuditEvent]:
    """Audit events on the case after `since` (to tell a user what changed)."""
    return list(db.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.actor))
        .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id),
               AuditEvent.created_at > since)
        .order_by(AuditEvent.id)
    ))

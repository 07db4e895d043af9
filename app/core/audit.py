"""The one way to change something: record it in the audit log.

Every change to a case, a role, a membership or a decision calls `record()` in
the same session (and so the same transaction) as the change itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.core.audit_log import AuditEvent
from app.core.pagination import Page, paginate


def record(
    session: Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append an event to the audit log (committed together with the change)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )
    session.add(event)
    return event


def page_of_events(session: Session, number: int,
                   per_page: int) -> tuple[list[AuditEvent], Page]:
    """Events newest first: one page of them (kept between the first and the last)."""
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    page = paginate(number, per_page, int(total))
    events = session.scalars(
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset(page.offset)
        .limit(per_page)
    ).all()
    return list(events), page

"""The one way to change something: record it in the audit log.

Every change to a case, a role, a membership or a decision calls `record()` in
the same session (and so the same transaction) as the change itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.audit_log import AuditEvent


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

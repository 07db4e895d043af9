"""What the queue tests share: people, approved cases, reading the queue page."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.models import utcnow
from tests.factories import make_case, make_user
from tests.html import one, parse, table_rows


def people(db: Session) -> dict[str, User]:
    """The demo users with their roles (made before anyone signs in)."""
    return {
        "ada": make_user(db, "Ada Requester"),
        "omar": make_user(db, "Omar Requester"),
        "ngozi": make_user(db, "Ngozi Committee", "committee"),
        "mei": make_user(db, "Mei Committee", "committee"),
        "sven": make_user(db, "Sven Helpdesk", "helpdesk"),
        "leila": make_user(db, "Leila Lead", "helpdesk"),
    }


def approved_case(db: Session, requester: User | None, title: str, **fields: Any) -> Case:
    """A request the helpdesk accepted and the committee approved (the final go is
    recorded elsewhere; here the case is simply put in the approved state, as the
    decision's transition does)."""
    case = make_case(db, requester, title=title, **fields)
    service.move(db, case, make_user(db, "Sven Helpdesk", "helpdesk"), {"helpdesk"}, "triage")
    case.state, case.state_changed_at = "approved", utcnow()
    db.flush()
    return case


def queue_titles(client: FlaskClient) -> list[str]:
    """The titles of the support queue page, first in line first."""
    response = client.get("/committee/queue")
    assert response.status_code == 200
    return [row[2] for row in table_rows(response.get_data(as_text=True))]


def queue_form(client: FlaskClient) -> dict[str, str]:
    """The queue page's CSRF token and the order it shows."""
    soup = parse(client.get("/committee/queue").get_data(as_text=True))
    form = one(soup, "form.queue-form")
    return {str(field["name"]): str(field.get("value", ""))
            for field in form.select('input[type="hidden"][name]')}


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))

"""The audit log only grows."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.core import audit
from app.core.audit_log import AuditEvent, AuditLogIsAppendOnly
from app.core.db import get_session


def test_events_are_added_with_the_change_and_never_edited(app: Flask) -> None:
    with app.app_context():
        db = get_session()
        user = User(central_id=42, username="Tester")
        db.add(user)
        db.flush()
        audit.record(db, user, "user.create", "user", user.id, after={"username": "Tester"})
        db.commit()
        event = db.scalars(select(AuditEvent)).one()
        assert (event.actor_id, event.action, event.after) == (user.id, "user.create",
                                                               {"username": "Tester"})
        event.action = "something.else"
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        db.delete(db.scalars(select(AuditEvent)).one())
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        assert db.scalars(select(AuditEvent.action)).all() == ["user.create"]


def test_event_rolled_back_with_its_change(app: Flask) -> None:
    with app.app_context():
        db = get_session()
        user = User(central_id=43, username="Tester")
        db.add(user)
        db.flush()
        audit.record(db, user, "user.create", "user", user.id)
        db.rollback()
        assert db.scalars(select(AuditEvent)).all() == []

"""The demo data `make run` loads: every state, loaded once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.cases.models import Case
from app.cases.transitions import STATES
from app.core.audit_log import AuditEvent
from app.core.db import get_session


def test_demo_data_covers_every_state_and_loads_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    with app.app_context():
        db = get_session()
        states = set(db.scalars(select(Case.state)))
        events = db.scalar(select(func.count(AuditEvent.id)))
    assert states == set(STATES)
    again = runner.invoke(args=["demo", "load"])
    assert "already there" in again.output
    with app.app_context():
        assert get_session().scalar(select(func.count(AuditEvent.id))) == events

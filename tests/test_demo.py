"""The demo data `make run` loads: every state, loaded once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.db import get_session
from app.models import AuditEvent, Case
from app.workflow.transitions import STATES


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

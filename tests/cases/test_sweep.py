"""The sweep: remind requesters who were asked for information, then close unanswered
requests as withdrawn; waiting on the requester does not count on the stage clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.clock import stage_clock
from app.cases.models import Case
from app.cases.sweep import sweep
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.core.models import utcnow
from app.notifications.models import OutboxMessage
from tests.factories import make_case, make_user

DAY = timedelta(days=1)


class Clock:
    """The time the workflow services see (they stamp state changes with it)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock(utcnow())
    monkeypatch.setattr(service, "utcnow", lambda: fake.now)
    yield fake


def committee(db: Any) -> list[User]:
    return [make_user(db, name, "committee")
            for name in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]


def case_waiting_on_requester(db: Any, clock: Clock, requester: User) -> Case:
    """Filed and triaged now; one day later the committee asks for information."""
    case = make_case(db, requester)
    service.move(db, case, make_user(db, "Sven Helpdesk", "helpdesk"), {"helpdesk"}, "triage")
    db.commit()
    clock.advance(DAY)
    members = committee(db)
    service.record_decision(
        db, case, members[0], case_access(db, members[0], case),
        expected_version=case.version, outcome="ask_information",
        rationale="The licence of the scans is unclear.",
        public_rationale="Which licence do the scans have?",
        participant_ids=[member.id for member in members],
    )
    db.commit()
    assert case.state == "needs_information"
    return case


def events(db: Any, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


def reminders(db: Any) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")))


def test_reminded_once_then_closed_as_withdrawn(app: Flask, clock: Clock) -> None:
    with app.app_context():
        db = get_session()
        case = case_waiting_on_requester(db, clock, make_user(db, "Ada Requester"))
        asked_at = clock.now

        early = sweep(db, now=asked_at + 13 * DAY)
        db.commit()
        assert (early.reminded, early.closed) == ([], [])
        assert reminders(db) == []

        result = sweep(db, now=asked_at + 14 * DAY + timedelta(minutes=1))
        db.commit()
        assert result.reminded == [case.reference]
        (reminder,) = reminders(db)
        assert (reminder.to_address, reminder.case_id) == ("ada@example.org", case.id)
        assert case.reference in reminder.subject
        (remind_event,) = events(db, "case.remind")
        assert (remind_event.actor_id, remind_event.object_id) == (None, str(case.id))
        assert remind_event.after == {"waited_days": 14}

        again = sweep(db, now=asked_at + 20 * DAY)
        db.commit()
        assert again.reminded == []  # only once
        assert len(reminders(db)) == 1
        assert len(events(db, "case.remind")) == 1
        assert case.state == "needs_information"

        clock.now = asked_at + 30 * DAY
        closed = sweep(db, now=clock.now)
        db.commit()
        assert closed.closed == [case.reference]
        db.expire_all()
        stored = db.get(Case, case.id)
        assert stored is not None
        assert (stored.state, stored.outcome) == ("withdrawn", "no_answer")
        assert stored.closed_at == clock.now
        (expire_event,) = events(db, "case.expire")
        assert expire_event.actor_id is None
        assert expire_event.after == {"state": "withdrawn", "outcome": "no_answer"}
        assert sweep(db, now=asked_at + 60 * DAY).closed == []  # closed cases are left alone


def test_answered_case_is_left_alone(app: Flask, clock: Clock) -> None:
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        case = case_waiting_on_requester(db, clock, ada)
        clock.advance(5 * DAY)
        service.move(db, case, ada, {"requester"}, "answer", message="They are all CC0.")
        db.commit()

        result = sweep(db, now=clock.now + 40 * DAY)
        db.commit()

        assert (result.reminded, result.closed) == ([], [])
        db.expire_all()
        assert db.get(Case, case.id).state == "in_initial_review"  # type: ignore[union-attr]
        assert reminders(db) == []
        assert events(db, "case.remind") == events(db, "case.expire") == []


def test_waiting_on_the_requester_pauses_the_review_clock(app: Flask, clock: Clock) -> None:
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        case = case_waiting_on_requester(db, clock, ada)  # 1 day of review, then asked
        clock.advance(10 * DAY)
        waiting = stage_clock(case, clock.now)
        assert (waiting.state, waiting.days) == ("needs_information", 10)

        service.move(db, case, ada, {"requester"}, "answer", message="They are all CC0.")
        db.commit()
        clock.advance(2 * DAY)

        review = stage_clock(case, clock.now)
        assert review.state == "in_initial_review"
        assert review.elapsed_seconds == int((3 * DAY).total_seconds())  # not 13 days
        assert not review.overdue


def test_reminder_and_expiry_follow_the_configuration(app: Flask, clock: Clock) -> None:
    app.config.update(REMIND_AFTER_DAYS=2, EXPIRE_AFTER_DAYS=5)
    with app.app_context():
        db = get_session()
        case = case_waiting_on_requester(db, clock, make_user(db, "Ada Requester"))
        assert sweep(db, now=clock.now + 2 * DAY).reminded == [case.reference]
        db.commit()
        assert sweep(db, now=clock.now + 5 * DAY).closed == [case.reference]
        db.commit()


def test_no_reminder_email_when_the_requester_turned_email_off(
    app: Flask, clock: Clock
) -> None:
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        ada.email_notifications = False
        case = case_waiting_on_requester(db, clock, ada)
        assert sweep(db, now=clock.now + 15 * DAY).reminded == [case.reference]
        db.commit()
        assert reminders(db) == []
        assert len(events(db, "case.remind")) == 1  # still audited


def test_sweep_command(app: Flask, clock: Clock) -> None:
    clock.now = utcnow() - 40 * DAY
    with app.app_context():
        db = get_session()
        old = case_waiting_on_requester(db, clock, make_user(db, "Ada Requester"))
        clock.now = utcnow() - 20 * DAY
        reminded = case_waiting_on_requester(db, clock, make_user(db, "Omar Requester"))
        clock.now = utcnow()
        fresh = case_waiting_on_requester(db, clock, make_user(db, "Leila Lead"))
        references = old.reference, reminded.reference, fresh.reference

    result = app.test_cli_runner().invoke(args=["cases", "sweep"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"reminded 1: {references[1]}",
                                          f"closed 1: {references[0]}"]
    with app.app_context():
        db = get_session()
        states = {case.reference: case.state for case in db.scalars(select(Case))}
        assert states == {references[0]: "withdrawn", references[1]: "needs_information",
                          references[2]: "needs_information"}
        assert [row.case_id for row in reminders(db)] == [reminded.id]

    again = app.test_cli_runner().invoke(args=["cases", "sweep"])
    assert again.stdout.splitlines() == ["reminded 0: -", "closed 0: -"]


def test_sweep_command_refuses_a_bad_setting(app: Flask) -> None:
    app.config["REMIND_AFTER_DAYS"] = "soon"
    result = app.test_cli_runner().invoke(args=["cases", "sweep"])
    assert result.exit_code == 1
    assert "REMIND_AFTER_DAYS must be a number of days" in result.output

"""Stage clocks: which stage a case is in, whom it waits on, how long, the target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app

from app.cases.labels import WAITING_ON
from app.cases.transitions import CLOSED_STATES
from app.core.babel_cache import labels
from app.core.models import utcnow

_WAITING_LABELS = {state: text for state, text in WAITING_ON.items() if text is not None}

DEFAULT_TARGET_DAYS: dict[str, int] = {
    "submitted": 3,
    "in_initial_review": 14,
    "needs_information": 14,
    "with_working_groups": 21,
    "awaiting_final_go": 14,
    "approved": 7,
    "in_support": 90,
}


def target_days(state: str) -> int | None:
    """The configured target for a state (STAGE_TARGET_DAYS overrides defaults)."""
    targets = {**DEFAULT_TARGET_DAYS, **current_app.config.get("STAGE_TARGET_DAYS", {})}
    return targets.get(state)


@dataclass(frozen=True)
class StageClock:
    """The clock of a case's current stage."""

    state: str
    waiting_on: str | None
    elapsed_seconds: int
    target_days: int | None

    @property
    def days(self) -> int:
        """Whole days in this stage."""
        return self.elapsed_seconds // 86400

    @property
    def overdue(self) -> bool:
        """Past the target for this stage."""
        return self.target_days is not None and self.elapsed_seconds > self.target_days * 86400


class Clocked(Protocol):
    """What a stage clock reads of a case (a `Case`, or a row of a list)."""

    @property
    def state(self) -> str: ...

    @property
    def state_changed_at(self) -> datetime: ...

    @property
    def stage_started_at(self) -> datetime: ...

    @property
    def paused_seconds(self) -> int: ...


def stage_clock(case: Clocked, now: datetime | None = None) -> StageClock:
    """The clock for the case now. Time waiting on the requester does not count
    against the committee's review stage."""
    now = now or utcnow()
    waiting = labels(_WAITING_LABELS).get(case.state)  # translated once per request
    if case.state in CLOSED_STATES or case.state == "needs_information":
        elapsed = int((now - case.state_changed_at).total_seconds())
    else:
        elapsed = int((now - case.stage_started_at).total_seconds()) - (case.paused_seconds or 0)
    return StageClock(
        state=case.state,
        waiting_on=waiting,
        elapsed_seconds=max(0, elapsed),
        target_days=None if case.state in CLOSED_STATES else target_days(case.state),
    )

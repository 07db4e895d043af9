"""A case as a row of a list: the case with its stage clock and labels.

Everything here reads columns already loaded; nothing queries the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.cases.clock import StageClock, stage_clock
from app.cases.labels import PRIORITIES, label
from app.cases.transitions import STATES
from app.core.models import utcnow
from app.dashboard.queries import ListedCase

PRIORITY_BADGES = {"urgent": "badge--error", "high": "badge--warning", "low": ""}


@dataclass(frozen=True)
class CaseRow:
    """One case in a table."""

    case: ListedCase
    clock: StageClock

    @property
    def state_label(self) -> str:
        """The case's state, translated."""
        return label(STATES, self.case.state)

    @property
    def priority_label(self) -> str:
        """The case's priority, translated."""
        return label(PRIORITIES, self.case.priority)

    @property
    def priority_class(self) -> str:
        """The badge modifier class for the priority ("" for a plain badge)."""
        return PRIORITY_BADGES.get(self.case.priority, "")


def case_rows(cases: Iterable[ListedCase], now: datetime | None = None) -> list[CaseRow]:
    """Rows for the cases, all clocks read at the same moment."""
    now = now or utcnow()
    return [CaseRow(case, stage_clock(case, now)) for case in cases]

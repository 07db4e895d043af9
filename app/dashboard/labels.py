"""What the dashboard's lists show of a case besides its columns: the names of its state
and priority, its priority badge and its stage clock; and the tiles of counts per state.

Everything here reads values already loaded; nothing queries the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.cases.clock import StageClock, stage_clock
from app.cases.labels import PRIORITIES, RECOMMENDATIONS, label, state_label
from app.cases.transitions import ACTIONS, STATES
from app.core.babel_cache import labels
from app.core.models import utcnow
from app.dashboard.forms import QueueFilters
from app.dashboard.queries import ListedCase, UnderReview

PRIORITY_BADGES = {"urgent": "badge--error", "high": "badge--warning", "low": ""}


@dataclass(frozen=True)
class CaseRow:
    """One case in a table."""

    case: ListedCase
    clock: StageClock

    @property
    def state_label(self) -> str:
        """The case's state, translated."""
        return state_label(self.case.state)

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


@dataclass(frozen=True)
class ReviewRow(CaseRow):
    """A case in a review stage, in a committee member's lists."""

    review: UnderReview
    quorum: int

    @property
    def my_review(self) -> str:
        """The member's vote (or older recommendation) for this stage, translated ("" when
        none)."""
        code = self.review.my_recommendation
        if code in ACTIONS:
            return label(ACTIONS, code)
        return label(RECOMMENDATIONS, code)

    @property
    def quorum_reached(self) -> bool:
        """Have as many members reviewed the stage as a decision needs?"""
        return self.review.reviews >= self.quorum


def review_rows(items: Iterable[UnderReview], quorum: int,
                now: datetime | None = None) -> list[ReviewRow]:
    """Rows for the cases under review, all clocks read at the same moment."""
    now = now or utcnow()
    return [ReviewRow(item.case, stage_clock(item.case, now), item, quorum) for item in items]


@dataclass(frozen=True)
class StateCount:
    """One tile of the counts per state."""

    state: str
    label: str
    count: int
    args: dict[str, str]
    current: bool


def state_counts(counts: dict[str, int], filters: QueueFilters) -> list[StateCount]:
    """A tile per state of the workflow: its name, its number of cases, the queue's link
    arguments for it, and whether the queue shows just that state now."""
    return [
        StateCount(state, name, counts.get(state, 0), QueueFilters(state=state).to_args(),
                   filters.state == state)
        for state, name in labels(STATES).items()
    ]

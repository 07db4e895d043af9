"""The figures behind the statistics pages and the CSV export.

Two queries per scope, whatever the number of cases: one for the cases (a few
columns each), one for their state changes in the audit log. Everything else is
counted here in Python by pure functions, so the numbers are easy to test.

Scope: ``public=True`` counts only cases in the public projection
(`app.public.projection.is_public_clause`); ``public=False`` counts every case.

Time in each stage comes from the audit log. A case enters ``submitted`` when it
is created (its ``case.create`` event; a case without one counts from its
``created_at``) and enters a new state at each workflow event whose ``after``
names a ``state``. A stay lasts from entering a state to entering the next one.
Only *completed* stays count: the stage a case is in now is left out, so the
figures do not drift from one day to the next. Time a case spent closed before
being reopened is not a stage and is left out too. Per stage we give the median
(the mean of the two middle values when there is an even number of stays) and
the 90th percentile by the nearest-rank method: the value at rank ⌈0.9·n⌉ of the
n stays sorted from shortest to longest. Both in days, rounded half up to one
decimal.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.labels import ORGANISATION_KINDS, THEMES
from app.cases.models import Case
from app.cases.transitions import ACTIONS, CLOSED_STATES, STATES
from app.core.audit_log import AuditEvent
from app.core.regions import REGIONS, region_of
from app.groups.models import Membership, WorkingGroup
from app.partners.models import Organisation
from app.public.projection import is_public_clause

SECONDS_PER_DAY = 86400
UNKNOWN = "unknown"  # the key of cases without a region
CREATE_ACTION = "case.create"
# Audit actions that can move a case: its creation and every workflow action.
STATE_ACTIONS: tuple[str, ...] = (CREATE_ACTION, *(f"case.{action}" for action in ACTIONS))
# The stages we time: the open states, in workflow order.
STAGES: tuple[str, ...] = tuple(state for state in STATES if state not in CLOSED_STATES)


# -- what the queries return ---------------------------------------------------

@dataclass(frozen=True)
class CaseRow:
    """The few fields of a case that the statistics read."""

    id: int
    state: str
    themes: tuple[str, ...]
    region: str | None
    kind: str
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class StateEntry:
    """A case entering a state at a time (from the audit log)."""

    case_id: int
    at: datetime
    state: str
    order: int = 0  # the event id: breaks ties between events of the same instant
    create: bool = False


# -- the results ---------------------------------------------------------------

@dataclass(frozen=True)
class Month:
    """Cases opened and closed in one calendar month (UTC)."""

    key: str  # "YYYY-MM"
    year: int
    month: int
    opened: int
    closed: int


@dataclass(frozen=True)
class StageTime:
    """Completed stays in one stage: how many, their median and 90th percentile in days."""

    state: str
    stays: int
    median_days: Decimal | None
    p90_days: Decimal | None


@dataclass
class Figures:
    """Every figure of the statistics page for one scope."""

    public: bool
    total: int = 0
    open: int = 0
    closed: int = 0
    by_state: list[tuple[str, int]] = field(default_factory=list)
    by_theme: list[tuple[str, int]] = field(default_factory=list)
    by_region: list[tuple[str, int]] = field(default_factory=list)
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)
    stage_times: list[StageTime] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    """A country with requests and no working-group member from it."""

    country: str
    region: str | None
    requests: int


# -- pure computations ------------------------------------------------------------

def ordered_counts(counts: Mapping[str, int], order: Sequence[str]) -> list[tuple[str, int]]:
    """Non-zero counts, largest first; ties in `order` (unknown codes last, by code)."""
    position = {code: index for index, code in enumerate(order)}
    return sorted(
        ((code, value) for code, value in counts.items() if value),
        key=lambda item: (-item[1], position.get(item[0], len(order)), item[0]),
    )


def count_states(cases: Iterable[CaseRow]) -> list[tuple[str, int]]:
    """Cases in each state: every state of the workflow, in workflow order, zeros too."""
    counts = Counter(case.state for case in cases)
    known = [(state, counts.get(state, 0)) for state in STATES]
    unknown = sorted((state, value) for state, value in counts.items() if state not in STATES)
    return known + unknown


def count_themes(cases: Iterable[CaseRow]) -> list[tuple[str, int]]:
    """Cases per theme; a case with two themes counts once in each."""
    counts: Counter[str] = Counter()
    for case in cases:
        counts.update(set(case.themes))
    return ordered_counts(counts, tuple(THEMES))


def count_regions(cases: Iterable[CaseRow]) -> list[tuple[str, int]]:
    """Cases per movement region (``unknown`` for cases without one)."""
    counts = Counter(case.region or UNKNOWN for case in cases)
    return ordered_counts(counts, (*REGIONS, UNKNOWN))


def count_kinds(cases: Iterable[CaseRow]) -> list[tuple[str, int]]:
    """Cases per kind of organisation."""
    return ordered_counts(Counter(case.kind for case in cases), tuple(ORGANISATION_KINDS))


def per_month(cases: Iterable[CaseRow]) -> list[Month]:
    """Cases opened (by created_at) and closed (by closed_at) in each month.

    Every month from the first to the last one with either, zeros included, so a
    chart of them has no holes. A reopened case is not closed (it has no closed_at).
    """
    opened: Counter[tuple[int, int]] = Counter()
    closed: Counter[tuple[int, int]] = Counter()
    for case in cases:
        opened[(case.created_at.year, case.created_at.month)] += 1
        if case.closed_at is not None:
            closed[(case.closed_at.year, case.closed_at.month)] += 1
    seen = set(opened) | set(closed)
    if not seen:
        return []
    (year, month), last = min(seen), max(seen)
    months: list[Month] = []
    while (year, month) <= last:
        months.append(Month(key=f"{year:04d}-{month:02d}", year=year, month=month,
                            opened=opened.get((year, month), 0),
                            closed=closed.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def median(values: Sequence[float]) -> float:
    """The median: the middle value, or the mean of the two middle values."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    """The percentile by the nearest-rank method: the value at rank ⌈fraction·n⌉ (1-based)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    # Exact decimal arithmetic, so no rounding error can push a rank one too high.
    rank = math.ceil(Decimal(str(fraction)) * len(ordered))
    return ordered[max(rank, 1) - 1]


def to_days(seconds: float) -> Decimal:
    """Seconds as days, rounded half up to one decimal."""
    days = Decimal(str(seconds)) / SECONDS_PER_DAY
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def stays(
    cases: Iterable[CaseRow], entries: Iterable[StateEntry]
) -> dict[str, list[float]]:
    """Seconds of every completed stay, per state (the current state does not count)."""
    by_case: dict[int, list[StateEntry]] = defaultdict(list)
    for entry in entries:
        by_case[entry.case_id].append(entry)
    durations: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        history = sorted(by_case.get(case.id, []), key=lambda e: (e.at, e.order))
        if not any(entry.create for entry in history):
            history.insert(0, StateEntry(case.id, case.created_at, "submitted", -1, True))
        # A repeated state (no real change) continues the same stay.
        changes: list[StateEntry] = []
        for entry in history:
            if not changes or changes[-1].state != entry.state:
                changes.append(entry)
        for entry, following in pairwise(changes):
            seconds = (following.at - entry.at).total_seconds()
            durations[entry.state].append(max(seconds, 0.0))
    return durations


def stage_times(durations: Mapping[str, Sequence[float]]) -> list[StageTime]:
    """Median and nearest-rank 90th percentile, in days, of each stage (open states)."""
    result: list[StageTime] = []
    for state in STAGES:
        values = durations.get(state, [])
        if values:
            result.append(StageTime(state, len(values), to_days(median(values)),
                                    to_days(nearest_rank(values, 0.9))))
        else:
            result.append(StageTime(state, 0, None, None))
    return result


def compute(public: bool, cases: Sequence[CaseRow], entries: Iterable[StateEntry]) -> Figures:
    """Every figure from the loaded rows."""
    closed = sum(1 for case in cases if case.state in CLOSED_STATES)
    return Figures(
        public=public,
        total=len(cases),
        open=len(cases) - closed,
        closed=closed,
        by_state=count_states(cases),
        by_theme=count_themes(cases),
        by_region=count_regions(cases),
        by_kind=count_kinds(cases),
        months=per_month(cases),
        stage_times=stage_times(stays(cases, entries)),
    )


# -- loading -----------------------------------------------------------------------

def _state_of(after: Any) -> str | None:
    if isinstance(after, dict):
        state = after.get("state")
        if isinstance(state, str) and state:
            return state
    return None


def load_cases(db: Session, public: bool) -> list[CaseRow]:
    """The cases of the scope (one query)."""
    query = (
        select(Case.id, Case.state, Case.themes, Case.region, Organisation.kind,
               Case.created_at, Case.closed_at)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .order_by(Case.id)
    )
    if public:
        query = query.where(is_public_clause())
    return [
        CaseRow(id=row[0], state=row[1],
                themes=tuple(code for code in row[2] or [] if isinstance(code, str)),
                region=row[3], kind=row[4], created_at=row[5], closed_at=row[6])
        for row in db.execute(query)
    ]


def load_entries(db: Session, public: bool) -> list[StateEntry]:
    """Every state a case of the scope entered, from the audit log (one query)."""
    query = (
        select(AuditEvent.id, Case.id, AuditEvent.created_at, AuditEvent.action,
               AuditEvent.after)
        .join(Case, Case.id == cast(AuditEvent.object_id, Integer))
        .where(AuditEvent.object_type == "case", AuditEvent.action.in_(STATE_ACTIONS))
    )
    if public:
        query = query.where(is_public_clause())
    entries: list[StateEntry] = []
    for event_id, case_id, created_at, action, after in db.execute(query):
        create = action == CREATE_ACTION
        state = "submitted" if create else _state_of(after)
        if state is not None:
            entries.append(StateEntry(case_id, created_at, state, event_id, create))
    return entries


def figures(db: Session, public: bool) -> Figures:
    """The figures of one scope: public cases only, or every case (two queries)."""
    return compute(public, load_cases(db, public), load_entries(db, public))


# -- filling the gaps ----------------------------------------------------------------

def find_gaps(case_countries: Iterable[Iterable[str]], member_countries: Iterable[str]
              ) -> list[Gap]:
    """Countries that cases name and no member comes from; most requests first.

    Each case counts once per country it names; ties are in country code order
    (the view sorts ties by the name in the page's language).
    """
    covered = {code.strip().upper() for code in member_countries if code and code.strip()}
    counts: Counter[str] = Counter()
    for countries in case_countries:
        counts.update({code.strip().upper() for code in countries
                       if isinstance(code, str) and code.strip()})
    return [
        Gap(country=code, region=region_of(code), requests=value)
        for code, value in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if code not in covered
    ]


def gaps(db: Session) -> list[Gap]:
    """Countries of public cases with no working-group member (of an active group). A
    member's country is the one they set in their preferences (or one the membership
    itself names)."""
    case_countries = db.scalars(select(Case.countries).where(is_public_clause()))
    member_country = func.coalesce(Membership.country, User.country)
    member_countries = db.scalars(
        select(member_country)
        .join(WorkingGroup, WorkingGroup.id == Membership.group_id)
        .join(User, User.id == Membership.user_id)
        .where(WorkingGroup.archived.is_(False), member_country.is_not(None))
        .distinct()
    )
    return find_gaps((countries or [] for countries in case_countries),
                     (code for code in member_countries if code))

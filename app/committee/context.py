"""What the case page's committee panel shows: the votes of the stage (to a member who
may see them), the tally against the quorum, any dissent, the member's own vote and the
criteria with their medians. Two statements: the votes with their scores, the criteria.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from statistics import median
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.access import CaseAccess
from app.cases.models import Case
from app.cases.queries import reviews_of
from app.committee import votes
from app.committee.labels import criterion_description, criterion_name
from app.committee.models import Criterion, Review
from app.committee.queries import criteria
from app.core.models import utcnow


@dataclass(frozen=True)
class CriterionSpread:
    """One criterion's scores over some votes, for the median chart."""

    criterion_id: int
    name: str
    median: float
    scores: list[int]


def spreads(all_criteria: Iterable[Criterion], basis: Iterable[Review]) -> list[CriterionSpread]:
    """Median and scores per criterion (criteria nobody scored left out), in order."""
    found = votes.medians(basis)
    return [CriterionSpread(c.id, criterion_name(c), *found[c.id])
            for c in all_criteria if c.id in found]


def _shown_stage(case: Case) -> str:
    """The stage whose votes the panel shows: the open one, else the latest one."""
    stage = votes.open_stage(case)
    if stage:
        return stage
    return "final" if case.state in ("approved", "in_support", "closed") else "initial"


def votes_context(db: Session, case: Case, access: CaseAccess, user_id: int,
                  members: Collection[User], recused: Collection[int]) -> dict[str, Any]:
    """The panel's variables (nothing of the votes for a recused member)."""
    if not access.can_see_reviews:
        return {"vote_stage": None, "vote_open": False}
    reviews = reviews_of(db, case)
    all_criteria = criteria(db)
    open_stage = votes.open_stage(case)
    stage = _shown_stage(case)
    outcomes = votes.stage_outcomes(stage)
    current = votes.current_votes(reviews, stage) if open_stage else []
    mine = next((r for r in reviews if r.member_id == user_id and r.stage == stage), None)
    eligible = ({member.id for member in members} | votes.substitute_ids(case)) - set(recused)
    counted = [v for v in current if v.member_id in eligible and v.recommendation in outcomes]
    tally = votes.tally(counted)
    always = current_app.config.get("COMMITTEE_VOTES_VISIBLE", "after_voting") == "always"
    has_voted = mine is not None and mine in current
    correctable = (mine is not None and mine.decision_id is not None
                   and mine.recorded_by_id not in (None, user_id)
                   and utcnow() - mine.updated_at <= timedelta(days=votes.CORRECTION_DAYS))
    basis = current or [r for r in reviews if r.stage == stage]
    return {
        "vote_stage": stage,
        "vote_open": open_stage is not None,
        "vote_outcomes": outcomes,
        "votes_shown": always or has_voted or not open_stage,
        "stage_votes": current,
        "counted_votes": counted,
        "tally": tally,
        "dissent": [v for v in counted if v.recommendation not in tally.majority],
        "my_vote": mine,
        "my_vote_current": has_voted,
        "my_vote_correctable": correctable,
        "my_scores": {s.criterion_id: s for s in mine.scores} if mine else {},
        "criteria": [c for c in all_criteria if c.active],
        "criterion_names": {c.id: criterion_name(c) for c in all_criteria},
        "criterion_descriptions": {c.id: criterion_description(c) for c in all_criteria},
        "spreads": spreads(all_criteria, basis),
        "earlier_votes": [r for r in reviews if r not in current],
        "eligible_count": len(eligible),
        "quorum": votes.quorum_for(len(eligible)),
        "configured_quorum": int(current_app.config.get("COMMITTEE_QUORUM", 3)),
        "substitutes": sorted(votes.substitute_ids(case)),
    }


def score_spreads(rows: Iterable[tuple[int, str, int, int]]) -> list[CriterionSpread]:
    """Spreads from (criterion id, name, position, score) rows (`queries.open_scores`),
    the criteria in their order, their names in the page's language."""
    given: dict[tuple[int, int, str], list[int]] = {}
    for criterion_id, name, position, score in rows:
        given.setdefault((position, criterion_id, name), []).append(score)
    return [CriterionSpread(criterion_id, criterion_name(Criterion(name=name)),
                            float(median(scores)), sorted(scores))
            for (position, criterion_id, name), scores in sorted(given.items())]

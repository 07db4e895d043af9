"""Committee members' own votes on a case, and the quorum a decision from them needs.

A vote is a `Review` row: one member, one case, one stage (initial feedback or final
go), one of the stage's outcomes, a comment, and a score 1–5 with a note per criterion.
A member votes for themselves only; the one exception is the chair recording a vote
given aloud at a meeting (`recorded_by`), audited, which the named member sees on the
case and may correct within `CORRECTION_DAYS`.

Votes count for a decision while their `decision_id` is empty; the decision sets it.
When the case comes back to the stage (after the requester answered), members vote
again on the same rows.

The decision itself (which moves the case) is `app.committee.service.decide`.
Everything here changes the session only; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import roles_of, users_with_role
from app.cases.errors import NotAllowed, WorkflowError, WrongState
from app.cases.models import Case
from app.cases.transitions import TRANSITIONS
from app.committee.models import ConflictOfInterest, Criterion, CriterionScore, Review
from app.core import audit
from app.core.models import utcnow

# The state in which each stage's decision is taken (and votes are cast).
STAGE_STATES = {"initial": "in_initial_review", "final": "awaiting_final_go"}
CORRECTION_DAYS = 7
MAX_COMMENT = 20_000
MAX_NOTE = 2_000

# criterion id → (score 1–5 or None for "not scored", note)
Scores = Mapping[int, tuple[int | None, str]]


def stage_outcomes(stage: str) -> list[str]:
    """The outcomes a vote (and a decision) at this stage may have, in workflow order."""
    state = STAGE_STATES.get(stage)
    return [t.action for t in TRANSITIONS if t.state == state and t.decision_stage == stage]


def open_stage(case: Case) -> str | None:
    """The stage whose decision the case waits for (None: no decision is due)."""
    return next((stage for stage, state in STAGE_STATES.items() if case.state == state), None)


def substitute_ids(case: Case) -> set[int]:
    """Reviewers an admin added to this case alone."""
    return set(case.substitute_ids or [])


def recused_ids(db: Session, case: Case) -> set[int]:
    """Members who declared a conflict of interest on the case."""
    return set(db.scalars(select(ConflictOfInterest.member_id)
                          .where(ConflictOfInterest.case_id == case.id)))


def eligible_ids(db: Session, case: Case, recused: Iterable[int] | None = None) -> set[int]:
    """Who may vote on the case: committee members and its substitutes, less the recused."""
    members = {user.id for user in users_with_role(db, "committee")} | substitute_ids(case)
    return members - set(recused_ids(db, case) if recused is None else recused)


def quorum_for(eligible: int) -> int | None:
    """The votes a decision needs when `eligible` members may vote: the configured quorum,
    or the eligible number when conflicts left fewer, never below the minimum. None when
    even the minimum cannot be reached (an admin must add a substitute)."""
    quorum = int(current_app.config.get("COMMITTEE_QUORUM", 3))
    floor = min(quorum, int(current_app.config.get("COMMITTEE_MIN_QUORUM", 2)))
    if eligible >= quorum:
        return quorum
    return eligible if eligible >= floor else None


def may_vote(user: User, case: Case, recused: Iterable[int]) -> bool:
    """Committee member (or this case's substitute) without a conflict of interest."""
    on_committee = "committee" in roles_of(user) or user.id in substitute_ids(case)
    return on_committee and user.id not in set(recused)


def current_votes(reviews: Iterable[Review], stage: str) -> list[Review]:
    """The votes of the stage not yet used by a decision, by member name."""
    votes = [r for r in reviews if r.stage == stage and r.decision_id is None]
    return sorted(votes, key=lambda r: (r.member.username.casefold(), r.member_id))


def stage_votes(db: Session, case: Case, stage: str) -> list[Review]:
    """`current_votes` read from the database."""
    return current_votes(db.scalars(select(Review).where(
        Review.case_id == case.id, Review.stage == stage, Review.decision_id.is_(None))), stage)


def active_criteria(db: Session) -> list[Criterion]:
    """The criteria members score against now, in their order."""
    return list(db.scalars(select(Criterion).where(Criterion.active.is_(True))
                           .order_by(Criterion.position, Criterion.id)))


@dataclass(frozen=True)
class Tally:
    """How the votes of a stage fall."""

    counts: dict[str, int]  # outcome → votes, most first

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def majority(self) -> set[str]:
        """The outcome(s) with the most votes (several on a tie; none without votes)."""
        if not self.counts:
            return set()
        top = max(self.counts.values())
        return {outcome for outcome, n in self.counts.items() if n == top}

    def dissenters(self, votes: Iterable[Review], outcome: str) -> list[Review]:
        """The votes for another outcome than `outcome`."""
        return [vote for vote in votes if vote.recommendation != outcome]


def tally(votes: Iterable[Review]) -> Tally:
    """Count the votes by outcome."""
    counts = Counter(vote.recommendation for vote in votes)
    return Tally(dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))))


def medians(votes: Iterable[Review]) -> dict[int, tuple[float, list[int]]]:
    """Criterion id → (median score, every score given) over the votes."""
    given: dict[int, list[int]] = {}
    for vote in votes:
        for score in vote.scores:
            given.setdefault(score.criterion_id, []).append(score.score)
    return {key: (float(median(values)), sorted(values)) for key, values in given.items()}


def snapshot(votes: Iterable[Review]) -> list[dict[str, object]]:
    """What a decision keeps of its votes."""
    return [{"member_id": vote.member_id, "outcome": vote.recommendation,
             "recorded_by_id": vote.recorded_by_id,
             "scores": {str(s.criterion_id): s.score for s in vote.scores}}
            for vote in votes]


def _text(value: str | None, limit: int, name: str) -> str:
    text = (value or "").replace("\x00", "").strip()
    if len(text) > limit:
        # Translators: a form error; %(limit)s is a number of characters.
        raise WorkflowError(_("This text is too long (at most %(limit)s characters).",
                              limit=limit), field=name)
    return text


def _check_scores(db: Session, scores: Scores) -> dict[int, tuple[int, str]]:
    """The scores given, checked against the active criteria; unscored ones left out."""
    active = {criterion.id for criterion in active_criteria(db)}
    checked: dict[int, tuple[int, str]] = {}
    for criterion_id, (score, note) in scores.items():
        if criterion_id not in active:
            # Translators: a form error in a committee member's vote.
            raise WorkflowError(_("That criterion is not in use."), field="scores")
        note = _text(note, MAX_NOTE, f"note-{criterion_id}")
        if score is None:
            if note:
                # Translators: a form error: a note on a criterion was written without a score.
                raise WorkflowError(_("Give a score from 1 to 5 with your note."),
                                    field=f"score-{criterion_id}")
            continue
        if not 1 <= score <= 5:
            # Translators: a form error: criterion scores go from 1 (lowest) to 5 (highest).
            raise WorkflowError(_("A score is a number from 1 to 5."),
                                field=f"score-{criterion_id}")
        checked[criterion_id] = (score, note)
    return checked


def _may_change(review: Review | None, member: User, recorded_by: User | None,
                case: Case, stage: str) -> None:
    """Refuse a vote the rules keep closed (see the module's docstring)."""
    now = utcnow()
    correcting = (review is not None and recorded_by is None and review.recorded_by_id
                  and review.recorded_by_id != member.id
                  and now - review.updated_at <= timedelta(days=CORRECTION_DAYS))
    if correcting:
        return  # the member corrects a vote the chair recorded for them
    if open_stage(case) != stage:
        # Translators: an error: the committee's vote on this stage of the request is over.
        raise WrongState(_("Votes on this stage are closed: the request is not waiting for "
                           "this decision."))


def cast_vote(session: Session, case: Case, member: User, stage: str, outcome: str,
              comment: str, scores: Scores, *, recorded_by: User | None = None,
              meeting_id: int | None = None) -> Review:
    """Record or change `member`'s own vote on the case's stage (audited).

    `recorded_by` is the chair recording a vote the member gave aloud at a meeting
    (`meeting_id`); anyone else voting for a member is refused. A member may correct a
    vote the chair recorded for them within CORRECTION_DAYS, even after the decision
    (the decision keeps the votes it was taken on).
    """
    recused = recused_ids(session, case)
    if not may_vote(member, case, recused):
        if member.id in recused:
            # Translators: an error: members who declared a conflict of interest do not vote.
            raise NotAllowed(_("You declared a conflict of interest on this request, so you "
                               "do not vote on it."))
        # Translators: an error.
        raise NotAllowed(_("Only Expert Committee members without a conflict of interest "
                           "vote on this request."))
    if recorded_by is not None and recorded_by.id == member.id:
        recorded_by = None
    if recorded_by is not None and not may_vote(recorded_by, case, recused):
        # Translators: an error: only a committee member (the meeting's chair) may record a vote
        # given aloud by another member.
        raise NotAllowed(_("Only a committee member without a conflict of interest records "
                           "another member's vote."))
    if stage not in STAGE_STATES:
        # Translators: an error.
        raise WorkflowError(_("Unknown stage."), field="stage")
    if outcome not in stage_outcomes(stage):
        # Translators: a form error in a committee member's vote.
        raise WorkflowError(_("Choose your vote."), field="vote_outcome")
    comment = _text(comment, MAX_COMMENT, "vote_comment")
    checked = _check_scores(session, scores)
    review = session.scalars(select(Review).where(
        Review.case_id == case.id, Review.member_id == member.id, Review.stage == stage)).first()
    _may_change(review, member, recorded_by, case, stage)
    before = _audit_view(review) if review is not None else None
    now = utcnow()
    if review is None:
        review = Review(case_id=case.id, member_id=member.id, stage=stage, created_at=now,
                        comment="", recommendation=outcome)
        session.add(review)
    elif review.decision_id is not None and open_stage(case) == stage:
        review.decision_id = None  # a new round of the stage: the old vote is on its decision
    review.recommendation, review.comment, review.updated_at = outcome, comment, now
    review.recorded_by_id = recorded_by.id if recorded_by else None
    review.meeting_id = meeting_id
    kept = {score.criterion_id: score for score in review.scores}
    for criterion_id, (score, note) in checked.items():
        if criterion_id in kept:
            kept[criterion_id].score, kept[criterion_id].note = score, note
        else:
            review.scores.append(CriterionScore(criterion_id=criterion_id, score=score,
                                                note=note))
    for criterion_id, old in kept.items():
        if criterion_id not in checked:
            review.scores.remove(old)
    session.flush()
    actor = recorded_by or member
    audit.record(session, actor, "case.vote", "case", case.id, before=before,
                 after={**_audit_view(review), "member": member.username})
    return review


def _audit_view(review: Review) -> dict[str, object]:
    """What the audit log keeps of a vote (comment and notes stay on the vote)."""
    return {"stage": review.stage, "outcome": review.recommendation,
            "recorded_by": review.recorded_by_id is not None, "meeting": review.meeting_id,
            "scores": {str(s.criterion_id): s.score for s in review.scores}}


def add_substitute(session: Session, case: Case, admin: User, member: User,
                   reason: str) -> None:
    """An admin adds a substitute reviewer to this case alone (audited)."""
    if "admin" not in roles_of(admin):
        # Translators: an error.
        raise NotAllowed(_("Only administrators add substitute reviewers."))
    recused = recused_ids(session, case)
    if member.id in recused:
        # Translators: an error: the person chosen as substitute reviewer declared a conflict of
        # interest on this request.
        raise WorkflowError(_("This person declared a conflict of interest on this request."),
                            field="substitute")
    if "committee" in roles_of(member) or member.id in substitute_ids(case):
        # Translators: an error: the person chosen as substitute reviewer already votes.
        raise WrongState(_("This person already votes on this request."), field="substitute")
    if member.blocked:
        # Translators: an error.
        raise WorkflowError(_("This account is blocked."), field="substitute")
    reason = _text(reason, MAX_NOTE, "substitute_reason")
    case.substitute_ids = sorted(substitute_ids(case) | {member.id})
    audit.record(session, admin, "case.substitute_added", "case", case.id,
                 after={"member": member.username, "reason": reason})

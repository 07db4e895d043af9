"""What the committee pages read: the roster with what members say about themselves,
and the guidelines pages with their revisions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.roles import users_with_role
from app.cases.models import Case
from app.committee.models import (
    ConflictOfInterest,
    Criterion,
    CriterionScore,
    Guideline,
    GuidelineRevision,
    Review,
)
from app.core.regions import REGIONS


@dataclass(frozen=True)
class Member:
    """A committee member as the public roster shows them: what they said about
    themselves on the preferences page (nothing private)."""

    username: str
    country: str | None
    languages: list[str]
    regions: list[str]


def committee_members(session: Session) -> list[Member]:
    """Users holding the committee role, by username, with their country, languages and
    regions (regions in REGIONS order)."""
    members = [
        Member(username=user.username, country=user.country,
               languages=list(user.languages or []),
               regions=[code for code in REGIONS if code in (user.regions or [])])
        for user in users_with_role(session, "committee")
    ]
    return sorted(members, key=lambda member: (member.username.casefold(), member.username))


def guidelines(session: Session) -> list[Guideline]:
    """Every guidelines page, by title."""
    pages = session.scalars(select(Guideline)).all()
    return sorted(pages, key=lambda page: (page.title.casefold(), page.slug))


def guideline_by_slug(session: Session, slug: str, lock: bool = False) -> Guideline | None:
    """The page at /guidelines/<slug> (its row locked until commit with `lock`)."""
    query = select(Guideline).where(Guideline.slug == slug)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def latest_revision(session: Session, guideline: Guideline) -> GuidelineRevision | None:
    """The page's newest revision."""
    return session.scalars(
        select(GuidelineRevision).options(selectinload(GuidelineRevision.author))
        .where(GuidelineRevision.guideline_id == guideline.id)
        .order_by(GuidelineRevision.id.desc()).limit(1)
    ).first()


def revisions(session: Session, guideline: Guideline) -> list[GuidelineRevision]:
    """The page's revisions, newest first."""
    return list(session.scalars(
        select(GuidelineRevision).options(selectinload(GuidelineRevision.author))
        .where(GuidelineRevision.guideline_id == guideline.id)
        .order_by(GuidelineRevision.id.desc())
    ))


def revision_of(session: Session, guideline: Guideline,
                revision_id: int) -> GuidelineRevision | None:
    """One revision of this page (None if it belongs to another page or does not exist)."""
    return session.scalars(
        select(GuidelineRevision).options(selectinload(GuidelineRevision.author))
        .where(GuidelineRevision.id == revision_id,
               GuidelineRevision.guideline_id == guideline.id)
    ).first()


def criteria(db: Session) -> list[Criterion]:
    """Every criterion, active ones first, in their order (one statement)."""
    return list(db.scalars(select(Criterion).order_by(Criterion.active.desc(),
                                                      Criterion.position, Criterion.id)))


def criterion_by_id(db: Session, criterion_id: int) -> Criterion | None:
    """One criterion."""
    return db.get(Criterion, criterion_id)


# The state in which each stage's votes are cast (as app.committee.votes.STAGE_STATES).
_VOTING = {"in_initial_review": "initial", "awaiting_final_go": "final"}


def open_scores(db: Session, member_id: int) -> list[tuple[int, str, int, int]]:
    """(criterion id, name, position, score) of every score in the votes not yet decided
    on cases waiting for a committee decision, except the cases on which the member
    declared a conflict of interest (one statement)."""
    recused = exists().where(ConflictOfInterest.case_id == Review.case_id,
                             ConflictOfInterest.member_id == member_id)
    in_stage = or_(*(and_(Case.state == state, Review.stage == stage)
                     for state, stage in _VOTING.items()))
    rows = db.execute(
        select(Criterion.id, Criterion.name, Criterion.position, CriterionScore.score)
        .join(CriterionScore, CriterionScore.criterion_id == Criterion.id)
        .join(Review, Review.id == CriterionScore.review_id)
        .join(Case, Case.id == Review.case_id)
        .where(in_stage, Review.decision_id.is_(None), ~recused)
    ).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]

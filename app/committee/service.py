"""Changes to the committee's guidelines pages (reads are in
`app.committee.queries`).

Every change is audited in the caller's session; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service as cases_service
from app.cases.models import Case
from app.committee import votes
from app.committee.models import Criterion, Decision, Guideline, GuidelineRevision, Review
from app.committee.queries import guideline_by_slug, latest_revision
from app.committee.votes import Scores
from app.core import audit
from app.core.models import utcnow


class SlugTaken(ValueError):
    """Another guidelines page already has this address."""


class EditConflict(Exception):
    """Someone saved the page after the editor loaded it."""

    def __init__(self, latest: GuidelineRevision) -> None:
        super().__init__(latest.id)
        self.latest = latest


def create_guideline(session: Session, author: User, slug: str, title: str, body: str,
                     summary: str) -> Guideline:
    """A new page and its first revision (audited). Raises SlugTaken."""
    if guideline_by_slug(session, slug) is not None:
        raise SlugTaken(slug)
    now = utcnow()
    page = Guideline(slug=slug, title=title, body=body, created_at=now, updated_at=now)
    session.add(page)
    session.flush()
    revision = GuidelineRevision(guideline_id=page.id, title=title, body=body,
                                 summary=summary, author_id=author.id, created_at=now)
    session.add(revision)
    session.flush()
    audit.record(session, author, "guideline.create", "guideline", page.id, before=None,
                 after=_snapshot(page, revision))
    return page


def edit_guideline(session: Session, page: Guideline, author: User, base_revision_id: int,
                   title: str, body: str, summary: str) -> GuidelineRevision | None:
    """Save a new revision (audited); None when nothing changed.

    Raises EditConflict when a revision newer than `base_revision_id` exists. Lock the
    page's row first (`guideline_by_slug(..., lock=True)`) so two saves cannot both
    pass the check.
    """
    latest = latest_revision(session, page)
    if latest is not None and latest.id != base_revision_id:
        raise EditConflict(latest)
    if latest is not None and title == page.title and body == page.body:
        return None
    before = _snapshot(page, latest)
    now = utcnow()
    revision = GuidelineRevision(guideline_id=page.id, title=title, body=body,
                                 summary=summary, author_id=author.id, created_at=now)
    session.add(revision)
    page.title = title
    page.body = body
    page.updated_at = now
    session.flush()
    audit.record(session, author, "guideline.edit", "guideline", page.id, before=before,
                 after=_snapshot(page, revision))
    return revision


def _snapshot(page: Guideline, revision: GuidelineRevision | None) -> dict[str, object]:
    """What the audit log keeps: the text itself stays in the page's revisions."""
    return {
        "slug": page.slug,
        "title": revision.title if revision else page.title,
        "revision_id": revision.id if revision else None,
        "summary": revision.summary if revision else "",
        "body_length": len(revision.body if revision else page.body),
    }



# -- decisions from votes (the API meetings use) --------------------------------

def cast_vote(session: Session, case: Case, member: User, stage: str, outcome: str,
              comment: str, scores: Scores, *, recorded_by: User | None = None,
              meeting_id: int | None = None) -> Review:
    """A member's own vote on the case's stage; see `app.committee.votes.cast_vote`."""
    return votes.cast_vote(session, case, member, stage, outcome, comment, scores,
                           recorded_by=recorded_by, meeting_id=meeting_id)


def decide(session: Session, case: Case, stage: str, by: User, outcome: str, rationale: str,
           public_rationale: str, *, voters: Iterable[int] | None = None,
           dissent_reason: str = "", group_ids: Sequence[int] = (), question: str = "",
           expected_version: Any = None) -> Decision:
    """Record the committee's decision on the stage from the votes cast, applying the
    quorum rules (`app.cases.service.decide_on_votes`); `voters` limits the votes counted
    to those members (say, those present at a meeting)."""
    return cases_service.decide_on_votes(
        session, case, by, None, stage=stage, outcome=outcome, rationale=rationale,
        public_rationale=public_rationale, voters=voters, group_ids=group_ids,
        question=question, dissent_reason=dissent_reason, expected_version=expected_version)


# -- criteria and substitutes (admins) -------------------------------------------

def _criterion_view(criterion: Criterion) -> dict[str, object]:
    return {"name": criterion.name, "position": criterion.position, "active": criterion.active,
            "description_length": len(criterion.description)}


def save_criterion(session: Session, admin: User, criterion: Criterion | None, name: str,
                   description: str, position: int, active: bool) -> Criterion:
    """Add a criterion (`criterion` None) or change one; audited."""
    before = _criterion_view(criterion) if criterion is not None else None
    if criterion is None:
        criterion = Criterion(name=name, description=description, position=position,
                              active=active)
        session.add(criterion)
    else:
        criterion.name, criterion.description = name, description
        criterion.position, criterion.active = position, active
    session.flush()
    audit.record(session, admin, "criterion.save", "criterion", criterion.id, before=before,
                 after=_criterion_view(criterion))
    return criterion


def add_substitute(session: Session, case: Case, admin: User, member: User,
                   reason: str) -> None:
    """An admin adds a substitute reviewer to the case; see `votes.add_substitute`."""
    votes.add_substitute(session, case, admin, member, reason)

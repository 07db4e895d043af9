"""Changes to the committee's guidelines pages (reads are in
`app.committee.queries`).

Every change is audited in the caller's session; the caller commits.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.committee.models import Guideline, GuidelineRevision
from app.committee.queries import guideline_by_slug, latest_revision
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


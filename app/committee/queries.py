"""What the committee pages read: the roster with members' profiles, and the guidelines
pages with their revisions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.auth.roles import users_with_role
from app.committee.models import CommitteeProfile, Guideline, GuidelineRevision
from app.core.regions import REGIONS


@dataclass(frozen=True)
class Member:
    """A committee member as the public roster shows them (nothing private)."""

    username: str
    languages: list[str]
    regions: list[str]


def committee_members(session: Session) -> list[Member]:
    """Users holding the committee role, by username, with their profile's choices."""
    users = users_with_role(session, "committee")
    profiles = {
        profile.user_id: profile
        for profile in session.scalars(
            select(CommitteeProfile).where(CommitteeProfile.user_id.in_([u.id for u in users]))
        )
    } if users else {}
    members = []
    for user in users:
        profile = profiles.get(user.id)
        members.append(Member(
            username=user.username,
            languages=list(profile.languages or []) if profile else [],
            regions=[code for code in REGIONS if profile and code in (profile.regions or [])],
        ))
    return sorted(members, key=lambda member: (member.username.casefold(), member.username))


def profile_of(session: Session, user: User) -> CommitteeProfile | None:
    """The user's committee profile, if they saved one."""
    return session.scalars(
        select(CommitteeProfile).where(CommitteeProfile.user_id == user.id)
    ).first()


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

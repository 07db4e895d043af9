"""The public projection of working groups — what the world may see of a group.

The API (and the group pages) read `public_groups()` and nothing else: a group's
name, description, the members who chose to be listed (leads first), and the
unanswered referrals of open cases that are themselves in the case projection.
Referral questions and answers, unlisted members and e-mail addresses never
appear here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES
from app.groups.models import Membership, Referral, WorkingGroup
from app.public.projection import is_public_clause


def project_member(membership: Membership) -> dict[str, Any]:
    """A listed member as the public sees them."""
    return {
        "username": membership.user.username,
        "lead": bool(membership.lead),
        "member_since": membership.since.date().isoformat(),
    }


def listed_members(group: WorkingGroup) -> list[dict[str, Any]]:
    """The group's listed members, leads first, then by username."""
    listed = [m for m in group.memberships if m.listed]
    listed.sort(key=lambda m: (not m.lead, m.user.username.casefold(), m.user.username))
    return [project_member(m) for m in listed]


def open_public_referrals(
    db: Session, group_ids: list[int], base_url: str
) -> dict[int, list[dict[str, Any]]]:
    """Per group id: unanswered referrals of open public cases (one entry per case)."""
    if not group_ids:
        return {}
    rows = db.execute(
        select(Referral.group_id, Case.reference, Case.title)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.group_id.in_(group_ids), Referral.answered_at.is_(None),
               is_public_clause(), Case.state.not_in(CLOSED_STATES))
        .order_by(Case.reference)
    ).all()
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    base = base_url.rstrip("/")
    for group_id, reference, title in rows:
        if (group_id, reference) in seen:
            continue
        seen.add((group_id, reference))
        found[group_id].append(
            {"reference": reference, "title": title, "url": f"{base}/cases/{reference}"}
        )
    return found


def project_group(
    group: WorkingGroup, referrals: list[dict[str, Any]], base_url: str
) -> dict[str, Any]:
    """The public fields of one working group."""
    return {
        "slug": group.slug,
        "name": group.name,
        "description": group.description or "",
        "url": f"{base_url.rstrip('/')}/groups/{group.slug}",
        "members": listed_members(group),
        "open_referrals": referrals,
    }


def public_groups(db: Session, base_url: str, slug: str | None = None) -> list[dict[str, Any]]:
    """Every working group that is not archived (or just the one `slug`), by name."""
    query = (
        select(WorkingGroup)
        .where(WorkingGroup.archived.is_(False))
        .options(selectinload(WorkingGroup.memberships).selectinload(Membership.user))
        .order_by(WorkingGroup.name, WorkingGroup.slug)
    )
    if slug is not None:
        query = query.where(WorkingGroup.slug == slug)
    groups = list(db.scalars(query).all())
    referrals = open_public_referrals(db, [group.id for group in groups], base_url)
    return [project_group(group, referrals.get(group.id, []), base_url) for group in groups]

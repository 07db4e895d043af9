"""Test data made through the same service functions the app uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.service import grant_role
from app.cases import service
from app.cases.models import Case
from app.groups.models import Membership, WorkingGroup
from app.partners.models import Organisation

# The stand-in's demo accounts: username → central id (signing in finds these users).
DEMO_IDS = {
    "Ada Requester": 1001, "Ngozi Committee": 1002, "Mei Committee": 1003,
    "Carlos Committee": 1004, "Sven Helpdesk": 1005, "Leila Lead": 1006,
    "Admin Demo": 1007, "Blocked Example": 1008, "Omar Requester": 1009,
}


def make_user(db: Session, username: str, *roles: str, email: str | None = None) -> User:
    """The user (created if needed, with the demo central id) holding `roles`."""
    central_id = DEMO_IDS.get(username, 5000 + len(username) * 7 + sum(map(ord, username)))
    user = db.scalars(select(User).where(User.central_id == central_id)).first()
    if user is None:
        user = User(central_id=central_id, username=username,
                    blocked=username == "Blocked Example", email=email)
        db.add(user)
        db.flush()
    held = {grant.role for grant in user.grants}
    for role in roles:
        if role not in held:
            grant_role(db, user, role, None)
    return user


def make_organisation(db: Session, name: str = "Museum of Examples", **extra: Any) -> Organisation:
    """An organisation in the registry."""
    org = Organisation(name=name, kind=extra.pop("kind", "glam"),
                       country=extra.pop("country", "SE"), **extra)
    db.add(org)
    db.flush()
    return org


def case_fields(db: Session, **overrides: Any) -> dict[str, Any]:
    """Valid fields of a request; override any."""
    organisation = overrides.pop("organisation", None) or make_organisation(db)
    fields: dict[str, Any] = {
        "title": "Digitised maps of the Baltic",
        "description": "Ten thousand scanned maps from our collection.",
        "organisation_id": organisation.id,
        "request_type": "commons_upload",
        "content_kinds": ["images"],
        "content_volume": "about 10,000 files",
        "licence": "cc_by_sa",
        "licence_flagged": False,
        "target_projects": ["commons", "wikidata"],
        "themes": ["heritage"],
        "countries": ["SE"],
        "region": "western_europe",
        "languages": ["sv", "en"],
        "support_types": ["mass_upload"],
        "timeline": "Spring 2027",
        "public_listing": True,
        "contact_name": "Ada",
        "contact_email": "ada@example.org",
    }
    fields.update(overrides)
    return fields


def make_case(db: Session, requester: User | None, **overrides: Any) -> Case:
    """A submitted case filed by `requester`."""
    fields = case_fields(db, **overrides)
    fields["requester_id"] = requester.id if requester else None
    return service.create_case(db, requester, fields)


def join_group(db: Session, user: User, slug: str, lead: bool = False,
               listed: bool = True) -> Membership:
    """Make `user` a member of the seeded working group `slug`."""
    group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()
    membership = Membership(group_id=group.id, user_id=user.id, lead=lead, listed=listed)
    db.add(membership)
    db.flush()
    return membership

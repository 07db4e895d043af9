"""What the admin pages read: users with roles, and the audit log (filtered, a page at a
time) with the names of what it mentions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import RoleGrant, User
from app.cases.models import CannedReply, Case
from app.committee.models import Criterion, Guideline
from app.core.audit_log import AuditEvent
from app.core.pagination import Page, paginate
from app.groups.models import Referral, WorkingGroup
from app.partners.models import Organisation


def users_with_roles(db: Session) -> list[User]:
    """Everyone who holds at least one role, by username, with their grants."""
    return list(db.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .options(selectinload(User.grants))
        .order_by(User.username)
        .distinct()
    ).all())


def user_by_id(db: Session, user_id: int | None) -> User | None:
    """The user with this id (None for no id or no such user)."""
    return db.get(User, user_id) if user_id else None



# -- the audit log -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """Which events the audit log page shows, like MediaWiki's Special:Log: by whom, of
    which kind (the action's first part: `case`, `role`, `group`…), about which case,
    and between which days (both included)."""

    person: User | None = None
    kind: str | None = None
    case: Case | None = None
    since: date | None = None
    until: date | None = None

    def where(self) -> list[ColumnElement[bool]]:
        """The SQL conditions of the filters that are set."""
        found: list[ColumnElement[bool]] = []
        if self.person is not None:
            found.append(AuditEvent.actor_id == self.person.id)
        if self.kind:
            found.append(AuditEvent.action.like(f"{self.kind}.%"))
        if self.case is not None:
            found += [AuditEvent.object_type == "case", AuditEvent.object_id == str(self.case.id)]
        if self.since is not None:
            found.append(AuditEvent.created_at >= datetime.combine(self.since, time.min))
        if self.until is not None:
            next_day = datetime.combine(self.until, time.min) + timedelta(days=1)
            found.append(AuditEvent.created_at < next_day)
        return found


def page_of_events(db: Session, filters: AuditFilters, number: int,
                   per_page: int) -> tuple[list[AuditEvent], Page]:
    """The filtered events, newest first: one page of them (kept between the first and
    the last), with who did each."""
    conditions = filters.where()
    total = db.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    page = paginate(number, per_page, int(total))
    events = db.scalars(
        select(AuditEvent).where(*conditions)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset(page.offset).limit(per_page)
    ).all()
    return list(events), page


def case_by_reference(db: Session, reference: str) -> Case | None:
    """The case with this reference (any case), or None."""
    return db.scalars(select(Case).where(Case.reference == reference.strip().upper()[:40])
                      ).first()


@dataclass
class AuditNames:
    """The names of what a page of the audit log mentions by number, read in a few
    statements for the whole page (one per kind of thing, whatever the page holds)."""

    users: dict[int, str] = field(default_factory=dict)
    cases: dict[int, tuple[str, str]] = field(default_factory=dict)  # reference, title
    organisations: dict[int, str] = field(default_factory=dict)
    groups: dict[int, tuple[str, str]] = field(default_factory=dict)  # slug, name
    group_names: dict[str, str] = field(default_factory=dict)  # by slug
    guidelines: dict[int, tuple[str, str]] = field(default_factory=dict)  # slug, title
    canned_replies: dict[int, str] = field(default_factory=dict)
    referrals: dict[int, str] = field(default_factory=dict)  # → the group's name
    criteria: dict[int, str] = field(default_factory=dict)


# Fields of events' values that hold numbers of users, referrals, or group slugs.
USER_LIST_FIELDS = ("participants", "recused", "attendees")
USER_FIELDS = ("chair_id", "taken_by_id")  # one user's number


def _mentioned(events: list[AuditEvent]) -> dict[str, set[Any]]:
    """What the events mention: object ids by type, and ids or slugs inside values."""
    found: dict[str, set[Any]] = defaultdict(set)
    for event in events:
        if event.object_id.isdigit():
            found[event.object_type].add(int(event.object_id))
        for values in (event.before, event.after):
            if isinstance(values, dict) and isinstance(values.get("scores"), dict):
                found["criterion"].update(int(k) for k in values["scores"] if k.isdigit())
            for key, value in _flat(values):
                if key in USER_LIST_FIELDS and isinstance(value, list):
                    found["user"].update(v for v in value if isinstance(v, int))
                elif key in USER_FIELDS and isinstance(value, int):
                    found["user"].add(value)
                elif key == "group_id" and isinstance(value, int):
                    found["working_group"].add(value)
                elif key == "case_id" and isinstance(value, int):
                    found["case"].add(value)
                elif key == "referral" and isinstance(value, int):
                    found["referral"].add(value)
                elif key == "group" and isinstance(value, str):
                    found["group_slug"].add(value)
    return found


def _flat(values: Any) -> list[tuple[str, Any]]:
    """(key, value) of a value and of the dictionaries nested in it."""
    if not isinstance(values, dict):
        return []
    pairs: list[tuple[str, Any]] = []
    for key, value in values.items():
        pairs += _flat(value) if isinstance(value, dict) else [(key, value)]
    return pairs


def names_for(db: Session, events: list[AuditEvent]) -> AuditNames:
    """The names of the users, cases, organisations, groups, guidelines, canned replies
    and referrals the events mention (deleted ones stay unnamed)."""
    wanted = _mentioned(events)
    names = AuditNames()

    def rows(*columns: Any, where: Any) -> list[Any]:
        return list(db.execute(select(*columns).where(where)).tuples().all())

    if ids := wanted.get("user"):
        names.users = dict(rows(User.id, User.username, where=User.id.in_(ids)))
    if ids := wanted.get("case"):
        names.cases = {i: (ref, title) for i, ref, title in rows(
            Case.id, Case.reference, Case.title, where=Case.id.in_(ids))}
    if ids := wanted.get("organisation"):
        names.organisations = dict(rows(Organisation.id, Organisation.name,
                                        where=Organisation.id.in_(ids)))
    slugs = wanted.get("group_slug", set())
    group_ids = wanted.get("working_group", set())
    if slugs or group_ids:
        found = rows(WorkingGroup.id, WorkingGroup.slug, WorkingGroup.name,
                     where=or_(WorkingGroup.id.in_(group_ids), WorkingGroup.slug.in_(slugs)))
        names.groups = {i: (slug, name) for i, slug, name in found}
        names.group_names = {slug: name for _i, slug, name in found}
    if ids := wanted.get("guideline"):
        names.guidelines = {i: (slug, title) for i, slug, title in rows(
            Guideline.id, Guideline.slug, Guideline.title, where=Guideline.id.in_(ids))}
    if ids := wanted.get("canned_reply"):
        names.canned_replies = dict(rows(CannedReply.id, CannedReply.title,
                                         where=CannedReply.id.in_(ids)))
    if ids := wanted.get("criterion"):
        names.criteria = dict(rows(Criterion.id, Criterion.name, where=Criterion.id.in_(ids)))
    if ids := wanted.get("referral"):
        names.referrals = dict(db.execute(
            select(Referral.id, WorkingGroup.name)
            .join(WorkingGroup, WorkingGroup.id == Referral.group_id)
            .where(Referral.id.in_(ids))).tuples().all())
    return names

"""Load a case for the current user, or stop with the right status.

Loading also reads what deciding the user's access needs and the case page shows
anyway, in few statements whatever the case holds:

- the case with its organisation, assignee, requester, duplicate and checklist;
- the working groups with the case's referrals to them and whether the user is a
  member of each (the referrals, the user's part in them, the groups to refer to);
- for staff: the case's decisions, then the helpdesk staff and committee members
  together with everyone who took part in a decision or declared a conflict of
  interest on the case (and those conflicts).

Neither the access check nor the page asks again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import g
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from app.auth.models import RoleGrant, User
from app.auth.roles import roles_of
from app.cases.access import CaseAccess, case_access
from app.cases.models import Case
from app.committee.models import ConflictOfInterest, Decision
from app.core.caches import data_version, latest_audit_id_column, local_generation
from app.core.db import get_session
from app.core.errors import fail
from app.groups.models import Membership, Referral, WorkingGroup

STAFF_ROLES = ("helpdesk", "committee")


@dataclass
class People:
    """Helpdesk staff and committee members (by username), and usernames by id."""

    helpdesk: list[User] = field(default_factory=list)
    committee: list[User] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    rank: dict[int, int] = field(default_factory=dict)  # position in username order
    everyone: list[User] = field(default_factory=list)  # keeps them in the identity map

    def usernames(self, ids: Iterable[int]) -> list[str]:
        """Usernames of some users, in username order (unknown ids left out)."""
        known = sorted((user_id for user_id in set(ids) if user_id in self.names),
                       key=self.rank.__getitem__)
        return [self.names[user_id] for user_id in known]


@dataclass
class CaseFacts:
    """What `load_case` read besides the case, for `page_context`."""

    case_id: int
    user_id: int | None
    version: tuple[int, int]  # the data version when the case was read (app.datacache)
    referrals: list[Referral] = field(default_factory=list)
    my_group_ids: set[int] = field(default_factory=set)  # referred groups the user is in
    open_groups: list[WorkingGroup] = field(default_factory=list)  # not archived, by name
    groups: list[WorkingGroup] = field(default_factory=list)  # all read (identity map)
    # Read for staff only (None otherwise):
    decisions: list[Decision] | None = None
    conflicts: list[ConflictOfInterest] | None = None
    people: People | None = None


def _groups_and_referrals(db: Session, case: Case, user: User, facts: CaseFacts) -> None:
    """One statement: every working group that is open or was asked about the case,
    the case's referrals to it and the user's membership of it."""
    rows = db.execute(
        select(WorkingGroup, Referral, Membership.id)
        .outerjoin(Referral, and_(Referral.group_id == WorkingGroup.id,
                                  Referral.case_id == case.id))
        .outerjoin(Membership, and_(Membership.group_id == WorkingGroup.id,
                                    Membership.user_id == user.id))
        .options(joinedload(Referral.answered_by))
        .where(or_(WorkingGroup.archived.is_(False), Referral.id.is_not(None)))
        .order_by(WorkingGroup.name, WorkingGroup.id, Referral.id)
    ).all()
    seen: set[int] = set()
    for group, referral, membership_id in rows:
        if group.id not in seen:
            facts.groups.append(group)
            if not group.archived:
                facts.open_groups.append(group)
        seen.add(group.id)
        if referral is not None:
            facts.referrals.append(referral)
            if membership_id is not None:
                facts.my_group_ids.add(group.id)
    facts.referrals.sort(key=lambda referral: referral.id)


def _staff_facts(db: Session, case: Case, facts: CaseFacts) -> None:
    """Two statements: the decisions; the people (helpdesk, committee, the decisions'
    participants and recused members, members with a conflict of interest) with the
    case's conflicts of interest."""
    facts.decisions = list(db.scalars(select(Decision).where(Decision.case_id == case.id)
                                      .order_by(Decision.id)))
    extra_ids = sorted({user_id for decision in facts.decisions
                        for user_id in (*decision.participant_ids, *decision.recused_ids)})
    wanted: ColumnElement[bool] = or_(RoleGrant.id.is_not(None),
                                      ConflictOfInterest.id.is_not(None))
    if extra_ids:
        wanted = or_(wanted, User.id.in_(extra_ids))
    rows = db.execute(
        select(User, RoleGrant.role, ConflictOfInterest)
        .outerjoin(RoleGrant, and_(RoleGrant.user_id == User.id,
                                   RoleGrant.role.in_(STAFF_ROLES)))
        .outerjoin(ConflictOfInterest, and_(ConflictOfInterest.member_id == User.id,
                                            ConflictOfInterest.case_id == case.id))
        .where(wanted).order_by(User.username, User.id)
    ).all()
    people, conflicts = People(), {}
    for user, role, conflict in rows:
        if user.id not in people.names:
            people.names[user.id] = user.username
            people.rank[user.id] = len(people.rank)
            people.everyone.append(user)
        if role == "helpdesk":
            people.helpdesk.append(user)
        elif role == "committee":
            people.committee.append(user)
        if conflict is not None:
            conflicts[conflict.id] = conflict  # its member is in the identity map
    facts.people = people
    facts.conflicts = [conflicts[key] for key in sorted(conflicts)]


def read_facts(db: Session, case: Case, user: User,
               version: tuple[int, int] | None = None) -> CaseFacts:
    """Everything `CaseFacts` holds for this case and user."""
    facts = CaseFacts(case.id, user.id, version if version is not None else data_version(db))
    _groups_and_referrals(db, case, user, facts)
    if roles_of(user) & set(STAFF_ROLES):
        _staff_facts(db, case, facts)
    return facts


def _read(reference: str, user: User) -> tuple[Case, CaseFacts] | None:
    db = get_session()
    generation = local_generation()  # before the query: see datacache.data_version
    row = db.execute(
        select(Case, latest_audit_id_column())
        .where(Case.reference == reference.strip().upper())
        .options(joinedload(Case.assignee), joinedload(Case.requester),
                 joinedload(Case.checklist_items),
                 joinedload(Case.duplicate_of).options(lazyload(Case.organisation)))
    ).unique().first()
    if row is None:
        return None
    case, latest = row
    return case, read_facts(db, case, user, (int(latest or 0), generation))


def case_facts(case: Case) -> CaseFacts | None:
    """What `load_case` read with this case in this request (None if it did not)."""
    facts: CaseFacts | None = g.get("_case_facts")
    user = g.get("user")
    if facts is None or facts.case_id != case.id or facts.user_id != (user.id if user else None):
        return None
    return facts


def load_case(reference: str) -> tuple[Case, CaseAccess]:
    """The case and the user's access; 404 if unknown, 403 if not theirs to see."""
    found = _read(reference[:40], g.user)
    if found is None:
        fail(404, _("There is no request %(reference)s.", reference=reference[:40]))
    case, facts = found
    g._case_facts = facts
    access = case_access(
        get_session(), g.user, case,
        conflict_member_ids=({c.member_id for c in facts.conflicts}
                             if facts.conflicts is not None else None),
        in_referred_group=bool(facts.my_group_ids),
    )
    if not access.can_view:
        fail(403, _("You do not have access to request %(reference)s.", reference=case.reference))
    return case, access

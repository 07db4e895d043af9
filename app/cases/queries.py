"""What the case pages read.

`read_case` reads a case with what deciding the user's access needs and the case
page shows anyway, in few statements whatever the case holds:

- the case with its organisation, assignee, requester, duplicate and checklist;
- the working groups with the case's referrals to them and whether the user is a
  member of each (the referrals, the user's part in them, the groups to refer to);
- for staff: the case's decisions, then the helpdesk staff and committee members
  together with everyone who took part in a decision or declared a conflict of
  interest on the case (and those conflicts).

Neither the access check nor the page asks again (`app.cases.views.load_case` keeps
them for the request). The rest: related cases, reviews, usernames, canned replies,
referrals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, union
from sqlalchemy.orm import Session, joinedload, lazyload

from app.auth.models import RoleGrant, User
from app.auth.roles import roles_of
from app.cases.models import CannedReply, Case, CaseLink
from app.committee.models import ConflictOfInterest, Decision, Review
from app.core.caches import (
    VersionedCache,
    app_cache,
    data_version,
    latest_audit_id_column,
    local_generation,
)
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
    """What `read_case` read besides the case, for the access check and the page."""

    case_id: int
    user_id: int | None
    version: tuple[int, int]  # the data version when the case was read (app.datacache)
    referrals: list[Referral] = field(default_factory=list)
    my_group_ids: set[int] = field(default_factory=set)  # referred groups the user is in
    open_groups: list[WorkingGroup] = field(default_factory=list)  # not archived, by name
    member_of_a_group: bool = False  # of any group (the menu's "My groups")
    groups: list[WorkingGroup] = field(default_factory=list)  # all read (identity map)
    # Read for staff only (None otherwise):
    decisions: list[Decision] | None = None
    conflicts: list[ConflictOfInterest] | None = None
    people: People | None = None


def _groups_and_referrals(db: Session, case: Case, user: User, facts: CaseFacts) -> None:
    """One statement: every working group that is open, was asked about the case or
    has the user as a member, the case's referrals to it and the user's membership."""
    rows = db.execute(
        select(WorkingGroup, Referral, Membership.id)
        .outerjoin(Referral, and_(Referral.group_id == WorkingGroup.id,
                                  Referral.case_id == case.id))
        .outerjoin(Membership, and_(Membership.group_id == WorkingGroup.id,
                                    Membership.user_id == user.id))
        .options(joinedload(Referral.answered_by))
        .where(or_(WorkingGroup.archived.is_(False), Referral.id.is_not(None),
                   Membership.id.is_not(None)))
        .order_by(WorkingGroup.name, WorkingGroup.id, Referral.id)
    ).all()
    seen: set[int] = set()
    for group, referral, membership_id in rows:
        if group.id not in seen:
            facts.groups.append(group)
            if not group.archived:
                facts.open_groups.append(group)
        seen.add(group.id)
        if membership_id is not None:
            facts.member_of_a_group = True
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
                        for user_id in (*decision.participant_ids, *decision.recused_ids)}
                       | set(case.substitute_ids or []))
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
    if roles_of(user) & set(STAFF_ROLES) or user.id in (case.substitute_ids or []):
        _staff_facts(db, case, facts)
    return facts


def read_case(db: Session, reference: str, user: User) -> tuple[Case, CaseFacts] | None:
    """The case with this reference (any case: the caller checks access) and its facts
    for `user`, or None when there is no such case."""
    generation = local_generation()  # before the query: see caches.data_version
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


def find_case(db: Session, reference: str) -> Case | None:
    """A case by its reference (case-insensitive)."""
    return db.scalars(select(Case).where(Case.reference == reference.strip().upper())).first()


def related_cases(db: Session, case: Case) -> list[Case]:
    """Cases linked to this one (one statement)."""
    linked = union(select(CaseLink.other_id.label("id")).where(CaseLink.case_id == case.id),
                   select(CaseLink.case_id).where(CaseLink.other_id == case.id)).subquery()
    # Joined (not `IN (…UNION…)`, which MariaDB runs once per case of the table).
    return list(db.scalars(select(Case).join(linked, Case.id == linked.c.id)
                           .order_by(Case.id)))


def reviews_of(db: Session, case: Case) -> list[Review]:
    """The committee's votes (reviews) on the case, by stage, with their members and
    criterion scores (one statement)."""
    return list(db.scalars(select(Review).options(joinedload(Review.member),
                                                  joinedload(Review.scores))
                           .where(Review.case_id == case.id)
                           .order_by(Review.stage, Review.id)).unique())


def usernames(db: Session, ids: Iterable[int]) -> list[str]:
    """Usernames of some users, in username order (unknown ids left out)."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(db.scalars(select(User.username).where(User.id.in_(wanted))
                           .order_by(User.username)))


@dataclass(frozen=True)
class Question:
    """What the committee asked the requester (the public part of its decision)."""

    text: str
    asked_at: datetime


def committee_question(db: Session, case: Case) -> Question | None:
    """The question a case that needs information waits on: the public rationale of the
    committee's latest decision to ask the requester (None in any other state)."""
    if case.state != "needs_information":
        return None
    row = db.execute(
        select(Decision.public_rationale, Decision.created_at)
        .where(Decision.case_id == case.id, Decision.outcome == "ask_information")
        .order_by(Decision.id.desc()).limit(1)
    ).first()
    return Question(row[0], row[1]) if row is not None and row[0] else None


def referral_on(db: Session, case: Case, referral_id: int) -> Referral | None:
    """The case's referral with this id (None for another case's or none)."""
    referral = db.get(Referral, referral_id)
    return referral if referral is not None and referral.case_id == case.id else None


# -- canned replies ------------------------------------------------------------

@dataclass(frozen=True)
class CannedChoice:
    """A canned reply offered under the message form."""

    id: int
    language: str
    title: str
    body: str


def _canned_cache() -> VersionedCache[list[CannedChoice]]:
    """Canned replies, per app (they change rarely, always audited; see app.core.caches)."""
    return app_cache("canned_replies", size=4)


def canned_choices(db: Session, version: tuple[int, int]) -> list[CannedChoice]:
    """Every canned reply (all languages: few), by title; kept per process while the data
    `version` is the same."""
    return _canned_cache().get_or_compute(("canned",), version, lambda: [
        CannedChoice(reply.id, reply.language, reply.title, reply.body)
        for reply in db.scalars(select(CannedReply).order_by(CannedReply.title,
                                                             CannedReply.id))])


def canned_replies(db: Session) -> list[CannedReply]:
    """Every canned reply, by language and title (the page that keeps them)."""
    return list(db.scalars(select(CannedReply)
                           .order_by(CannedReply.language, CannedReply.title)).all())


def canned_reply(db: Session, reply_id: int | None) -> CannedReply | None:
    """The canned reply with this id (None for no id or no such reply)."""
    return db.get(CannedReply, reply_id) if reply_id else None

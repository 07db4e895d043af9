"""Who may see and do what on a case.

`CaseAccess` is computed once per request for (user, case): the roles the user
holds on this case ("requester", "helpdesk", "committee", "group_member",
"recused") and what follows from them. Every case view asks it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.models import Case
from app.committee.models import ConflictOfInterest
from app.groups.models import Membership, Referral


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do on one case."""

    roles: frozenset[str]

    @property
    def can_view(self) -> bool:
        """May open the case page at all."""
        return bool(self.roles & {"requester", "helpdesk", "committee", "group_member"})

    @property
    def is_staff(self) -> bool:
        """Helpdesk or committee: sees internal messages and contact details."""
        return bool(self.roles & {"helpdesk", "committee"})

    @property
    def can_see_reviews(self) -> bool:
        """Committee members without a conflict of interest."""
        return "committee" in self.roles and "recused" not in self.roles

    @property
    def can_decide(self) -> bool:
        """May record committee decisions and reviews."""
        return self.can_see_reviews

    @property
    def workflow_roles(self) -> set[str]:
        """Roles as the transitions table names them (a recused member has none)."""
        roles = set(self.roles & {"requester", "helpdesk", "committee"})
        if "recused" in self.roles:
            roles.discard("committee")
        return roles


def case_access(db: Session, user: User | None, case: Case, *,
                conflict_member_ids: Collection[int] | None = None,
                in_referred_group: bool | None = None) -> CaseAccess:
    """Work out the user's roles on this case.

    A caller that has already read the case's conflicts of interest (the members who
    declared one) or whether the user belongs to a group the case was referred to
    passes them, and no query is made for them.
    """
    if user is None:
        return CaseAccess(frozenset())
    roles: set[str] = set(roles_of(user) & {"helpdesk", "committee"})
    if user.id in (case.substitute_ids or []):  # an admin added them to this case's votes
        roles |= {"committee", "substitute"}
    if case.requester_id is not None and case.requester_id == user.id:
        roles.add("requester")
    if "committee" in roles:
        if conflict_member_ids is not None:
            recused = user.id in conflict_member_ids
        else:
            recused = bool(db.scalar(select(ConflictOfInterest.id).where(
                ConflictOfInterest.case_id == case.id, ConflictOfInterest.member_id == user.id
            )))
        if recused:
            roles.add("recused")
    if in_referred_group is None:
        in_referred_group = bool(db.scalar(
            select(Referral.id)
            .join(Membership, Membership.group_id == Referral.group_id)
            .where(Referral.case_id == case.id, Membership.user_id == user.id)
            .limit(1)
        ))
    if in_referred_group:
        roles.add("group_member")
    return CaseAccess(frozenset(roles))

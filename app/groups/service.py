"""Changes to a group's membership: join requests and their answers, leaving, listing, leads.

Each function checks, changes the session, records the audit event and enqueues the
emails; the caller commits once.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import audit
from app.core.models import utcnow
from app.groups import notices
from app.groups.models import JoinRequest, Membership, WorkingGroup
from app.groups.queries import latest_request, membership_of

MAX_NOTE = 1000


class GroupError(Exception):
    """A refused change; `status` is the HTTP status that fits (404 or 409)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _request_snapshot(request: JoinRequest, group: WorkingGroup) -> dict[str, Any]:
    return {"group": group.slug, "user": request.user.username, "status": request.status}


def _membership_snapshot(membership: Membership, group: WorkingGroup) -> dict[str, Any]:
    return {"group": group.slug, "user": membership.user.username,
            "lead": bool(membership.lead), "listed": bool(membership.listed)}


def request_to_join(db: Session, group: WorkingGroup, user: User, note: str) -> JoinRequest:
    """Ask to join; tells the leads. Refused for archived groups, members, pending requests."""
    if group.archived:
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("The group %(name)s is archived and takes no new members.",
                           name=group.name))
    if membership_of(group, user) is not None:
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("You are already a member of %(name)s.", name=group.name))
    previous = latest_request(db, group, user)
    if previous is not None and previous.status == "pending":
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("You have already asked to join %(name)s; a lead will answer "
                           "your request.", name=group.name))
    request = JoinRequest(group_id=group.id, user_id=user.id, user=user,
                          note=note.strip()[:MAX_NOTE], status="pending")
    db.add(request)
    db.flush()
    audit.record(db, user, "group.join_request", "join_request", request.id,
                 after=_request_snapshot(request, group))
    notices.join_requested(group, request)
    return request


def _decide(db: Session, group: WorkingGroup, request: JoinRequest, actor: User,
            status: str) -> None:
    if request.group_id != group.id:
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("There is no such request to join %(name)s.", name=group.name), 404)
    if request.status != "pending":
        # Translators: an error about a request to join a working group.
        raise GroupError(_("This request was already answered."))
    before = _request_snapshot(request, group)
    request.status = status
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    action = "group.join_accept" if status == "accepted" else "group.join_decline"
    audit.record(db, actor, action, "join_request", request.id,
                 before=before, after=_request_snapshot(request, group))
    notices.join_decided(group, request)


def accept(db: Session, group: WorkingGroup, request: JoinRequest, actor: User) -> Membership:
    """Accept a pending request: the user becomes an (unlisted) member from now."""
    if group.archived and request.group_id == group.id and request.status == "pending":
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("The group %(name)s is archived and takes no new members.",
                           name=group.name))
    _decide(db, group, request, actor, "accepted")
    membership = membership_of(group, request.user)
    if membership is None:
        membership = Membership(group=group, user=request.user, lead=False, listed=False,
                                since=utcnow())
        db.add(membership)
        db.flush()
    return membership


def decline(db: Session, group: WorkingGroup, request: JoinRequest, actor: User) -> None:
    """Decline a pending request; the user is told."""
    _decide(db, group, request, actor, "declined")


def _require_membership(group: WorkingGroup, user: User) -> Membership:
    membership = membership_of(group, user)
    if membership is None:
        # Translators: an error; %(user)s is a username, %(name)s the name of a working group.
        raise GroupError(_("%(user)s is not a member of %(name)s.",
                           user=user.username, name=group.name))
    return membership


def leave(db: Session, group: WorkingGroup, user: User) -> None:
    """The user leaves the group."""
    membership = _require_membership(group, user)
    audit.record(db, user, "group.leave", "membership", membership.id,
                 before=_membership_snapshot(membership, group))
    group.memberships.remove(membership)
    db.flush()


def set_listing(db: Session, group: WorkingGroup, user: User, listed: bool) -> bool:
    """Show or hide the member on the public roster; False when nothing changed."""
    membership = _require_membership(group, user)
    if bool(membership.listed) == listed:
        return False
    before = _membership_snapshot(membership, group)
    membership.listed = listed
    audit.record(db, user, "group.listing", "membership", membership.id,
                 before=before, after=_membership_snapshot(membership, group))
    return True


def set_lead(db: Session, group: WorkingGroup, user: User, lead: bool, actor: User) -> bool:
    """Make a member a lead of the group, or not; False when nothing changed."""
    membership = _require_membership(group, user)
    if bool(membership.lead) == lead:
        return False
    before = _membership_snapshot(membership, group)
    membership.lead = lead
    audit.record(db, actor, "group.lead", "membership", membership.id,
                 before=before, after=_membership_snapshot(membership, group))
    return True

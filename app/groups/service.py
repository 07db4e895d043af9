"""Every change to working groups, with its audit event and its emails.

Admins add groups, rename, describe and archive them, and choose their leads;
users ask to join, leave, and choose whether the public roster lists them; leads
(and admins) accept or decline join requests. Each function checks, changes the
session, records the audit event and enqueues the emails as outbox rows (nothing is
sent here); the caller commits once, so the three land together.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import find_user
from app.core import audit
from app.core.errors import Refused
from app.core.models import utcnow
from app.groups import queries
from app.groups.models import JoinRequest, Membership, WorkingGroup
from app.notifications.service import email_user, site_url

MAX_NOTE = 1000
# Addresses under /groups/ that are pages of their own, not groups.
RESERVED_SLUGS = frozenset({"manage", "mine"})


class GroupError(Refused):
    """A refused change to a working group or its membership."""


def _group_snapshot(group: WorkingGroup) -> dict[str, Any]:
    return {"slug": group.slug, "name": group.name, "description": group.description or "",
            "archived": bool(group.archived)}


def _request_snapshot(request: JoinRequest, group: WorkingGroup) -> dict[str, Any]:
    return {"group": group.slug, "user": request.user.username, "status": request.status}


def _membership_snapshot(membership: Membership, group: WorkingGroup) -> dict[str, Any]:
    return {"group": group.slug, "user": membership.user.username,
            "lead": bool(membership.lead), "listed": bool(membership.listed)}


# -- the groups themselves (admins) ---------------------------------------------


def create_group(db: Session, slug: str, name: str, description: str,
                 actor: User) -> WorkingGroup:
    """Add a group; refused when the slug is reserved (400) or taken (409)."""
    if slug in RESERVED_SLUGS:
        # Translators: a form error; %(slug)s is the short name typed for the group's address.
        raise GroupError(_("“%(slug)s” is used by the helpdesk itself; choose another short "
                           "name.", slug=slug), 400)
    if queries.slug_taken(db, slug):
        # Translators: a form error; %(slug)s is the short name typed for the group's address.
        raise GroupError(_("There is already a group with the short name “%(slug)s”; choose "
                           "another.", slug=slug))
    group = WorkingGroup(slug=slug, name=name, description=description, archived=False)
    db.add(group)
    db.flush()
    audit.record(db, actor, "group.create", "working_group", group.id,
                 after=_group_snapshot(group))
    return group


def update_group(db: Session, group: WorkingGroup, name: str, description: str,
                 actor: User) -> bool:
    """Rename and describe a group; False when nothing changed."""
    if group.name == name and (group.description or "") == description:
        return False
    before = _group_snapshot(group)
    group.name = name
    group.description = description
    audit.record(db, actor, "group.update", "working_group", group.id,
                 before=before, after=_group_snapshot(group))
    return True


def toggle_archive(db: Session, group: WorkingGroup, actor: User) -> bool:
    """Archive the group, or bring it back; returns whether it is archived now."""
    before = _group_snapshot(group)
    group.archived = not group.archived
    action = "group.archive" if group.archived else "group.unarchive"
    audit.record(db, actor, action, "working_group", group.id,
                 before=before, after=_group_snapshot(group))
    return bool(group.archived)


# -- joining ----------------------------------------------------------------------


def request_to_join(db: Session, group: WorkingGroup, user: User, note: str) -> JoinRequest:
    """Ask to join; tells the leads. Refused for archived groups, members, pending requests."""
    if group.archived:
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("The group %(name)s is archived and takes no new members.",
                           name=group.name))
    if queries.membership_of(group, user) is not None:
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("You are already a member of %(name)s.", name=group.name))
    previous = queries.latest_request(db, group, user)
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
    _tell_leads(db, group, request)
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
    _enqueue(db, request.user, "join_decision", group, request)


def accept(db: Session, group: WorkingGroup, request: JoinRequest, actor: User) -> Membership:
    """Accept a pending request: the user becomes an (unlisted) member from now."""
    if group.archived and request.group_id == group.id and request.status == "pending":
        # Translators: an error; %(name)s is the name of a working group.
        raise GroupError(_("The group %(name)s is archived and takes no new members.",
                           name=group.name))
    _decide(db, group, request, actor, "accepted")
    membership = queries.membership_of(group, request.user)
    if membership is None:
        membership = Membership(group=group, user=request.user, lead=False, listed=False,
                                since=utcnow())
        db.add(membership)
        db.flush()
    return membership


def decline(db: Session, group: WorkingGroup, request: JoinRequest, actor: User) -> None:
    """Decline a pending request; the user is told."""
    _decide(db, group, request, actor, "declined")


# -- membership -------------------------------------------------------------------


def _require_membership(group: WorkingGroup, user: User) -> Membership:
    membership = queries.membership_of(group, user)
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


def _set_flag(db: Session, group: WorkingGroup, user: User, flag: Literal["lead", "listed"],
              value: bool, actor: User) -> bool:
    """Set a member's `lead` or `listed` flag (audited `group.<flag>`); False when it
    already had that value."""
    membership = _require_membership(group, user)
    if bool(getattr(membership, flag)) == value:
        return False
    before = _membership_snapshot(membership, group)
    setattr(membership, flag, value)
    action = "group.lead" if flag == "lead" else "group.listing"
    audit.record(db, actor, action, "membership", membership.id,
                 before=before, after=_membership_snapshot(membership, group))
    return True


def set_listing(db: Session, group: WorkingGroup, user: User, listed: bool) -> bool:
    """Show or hide the member on the public roster; False when nothing changed."""
    return _set_flag(db, group, user, "listed", listed, user)


def set_lead(db: Session, group: WorkingGroup, username: str, lead: bool,
             actor: User) -> tuple[User, bool]:
    """Make the member called `username` a lead of the group, or not.

    Returns the member and whether anything changed; refused (404) when no user of
    that name has signed in, (409) when they are not a member.
    """
    user = find_user(db, username)
    if user is None:
        # Translators: a form error; %(name)s is the username that was typed.
        raise GroupError(_("No user called “%(name)s” has signed in to the helpdesk.",
                           name=username), 404)
    return user, _set_flag(db, group, user, "lead", lead, actor)


# -- emails: outbox rows in each recipient's language -------------------------------


def _group_url(group: WorkingGroup, suffix: str = "") -> str:
    """An absolute address on the group's pages."""
    return f"{site_url()}/groups/{group.slug}{suffix}"


def _subject(kind: str, group: WorkingGroup, request: JoinRequest) -> str:
    """The email's subject (in the current language)."""
    if kind == "join_request":
        # Translators: the subject of an email to the leads of a working group; %(user)s is a
        # Wikimedia username, %(group)s the group's name.
        return _("%(user)s asks to join %(group)s", user=request.user.username,
                 group=group.name)
    if request.status == "accepted":
        # Translators: the subject of an email; %(group)s is the name of a working group.
        return _("You are now a member of %(group)s", group=group.name)
    # Translators: the subject of an email; %(group)s is the name of a working group.
    return _("Your request to join %(group)s was declined", group=group.name)


def _enqueue(db: Session, user: User, kind: str, group: WorkingGroup,
             request: JoinRequest) -> None:
    url = _group_url(group, "/requests" if kind == "join_request" else "")
    email_user(db, user, kind, lambda: _subject(kind, group, request), f"email/{kind}.txt",
               group=group, request=request, url=url, recipient=user)


def _tell_leads(db: Session, group: WorkingGroup, request: JoinRequest) -> None:
    """Tell the group's leads that someone asks to join (one email an address)."""
    seen: set[str] = set()
    for membership in group.memberships:
        user = membership.user
        if not membership.lead or not user.email or user.email.lower() in seen:
            continue
        seen.add(user.email.lower())
        _enqueue(db, user, "join_request", group, request)

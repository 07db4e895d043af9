"""Every change to requests for a role, with its audit event and its emails.

A signed-in person asks for a role they do not hold (one request per role at a time);
the administrators are told by email. An administrator approves (the role is granted,
audited as `role.grant` as well) or declines with an answer; the person is told. The
person may withdraw a request not answered yet. The caller commits once.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.labels import role_label
from app.auth.models import User
from app.auth.roles import roles_of
from app.auth.service import grant_role
from app.core import audit
from app.core.errors import Refused
from app.core.models import utcnow
from app.notifications.service import email_user, site_url
from app.role_requests import queries
from app.role_requests.models import RoleRequest

# The roles a person may ask for (administrators are chosen, not volunteered).
REQUESTABLE: tuple[str, ...] = ("helpdesk", "committee")
MAX_REASON = 2000
MAX_ANSWER = 2000


class RoleRequestError(Refused):
    """A refused change to a request for a role."""


def _snapshot(request: RoleRequest) -> dict[str, Any]:
    """What the audit log keeps of a request (its reason and answer are in the table,
    read by administrators)."""
    return {"user": request.user.username, "role": request.role, "status": request.status}


def ask(db: Session, user: User, role: str, reason: str) -> RoleRequest:
    """Ask for `role` with a reason; tells the administrators. Refused for a blocked
    account (403), a role that cannot be asked for (400), one already held or already
    asked for (409)."""
    if user.blocked:
        # Translators: an error, and a notice on the page to ask for a role.
        raise RoleRequestError(_("Your Wikimedia account is blocked, so you cannot ask for "
                                 "a role."), 403)
    if role not in REQUESTABLE:
        # Translators: an error; %(role)s is what was sent as the role.
        raise RoleRequestError(_("“%(role)s” is not a role you can ask for.", role=role[:32]), 400)
    if role in roles_of(user):
        # Translators: an error; %(role)s is a role's name, e.g. 'Helpdesk staff'.
        raise RoleRequestError(_("You already have the role %(role)s.", role=role_label(role)))
    if queries.pending_for(db, user, role) is not None:
        # Translators: an error; %(role)s is a role's name, e.g. 'Helpdesk staff'.
        raise RoleRequestError(_("You have already asked for the role %(role)s; an "
                                 "administrator will answer.", role=role_label(role)))
    request = RoleRequest(user_id=user.id, user=user, role=role,
                          reason=reason.strip()[:MAX_REASON], status=queries.PENDING, answer="")
    db.add(request)
    db.flush()
    audit.record(db, user, "role.request", "role_request", request.id, after=_snapshot(request))
    for admin in queries.administrators(db):
        if admin.id != user.id:
            _enqueue(db, admin, "role_request", request)
    return request


def _pending(db: Session, request_id: int, owner: User | None = None) -> RoleRequest:
    """The request `request_id` (of `owner`, when given), refused (404) when there is
    none, (409) when it is no longer waiting."""
    request = queries.find(db, request_id)
    if request is None or (owner is not None and request.user_id != owner.id):
        # Translators: an error: the request for a role in the address does not exist.
        raise RoleRequestError(_("There is no such request for a role."), 404)
    if request.status != queries.PENDING:
        # Translators: an error about a request for a role (approved, declined or withdrawn).
        raise RoleRequestError(_("This request was already answered or withdrawn."))
    return request


def _close(db: Session, request: RoleRequest, actor: User, status: str, action: str) -> None:
    before = _snapshot(request)
    request.status = status
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    audit.record(db, actor, action, "role_request", request.id,
                 before=before, after=_snapshot(request))


def approve(db: Session, request_id: int, actor: User) -> RoleRequest:
    """Grant the role asked for; the person is told."""
    request = _pending(db, request_id)
    if request.role not in roles_of(request.user):
        grant_role(db, request.user, request.role, actor)
    _close(db, request, actor, "approved", "role.request_approve")
    _enqueue(db, request.user, "role_decision", request)
    return request


def decline(db: Session, request_id: int, actor: User, answer: str) -> RoleRequest:
    """Decline with an answer (required: the person is owed a reason); they are told."""
    request = _pending(db, request_id)
    if not answer.strip():
        # Translators: an error when an administrator declines a request for a role.
        raise RoleRequestError(_("Say why the request is declined: the answer is sent to "
                                 "the person who asked."), 400)
    request.answer = answer.strip()[:MAX_ANSWER]
    _close(db, request, actor, "declined", "role.request_decline")
    _enqueue(db, request.user, "role_decision", request)
    return request


def withdraw(db: Session, request_id: int, user: User) -> RoleRequest:
    """The person takes back their own request not answered yet (another's is not
    found: 404)."""
    request = _pending(db, request_id, owner=user)
    _close(db, request, user, "withdrawn", "role.request_withdraw")
    return request


# -- emails: outbox rows in each recipient's language -------------------------------


# The page each email links to: the roles page for administrators; the home page (what
# needs them now) once approved; the page of their requests once declined.
_PAGES = {"role_request": "/admin/#role-requests", "approved": "/", "declined": "/roles/request"}


def _subject(kind: str, request: RoleRequest) -> str:
    role = role_label(request.role)
    if kind == "role_request":
        # Translators: the subject of an email to administrators; %(user)s is a username,
        # %(role)s a role's name, e.g. 'Helpdesk staff'.
        return _("%(user)s asks for the role %(role)s", user=request.user.username, role=role)
    if request.status == "approved":
        # Translators: the subject of an email; %(role)s is a role's name, e.g. 'Helpdesk staff'.
        return _("You now have the role %(role)s", role=role)
    # Translators: the subject of an email; %(role)s is a role's name, e.g. 'Helpdesk staff'.
    return _("Your request for the role %(role)s was declined", role=role)


def _enqueue(db: Session, user: User, kind: str, request: RoleRequest) -> None:
    url = site_url() + _PAGES[kind if kind == "role_request" else request.status]
    email_user(db, user, kind, lambda: _subject(kind, request), f"email/{kind}.txt",
               request=request, url=url, role=role_label(request.role), recipient=user)

"""Emails about join requests, enqueued in the outbox in each recipient's language.

Like app/notify.py: nothing is sent here; rows land in the same transaction as the change.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from app.auth.models import User
from app.groups.models import JoinRequest, WorkingGroup
from app.notifications.models import OutboxMessage


def group_url(group: WorkingGroup, suffix: str = "") -> str:
    """An absolute address on the group's pages (HELPDESK_URL is the public base URL)."""
    base = str(current_app.config.get("HELPDESK_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/groups/{group.slug}{suffix}"


def _wants_mail(user: User) -> bool:
    return bool(user.email) and bool(user.email_notifications)


def _enqueue(user: User, kind: str, group: WorkingGroup, request: JoinRequest) -> None:
    session = object_session(group)
    if session is None or not _wants_mail(user):
        return
    language = user.language or "en"
    with force_locale(language):
        if kind == "join_request":
            # Translators: the subject of an email to the leads of a working group; %(user)s is a
            # Wikimedia username, %(group)s the group's name.
            subject = _("%(user)s asks to join %(group)s", user=request.user.username,
                        group=group.name)
            url = group_url(group, "/requests")
        elif request.status == "accepted":
            # Translators: the subject of an email; %(group)s is the name of a working group.
            subject = _("You are now a member of %(group)s", group=group.name)
            url = group_url(group)
        else:
            # Translators: the subject of an email; %(group)s is the name of a working group.
            subject = _("Your request to join %(group)s was declined", group=group.name)
            url = group_url(group)
        body = render_template(f"email/{kind}.txt", group=group, request=request, url=url,
                               recipient=user)
    session.add(OutboxMessage(case_id=None, recipient_id=user.id, to_address=user.email,
                              language=language, kind=kind, subject=subject[:255], body=body))


def join_requested(group: WorkingGroup, request: JoinRequest) -> None:
    """Tell the group's leads that someone asks to join."""
    seen: set[str] = set()
    for membership in group.memberships:
        user = membership.user
        if not membership.lead or not user.email or user.email.lower() in seen:
            continue
        seen.add(user.email.lower())
        _enqueue(user, "join_request", group, request)


def join_decided(group: WorkingGroup, request: JoinRequest) -> None:
    """Tell the user whether their request was accepted or declined."""
    _enqueue(request.user, "join_decision", group, request)

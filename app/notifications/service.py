"""Notifications: rows in the outbox, written in the same transaction as the change.

Nothing here sends mail; `flask --app app outbox deliver` does, later. Each
message is rendered in its recipient's language when it is enqueued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import users_with_role
from app.cases.labels import state_label
from app.cases.models import Case, CaseMessage
from app.core import audit
from app.core.models import utcnow
from app.groups.models import Membership, WorkingGroup
from app.mail.queries import sender_language
from app.notifications.models import OutboxMessage

Recipient = tuple[str, str, int | None]  # address, language, user id


def site_url() -> str:
    """The tool's public base URL (HELPDESK_URL), without a trailing slash."""
    return str(current_app.config.get("HELPDESK_URL") or "http://127.0.0.1:5000").rstrip("/")


def email_user(db: Session, user: User, kind: str, subject_of: Callable[[], object],
               template: str, **context: Any) -> bool:
    """One email to a signed-up user in their language, through the outbox (the subject
    and body rendered in that language; the template also gets `base`, the tool's
    address); False when they have no address or turned emails off."""
    if not user.email or not user.email_notifications:
        return False
    language = user.language or "en"
    with force_locale(language):
        subject = str(subject_of())
        body = render_template(template, base=site_url(), **context)
    db.add(OutboxMessage(case_id=context.get("case_id"), recipient_id=user.id,
                         to_address=user.email, language=language, kind=kind,
                         subject=subject[:255], body=body))
    return True


def case_url(case: Case) -> str:
    """The case page's absolute address."""
    return f"{site_url()}/requests/{case.reference}"


def _requester(case: Case) -> list[Recipient]:
    user = case.requester
    if user is not None and not user.email_notifications:
        return []
    address = case.contact_email or (user.email if user else None)
    if not address:
        return []
    language = (user.language if user else None) or sender_language(case) or "en"
    return [(address, language, user.id if user else None)]


def _users(users: Iterable[User]) -> list[Recipient]:
    return [(u.email, u.language or "en", u.id) for u in users
            if u.email and u.email_notifications]


def _helpdesk(db: Session) -> list[Recipient]:
    return _users(users_with_role(db, "helpdesk"))


def _enqueue(db: Session, case: Case, recipients: Iterable[Recipient], kind: str,
             case_message: CaseMessage | None = None, **context: object) -> None:
    seen: set[str] = set()
    for address, language, user_id in recipients:
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        with force_locale(language):
            subject, body = _render(case, kind, context)
        db.add(OutboxMessage(case_id=case.id, recipient_id=user_id, to_address=address,
                             language=language, kind=kind, subject=subject[:255], body=body,
                             message_id=case_message.id if case_message else None))


def _render(case: Case, kind: str, context: dict[str, object]) -> tuple[str, str]:
    subjects = {
        # Translators: the subject of an email to the requester after filing; %(ref)s is the case
        # reference, like CPH-2026-0042.
        "created": _("We received your request %(ref)s", ref=case.reference),
        # Translators: the subject of an email to the helpdesk; %(ref)s is the case reference (like
        # CPH-2026-0042), %(title)s the request's title.
        "new_request": _("New request %(ref)s: %(title)s", ref=case.reference, title=case.title),
        # Translators: the subject of an email to the requester; %(ref)s is the case reference (like
        # CPH-2026-0042), %(state)s the name of its new stage, e.g. 'In support'.
        "state_changed": _("Your request %(ref)s is now: %(state)s", ref=case.reference,
                           state=state_label(case.state)),
        # Translators: the subject of an email; %(ref)s is the case reference, like CPH-2026-0042.
        "message": _("New message on %(ref)s", ref=case.reference),
        # Translators: the subject of an email to members of a working group that the Expert
        # Committee asked for help (a referral); %(ref)s is the case reference.
        "referral": _("Your working group is asked about %(ref)s", ref=case.reference),
        # Translators: the subject of an email reminding the requester to answer the committee's
        # questions; %(ref)s is the case reference.
        "reminder": _("Reminder: %(ref)s is waiting for your answer", ref=case.reference),
        # Translators: the subject of an email to a person who watches a request; %(ref)s is the
        # case reference, %(title)s the request's title.
        "watched": _("Changed: %(ref)s %(title)s", ref=case.reference, title=case.title),
    }
    body = render_template(f"email/{kind}.txt", case=case, url=case_url(case),
                           state=state_label(case.state), **context)
    return subjects[kind], body


def case_created(db: Session, case: Case) -> None:
    """Confirm to the requester; tell the helpdesk."""
    _enqueue(db, case, _requester(case), "created")
    _enqueue(db, case, _helpdesk(db), "new_request")


def state_changed(db: Session, case: Case, previous: str, message: str) -> None:
    """Tell the requester where their request is now (and the case's watchers)."""
    requester = _requester(case)
    _enqueue(db, case, requester, "state_changed", previous=previous, message=message)
    watchers(db, case, "state", told=requester, text=message)


def new_message(db: Session, case: Case, author: User, text: str,
                message: CaseMessage | None = None) -> None:
    """A public message: to the requester, or from the requester to the assignee (with
    the files of `message`, attached when the email is sent)."""
    if case.requester_id is not None and author.id == case.requester_id:
        recipients = _users([case.assignee]) if case.assignee else _helpdesk(db)
    else:
        recipients = _requester(case)
    _enqueue(db, case, recipients, "message", case_message=message, author=author.username,
             text=text)
    watchers(db, case, "message", told=recipients, author=author.username, text=text)


def internal_note(db: Session, case: Case, author: User, text: str) -> None:
    """An internal note: to the staff who watch the case, never to anyone else."""
    watchers(db, case, "note", internal=True, author=author.username, text=text)


def watchers(db: Session, case: Case, what: str, *, internal: bool = False,
             told: Iterable[Recipient] = (), **context: object) -> None:
    """Tell the people who watch the case (app/attention) of a change they may see,
    except those `told` already and the person who made it; each email has a signed
    link that stops them."""
    from app.attention.service import watchers_of
    from app.attention.tokens import unwatch_path

    skip = {user_id for _address, _language, user_id in told if user_id is not None}
    actor = g.get("user") if has_request_context() else None
    if actor is not None:
        skip.add(actor.id)
    for user in watchers_of(db, case, internal):
        if user.id in skip:
            continue
        for recipient in _users([user]):
            _enqueue(db, case, [recipient], "watched", None, what=what,  # files: on the page
                     unwatch_url=site_url() + unwatch_path(user.id, case.id),
                     **{"author": "", "text": "", **context})


def referred(db: Session, case: Case, groups: Iterable[WorkingGroup]) -> None:
    """Tell the members of the referred groups."""
    ids = [group.id for group in groups]
    members = db.scalars(select(User).join(Membership, Membership.user_id == User.id)
                         .where(Membership.group_id.in_(ids)))
    _enqueue(db, case, _users(members), "referral")


def reminder(db: Session, case: Case) -> None:
    """Remind the requester that the committee is waiting for information."""
    _enqueue(db, case, _requester(case), "reminder")


def resend(db: Session, row: OutboxMessage, actor: User) -> None:
    """Queue a message delivery gave up on again, with all its attempts (audited)."""
    before = {"attempts": row.attempts, "last_error": row.last_error}
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claimed_by = row.claimed_until = None
    audit.record(db, actor, "outbox.resend", "outbox", row.id, before=before,
                 after={"attempts": 0, "to": row.to_address})

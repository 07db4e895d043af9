"""Reads of the mail tables (the mailbox job, the case page, the inbox, the mail log)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session, selectinload

from app.auth.models import User
from app.cases.models import Case, CaseMessage
from app.core.pagination import Page, paginate
from app.mail.models import ANSWER, HELD, NEW_REQUEST, REPLY, IncomingMail, MailAttachment
from app.notifications.models import FailingAddress, OutboxMessage
from app.partners.models import Organisation, OrganisationContact

# Outcomes that count towards a sender's hourly limit (what a person's mail became).
COUNTED = (NEW_REQUEST, REPLY, ANSWER, HELD)
PLACEHOLDER_ORGANISATION = "Not known yet (request by email)"


def by_key(db: Session, key: str) -> IncomingMail | None:
    """The stored message with this key (Message-ID, or hash of one without)."""
    return db.scalars(select(IncomingMail).where(IncomingMail.message_key == key)).first()


def known_keys(db: Session, keys: Collection[str]) -> set[str]:
    """Which of these keys are stored already."""
    if not keys:
        return set()
    return set(db.scalars(select(IncomingMail.message_key)
                          .where(IncomingMail.message_key.in_(list(keys)))))


def case_of_message_ids(db: Session, message_ids: Collection[str]) -> int | None:
    """The case of an earlier message in the thread (one the sender wrote before)."""
    if not message_ids:
        return None
    return db.scalar(select(IncomingMail.case_id)
                     .where(IncomingMail.message_id.in_(list(message_ids)[:50]),
                            IncomingMail.case_id.is_not(None))
                     .order_by(IncomingMail.id.desc()).limit(1))


def outbox_row(db: Session, row_id: int) -> OutboxMessage | None:
    """An outbox row by id."""
    return db.get(OutboxMessage, row_id)


def sent_from(db: Session, address: str, since: datetime) -> int:
    """How many of a sender's messages since `since` count towards their limit."""
    return int(db.scalar(select(func.count(IncomingMail.id)).where(
        IncomingMail.from_address == address, IncomingMail.received_at >= since,
        IncomingMail.outcome.in_(COUNTED))) or 0)


def organisation_of_contact(db: Session, address: str) -> Organisation | None:
    """The registry entry that lists this address as a contact person's, if one does."""
    return db.scalars(select(Organisation)
                      .join(OrganisationContact,
                            OrganisationContact.organisation_id == Organisation.id)
                      .where(func.lower(OrganisationContact.email) == address.lower())
                      .order_by(Organisation.id).limit(1)).first()


def placeholder_organisation(db: Session) -> Organisation | None:
    """The registry entry of emailed requests whose organisation is not known yet."""
    return db.scalars(select(Organisation)
                      .where(Organisation.name == PLACEHOLDER_ORGANISATION)
                      .order_by(Organisation.id).limit(1)).first()


def latest_public_message(db: Session, case_id: int) -> CaseMessage | None:
    """The newest requester-visible message on the case."""
    return db.scalars(select(CaseMessage)
                      .where(CaseMessage.case_id == case_id, CaseMessage.internal.is_(False))
                      .order_by(CaseMessage.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class Thread:
    """The Message-IDs an email about a case answers (without angle brackets)."""

    first: str | None  # the requester's first message
    latest: str | None  # their newest one before the email was written


def thread_of(db: Session, case_id: int, before: datetime | None) -> Thread:
    """The requester's messages on the case that an email written at `before` answers."""
    query = (select(IncomingMail.message_id)
             .where(IncomingMail.case_id == case_id, IncomingMail.message_id.is_not(None),
                    IncomingMail.outcome.in_((NEW_REQUEST, REPLY, ANSWER))))
    first = db.scalar(query.order_by(IncomingMail.id).limit(1))
    if before is not None:
        query = query.where(IncomingMail.received_at <= before)
    latest = db.scalar(query.order_by(IncomingMail.id.desc()).limit(1))
    return Thread(first=first, latest=latest)


# -- for people ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseMail:
    """The mail side of a case page: its files and (for staff) the messages it came in."""

    attachments: list[MailAttachment]
    messages: list[IncomingMail]


def case_mail(db: Session, case: Case, staff: bool) -> CaseMail:
    """Attachments of the case (and for staff its incoming messages), in one statement
    (two for staff)."""
    if not staff:
        files = list(db.scalars(select(MailAttachment)
                                .where(MailAttachment.case_id == case.id)
                                .order_by(MailAttachment.id)))
        return CaseMail(attachments=files, messages=[])
    messages = list(db.scalars(select(IncomingMail)
                               .options(selectinload(IncomingMail.attachments))
                               .where(IncomingMail.case_id == case.id)
                               .order_by(IncomingMail.id)))
    return CaseMail(attachments=[file for message in messages for file in message.attachments],
                    messages=messages)


def failing(db: Session, address: str) -> FailingAddress | None:
    """The failing mark of an address, if it has one."""
    return db.scalars(select(FailingAddress)
                      .where(FailingAddress.address == address.lower())).first()


def attachment(db: Session, attachment_id: int) -> MailAttachment | None:
    """One attachment by id."""
    return db.get(MailAttachment, attachment_id)


def incoming(db: Session, mail_id: int) -> IncomingMail | None:
    """One stored message, with its attachments."""
    return db.scalars(select(IncomingMail).options(selectinload(IncomingMail.attachments))
                      .where(IncomingMail.id == mail_id)).first()


def case_of(db: Session, case_id: int | None) -> Case | None:
    """A case by id (None for None)."""
    return db.get(Case, case_id) if case_id else None


def held(db: Session) -> list[IncomingMail]:
    """Messages over their sender's limit, waiting for the helpdesk, oldest first."""
    return list(db.scalars(select(IncomingMail)
                           .where(IncomingMail.outcome == HELD,
                                  IncomingMail.handled_at.is_(None))
                           .order_by(IncomingMail.id)))


def held_count(db: Session) -> int:
    """How many messages wait for the helpdesk to release them."""
    return int(db.scalar(select(func.count(IncomingMail.id)).where(
        IncomingMail.outcome == HELD, IncomingMail.handled_at.is_(None))) or 0)


def mail_log(db: Session, number: int, per_page: int) -> tuple[list[IncomingMail], Page]:
    """Every message read, newest first: one page of them."""
    total = int(db.scalar(select(func.count(IncomingMail.id))) or 0)
    page = paginate(number, per_page, total)
    rows = list(db.scalars(select(IncomingMail).order_by(IncomingMail.id.desc())
                           .offset(page.offset).limit(per_page)))
    return rows, page


@dataclass(frozen=True)
class Marks:
    """What the helpdesk inbox shows of a case's email: where it came from, and whether
    an emailed reply waits for an answer."""

    channel: str
    new_reply: bool


def inbox_marks(db: Session, case_ids: Collection[int]) -> dict[int, Marks]:
    """The marks of these cases, in one statement. A reply is new while no one but the
    requester has written on the case since it came."""
    if not case_ids:
        return {}
    answered = (select(CaseMessage.id)
                .where(CaseMessage.case_id == IncomingMail.case_id,
                       CaseMessage.author_id.is_not(None),
                       or_(Case.requester_id.is_(None), CaseMessage.author_id != Case.requester_id),
                       CaseMessage.created_at > IncomingMail.received_at)
                .exists())
    unanswered = (select(IncomingMail.id)
                  .where(IncomingMail.case_id == Case.id,
                         IncomingMail.outcome.in_((REPLY, ANSWER)), ~answered)
                  .exists())
    found = db.execute(select(Case.id, Case.channel, unanswered)
                       .where(Case.id.in_(list(case_ids))))
    return {case_id: Marks(channel, bool(new)) for case_id, channel, new in found}


def usernames(db: Session, user_ids: Collection[int]) -> dict[int, str]:
    """Usernames by id."""
    if not user_ids:
        return {}
    return dict(db.execute(select(User.id, User.username).where(User.id.in_(list(user_ids))))
                .tuples())


def sender_language(case: Case) -> str | None:
    """The language the sender of an emailed request wrote in (None for other requests):
    the emails about it are written in it until they choose one in their preferences."""
    if case.channel != "email" or case.id is None:
        return None
    db = object_session(case)
    if db is None:
        return None
    return db.scalar(select(IncomingMail.language)
                     .where(IncomingMail.case_id == case.id, IncomingMail.outcome == NEW_REQUEST)
                     .order_by(IncomingMail.id).limit(1))

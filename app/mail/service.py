"""What a message from the helpdesk mailbox does, and the helpdesk's changes to held mail.

Each function changes the session only; the caller commits, so a message's row, the case
it opened or answered, its audit events and its outbox rows land together or not at all
(attachment files are written first: a crash before the commit leaves an unlisted file,
never a listed file that is missing).

A message is, in this order:
- from the tool's own address: ignored (`own`);
- a delivery report: the bounced addresses recorded, the outgoing message marked;
- automatic (auto-reply, vacation notice, list or bulk mail): stored, never answered;
- over its sender's hourly limit: held, whole, for the helpdesk to release or discard;
- a reply on a case, when it names the case (a signed Message-ID of ours in its
  In-Reply-To/References, an earlier message of the thread, a plus address, the reference
  in the subject) and comes from an address on the case or carries the signed token:
  the requester's message on the case, answering it if the case waits on them;
- anything else: a new request (submitted, channel email) acknowledged to its sender in
  their language with a link to claim it. A reply naming someone else's case is one too,
  with an internal note for the helpdesk.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service as cases
from app.cases.errors import WorkflowError, WrongState
from app.cases.models import Case, CaseMessage
from app.cases.queries import find_case
from app.core import audit, storage
from app.core.models import utcnow
from app.mail import notices, queries, threads
from app.mail.models import (
    ANSWER,
    AUTO_REPLY,
    BOUNCE,
    DISCARDED,
    HELD,
    NEW_REQUEST,
    OWN,
    REPLY,
    TOO_LARGE,
    IncomingMail,
    MailAttachment,
    MailBounce,
)
from app.mail.parsing import (
    ParsedMail,
    detect_language,
    extension_of,
    parse_message,
    split_quoted,
)
from app.mail.settings import MailConfig, is_own
from app.mail.tokens import BadClaim, read_claim
from app.notifications import service as notify
from app.notifications.models import FailingAddress, OutboxMessage
from app.partners.models import Organisation

MAX_MESSAGE = 19_000  # characters of a reply put on a case (the case service allows 20,000)


class MailError(WorkflowError):
    """A refused change to held mail (the message says why)."""

    status = 409


# -- reading a message --------------------------------------------------------------------

def _row(parsed: ParsedMail) -> IncomingMail:
    return IncomingMail(
        message_key=parsed.key, message_id=parsed.message_id, sent_at=parsed.sent_at,
        from_address=parsed.from_address, from_name=parsed.from_name,
        subject=parsed.subject, size=parsed.size, headers=parsed.headers, body=parsed.text,
        outcome=AUTO_REPLY, note="", received_at=utcnow(),
    )


def record(db: Session, parsed: ParsedMail, config: MailConfig, raw: bytes) -> IncomingMail:
    """Store a message read from the mailbox and do what it asks (see the module)."""
    mail = _row(parsed)
    db.add(mail)
    db.flush()
    _handle(db, mail, parsed, config, raw, hold_floods=True)
    db.flush()
    return mail


def record_too_large(db: Session, parsed: ParsedMail, config: MailConfig) -> IncomingMail:
    """A message over MAIL_MAX_MESSAGE_BYTES (only its headers were read): stored as such
    and answered politely, unless it is automatic or the tool's own."""
    mail = _row(parsed)
    mail.outcome = TOO_LARGE
    mail.language = detect_language(parsed.content_language, parsed.subject, config.languages)
    db.add(mail)
    if is_own(parsed.from_address, config.own_addresses):
        mail.outcome = OWN
    elif parsed.automatic or parsed.no_reply or "@" not in parsed.from_address:
        mail.note = parsed.automatic  # no answer: automatic, or a no-reply sender
    else:
        notices.refuse_too_large(db, parsed.from_address, mail.language, parsed.size,
                                 config.max_message_bytes, parsed.subject)
    db.flush()
    return mail


def _handle(db: Session, mail: IncomingMail, parsed: ParsedMail, config: MailConfig,
            raw: bytes, hold_floods: bool) -> None:
    if is_own(parsed.from_address, config.own_addresses):
        mail.outcome = OWN
    elif parsed.is_bounce:
        _record_bounces(db, mail, parsed)
    elif parsed.automatic:
        mail.outcome, mail.note = AUTO_REPLY, parsed.automatic[:500]
    elif hold_floods and _over_limit(db, parsed.from_address, config):
        _hold(mail, config, raw)
    else:
        mail.language = detect_language(parsed.content_language,
                                        f"{parsed.subject}\n{parsed.text}", config.languages)
        case, named = _matching_case(db, parsed, config)
        if case is not None:
            _append_reply(db, mail, case, parsed, config)
        else:
            _open_request(db, mail, parsed, config, named)


def _over_limit(db: Session, address: str, config: MailConfig) -> bool:
    if config.sender_limit <= 0:
        return False
    since = utcnow() - timedelta(hours=1)
    return queries.sent_from(db, address, since) >= config.sender_limit


def _hold(mail: IncomingMail, config: MailConfig, raw: bytes) -> None:
    mail.outcome = HELD
    mail.raw_name, _digest = storage.store(config.attachments_dir, raw, suffix=".eml")


def _record_bounces(db: Session, mail: IncomingMail, parsed: ParsedMail) -> None:
    mail.outcome = BOUNCE
    row_id = threads.outbox_id(parsed.bounced_message_id or "")
    outgoing = queries.outbox_row(db, row_id) if row_id else None
    for bounce in parsed.bounces:
        db.add(MailBounce(address=bounce.address, outbox_id=outgoing.id if outgoing else None,
                          mail_id=mail.id, action=bounce.action or "failed",
                          status=bounce.status, diagnostic=bounce.diagnostic))
    mail.note = ", ".join(bounce.address for bounce in parsed.bounces)[:500]
    for bounce in parsed.bounces:
        _mark_failing(db, bounce.address, f"Bounced: {bounce.status} {bounce.diagnostic}",
                      outgoing)
    if outgoing is not None:
        first = parsed.bounces[0]
        outgoing.last_error = f"Bounced: {first.status} {first.diagnostic}".strip()[:300]
        mail.case_id = outgoing.case_id


def _mark_failing(db: Session, address: str, error: str, outgoing: OutboxMessage | None
                  ) -> None:
    """The address is failing, as when the SMTP server refuses it for good: marked by
    address, and on the people and cases with it (a note for staff in the case page's
    contact details); the outbox clears all three when mail to it is accepted again."""
    text = error.strip()[:300]
    found = queries.failing(db, address)
    if found is None:
        found = FailingAddress(address=address.lower())
        db.add(found)
    found.error, found.failed_at = text, utcnow()
    found.outbox_id = outgoing.id if outgoing is not None else found.outbox_id
    for column, failing in ((User.email, User.email_failing),
                            (Case.contact_email, Case.contact_email_failing)):
        db.execute(update(column.class_).where(func.lower(column) == address.lower())
                   .values({failing.key: text}).execution_options(synchronize_session=False))


# -- which case a reply belongs to --------------------------------------------------------

def _on_case(address: str, case: Case) -> bool:
    """The address is the case's contact address or its requester's."""
    known = {case.contact_email.lower()}
    if case.requester is not None and case.requester.email:
        known.add(case.requester.email.lower())
    return address.lower() in known - {""}


def _named_case(db: Session, parsed: ParsedMail, config: MailConfig) -> Case | None:
    """The case the message says it is about (not yet whether it may be)."""
    ids = parsed.thread_ids
    case_id = queries.case_of_message_ids(db, ids)
    if case_id is None:
        for message_id in ids:
            row_id = threads.outbox_id(message_id)
            outgoing = queries.outbox_row(db, row_id) if row_id else None
            if outgoing is not None and outgoing.case_id is not None:
                case_id = outgoing.case_id
                break
    if case_id is not None:
        return queries.case_of(db, case_id)
    references = threads.subject_references(parsed.subject)
    reference = threads.plus_reference(parsed.recipients, config.helpdesk_address) or (
        references[0] if references else None)
    return find_case(db, reference) if reference else None


def _matching_case(db: Session, parsed: ParsedMail,
                   config: MailConfig) -> tuple[Case | None, str]:
    """The case the reply goes on, or None and the reference it named without right."""
    for message_id in parsed.thread_ids:
        case_id = threads.signed_case(message_id)
        case = queries.case_of(db, case_id)
        if case is not None:
            return case, ""  # the thread's token: an email the tool sent to the requester
    named = _named_case(db, parsed, config)
    if named is None:
        return None, ""
    if _on_case(parsed.from_address, named):
        return named, ""
    return None, named.reference


# -- replies ------------------------------------------------------------------------------

def _message_text(text: str, has_files: bool) -> str:
    if len(text) > MAX_MESSAGE:
        # Translators: added at the end of an emailed reply that was cut short on the case.
        text = text[:MAX_MESSAGE].rstrip() + "\n…\n" + _("(The email was longer; the helpdesk "
                                                         "has the whole text.)")
    if text:
        return text
    if has_files:
        # Translators: the text of an emailed reply that had only attachments.
        return _("(An email with attached files and no text.)")
    # Translators: the text of an emailed reply that was empty.
    return _("(An empty email.)")


def _append_reply(db: Session, mail: IncomingMail, case: Case, parsed: ParsedMail,
                  config: MailConfig) -> None:
    new_text, _quoted = split_quoted(parsed.text)
    body = _message_text(new_text, bool(parsed.attachments))
    actor = case.requester
    message: CaseMessage | None
    if case.state == "needs_information":
        cases.move(db, case, actor, {"requester"}, "answer", message=body)
        db.flush()
        message = queries.latest_public_message(db, case.id)
        mail.outcome = ANSWER
    else:
        message = CaseMessage(case_id=case.id, author_id=actor.id if actor else None,
                              internal=False, body=body, created_at=utcnow())
        db.add(message)
        case.updated_at = utcnow()
        db.flush()
        audit.record(db, actor, "case.message", "case", case.id,
                     after={"message": message.id, "internal": False, "channel": "email"})
        if actor is not None:
            notify.new_message(db, case, actor, body)
        mail.outcome = REPLY
    mail.case_id = case.id
    mail.case_message_id = message.id if message else None
    _store_attachments(db, mail, case.id, parsed, config)


# -- new requests -------------------------------------------------------------------------

def _organisation(db: Session, address: str) -> Organisation:
    """The registry entry whose contact person writes from `address`, else the one entry
    of emailed requests whose organisation is not known yet (created on first use)."""
    found = queries.organisation_of_contact(db, address) or queries.placeholder_organisation(db)
    if found is not None:
        return found
    organisation = Organisation(name=queries.PLACEHOLDER_ORGANISATION, kind="other",
                                themes=[])
    db.add(organisation)
    db.flush()
    audit.record(db, None, "organisation.create", "organisation", organisation.id,
                 after={"name": organisation.name, "kind": organisation.kind})
    return organisation


def _title(parsed: ParsedMail) -> str:
    subject = threads.clean_subject(parsed.subject)
    if subject:
        return subject[:255]
    first_line = next((line.strip() for line in parsed.text.splitlines() if line.strip()), "")
    # Translators: the title of a request that came by email with no subject and no text.
    return first_line[:120] or _("(no subject)")


def _description(text: str, has_files: bool) -> str:
    return _message_text(text, has_files)


def _open_request(db: Session, mail: IncomingMail, parsed: ParsedMail, config: MailConfig,
                  named: str) -> None:
    address = parsed.from_address
    organisation = _organisation(db, address)
    fields = {
        "title": _title(parsed), "description": _description(parsed.text,
                                                             bool(parsed.attachments)),
        "organisation_id": organisation.id, "request_type": "other", "content_kinds": [],
        "content_volume": "", "licence": "other", "licence_details": "",
        "licence_flagged": False, "target_projects": [], "themes": [], "countries": [],
        "region": "other", "languages": [], "support_types": [], "support_details": "",
        "timeline": "", "public_listing": False, "requester_id": None,
        "contact_name": parsed.from_name or "", "contact_email": "", "channel": "email",
    }
    # Filed without the address, so that no English confirmation goes out: the sender
    # gets the acknowledgement below, in their language, with the link to claim it.
    case = cases.create_case(db, None, fields)
    case.contact_email = address
    mail.outcome, mail.case_id = NEW_REQUEST, case.id
    if named:
        _note(db, case, _(
            # Translators: an internal note on a request that came by email; %(ref)s is the
            # reference of another request.
            "This email named %(ref)s, but its sender is not on that request, so it was opened "
            "as a new request. If it belongs to %(ref)s, link the two or close this one as a "
            "duplicate.", ref=named))
        mail.note = named  # the reference it named without right
    refused = _store_attachments(db, mail, case.id, parsed, config)
    if not parsed.no_reply and "@" in address:
        notices.acknowledge(db, case, address, mail.language, config.claim_days, refused)


def _note(db: Session, case: Case, text: str) -> None:
    note = CaseMessage(case_id=case.id, author_id=None, internal=True, body=text,
                       created_at=utcnow())
    db.add(note)
    db.flush()
    audit.record(db, None, "case.message", "case", case.id,
                 after={"message": note.id, "internal": True, "channel": "email"})


def _store_attachments(db: Session, mail: IncomingMail, case_id: int | None,
                       parsed: ParsedMail, config: MailConfig) -> list[str]:
    """Keep the attachments within the limits; returns the names of those not kept."""
    refused = []
    for item in parsed.attachments:
        row = MailAttachment(mail_id=mail.id, case_id=case_id, filename=item.filename,
                             content_type=item.content_type[:127], size=len(item.data),
                             kept=False)
        if len(item.data) > config.max_attachment_bytes:
            row.refused = "too_large"
        elif extension_of(item.filename) not in config.attachment_types:
            row.refused = "type"
        else:
            row.storage_name, row.sha256 = storage.store(config.attachments_dir, item.data)
            row.kept = True
        if not row.kept:
            refused.append(item.filename)
        db.add(row)
    return refused


# -- the helpdesk and held mail -----------------------------------------------------------

def _check_held(mail: IncomingMail) -> None:
    if mail.outcome != HELD or mail.handled_at is not None or not mail.raw_name:
        # Translators: an error: the helpdesk tried to release or discard an email that is no
        # longer held back.
        raise MailError(_("This email is no longer held back."))


def release(db: Session, mail: IncomingMail, staff: User, config: MailConfig) -> str:
    """Let a held message through as if it had just come (audited); returns the name of
    its stored copy, which the caller removes after the commit."""
    _check_held(mail)
    raw_name = str(mail.raw_name)
    raw = storage.read(config.attachments_dir, raw_name)
    parsed = parse_message(raw)
    mail.raw_name, mail.handled_at, mail.handled_by_id = None, utcnow(), staff.id
    _handle(db, mail, parsed, config, raw, hold_floods=False)
    case = queries.case_of(db, mail.case_id)
    audit.record(db, staff, "mail.release", "mail", mail.id,
                 after={"reference": case.reference} if case else None)
    return raw_name


def discard(db: Session, mail: IncomingMail, staff: User) -> str:
    """Throw a held message away (audited; its headers stay listed); returns the name of
    its stored copy, which the caller removes after the commit."""
    _check_held(mail)
    raw_name = str(mail.raw_name)
    mail.outcome, mail.raw_name = DISCARDED, None
    mail.handled_at, mail.handled_by_id = utcnow(), staff.id
    audit.record(db, staff, "mail.discard", "mail", mail.id)
    return raw_name


def forget(config: MailConfig, raw_name: str | None) -> None:
    """Remove a held message's stored copy (after the change was committed)."""
    storage.remove(config.attachments_dir, raw_name)


# -- claiming a request -------------------------------------------------------------------

def _claimable(db: Session, user: User, token: str, days: int) -> tuple[Case, bool]:
    """The case a claim token names, and whether it is the user's already; WorkflowError
    when the token is forged, damaged or too old, or the case can no longer be claimed."""
    try:
        found = read_claim(token, days)
    except BadClaim as exc:
        if exc.expired:
            # Translators: an error on the page that claims a request sent by email.
            raise WorkflowError(_("This link has expired. Please ask the helpdesk to link "
                                  "the request to your account."), status=410) from exc
        # Translators: an error on the page that claims a request sent by email.
        raise WorkflowError(_("This link is not valid. Please copy the whole link from the "
                              "email."), status=404) from exc
    case = queries.case_of(db, found.case_id)
    if case is None:
        # Translators: an error on the page that claims a request sent by email.
        raise WorkflowError(_("This request no longer exists."), status=404)
    if case.requester_id == user.id:
        return case, True
    if case.requester_id is not None:
        # Translators: an error on the page that claims a request sent by email.
        raise WrongState(_("This request is already linked to another account."))
    if case.contact_email.lower() != found.address:
        # Translators: an error on the page that claims a request sent by email.
        raise WrongState(_("This link is no longer valid: the request's contact address "
                           "changed. Please ask the helpdesk."))
    return case, False


def preview_claim(db: Session, user: User, token: str, days: int) -> Case:
    """The case `claim` would give the user (nothing changes)."""
    return _claimable(db, user, token, days)[0]


def claim(db: Session, user: User, token: str, days: int) -> tuple[Case, bool]:
    """The signed-in `user` becomes the requester of the emailed request the token names
    (audited). Returns the case and whether it changed (False: it was theirs already)."""
    case, theirs = _claimable(db, user, token, days)
    if theirs:
        return case, False
    before = {"requester": None, "contact_username": case.contact_username}
    case.requester, case.contact_username = user, user.username
    case.updated_at = utcnow()
    audit.record(db, user, "case.claim", "case", case.id, before=before,
                 after={"requester": user.username, "contact_username": user.username})
    return case, True

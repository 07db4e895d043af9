"""Threads: how the emails about a case are tied together, going out and coming back.

Every email about a case carries a stable Message-ID, `In-Reply-To`/`References` of the
case's thread, the case reference in the subject, and a `Reply-To` of the helpdesk
address (plus-addressed, `helpdesk+CPH-2026-0042@…`, with MAIL_PLUS_ADDRESSING). The
Message-IDs of emails to the requester are signed (HMAC with SECRET_KEY): a reply that
names one is the requester's, from whatever address it comes (the thread's token).

The Message-ID of an outbox row is computed from the row (its id, creation time and
case), so the row itself is the record of what was sent, and retries keep the same ID.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from email.utils import parseaddr

from flask import current_app
from sqlalchemy.orm import object_session

from app.cases.models import Case
from app.core.db import get_session
from app.mail import queries
from app.mail.settings import mail_config
from app.notifications.models import OutboxMessage

REFERENCE = re.compile(r"\bCPH-(\d{4})-(\d{4,6})\b", re.IGNORECASE)
_OURS = re.compile(r"^cp-helpdesk\.(?:outbox\.(\d+)\.(\d+)(?:\.c(\d+)\.([0-9a-f]{20}))?"
                   r"|case\.(\d+)\.([0-9a-f]{20}))@", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr|rv|enc|res|antw|отв|ответ|回复|返信"
                             r"|رد)\s*(\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)


def _signature(*parts: object) -> str:
    key = f"{current_app.config['SECRET_KEY']}:mail-thread".encode()
    text = ".".join(str(part) for part in parts).encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:20]


def mail_domain() -> str:
    """The domain of the tool's own address (MAIL_FROM), for its Message-IDs."""
    sender = parseaddr(str(current_app.config.get("MAIL_FROM") or ""))[1]
    return sender.rpartition("@")[2] or "toolforge.org"


def outbox_message_id(row_id: int, created: int, case_id: int | None,
                      to_requester: bool) -> str:
    """The Message-ID of an outbox row: signed when it goes to the case's requester."""
    if case_id is not None and to_requester:
        token = _signature("outbox", row_id, created, case_id)
        return f"<cp-helpdesk.outbox.{row_id}.{created}.c{case_id}.{token}@{mail_domain()}>"
    return f"<cp-helpdesk.outbox.{row_id}.{created}@{mail_domain()}>"


def case_thread_id(case_id: int) -> str:
    """The Message-ID the thread of a case hangs from (named in every email's References)."""
    return f"<cp-helpdesk.case.{case_id}.{_signature('case', case_id)}@{mail_domain()}>"


def signed_case(message_id: str) -> int | None:
    """The case a Message-ID the tool sent to a requester names, if its signature holds."""
    match = _OURS.match(message_id.strip().strip("<>"))
    if match is None:
        return None
    row_id, created, case_id, token, root_case, root_token = match.groups()
    if root_case is not None:
        expected = _signature("case", root_case)
        return int(root_case) if hmac.compare_digest(expected, root_token.lower()) else None
    if case_id is None:
        return None
    expected = _signature("outbox", row_id, created, case_id)
    return int(case_id) if hmac.compare_digest(expected, token.lower()) else None


def outbox_id(message_id: str) -> int | None:
    """The outbox row a Message-ID the tool sent belongs to (a bounce names it)."""
    match = _OURS.match(message_id.strip().strip("<>"))
    return int(match.group(1)) if match and match.group(1) else None


def plus_address(helpdesk: str, reference: str) -> str:
    """helpdesk+CPH-2026-0042@example.org."""
    local, _at, domain = helpdesk.partition("@")
    return f"{local.split('+', 1)[0]}+{reference}@{domain}"


def reply_to(helpdesk: str | None, reference: str, plus: bool) -> str | None:
    """Where answers to an email about the case should go."""
    if not helpdesk:
        return None
    return plus_address(helpdesk, reference) if plus else helpdesk


def plus_reference(addresses: list[str], helpdesk: str | None) -> str | None:
    """The case reference of a plus address of the helpdesk among `addresses`."""
    base_local, _at, base_domain = (helpdesk or "").lower().partition("@")
    base_local = base_local.split("+", 1)[0]
    for address in addresses:
        local, _at, domain = address.lower().partition("@")
        name, plus, tag = local.partition("+")
        if not plus or (helpdesk and (name, domain) != (base_local, base_domain)):
            continue
        match = REFERENCE.fullmatch(tag)
        if match:
            return normal_reference(match)
    return None


def normal_reference(match: re.Match[str]) -> str:
    """CPH-2026-0042 as the tool writes it (case and padding)."""
    return f"CPH-{match.group(1)}-{int(match.group(2)):04d}"


def subject_references(subject: str) -> list[str]:
    """The case references a subject names, in order."""
    return list(dict.fromkeys(normal_reference(m) for m in REFERENCE.finditer(subject)))


def clean_subject(subject: str) -> str:
    """A subject without its Re:/Fwd:/AW:/SV: prefixes."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def subject_with_reference(subject: str, reference: str) -> str:
    """The subject, with the case reference added when it does not name it already."""
    if reference.lower() in subject.lower():
        return subject
    return f"{subject} [{reference}]"


def _to_requester(row: OutboxMessage, case: Case) -> bool:
    """The email goes to the case's requester (its contact address or their account)."""
    if row.recipient_id is not None and row.recipient_id == case.requester_id:
        return True
    addresses = {case.contact_email.lower()}
    if case.requester is not None and case.requester.email:
        addresses.add(case.requester.email.lower())
    return row.to_address.lower() in addresses - {""}


def thread_headers(row: OutboxMessage, created: int) -> dict[str, str]:
    """The headers that put an outbox row's email in its case's thread (none for an email
    about no case): Message-ID (signed when it goes to the requester), In-Reply-To and
    References (the requester's own messages and the case's thread), the reference in the
    Subject, and for the requester a Reply-To of the helpdesk address."""
    if row.case_id is None:
        return {}
    db = object_session(row) or get_session()
    case = db.get(Case, row.case_id)
    if case is None:
        return {}
    to_requester = _to_requester(row, case)
    thread = queries.thread_of(db, case.id, row.created_at)
    root = case_thread_id(case.id)
    references = [root, *(f"<{known}>" for known in (thread.first, thread.latest) if known)]
    headers = {
        "Message-ID": outbox_message_id(row.id, created, case.id, to_requester),
        "In-Reply-To": f"<{thread.latest}>" if thread.latest else root,
        "References": " ".join(dict.fromkeys(references)),
        "Subject": subject_with_reference(row.subject, case.reference),
    }
    if to_requester:
        config = mail_config()
        address = reply_to(config.helpdesk_address, case.reference, config.plus_addressing)
        if address:
            headers["Reply-To"] = address
    return headers

"""The automatic answers to people who wrote to the helpdesk, enqueued in the outbox.

Rows of the same outbox as every notification, written in the caller's transaction and
sent by `flask --app app outbox deliver`; rendered in the sender's language.
"""

from __future__ import annotations

from babel.units import format_unit
from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.mail.tokens import claim_token
from app.notifications.models import OutboxMessage
from app.notifications.service import site_url

RECEIVED = "mail_received"
TOO_LARGE = "mail_too_large"


def claim_url(case: Case, address: str) -> str:
    """The link in the acknowledgement that lets its reader claim the request."""
    return f"{site_url()}/requests/claim/{claim_token(case.id, address)}"


def acknowledge(db: Session, case: Case, address: str, language: str, claim_days: int,
                refused: list[str]) -> OutboxMessage:
    """Tell the sender their email opened request `case` (and which files were not kept)."""
    with force_locale(language):
        # Translators: the subject of an email to the requester after filing; %(ref)s is the case
        # reference, like CPH-2026-0042.
        subject = _("We received your request %(ref)s", ref=case.reference)
        body = render_template(f"email/{RECEIVED}.txt", case=case,
                               claim_url=claim_url(case, address), days=claim_days,
                               refused=refused)
    row = OutboxMessage(case_id=case.id, recipient_id=None, to_address=address,
                        language=language, kind=RECEIVED, subject=subject[:255], body=body)
    db.add(row)
    return row


def _megabytes(size: int) -> str:
    return format_unit(round(size / 1_000_000, 1), "digital-megabyte", length="short",
                       locale=str(get_locale() or "en"))


def refuse_too_large(db: Session, address: str, language: str, size: int, limit: int,
                     subject: str) -> OutboxMessage:
    """Tell the sender their message was too large to be read."""
    with force_locale(language):
        # Translators: the subject of the automatic answer to an email that was too large to read.
        title = _("Your email to the helpdesk was too large")
        body = render_template(f"email/{TOO_LARGE}.txt", size=_megabytes(size),
                               limit=_megabytes(limit), subject=subject)
    row = OutboxMessage(case_id=None, recipient_id=None, to_address=address, language=language,
                        kind=TOO_LARGE, subject=title[:255], body=body)
    db.add(row)
    return row

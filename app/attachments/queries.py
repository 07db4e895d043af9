"""Reading a case's files."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.attachments.models import Attachment
from app.cases.models import Case


def case_files(db: Session, case: Case, staff: bool) -> list[Attachment]:
    """The files of a case, oldest first, with who added them (one statement); the files
    of internal notes only for staff."""
    query = (select(Attachment).options(joinedload(Attachment.uploaded_by))
             .where(Attachment.case_id == case.id).order_by(Attachment.id))
    if not staff:
        query = query.where(Attachment.internal.is_(False))
    return list(db.scalars(query))


def case_file(db: Session, case: Case, attachment_id: int) -> Attachment | None:
    """One file of `case` (None when there is no such file on that case)."""
    return db.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                              Attachment.case_id == case.id))


def message_files(db: Session, message_id: int) -> list[Attachment]:
    """The files of a public message, oldest first (none of an internal note's)."""
    return list(db.scalars(select(Attachment)
                           .where(Attachment.message_id == message_id,
                                  Attachment.internal.is_(False))
                           .order_by(Attachment.id)))

"""Adding files to a case: checked first (count, kind, size), then stored and recorded.

Nothing is written before every file passed: a refused upload leaves no file on disk
and no row. The caller commits; if the commit fails, `forget` removes what was stored.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app.attachments import queries
from app.attachments.models import Attachment
from app.auth.models import User
from app.cases.errors import WorkflowError
from app.cases.models import Case, CaseMessage
from app.core import audit, storage
from app.core.formats import format_number
from app.mail.queries import latest_public_message

# Files read in chunks of this many bytes while checking their size.
CHUNK = 64 * 1024
# The files attached to one email, together (base64 makes them a third larger on the
# wire; common mail servers take 20–25 MB). Larger ones stay on the case page.
EMAIL_FILES_MAX_BYTES = 10 * 1024 * 1024

log = logging.getLogger(__name__)


class TooLarge(WorkflowError):
    """A file is over ATTACHMENT_MAX_BYTES."""

    status = 413


@dataclass(frozen=True)
class Limits:
    """What may be uploaded: the settings ATTACHMENT_MAX_BYTES, _MAX_FILES and _TYPES."""

    max_bytes: int
    max_files: int
    types: tuple[str, ...]
    folder: Path


@dataclass(frozen=True)
class Upload:
    """A file that passed the checks, in memory until it is stored."""

    filename: str
    content_type: str
    data: bytes


def limits() -> Limits:
    """The limits of this app's settings."""
    config = current_app.config
    return Limits(max_bytes=int(config["ATTACHMENT_MAX_BYTES"]),
                  max_files=int(config["ATTACHMENT_MAX_FILES"]),
                  types=tuple(str(t).lower() for t in config["ATTACHMENT_TYPES"]),
                  folder=Path(str(config["ATTACHMENTS_DIR"])))


def file_size(size: int) -> str:
    """A size limit as the reader's language writes it, e.g. '10 MB'."""
    if size < 1_048_576:
        # Translators: a file size in kilobytes; %(num)s is a number like 500.
        return _("%(num)s kB", num=format_number(max(1, round(size / 1024))))
    # Translators: a file size in megabytes; %(num)s is a number like 10 or 2.5.
    return _("%(num)s MB", num=format_number(round(size / 1_048_576, 1)))


def _content(file: FileStorage, name: str, limit: int, field: str) -> bytes:
    """The bytes of `file`, or TooLarge as soon as more than `limit` were read."""
    parts: list[bytes] = []
    size = 0
    while chunk := file.stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            # Translators: an error (HTTP 413); %(name)s is a file name, %(limit)s a size like
            # '10 MB'.
            raise TooLarge(_("“%(name)s” is too large: each file may be at most %(limit)s. "
                             "Nothing was saved.", name=name, limit=file_size(limit)),
                           field=field)
        parts.append(chunk)
    return b"".join(parts)


def read_uploads(files: Iterable[FileStorage], field: str = "attachments") -> list[Upload]:
    """Check the files sent in a form (the empty file input of a form sent without a file
    is skipped). Raises a WorkflowError (413 for a file too large, 422 otherwise) naming
    the file; nothing is stored here."""
    allowed = limits()
    chosen = [file for file in files if file and (file.filename or "").strip()]
    if len(chosen) > allowed.max_files:
        # Translators: an error; %(num)s is a number of files.
        raise WorkflowError(_("You can add at most %(num)s files at a time.",
                              num=allowed.max_files), status=422, field=field)
    uploads = []
    for file in chosen:
        name = storage.sanitised_name(file.filename or "")
        extension = storage.extension_of(name)
        if extension not in allowed.types:
            # Translators: an error; %(name)s is a file name, %(types)s a list of file extensions
            # like 'pdf, jpg, csv'.
            raise WorkflowError(_("“%(name)s” cannot be added: only these kinds of files are "
                                  "accepted: %(types)s. Nothing was saved.", name=name,
                                  types=", ".join(allowed.types)), status=422, field=field)
        data = _content(file, name, allowed.max_bytes, field)
        if not data:
            # Translators: an error; %(name)s is a file name.
            raise WorkflowError(_("“%(name)s” is empty. Nothing was saved.", name=name),
                                status=422, field=field)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        uploads.append(Upload(name, content_type, data))
    return uploads


def attach(db: Session, case: Case, actor: User, uploads: list[Upload],
           message: CaseMessage | None = None) -> list[Attachment]:
    """Store the files privately and record them on the case (with `message`, and as
    internal as it is); audited (`case.attachments`). Nothing when there are none."""
    if not uploads:
        return []
    folder = limits().folder
    rows = []
    for upload in uploads:
        name, digest = storage.store(folder, upload.data)
        row = Attachment(case_id=case.id, message_id=message.id if message else None,
                         internal=bool(message and message.internal), filename=upload.filename,
                         content_type=upload.content_type, size=len(upload.data),
                         sha256=digest, storage_name=name, uploaded_by_id=actor.id)
        db.add(row)
        rows.append(row)
    db.flush()
    audit.record(db, actor, "case.attachments", "case", case.id, after={
        "files": [row.id for row in rows], "message": message.id if message else None,
        "internal": bool(message and message.internal)})
    return rows


def attach_to_newest_message(db: Session, case: Case, actor: User,
                             uploads: list[Upload]) -> list[Attachment]:
    """`attach` to the public message `actor` has just written with a workflow action
    (the answer to the committee's question, which the transition records)."""
    if not uploads:
        return []
    db.flush()
    return attach(db, case, actor, uploads, latest_public_message(db, case.id))


@dataclass(frozen=True)
class EmailFiles:
    """The files of a message for its email: those attached (with their bytes) and those
    left on the case page (too large together for an email, or gone from the disk)."""

    attached: list[tuple[Attachment, bytes]]
    left_out: list[Attachment]


def email_files(db: Session, message_id: int, budget: int = EMAIL_FILES_MAX_BYTES) -> EmailFiles:
    """The files of the public message `message_id` to attach to its email, oldest
    first, while they fit in `budget` bytes together."""
    folder = limits().folder
    attached: list[tuple[Attachment, bytes]] = []
    left_out: list[Attachment] = []
    for row in queries.message_files(db, message_id):
        if row.size > budget:
            left_out.append(row)
            continue
        try:
            data = storage.read(folder, row.storage_name)
        except (OSError, ValueError):
            log.warning("Attachment %s of message %s is not on the disk", row.id, message_id)
            left_out.append(row)
            continue
        attached.append((row, data))
        budget -= len(data)
    return EmailFiles(attached, left_out)


def forget(rows: Iterable[Attachment]) -> None:
    """Remove the stored files of rows that were not committed."""
    folder = limits().folder
    for row in rows:
        storage.remove(folder, row.storage_name)

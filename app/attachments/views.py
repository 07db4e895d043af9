"""Downloading a case's files, and the list of them on the case page."""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.attachments import queries
from app.attachments.models import Attachment
from app.attachments.service import file_size, limits
from app.auth.roles import login_required
from app.cases.access import CaseAccess
from app.cases.models import Case
from app.cases.views import load_case
from app.core import storage
from app.core.db import get_session
from app.core.errors import fail

bp = Blueprint("attachments", __name__)


@bp.app_template_global("case_files")
def case_files(case: Case, access: CaseAccess) -> list[Attachment]:
    """The files the viewer may see on the case page (one statement)."""
    return queries.case_files(get_session(), case, staff=access.is_staff)


@bp.app_template_global("attachment_limits")
def attachment_limits() -> dict[str, object]:
    """What the file inputs say about what may be added."""
    found = limits()
    return {"size": file_size(found.max_bytes), "max_files": found.max_files,
            "accept": ",".join(f".{kind}" for kind in found.types)}


def _missing() -> NoReturn:
    # Translators: an error: the file asked for is not there.
    fail(404, _("There is no such file."))


@bp.get("/requests/<reference>/files/<int:attachment_id>")
@login_required
def download(reference: str, attachment_id: int) -> ResponseReturnValue:
    """A file of a case, as a download: to those who may see the case (a file of an
    internal note to staff only); never cached, never shown in the browser."""
    case, access = load_case(reference)
    found = queries.case_file(get_session(), case, attachment_id)
    if found is None:
        _missing()
    if found.internal and not access.is_staff:
        # Translators: an error: a file of an internal note, which only staff may open.
        fail(403, _("Only the helpdesk and the committee may open this file."))
    try:
        path = storage.path_of(limits().folder, found.storage_name)
    except ValueError:
        _missing()
    if not path.is_file():
        _missing()
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=found.filename, max_age=0, conditional=False,
                         etag=False)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

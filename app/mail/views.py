"""Routes of the mail feature: claiming an emailed request, a case's emails and files, the
raw message, and the helpdesk's mail log with the held messages."""

from __future__ import annotations

from babel.units import format_unit
from flask import Blueprint, flash, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.auth.roles import login_required, role_required
from app.cases.access import CaseAccess
from app.cases.errors import WorkflowError
from app.cases.labels import label
from app.cases.models import Case
from app.cases.views import load_case
from app.core import storage
from app.core.db import as_id, commit_work, discard_work, get_session
from app.core.errors import fail
from app.mail import labels, queries, service
from app.mail.forms import ButtonForm
from app.mail.models import IncomingMail
from app.mail.queries import CaseMail, Marks
from app.mail.settings import mail_config

bp = Blueprint("mail", __name__)

LOG_PAGE_SIZE = 50
# Files a browser may show as they are; anything else is sent as application/octet-stream.
SHOWN_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif",
                         "image/webp", "text/plain", "text/csv"})


@bp.app_template_global("case_mail")
def case_mail(case: Case, access: CaseAccess) -> CaseMail | None:
    """The case page's list of emailed files (and for the helpdesk, the emails): for the
    helpdesk and the requester; others (the committee) follow the link to the case's
    mail page, so that their case page keeps within its statement budget."""
    if "helpdesk" not in access.roles and "requester" not in access.roles:
        return None
    return queries.case_mail(get_session(), case, staff="helpdesk" in access.roles)


@bp.app_template_global("mail_marks")
def mail_marks(case_ids: list[int]) -> dict[int, Marks]:
    """Where each of these cases came from, and whether an emailed reply waits."""
    return queries.inbox_marks(get_session(), case_ids)


@bp.app_template_global("held_mail_count")
def held_mail_count() -> int:
    """How many emails wait for the helpdesk to release or discard them."""
    return queries.held_count(get_session())


@bp.app_template_global("mail_outcome")
def mail_outcome(code: str) -> str:
    """What became of an email, in words."""
    return label(labels.OUTCOMES, code)


@bp.app_template_global("file_refused")
def file_refused(code: str) -> str:
    """Why an emailed file was not kept, in words."""
    return label(labels.REFUSED, code)


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A file's size as the reader's language writes it (kB below a megabyte, else MB)."""
    locale = str(get_locale() or "en")
    if size < 1_000_000:
        return format_unit(max(1, round(size / 1000)), "digital-kilobyte", length="short",
                           locale=locale)
    return format_unit(round(size / 1_000_000, 1), "digital-megabyte", length="short",
                       locale=locale)


def _may_see_mail(access: CaseAccess) -> None:
    if not access.is_staff and "requester" not in access.roles:
        fail(403, _("You do not have permission to see this page or do this."))


@bp.get("/requests/<reference>/mail")
@login_required
def case_page(reference: str) -> ResponseReturnValue:
    """A case's emails (for staff) and emailed files (for staff and the requester)."""
    case, access = load_case(reference)
    _may_see_mail(access)
    found = queries.case_mail(get_session(), case, staff=access.is_staff)
    return render_template("mail/case.html", case=case, mail=found, staff=access.is_staff)


@bp.get("/requests/<reference>/attachments/<int:attachment_id>")
@login_required
def attachment(reference: str, attachment_id: int) -> ResponseReturnValue:
    """Download a file that came by email: staff and the requester only; never cached,
    never shown in the browser unless it is a harmless kind."""
    case, access = load_case(reference)
    _may_see_mail(access)
    found = queries.attachment(get_session(), attachment_id)
    if found is None or found.case_id != case.id or not found.kept or not found.storage_name:
        # Translators: an error: the file asked for is not there.
        fail(404, _("There is no such file."))
    try:
        path = storage.path_of(mail_config().attachments_dir, found.storage_name)
    except ValueError:
        fail(404, _("There is no such file."))
    if not path.is_file():
        fail(404, _("There is no such file."))
    shown = found.content_type if found.content_type in SHOWN_TYPES else None
    response = send_file(path, mimetype=shown or "application/octet-stream",
                         as_attachment=True, download_name=found.filename, max_age=0,
                         conditional=False, etag=False)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/requests/claim/<token>", methods=["GET", "POST"])
@login_required
def claim(token: str) -> ResponseReturnValue:
    """The link in the acknowledgement of an emailed request: the signed-in person
    becomes its requester (audited)."""
    db = get_session()
    days = mail_config().claim_days
    form = ButtonForm()
    if request.method == "GET":
        try:
            case = service.preview_claim(db, g.user, token, days)
        except WorkflowError as exc:
            fail(exc.status, exc.message)
        return render_template("mail/claim.html", case=case, form=form, token=token)
    try:
        case, changed = service.claim(db, g.user, token, days)
    except WorkflowError as exc:
        discard_work()
        fail(exc.status, exc.message)
    commit_work()
    if changed:
        # Translators: a confirmation; %(ref)s is a case reference like CPH-2026-0042.
        flash(_("Request %(ref)s is now linked to your account. You can follow it here.",
                ref=case.reference), "success")
    return redirect(url_for("cases.case_page", reference=case.reference), 303)


@bp.get("/mail")
@role_required("helpdesk")
def log() -> ResponseReturnValue:
    """Every email the mailbox job read, newest first, and the held ones first of all."""
    db = get_session()
    number = as_id(request.args.get("page")) or 1
    rows, page = queries.mail_log(db, number, LOG_PAGE_SIZE)
    return render_template("mail/log.html", held=queries.held(db), rows=rows, page=page,
                           form=ButtonForm())


def _message(mail_id: int) -> IncomingMail:
    found = queries.incoming(get_session(), mail_id)
    if found is None:
        # Translators: an error: the email asked for is not there.
        fail(404, _("There is no such email."))
    return found


@bp.get("/mail/<int:mail_id>")
@role_required("helpdesk", "committee")
def raw(mail_id: int) -> ResponseReturnValue:
    """One email as it came: its headers and its whole text, quotes included."""
    message = _message(mail_id)
    case = queries.case_of(get_session(), message.case_id)
    return render_template("mail/raw.html", message=message, case=case)


def _held_change(mail_id: int, release: bool) -> ResponseReturnValue:
    message = _message(mail_id)
    config = mail_config()
    try:
        if release:
            raw_name = service.release(get_session(), message, g.user, config)
        else:
            raw_name = service.discard(get_session(), message, g.user)
    except WorkflowError as exc:
        discard_work()
        fail(exc.status, exc.message)
    commit_work()
    service.forget(config, raw_name)
    if release:
        # Translators: a confirmation: a held email was let through.
        flash(_("The email was let through."), "success")
    else:
        # Translators: a confirmation: a held email was thrown away.
        flash(_("The email was discarded."), "success")
    return redirect(url_for("mail.log"), 303)


@bp.post("/mail/<int:mail_id>/release")
@role_required("helpdesk")
def release(mail_id: int) -> ResponseReturnValue:
    """Let a held email through, as if it had just come (audited)."""
    return _held_change(mail_id, release=True)


@bp.post("/mail/<int:mail_id>/discard")
@role_required("helpdesk")
def discard(mail_id: int) -> ResponseReturnValue:
    """Throw a held email away (audited; it stays listed)."""
    return _held_change(mail_id, release=False)

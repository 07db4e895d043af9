"""Routes of the intake: ask for help, log an email request, link its requester."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.attachments import service as attachments
from app.auth.roles import current_roles, login_required, role_required
from app.auth.views import load_user
from app.cases.access import CaseAccess, case_access
from app.cases.errors import WorkflowError
from app.cases.models import Case
from app.cases.queries import find_case
from app.cases.timeline import TimelineEntry
from app.cases.views import load_case
from app.core import ratelimit
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import csrf_refused, fail
from app.intake import service
from app.intake.forms import EditRequestForm, EmailRequestForm, LinkRequesterForm, RequestForm
from app.intake.labels import change_rows
from app.intake.queries import registry_choices

bp = Blueprint("intake", __name__)

FormT = TypeVar("FormT", bound=RequestForm)
F = TypeVar("F", bound=Callable[..., Any])

# Two people filing at the same moment may draw the same reference number; the
# database refuses the second, which is then filed again with the next number.
FILING_ATTEMPTS = 3

# The forms that keep what was typed when they cannot be sent (endpoint → email mode).
DRAFT_FORMS = {"intake.new_request": False, "intake.log_email": True}


def _prepared(form_class: type[FormT], db: Session) -> FormT:
    form = form_class()
    form.set_choices(registry_choices(db), get_locale() or "en")
    return form


def _render(form: RequestForm, email_mode: bool, **extra: Any) -> ResponseReturnValue:
    status = 400 if request.method == "POST" else 200
    return render_template("intake/request_form.html", form=form, email_mode=email_mode,
                           **extra), status


def _draft(email_mode: bool) -> ResponseReturnValue:
    """The form again, filled with what was sent and with a fresh security token, and a
    note saying why nothing was filed; nothing is checked or saved. What is shown is only
    what this browser has just sent."""
    form = _prepared(EmailRequestForm if email_mode else RequestForm, get_session())
    if g.get("user") is None:
        # Translators: on the request form, after the person was signed out (e.g. their
        # session ended) while filling it in.
        note = _("You were signed out, so nothing was sent yet. Everything you typed is "
                 "kept below. Sign in again in a new tab, then come back to this tab and "
                 "send the form again.")
    else:
        # Translators: on the request form, when it was sent after its security token had
        # expired (e.g. after more than an hour).
        note = _("This form had expired, so nothing was sent yet. Everything you typed is "
                 "kept below: check it and send it again.")
    return _render(form, email_mode, draft_note=note, sign_in_again=g.get("user") is None)


def _from_this_site() -> bool:
    """Did the browser say the form was sent from one of our pages? Another site's form
    gets the plain error page: its values are never shown as if they were the person's."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@bp.errorhandler(CSRFError)
def form_expired(exc: CSRFError) -> ResponseReturnValue:
    """A form sent with a missing or old security token. The request forms are shown
    again with everything typed (a long request is not lost to an expired session);
    every other form gets the usual page."""
    email_mode = DRAFT_FORMS.get(request.endpoint or "")
    if email_mode is None or not _from_this_site():
        return csrf_refused()
    load_user()  # the token is checked before the user is loaded
    user = g.get("user")
    if user is not None and (user.blocked or (email_mode and "helpdesk" not in
                                              current_roles())):
        return csrf_refused()
    return _draft(email_mode)


def _file_with_retry(file: Callable[[], Case | None]) -> Case | None:
    for attempt in range(FILING_ATTEMPTS):
        try:
            case = file()
            if case is None:
                discard_work()
                return None
            commit_work()
            return case
        except IntegrityError:
            discard_work()
            if attempt == FILING_ATTEMPTS - 1:
                raise
    return None  # pragma: no cover - the loop returns or raises


def _signed_out_post(view: F) -> F:
    """A form sent by someone signed out meanwhile is kept (see `_draft`); otherwise
    `view`, which checks who may use it."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None and request.method == "POST":
            return _draft(DRAFT_FORMS[request.endpoint or ""])
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.route("/requests/new", methods=["GET", "POST"])
@ratelimit.limiter.limit(ratelimit.setting("RATELIMIT_FILING"), key_func=ratelimit.signed_in_user,
                        methods=["POST"], deduct_when=ratelimit.counted,
                        error_message=ratelimit.filing_refused)
@_signed_out_post
@login_required
def new_request() -> ResponseReturnValue:
    """The "Ask for help" form; filing it creates a case for the signed-in user."""
    user = g.user
    if user.blocked:
        return render_template("intake/blocked.html"), 403
    db = get_session()
    form = _prepared(RequestForm, db)
    if request.method == "GET" and not form.contact_email.data and user.email:
        form.contact_email.data = user.email
    if not form.validate_on_submit():
        return _render(form, email_mode=False)
    try:
        uploads = attachments.read_uploads(request.files.getlist("attachments"))
    except WorkflowError as exc:  # a file too large (413) or of a kind not accepted
        return render_template("intake/request_form.html", form=form, email_mode=False,
                               upload_error=exc.message), exc.status
    case = _file_with_retry(lambda: service.file_request(db, user, form, uploads))
    if case is None:
        return _render(form, email_mode=False)
    ratelimit.count_this_request()  # only filed requests count towards RATELIMIT_FILING
    # Translators: a confirmation after filing; %(ref)s is the case reference, like CPH-2026-0042.
    flash(_("Your request %(ref)s was filed. The helpdesk will look at it soon; you can "
            "follow it on this page.", ref=case.reference), "success")
    if case.licence_flagged:
        # Translators: a notice after filing a request with a non-free licence.
        flash(_("The licence is not one of the free licences, so the request is flagged for "
                "the Expert Committee."), "warning")
    return redirect(url_for("cases.case_page", reference=case.reference))


@bp.route("/requests/log-email", methods=["GET", "POST"])
@ratelimit.limiter.limit(ratelimit.setting("RATELIMIT_EMAIL_INTAKE"),
                        key_func=ratelimit.signed_in_user, methods=["POST"],
                        deduct_when=ratelimit.counted, error_message=ratelimit.email_intake_refused)
@_signed_out_post
@role_required("helpdesk")
def log_email() -> ResponseReturnValue:
    """The helpdesk files a request that came by email, on behalf of its sender."""
    staff = g.user
    db = get_session()
    form = _prepared(EmailRequestForm, db)
    if not form.validate_on_submit():
        return _render(form, email_mode=True)
    case = _file_with_retry(lambda: service.log_email_request(db, staff, form))
    if case is None:
        return _render(form, email_mode=True)
    ratelimit.count_this_request()  # counts towards RATELIMIT_EMAIL_INTAKE
    # Translators: a confirmation for the helpdesk; %(ref)s is the case reference, %(sender)s the
    # sender's name or email address.
    flash(_("Request %(ref)s was logged for %(sender)s; the email is stored as an internal "
            "note.", ref=case.reference, sender=case.contact_name or case.contact_email),
          "success")
    return redirect(url_for("cases.case_page", reference=case.reference))


@bp.post("/requests/<reference>/link-requester")
@role_required("helpdesk")
def link_requester(reference: str) -> ResponseReturnValue:
    """Link an email case to the wiki account of its sender (who has signed in)."""
    db = get_session()
    case = find_case(db, reference)
    if case is None:
        # Translators: an error; %(reference)s is a case reference like CPH-2026-0042.
        fail(404, _("There is no case %(reference)s.", reference=reference[:40]))
    form = LinkRequesterForm()  # the CSRF token was checked for every POST already
    try:
        user = service.link_requester(db, case, g.user, case_access(db, g.user, case),
                                      form.username.data or "", form.version.data)
    except WorkflowError as exc:
        discard_work()
        fail(exc.status, exc.message)
    commit_work()
    # Translators: a confirmation; %(ref)s is a case reference, %(name)s a Wikimedia username.
    flash(_("%(ref)s is now linked to the account %(name)s.", ref=case.reference,
            name=user.username), "success")
    return redirect(url_for("cases.case_page", reference=case.reference))


def _edit_form(case: Case, access: CaseAccess) -> EditRequestForm:
    """The edit form: what was sent, else the request as it is now."""
    db = get_session()
    if request.method == "POST":
        sent = _prepared(EditRequestForm, db)
        if access.is_staff:
            sent.optional_for_staff()
        return sent
    form = EditRequestForm(data={
        "title": case.title, "description": case.description,
        "request_type": case.request_type, "timeline": case.timeline,
        "organisation_id": str(case.organisation_id), "content_kinds": case.content_kinds,
        "content_volume": case.content_volume, "licence": case.licence,
        "licence_details": case.licence_details, "target_projects": case.target_projects,
        "themes": case.themes, "countries": case.countries, "languages": case.languages,
        "support_types": case.support_types, "support_details": case.support_details,
        "contact_name": case.contact_name, "contact_email": case.contact_email,
        "public_listing": case.public_listing, "version": str(case.version)})
    form.set_choices(registry_choices(db), get_locale() or "en")
    if access.is_staff:
        form.optional_for_staff()
    return form


def _render_edit(case: Case, form: EditRequestForm, status: int,
                 **extra: Any) -> ResponseReturnValue:
    return render_template("intake/request_form.html", form=form, email_mode=False,
                           edit_case=case, **extra), status


@bp.app_template_global("may_edit_request")
def may_edit_request(case: Case, access: CaseAccess) -> bool:
    """Does the case page offer to edit the request?"""
    return service.may_edit(case, access)


@bp.route("/requests/<reference>/edit", methods=["GET", "POST"])
@login_required
def edit_request(reference: str) -> ResponseReturnValue:
    """Change a request after filing: its requester until it is triaged, staff at any
    time. Each change shows in the case's history and the audit log."""
    case, access = load_case(reference)
    try:
        service.check_may_edit(case, access)
    except WorkflowError as exc:
        fail(exc.status, exc.message)
    form = _edit_form(case, access)
    if request.method == "GET" or not form.validate():
        return _render_edit(case, form, 200 if request.method == "GET" else 400)
    try:
        changed = service.edit_request(get_session(), case, g.user, access, form)
    except WorkflowError as exc:
        discard_work()
        return _render_edit(case, form, exc.status, edit_error=exc.message)
    if changed is None:
        discard_work()
        return _render_edit(case, form, 400)
    commit_work()
    # Translators: a confirmation after changing a request (the other one is 'Nothing was
    # changed.').
    flash(_("Your changes to the request were saved.") if changed
          # Translators: after sending the edit form of a request without changing anything.
          else _("Nothing was changed."), "success")
    return redirect(url_for("cases.case_page", reference=case.reference))


@bp.app_template_global("edit_changes")
def edit_changes(entry: TimelineEntry) -> list[tuple[str, str, str]]:
    """The rows of an edit in the case's history: field, before, after."""
    return change_rows(entry.changes)

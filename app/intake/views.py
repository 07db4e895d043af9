"""Routes of the intake: ask for help, log an email request, link its requester."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.roles import login_required, role_required
from app.cases.access import case_access
from app.cases.errors import WorkflowError
from app.cases.models import Case
from app.cases.queries import find_case
from app.core import ratelimit
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.intake import service
from app.intake.forms import EmailRequestForm, LinkRequesterForm, RequestForm
from app.intake.queries import registry_choices

bp = Blueprint("intake", __name__)

FormT = TypeVar("FormT", bound=RequestForm)

# Two people filing at the same moment may draw the same reference number; the
# database refuses the second, which is then filed again with the next number.
FILING_ATTEMPTS = 3


def _prepared(form_class: type[FormT], db: Session) -> FormT:
    form = form_class()
    form.set_choices(registry_choices(db), get_locale() or "en")
    return form


def _render(form: RequestForm, email_mode: bool) -> ResponseReturnValue:
    status = 400 if request.method == "POST" else 200
    return render_template("intake/request_form.html", form=form, email_mode=email_mode), status


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


@bp.route("/requests/new", methods=["GET", "POST"])
@ratelimit.limiter.limit(ratelimit.setting("RATELIMIT_FILING"), key_func=ratelimit.signed_in_user,
                        methods=["POST"], deduct_when=ratelimit.counted,
                        error_message=ratelimit.filing_refused)
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
    case = _file_with_retry(lambda: service.file_request(db, user, form))
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

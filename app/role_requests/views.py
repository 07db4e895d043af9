"""The requester's routes: ask for a role, see the answers, withdraw. The
administrators answer on the roles page (app/admin/views.py)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.labels import role_label
from app.auth.roles import login_required, roles_of
from app.cases.labels import label
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.role_requests import queries, service
from app.role_requests.forms import ROLE_HELP, AskForRoleForm, ChangeRoleRequestForm
from app.role_requests.labels import STATUS_LABELS

bp = Blueprint("role_requests", __name__)


def _open_roles() -> list[str]:
    """The roles the signed-in person may still ask for: not held, not asked for."""
    db = get_session()
    held = roles_of(g.user)
    return [role for role in service.REQUESTABLE
            if role not in held and queries.pending_for(db, g.user, role) is None]


def _render(form: AskForRoleForm, status: int = 200) -> ResponseReturnValue:
    return render_template("role_requests/ask.html", form=form, role_help=ROLE_HELP,
                           role_label=role_label,
                           requests=queries.of_user(get_session(), g.user)), status


@bp.get("/roles/request")
@login_required
def ask_page() -> ResponseReturnValue:
    """The form to ask for a role, and the person's requests with their answers."""
    return _render(AskForRoleForm(formdata=None).offer(_open_roles()))


@bp.post("/roles/request")
@login_required
def ask() -> ResponseReturnValue:
    """Ask for a role (tells the administrators)."""
    form = AskForRoleForm().offer(list(service.REQUESTABLE))
    if not form.validate():
        form.offer(_open_roles())
        return _render(form, 400)
    try:
        service.ask(get_session(), g.user, form.role.data or "", form.reason.data or "")
    except service.RoleRequestError as exc:
        discard_work()
        form.offer(_open_roles())
        form.role.errors = [exc.message]
        return _render(form, exc.status)
    commit_work()
    # Translators: a confirmation; %(role)s is a role's name, e.g. 'Helpdesk staff'.
    flash(_("Your request for the role %(role)s was sent to the administrators.",
            role=role_label(form.role.data or "")), "success")
    return redirect(url_for("role_requests.ask_page"), 303)


@bp.post("/roles/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int) -> ResponseReturnValue:
    """Take back one's own request not answered yet."""
    if not ChangeRoleRequestForm().validate():
        # Translators: an error.
        fail(400, _("The form could not be read."))
    try:
        service.withdraw(get_session(), request_id, g.user)
    except service.RoleRequestError as exc:
        discard_work()
        fail(exc.status, exc.message)
    commit_work()
    # Translators: a confirmation after withdrawing a request for a role.
    flash(_("Your request was withdrawn."), "success")
    return redirect(url_for("role_requests.ask_page"), 303)


@bp.app_template_global("role_request_status")
def role_request_status(status: str) -> str:
    """A request's state in the reader's language."""
    return label(STATUS_LABELS, status)

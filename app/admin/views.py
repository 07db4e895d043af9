"""Routes under /admin/: grant and revoke roles, read the audit log."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.admin import labels as audit_labels
from app.admin import queries, service
from app.admin.forms import AuditFilterForm, GrantRoleForm, RevokeRoleForm, SignOutEverywhereForm
from app.auth.labels import role_choices, role_label
from app.auth.roles import configured_admins, find_user, role_required
from app.auth.service import RoleError, grant_role, revoke_role
from app.auth.sessions import renew_after_own_change
from app.core.db import as_id, commit_work, discard_work, get_session
from app.core.errors import fail
from app.core.pagination import paginate
from app.role_requests import queries as role_request_queries
from app.role_requests import service as role_requests
from app.role_requests.forms import ChangeRoleRequestForm, DeclineRoleRequestForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The sign-out form shares the roles page with the grant form: its fields are prefixed.
SIGN_OUT = "signout"


def _decline_form(request_id: int, formdata: object = None) -> DeclineRoleRequestForm:
    """The answer form of one request (prefixed: the page has one per request)."""
    return DeclineRoleRequestForm(formdata=formdata, prefix=f"decline-{request_id}")


def _render_roles(form: GrantRoleForm, status: int = 200,
                  sign_out_form: SignOutEverywhereForm | None = None,
                  declining: tuple[int, DeclineRoleRequestForm] | None = None,
                  ) -> ResponseReturnValue:
    db = get_session()
    waiting = role_request_queries.pending(db)
    decline_forms = {request.id: _decline_form(request.id) for request in waiting}
    if declining is not None:  # the answer refused, with its error
        decline_forms[declining[0]] = declining[1]
    return render_template(
        "admin/roles.html",
        form=form,
        role_requests=waiting,
        decline_forms=decline_forms,
        users=queries.users_with_roles(db),
        revoke_form=RevokeRoleForm(),
        sign_out_form=sign_out_form or SignOutEverywhereForm(formdata=None, prefix=SIGN_OUT),
        configured_admins=sorted(configured_admins()),
        role_labels=dict(role_choices()),
    ), status


@bp.get("/")
@role_required("admin")
def roles() -> ResponseReturnValue:
    """Everyone who holds a role, and a form to grant one."""
    form = GrantRoleForm()
    form.role.choices = role_choices()
    return _render_roles(form)


@bp.post("/roles/grant")
@role_required("admin")
def grant() -> ResponseReturnValue:
    """Grant a role (audited)."""
    form = GrantRoleForm()
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        return _render_roles(form, 400)
    db = get_session()
    user = find_user(db, form.username.data or "")
    if user is None:
        form.username.errors = [
            # Translators: an error on the roles page; %(name)s is the username that was typed.
            _("No user called “%(name)s” has signed in to the helpdesk yet. Ask them to sign "
              "in once, then grant the role.", name=form.username.data)
        ]
        return _render_roles(form, 404)
    try:
        grant_role(db, user, form.role.data or "", g.user)
    except RoleError as exc:
        form.role.errors = [str(exc)]
        return _render_roles(form, 409)
    renew_after_own_change(user)
    commit_work()
    # Translators: a confirmation; %(name)s is a username, %(role)s a role's name, e.g. 'Helpdesk
    # staff'.
    flash(_("%(name)s now has the role %(role)s.", name=user.username,
            role=role_label(form.role.data or "")), "success")
    return redirect(url_for("admin.roles"))


@bp.post("/roles/revoke")
@role_required("admin")
def revoke() -> ResponseReturnValue:
    """Revoke a role (audited)."""
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        # Translators: an error: the form to take a role away lacked data.
        flash(_("The revoke request was incomplete."), "error")
        return redirect(url_for("admin.roles")), 303
    db = get_session()
    user = queries.user_by_id(db, as_id(form.user_id.data))
    if user is None:
        # Translators: an error on the roles page.
        flash(_("That user does not exist."), "error")
        return redirect(url_for("admin.roles")), 303
    try:
        revoke_role(db, user, form.role.data or "", g.user)
    except RoleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.roles")), 303
    renew_after_own_change(user)
    commit_work()
    # Translators: a confirmation; %(role)s is a role's name (e.g. 'Helpdesk staff'), %(name)s a
    # username.
    flash(_("The role %(role)s was taken from %(name)s.", role=role_label(form.role.data or ""),
            name=user.username), "success")
    return redirect(url_for("admin.roles"))


@bp.post("/sessions/end")
@role_required("admin")
def sign_out_everywhere() -> ResponseReturnValue:
    """End every signed-in session of a user (audited): every copy of their cookies."""
    grant_form = _grant_form()
    form = SignOutEverywhereForm(prefix=SIGN_OUT)
    if not form.validate_on_submit():
        return _render_roles(grant_form, 400, form)
    user = find_user(get_session(), form.username.data or "")
    if user is None:
        form.username.errors = [
            # Translators: an error on the roles page; %(name)s is the username that was typed.
            _("No user called “%(name)s” has signed in to the helpdesk.",
              name=form.username.data)
        ]
        return _render_roles(grant_form, 404, form)
    service.sign_out_everywhere(get_session(), user, g.user)
    commit_work()
    # Translators: a confirmation on the roles page; %(name)s is a username.
    flash(_("%(name)s is signed out on every device and browser.", name=user.username),
          "success")
    return redirect(url_for("admin.roles"))


def _grant_form() -> GrantRoleForm:
    form = GrantRoleForm(formdata=None)
    form.role.choices = role_choices()
    return form


@bp.post("/role-requests/<int:request_id>/approve")
@role_required("admin")
def approve_role_request(request_id: int) -> ResponseReturnValue:
    """Approve a request for a role: the role is granted (audited), the person told."""
    if not ChangeRoleRequestForm().validate():
        fail(400, _("The form could not be read."))
    try:
        approved = role_requests.approve(get_session(), request_id, g.user)
    except role_requests.RoleRequestError as exc:
        discard_work()
        fail(exc.status, exc.message)
    renew_after_own_change(approved.user)
    commit_work()
    flash(_("%(name)s now has the role %(role)s.", name=approved.user.username,
            role=role_label(approved.role)), "success")
    return redirect(url_for("admin.roles"), 303)


@bp.post("/role-requests/<int:request_id>/decline")
@role_required("admin")
def decline_role_request(request_id: int) -> ResponseReturnValue:
    """Decline a request for a role with an answer (required); the person is told."""
    form = _decline_form(request_id, request.form)
    if not form.validate():
        return _render_roles(_grant_form(), 400, declining=(request_id, form))
    try:
        declined = role_requests.decline(get_session(), request_id, g.user,
                                         form.answer.data or "")
    except role_requests.RoleRequestError as exc:
        discard_work()
        if exc.status != 400:
            fail(exc.status, exc.message)
        form.answer.errors = [exc.message]
        return _render_roles(_grant_form(), 400, declining=(request_id, form))
    commit_work()
    # Translators: a confirmation on the roles page; %(role)s is a role's name, %(name)s a
    # username.
    flash(_("The request of %(name)s for the role %(role)s was declined; they are told "
            "why.", name=declined.user.username, role=role_label(declined.role)), "success")
    return redirect(url_for("admin.roles"), 303)


@bp.get("/audit")
@role_required("admin")
def audit_log() -> ResponseReturnValue:
    """The audit log, newest first, paginated, filtered like Special:Log (who, kind of
    change, request, days); everything it mentions by number is named."""
    per_page = current_app.config["AUDIT_PAGE_SIZE"]
    page_number = request.args.get("page", 1, type=int) or 1
    page_number = max(1, min(page_number, 1_000_000))
    form = AuditFilterForm(formdata=request.args)
    form.kind.choices = audit_labels.kind_choices()
    db = get_session()
    filters = _audit_filters(form)
    events, page = (queries.page_of_events(db, filters, page_number, per_page)
                    if filters is not None else ([], paginate(1, per_page, 0)))
    names = queries.names_for(db, events)
    return render_template(
        "admin/audit.html", events=events, page=page, form=form, chosen=form.chosen(),
        names=names, object_name=partial(audit_labels.object_name, names=names),
        changes=partial(audit_labels.changes, names=names)), 400 if filters is None else 200


def _audit_filters(form: AuditFilterForm) -> queries.AuditFilters | None:
    """The filters of the form, or None when one cannot be used (its field says why)."""
    form.validate()
    since, until = form.days()
    db = get_session()
    name = (form.person.data or "").strip()
    person = find_user(db, name) if name else None
    if name and person is None:
        # Translators: an error of the audit log's filter; %(name)s is the username typed.
        form.person.errors = [*form.person.errors, _("No user called “%(name)s” has signed in "
                                                     "to the helpdesk.", name=name[:80])]
    reference = (form.case.data or "").strip()
    case = queries.case_by_reference(db, reference) if reference else None
    if reference and case is None:
        # Translators: an error of the audit log's filter; %(reference)s is what was typed.
        form.case.errors = [*form.case.errors, _("There is no request %(reference)s.",
                                                 reference=reference[:40])]
    if any(field.errors for field in form):
        return None
    return queries.AuditFilters(person=person, kind=form.kind.data or None, case=case,
                                since=since, until=until)
